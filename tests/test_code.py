"""Functions, procedures, views, materialized views and triggers: load, introspect, normalize,
export and plan, against a real PostgreSQL."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from reconciler.config import IgnoreRules
from reconciler.diff import diff
from reconciler.errors import LoadError, NormalizationError, PlanError
from reconciler.report.drift import findings

from reconciler.introspect import introspect
from reconciler.introspect.code import split_search_path
from reconciler.load import load_paths
from reconciler.model import QualifiedName
from reconciler.pg.runner import run_statements
from reconciler.scratch import desired_scope, normalize
from reconciler.service import export, plan
from reconciler.sqlgen import create_catalog

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
    print(live.catalog.functions, live.catalog.views, live.catalog.materialized_views, items.triggers, live.dependencies, live.unmanaged, sep="\n")


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
    directory = _write(tmp_path / "bad", """
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
    """)
    with pytest.raises(LoadError) as info:
        load_paths([directory])
    messages = [str(d) for d in info.value.diagnostics]
    file = str(directory / "code.yaml")
    assert any(m.startswith(f"{file}:5:") and "exactly one SELECT" in m for m in messages), messages
    assert any(m.startswith(f"{file}:12:") and "body does not parse as SQL" in m for m in messages), messages
    assert any(m.startswith(f"{file}:19:") and "refresh: concurrently needs a unique index" in m for m in messages), messages
    assert any(m.startswith(f"{file}:27:") and "nope" in m for m in messages), messages
    assert any(m.startswith(f"{file}:27:") and "columns (UPDATE OF) need the `update` event" in m for m in messages), messages


def test_hostile_names_and_bodies_are_quoted_never_spliced(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute("CREATE TABLE public.students (id int)")
    directory = _write(tmp_path / "hostile", """
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
    """)
    outcome = plan([directory], database)
    with conn.transaction():
        for step in outcome.plan.steps:
            run_statements(conn, list(step.statements))
    assert conn.execute("SELECT to_regclass('public.students') IS NOT NULL").fetchone() == (True,)
    value = conn.execute(sql.SQL("SELECT {}('y')").format(sql.Identifier("public", "f'); DROP TABLE students; --"))).fetchone()
    assert value == ("x'); DROP TABLE students; --y",)
    assert plan([directory], database).plan.steps == ()


def test_undeclared_code_objects_are_unmanaged_never_dropped(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute("""
        CREATE TABLE public.t (id int PRIMARY KEY, n int);
        CREATE VIEW public.v AS SELECT id FROM public.t;
        CREATE FUNCTION public.f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';
        CREATE FUNCTION public.trg() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
        CREATE TRIGGER t_trg BEFORE INSERT ON public.t FOR EACH ROW EXECUTE FUNCTION public.trg();
    """)
    directory = _write(tmp_path / "desired", """
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata: {name: t}
        spec:
          columns: [{name: id, type: int}, {name: n, type: bigint}]
          primaryKey: [id]
    """)
    outcome = plan([directory], database)
    assert set(outcome.plan.unmanaged) == {"function public.f(integer)", "function public.trg()", "view public.v", "trigger public.t.t_trg"}
    text = "\n".join(s.text() for step in outcome.plan.steps for s in step.statements)
    assert "DROP VIEW" not in text and "DROP FUNCTION \"public\".\"f\"" not in text and "DROP TRIGGER \"t_trg\"" not in text
    live = introspect(database)
    found, _ = findings(diff(live.catalog, outcome.desired), outcome.desired, IgnoreRules(), live=live.catalog)
    statuses = {f"{k.kind} {k}": v.status.value for k, v in found.items()}
    assert statuses["view public.v"] == "unmanaged" and statuses["function public.f(integer)"] == "unmanaged"
    assert statuses["table public.t"] == "different"


def test_postgresql_rejecting_a_body_or_query_points_at_the_yaml(database: str, tmp_path: Path) -> None:
    directory = _write(tmp_path / "rejected", """
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
    """)
    file = directory / "code.yaml"
    with pytest.raises(NormalizationError) as info:
        plan([directory], database)
    message = str(info.value)
    assert message.startswith(f"{file}:1: function public.broken: PostgreSQL rejected it: syntax error"), message
    (directory / "code.yaml").write_text(file.read_text().replace("RETURN NEW END;", "RETURN NEW; END;"))
    with pytest.raises(NormalizationError) as info:
        plan([directory], database)
    assert str(info.value) == f'{file}:9: view public.v: PostgreSQL rejected it: relation "no_such_table" does not exist'


def test_search_path_settings_are_split_as_postgresql_quotes_them() -> None:
    assert split_search_path('shop, "My Schema", "$user", "a""b", pg_catalog') == ("shop", "My Schema", "$user", 'a"b', "pg_catalog")
    assert split_search_path('""') == ()


def test_dropping_what_an_undeclared_view_reads_is_refused_with_advice(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute("CREATE TABLE public.t (id int PRIMARY KEY, old int); CREATE VIEW public.v AS SELECT id, old FROM public.t")
    directory = _write(tmp_path / "desired", """
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata: {name: t}
        spec:
          columns: [{name: id, type: int}]
          primaryKey: [id]
    """)
    with pytest.raises(PlanError) as info:
        plan([directory], database)
    assert str(info.value) == (
        "column public.t.old is dropped, but view public.v (not declared in the YAML) use(s) it: "
        "declare the view(s) with a query that no longer needs it, or drop them yourself first"
    )
