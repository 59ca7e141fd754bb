"""Functions, procedures, views, materialized views and triggers: load, introspect, normalize,
export and plan, against a real PostgreSQL."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from reconciler.ddl.catalog import create_catalog
from reconciler.ddl.statement import run_statements
from reconciler.diff import diff
from reconciler.drift.findings import findings
from reconciler.errors import LoadError, NormalizationError, PlanError
from reconciler.introspect import introspect
from reconciler.introspect.code import split_search_path
from reconciler.load import load_paths
from reconciler.model import QualifiedName
from reconciler.normalize import desired_scope, normalize
from reconciler.plan.plain import run_step
from reconciler.policy import IgnoreRules
from reconciler.service import export, plan

CODE = Path(__file__).parent / "fixtures" / "code"


def test_code_objects_survive_normalization(conn: psycopg.Connection[Any], database: str) -> None:
    loaded = load_paths([CODE])
    with conn.transaction():
        run_statements(conn, create_catalog(loaded.catalog))
    desired = normalize(loaded.catalog, database, origins=loaded.origins)
    live = introspect(database, desired_scope(loaded.catalog))
    assert desired.catalog.functions == live.catalog.functions
    assert desired.catalog.views == live.catalog.views
    assert desired.catalog.materialized_views == live.catalog.materialized_views
    items = live.catalog.table(QualifiedName("shop", "items"))
    assert items is not None and items.triggers == desired.catalog.table(items.qname).triggers
    print(
        live.catalog.functions,
        live.catalog.views,
        live.catalog.materialized_views,
        items.triggers,
        live.dependencies,
        live.unmanaged,
        sep="\n",
    )


def test_export_then_plan_shows_nothing(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    loaded = load_paths([CODE])
    with conn.transaction():
        run_statements(conn, create_catalog(loaded.catalog))
    export(database, tmp_path / "export")
    files = sorted(str(p.relative_to(tmp_path / "export")) for p in (tmp_path / "export").rglob("*.yaml"))
    assert files == [
        "public/_schema.yaml",
        "shop/_schema.yaml",
        "shop/functions/is_positive-2.yaml",  # an overload: same name, other argument types
        "shop/functions/is_positive.yaml",
        "shop/functions/set_updated_at.yaml",
        "shop/functions/split_total.yaml",
        "shop/functions/top_items.yaml",
        "shop/items.yaml",
        "shop/materialized-views/item_totals.yaml",
        "shop/procedures/count_items.yaml",
        "shop/procedures/restock.yaml",
        "shop/views/big_items.yaml",
    ]
    outcome = plan([tmp_path / "export"], database)
    assert outcome.plan.steps == () and outcome.plan.changes == () and outcome.plan.unmanaged == ()


# --- what a user sees -----------------------------------------------------------------------


def _write(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "code.yaml").write_text(textwrap.dedent(text).lstrip())
    return directory


def test_bad_code_documents_are_reported_at_file_and_line(tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "bad",
        """
        apiVersion: reconciler.dev/v1alpha1
        kind: View
        metadata: {name: v}
        spec:
          query: SELECT 1; DROP TABLE students
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {name: f}
        spec:
          returns: integer
          body: SELEC 1
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: MaterializedView
        metadata: {name: m}
        spec:
          query: SELECT 1 AS one
          refresh: concurrently
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata: {name: t}
        spec:
          columns: [{name: id, type: int}]
          triggers:
            - {name: t_trg, timing: before, events: [insert], columns: [nope], function: f}
    """,
    )
    with pytest.raises(LoadError) as info:
        load_paths([directory])
    messages = [str(d) for d in info.value.diagnostics]
    file = str(directory / "code.yaml")
    assert any(m.startswith(f"{file}:5:") and "exactly one SELECT" in m for m in messages), messages
    assert any(m.startswith(f"{file}:12:") and "body does not parse as SQL" in m for m in messages), messages
    assert any(m.startswith(f"{file}:19:") and "refresh: concurrently needs a unique index" in m for m in messages), (
        messages
    )
    assert any(m.startswith(f"{file}:27:") and "nope" in m for m in messages), messages
    assert any(m.startswith(f"{file}:27:") and "columns (UPDATE OF) need the `update` event" in m for m in messages), (
        messages
    )


def test_hostile_names_and_bodies_are_quoted_never_spliced(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute("CREATE TABLE public.students (id int)")
    directory = _write(
        tmp_path / "hostile",
        """
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {name: f}
        spec:
          name: "f'); DROP TABLE students; --"
          arguments: [{name: "a\\"b", type: text}]
          returns: text
          body: "SELECT 'x''); DROP TABLE students; --' || $1"
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: View
        metadata: {name: v}
        spec:
          name: "v\\"; DROP TABLE students; --"
          query: "SELECT 1 AS \\"a;b\\" -- ; DROP TABLE students"
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata: {name: students}
        spec:
          columns: [{name: id, type: int}]
    """,
    )
    outcome = plan([directory], database)
    with conn.transaction():
        for step in outcome.plan.steps:
            run_statements(conn, list(step.statements))
    assert conn.execute("SELECT to_regclass('public.students') IS NOT NULL").fetchone() == (True,)
    value = conn.execute(
        sql.SQL("SELECT {}('y')").format(sql.Identifier("public", "f'); DROP TABLE students; --"))
    ).fetchone()
    assert value == ("x'); DROP TABLE students; --y",)
    assert plan([directory], database).plan.steps == ()


def test_undeclared_code_objects_are_unmanaged_never_dropped(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute("""
        CREATE TABLE public.t (id int PRIMARY KEY, n int);
        CREATE VIEW public.v AS SELECT id FROM public.t;
        CREATE FUNCTION public.f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
        CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
        CREATE TRIGGER t_trg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.trg();
    """)
    directory = _write(
        tmp_path / "desired",
        """
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata: {name: t}
        spec:
          columns: [{name: id, type: int}, {name: n, type: bigint}]
          primaryKey: [id]
    """,
    )
    outcome = plan([directory], database)
    assert set(outcome.plan.unmanaged) == {
        "function public.f(integer)",
        "function public.trg()",
        "view public.v",
        "trigger public.t.t_trg",
    }
    text = "\n".join(s.text() for step in outcome.plan.steps for s in step.statements)
    assert "DROP VIEW" not in text and 'DROP FUNCTION "public"."f"' not in text and 'DROP TRIGGER "t_trg"' not in text
    live = introspect(database)
    found, _ = findings(diff(live.catalog, outcome.desired), outcome.desired, IgnoreRules(), live=live.catalog)
    statuses = {f"{k.kind} {k}": v.status.value for k, v in found.items()}
    assert statuses["view public.v"] == "unmanaged" and statuses["function public.f(integer)"] == "unmanaged"
    assert statuses["table public.t"] == "different"


def test_postgresql_rejecting_a_body_or_query_points_at_the_yaml(database: str, tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "rejected",
        """
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {name: broken}
        spec:
          returns: trigger
          language: plpgsql
          body: BEGIN RETURN NEW END;
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: View
        metadata: {name: v}
        spec:
          query: SELECT id FROM no_such_table
    """,
    )
    file = directory / "code.yaml"
    with pytest.raises(NormalizationError) as info:
        plan([directory], database)
    message = str(info.value)
    assert message.startswith(f"{file}:1: function public.broken: PostgreSQL rejected it: syntax error"), message
    (directory / "code.yaml").write_text(file.read_text().replace("RETURN NEW END;", "RETURN NEW; END;"))
    with pytest.raises(NormalizationError) as info:
        plan([directory], database)
    assert (
        str(info.value) == f'{file}:9: view public.v: PostgreSQL rejected it: relation "no_such_table" does not exist'
    )


def test_search_path_settings_are_split_as_postgresql_quotes_them() -> None:
    assert split_search_path('shop, "My Schema", "$user", "a""b", pg_catalog') == (
        "shop",
        "My Schema",
        "$user",
        'a"b',
        "pg_catalog",
    )
    assert split_search_path('""') == ()


def test_dropping_what_an_undeclared_view_reads_is_refused_with_advice(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(
        "CREATE TABLE public.t (id int PRIMARY KEY, old int); CREATE VIEW public.v AS SELECT id, old FROM public.t"
    )
    directory = _write(
        tmp_path / "desired",
        """
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata: {name: t}
        spec:
          columns: [{name: id, type: int}]
          primaryKey: [id]
    """,
    )
    with pytest.raises(PlanError) as info:
        plan([directory], database)
    assert str(info.value) == (
        "column public.t.old is dropped, but view public.v (not declared in the YAML) use(s) it: "
        "declare the view(s) with a query that no longer needs it, or drop them yourself first"
    )


# --- grants on functions and procedures; privileges kept when objects are re-created ----------

APP, OTHER = "reconciler_code_app", "reconciler_code_other"
ROLES = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP}') THEN CREATE ROLE {APP} NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OTHER}') THEN CREATE ROLE {OTHER} NOLOGIN; END IF;
END $$;
"""


def _apply(database: str, directory: Path) -> Any:
    outcome = plan([directory], database)
    assert outcome.plan.verified
    with psycopg.connect(database, autocommit=True) as conn:
        for step in outcome.plan.steps:
            run_step(conn, step)
    return outcome


def _as(database: str, role: str, query: str) -> Any:
    """Run `query` as `role`: what the application sees (None when permission is denied)."""
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        try:
            return conn.execute(query).fetchall()
        except psycopg.errors.InsufficientPrivilege:
            return None


def test_function_grants_round_trip_through_export(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(
        ROLES
        + f"""
        CREATE SCHEMA app;
        CREATE FUNCTION app.plain(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
        CREATE FUNCTION app.shared(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
        CREATE FUNCTION app.shared(a varchar(20), b numeric(10,2)) RETURNS int LANGUAGE sql AS 'SELECT 1';
        CREATE FUNCTION app.closed() RETURNS int LANGUAGE sql AS 'SELECT 1';
        CREATE PROCEDURE app.work(IN a int, OUT b int) LANGUAGE plpgsql AS 'BEGIN b := a; END';
        GRANT EXECUTE ON FUNCTION app.shared(int) TO {APP};
        REVOKE EXECUTE ON FUNCTION app.shared(varchar, numeric) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION app.shared(varchar, numeric) TO {APP} WITH GRANT OPTION;
        REVOKE EXECUTE ON FUNCTION app.closed() FROM PUBLIC;
        REVOKE EXECUTE ON PROCEDURE app.work(int, int) FROM PUBLIC;
        GRANT EXECUTE ON PROCEDURE app.work(int, int) TO {OTHER};
    """
    )
    export(database, tmp_path / "export", schemas=["app"])
    texts = {p.name: p.read_text() for p in (tmp_path / "export").rglob("*.yaml")}
    assert "grants" not in texts["plain.yaml"]  # PostgreSQL's default ACL: nothing to say
    assert (
        "grants:" in texts["closed.yaml"]
        and "to: public" in texts["closed.yaml"]
        and "privileges: []" in texts["closed.yaml"]
    )
    assert f"to: {APP}" in texts["shared.yaml"] and f"to: {APP}" in texts["shared-2.yaml"]
    assert f"to: {OTHER}" in texts["work.yaml"]
    outcome = plan([tmp_path / "export"], database)
    assert outcome.plan.steps == () and outcome.plan.changes == ()
    loaded = {str(g.target): g for g in outcome.desired.grants}
    assert set(loaded) == {
        "function app.shared(integer)",
        "function app.shared(character varying, numeric)",
        "function app.closed()",
        "procedure app.work(integer, integer)",
    }


def test_declared_function_grants_apply_and_public_is_revoked_only_when_named(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(ROLES + "CREATE FUNCTION public.open(a int) RETURNS int LANGUAGE sql AS 'SELECT a'; ")
    directory = _write(
        tmp_path / "desired",
        f"""
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {{name: open}}
        spec:
          arguments: [{{name: a, type: int4}}]
          returns: int
          body: SELECT a
          grants: [{{to: {APP}, privileges: [ALL]}}]
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {{name: secret}}
        spec:
          arguments: [{{name: a, type: "varchar(10)"}}]
          returns: text
          securityDefiner: true
          searchPath: [pg_catalog]
          body: SELECT a
          grants: [{{to: {APP}, privileges: [EXECUTE]}}, {{to: public, privileges: []}}]
    """,
    )
    _apply(database, directory)
    assert _as(database, APP, "SELECT public.open(1), public.secret('x')") == [(1, "x")]
    assert _as(database, OTHER, "SELECT public.open(2)") == [(2,)]  # PUBLIC not named: left alone
    assert _as(database, OTHER, "SELECT public.secret('x')") is None
    assert plan([directory], database).plan.steps == ()
    conn.execute(f"REVOKE EXECUTE ON FUNCTION public.secret(varchar) FROM {APP}")
    live, desired = introspect(database), plan([directory], database).desired
    found, _ = findings(diff(live.catalog, desired), desired, IgnoreRules(), live=live.catalog)
    statuses = {f"{k.kind} {k}": (v.status.value, v.details) for k, v in found.items()}
    status, details = statuses["function public.secret(character varying)"]
    assert status == "different" and f"EXECUTE to {APP} missing" in str(details)


def test_bad_function_grants_are_reported_at_file_and_line(tmp_path: Path) -> None:
    directory = _write(
        tmp_path / "bad",
        """
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {name: f}
        spec:
          returns: int
          body: SELECT 1
          grants:
            - {to: app, privileges: [SELECT]}
            - {to: app, privileges: [EXECUTE], columns: [a]}
    """,
    )
    with pytest.raises(LoadError) as info:
        load_paths([directory])
    messages = [str(d) for d in info.value.diagnostics]
    file = str(directory / "code.yaml")
    assert any(
        m.startswith(f"{file}:8:") and "'SELECT' is not a privilege here; expected one of EXECUTE" in m
        for m in messages
    ), messages
    assert any(m.startswith(f"{file}:9:") and "column grants exist only on tables" in m for m in messages), messages


def test_a_recreated_function_keeps_its_privileges(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(
        ROLES
        + f"""
        CREATE FUNCTION public.declared(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
        CREATE FUNCTION public.undeclared_grants(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
        REVOKE EXECUTE ON FUNCTION public.declared(int), public.undeclared_grants(int) FROM PUBLIC;
        GRANT EXECUTE ON FUNCTION public.declared(int), public.undeclared_grants(int) TO {APP};
    """
    )
    directory = _write(
        tmp_path / "desired",
        f"""
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {{name: declared}}
        spec:
          arguments: [{{name: a, type: int}}]
          returns: bigint
          body: SELECT a::bigint
          grants: [{{to: {APP}, privileges: [EXECUTE]}}, {{to: public, privileges: []}}]
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {{name: undeclared-grants}}
        spec:
          name: undeclared_grants
          arguments: [{{name: a, type: int}}]
          returns: bigint
          body: SELECT a::bigint
    """,
    )
    outcome = _apply(database, directory)
    assert [s.id for s in outcome.plan.steps] == [
        "expand/recreate-function/public.declared(integer)",
        "expand/recreate-function/public.undeclared_grants(integer)",
    ]
    assert _as(database, APP, "SELECT public.declared(1), public.undeclared_grants(2)") == [(1, 2)]
    assert _as(database, OTHER, "SELECT public.declared(1)") is None
    assert _as(database, OTHER, "SELECT public.undeclared_grants(1)") is None
    assert plan([directory], database).plan.steps == ()


def test_a_recreated_view_keeps_its_privileges(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute(
        ROLES
        + f"""
        CREATE TABLE public.t (id int PRIMARY KEY, n int, note text);
        INSERT INTO public.t VALUES (1, 10, 'a');
        CREATE VIEW public.v AS SELECT id, n, note FROM public.t;
        CREATE MATERIALIZED VIEW public.m AS SELECT id, n FROM public.t;
        GRANT SELECT ON public.v, public.m TO {APP};
    """
    )
    directory = _write(
        tmp_path / "desired",
        """
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata: {name: t}
        spec:
          columns: [{name: id, type: int}, {name: n, type: int}, {name: note, type: text}]
          primaryKey: [id]
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: View
        metadata: {name: v}
        spec:
          query: SELECT id, n FROM t
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: MaterializedView
        metadata: {name: m}
        spec:
          query: SELECT id, n * 2 AS n FROM t
    """,
    )
    _apply(database, directory)
    assert _as(database, APP, "SELECT id, n FROM public.v") == [(1, 10)]
    assert _as(database, APP, "SELECT id, n FROM public.m") == [(1, 20)]
    assert _as(database, APP, "SELECT id FROM public.t") is None
    assert plan([directory], database).plan.steps == ()


def test_function_grant_targets_quote_names_and_keep_types_whole(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(
        ROLES
        + """
        CREATE SCHEMA "we'ird";
        CREATE TYPE "we'ird"."a,b" AS (x int);
        CREATE FUNCTION "we'ird"."f""n"(a numeric(10, 2), b "we'ird"."a,b") RETURNS int LANGUAGE sql AS 'SELECT 1';
    """
    )
    directory = _write(
        tmp_path / "desired",
        f"""
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {{name: fn}}
        spec:
          schema: "we'ird"
          name: 'f"n'
          arguments: [{{name: a, type: "numeric(10,2)"}}, {{name: b, type: '"we''ird"."a,b"'}}]
          returns: int
          body: SELECT 1
          grants: [{{to: {APP}, privileges: [EXECUTE]}}, {{to: public, privileges: []}}]
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: CompositeType
        metadata: {{name: ab}}
        spec:
          schema: "we'ird"
          name: "a,b"
          attributes: [{{name: x, type: int}}]
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Schema
        metadata: {{name: weird}}
        spec: {{name: "we'ird", grants: [{{to: {APP}, privileges: [USAGE]}}, {{to: {OTHER}, privileges: [USAGE]}}]}}
    """,
    )
    outcome = _apply(database, directory)
    text = "\n".join(s.text() for step in outcome.plan.steps for s in step.statements)
    assert 'GRANT EXECUTE ON FUNCTION "we\'ird"."f""n"(numeric, "we\'ird"."a,b") TO' in text, text
    call = 'SELECT "we\'ird"."f""n"(1, ROW(1))'
    assert _as(database, APP, call) == [(1,)]
    assert _as(database, OTHER, call) is None
    assert plan([directory], database).plan.steps == ()
