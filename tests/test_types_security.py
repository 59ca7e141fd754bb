"""Domains, composite types and row-level security on a real PostgreSQL: every attribute
survives introspect -> export -> load -> normalize, an exported directory plans to nothing, and
bad input is reported against its file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from reconciler.errors import LoadError, PlanError
from reconciler.introspect import introspect
from reconciler.load import load_paths
from reconciler.model import QualifiedName, canonical_json, content_hash
from reconciler.normalize import desired_scope, normalize
from reconciler.plan.context import PlanSettings
from reconciler.service import export, plan

RECONCILER = str(Path(sys.executable).parent / "reconciler")
ROLE = "reconciler_types_reader"

SETUP = f"""
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{ROLE}') THEN CREATE ROLE {ROLE} NOLOGIN; END IF;
END $$;
CREATE SCHEMA app;
CREATE COLLATION app.c_copy FROM "C";
CREATE DOMAIN app.positive_money AS numeric(12,2) DEFAULT 0 NOT NULL
  CONSTRAINT positive_money_check CHECK (VALUE >= 0)
  CONSTRAINT "Small Enough" CHECK (VALUE < 1000000);
ALTER DOMAIN app.positive_money ADD CONSTRAINT not_tiny CHECK (VALUE = 0 OR VALUE >= 0.5) NOT VALID;
COMMENT ON DOMAIN app.positive_money IS 'money, never negative';
CREATE DOMAIN app.code AS text COLLATE "C" CHECK (VALUE ~ '^[A-Z]+$');
CREATE DOMAIN public.plain AS integer;
CREATE TYPE app.address AS (street text, city varchar(80) COLLATE "C", zip app.code);
COMMENT ON TYPE app.address IS 'postal address';
CREATE TABLE app.accounts (
  id bigint PRIMARY KEY,
  owner text NOT NULL,
  balance app.positive_money,
  home app.address,
  code app.code COLLATE "POSIX",
  label text COLLATE app.c_copy
);
CREATE POLICY owner_reads ON app.accounts FOR SELECT TO {ROLE} USING (owner = current_user);
CREATE POLICY owner_writes ON app.accounts AS RESTRICTIVE FOR UPDATE TO {ROLE}
  USING (owner = current_user) WITH CHECK (balance >= 0);
CREATE POLICY inserts ON app.accounts FOR INSERT WITH CHECK (true);
ALTER TABLE app.accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.accounts FORCE ROW LEVEL SECURITY;
CREATE TABLE app.open_table (id int);
ALTER TABLE app.open_table ENABLE ROW LEVEL SECURITY;
CREATE SEQUENCE app.counter;
GRANT USAGE ON SCHEMA app TO {ROLE};
GRANT SELECT, INSERT ON app.accounts TO {ROLE};
GRANT UPDATE (owner, balance) ON app.accounts TO {ROLE} WITH GRANT OPTION;
GRANT SELECT (id) ON app.accounts TO PUBLIC;
GRANT USAGE, SELECT ON SEQUENCE app.counter TO {ROLE};
ALTER DEFAULT PRIVILEGES FOR ROLE {ROLE} IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE {ROLE} IN SCHEMA app GRANT USAGE ON SEQUENCES TO {ROLE} WITH GRANT OPTION;
"""


def assert_same(left: Any, right: Any) -> None:
    assert canonical_json(left) == canonical_json(right)
    assert content_hash(left) == content_hash(right)


def test_everything_round_trips(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute(SETUP)
    live = introspect(database, ["app", "public"]).catalog
    money = next(d for d in live.domains if d.name == "positive_money")
    assert (money.type, money.default, money.nullable, money.comment) == (
        "numeric(12,2)",
        "0",
        False,
        "money, never negative",
    )
    assert [(c.name, c.not_valid) for c in money.checks] == [
        ("Small Enough", False),
        ("not_tiny", True),
        ("positive_money_check", False),
    ]
    code = next(d for d in live.domains if d.name == "code")
    assert code.collation == '"C"'
    columns = {c.name: c.collation for c in live.table(QualifiedName("app", "accounts")).columns}
    assert (columns["code"], columns["label"]) == ('"POSIX"', "app.c_copy")  # the test server is built without ICU
    address = live.composite_types[0]
    assert [(a.name, a.type, a.collation) for a in address.attributes] == [
        ("street", "text", None),
        ("city", "character varying(80)", '"C"'),
        ("zip", "app.code", None),
    ]
    accounts = live.table(QualifiedName("app", "accounts"))
    assert accounts is not None
    assert (accounts.row_level_security.enabled, accounts.row_level_security.forced) == (True, True)
    reads = next(p for p in accounts.policies if p.name == "owner_reads")
    assert reads.roles == (ROLE,) and reads.command == "select" and reads.using == "owner = CURRENT_USER"
    writes = next(p for p in accounts.policies if p.name == "owner_writes")
    assert not writes.permissive and writes.with_check == "(balance)::numeric >= (0)::numeric"

    by_target = {str(g.target): g.privileges for g in live.grants}
    assert [(p.grantee, p.privilege, p.column, p.grantable) for p in by_target["table app.accounts"]] == [
        ("public", "SELECT", "id", False),
        (ROLE, "INSERT", None, False),
        (ROLE, "SELECT", None, False),
        (ROLE, "UPDATE", "balance", True),
        (ROLE, "UPDATE", "owner", True),
    ]
    assert [(p.grantee, p.privilege) for p in by_target["schema app"]] == [(ROLE, "USAGE")]
    assert [(p.grantee, p.privilege) for p in by_target["sequence app.counter"]] == [(ROLE, "SELECT"), (ROLE, "USAGE")]
    assert [
        (d.schema, d.for_role, [(p.objects, p.grantee, p.privilege, p.grantable) for p in d.privileges])
        for d in live.default_privileges
    ] == [("app", ROLE, [("sequences", ROLE, "USAGE", True), ("tables", "public", "SELECT", False)])]

    out = tmp_path / "export"
    export(database, out, schemas=["app", "public"])
    loaded = load_paths([out])
    desired = normalize(loaded.catalog, database, origins=loaded.origins)
    assert_same(desired.catalog, introspect(database, desired_scope(loaded.catalog)).catalog)
    assert plan([out], database).plan.steps == ()


def test_unknown_domain_check_column_is_reported_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text(
        "apiVersion: reconciler.dev/v1alpha1\nkind: Domain\nmetadata: {name: qty}\nspec:\n"
        "  type: integer\n  checks:\n    - expression: quantity > 0\n"
    )
    with pytest.raises(LoadError) as caught:
        load_paths([tmp_path])
    assert "d.yaml:7" in str(caught.value) and "only use VALUE" in str(caught.value)


def _grants_yaml(tmp_path: Path, role: str) -> Path:
    (tmp_path / "t.yaml").write_text(
        "apiVersion: reconciler.dev/v1alpha1\nkind: Table\nmetadata: {name: things}\nspec:\n"
        "  columns:\n    - {name: id, type: bigint}\n    - {name: label, type: text}\n"
        f"  grants:\n    - {{to: {role}, privileges: [select]}}\n    - {{to: {role}, privileges: [UPDATE], columns: "
        f"[label]}}\n"
    )
    return tmp_path


def test_a_missing_role_is_a_clear_error(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    with pytest.raises(PlanError) as caught:
        plan([_grants_yaml(tmp_path, "reconciler_types_nobody")], database)
    message = str(caught.value)
    assert "'reconciler_types_nobody'" in message and "table public.things" in message and "--create-roles" in message


def test_create_roles_creates_missing_roles_nologin_first(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    role = f"reconciler_types_made_{os.getpid()}"
    outcome = plan([_grants_yaml(tmp_path, role)], database, settings=PlanSettings(create_roles=True))
    assert [s.id for s in outcome.plan.steps] == [
        f"expand/create-role/{role}",
        "expand/create-table/public.things",
        "expand/grant-table/public.things",
    ]
    assert outcome.plan.verified
    grant = outcome.plan.steps[-1].statements[0].text()
    assert grant == f'GRANT SELECT, UPDATE ("label") ON TABLE "public"."things" TO "{role}"'


def test_bad_privilege_and_column_are_reported_at_their_lines(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        "apiVersion: reconciler.dev/v1alpha1\nkind: Sequence\nmetadata: {name: counter}\nspec:\n"
        "  grants:\n    - to: app\n      privileges: [USAGE, DELETE]\n      columns: [x]\n"
    )
    with pytest.raises(LoadError) as caught:
        load_paths([tmp_path])
    assert "s.yaml:8" in str(caught.value) and "column grants exist only on tables" in str(caught.value)


def test_drift_reports_policies_domains_grants_and_foreign_privileges(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(SETUP)
    conn.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'reconciler_types_other') "
        "THEN CREATE ROLE reconciler_types_other NOLOGIN; END IF; END $$"
    )
    schemas = tmp_path / "schemas"
    export(database, schemas, schemas=["app"])
    conn.execute(f"REVOKE INSERT ON app.accounts FROM {ROLE}")
    conn.execute("GRANT DELETE ON app.accounts TO reconciler_types_other")
    conn.execute("DROP POLICY inserts ON app.accounts")
    conn.execute("ALTER DOMAIN app.code DROP CONSTRAINT code_check")
    (tmp_path / "reconciler.yaml").write_text(
        f"apiVersion: reconciler.dev/v1alpha1\nkind: Project\nschemas: [{schemas}]\nenvironments:\n  dev:\n    "
        f"connection: {{env: DEV_URL}}\n"
    )
    result = subprocess.run(
        [RECONCILER, "drift", "--format", "json"],
        cwd=tmp_path,
        env={**os.environ, "DEV_URL": database},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    report = json.loads(result.stdout)
    details = {f"{o['kind']} {o['schema']}.{o['name']}": o["environments"]["dev"] for o in report["objects"]}
    accounts = " ".join(details["table app.accounts"]["details"])
    assert "policy inserts missing" in accounts
    assert f"INSERT to {ROLE} missing" in accounts
    assert "privileges of roles its YAML does not mention (left alone): DELETE to reconciler_types_other" in accounts
    assert "check code_check missing" in " ".join(details["domain app.code"]["details"])


HOSTILE = 'Robert"); DROP TABLE students;--'


def test_hostile_names_are_identifiers_everywhere(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute(
        sql.SQL("DO {}").format(
            sql.Literal(
                sql.SQL("BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {}) THEN EXECUTE {}; END IF; END")
                .format(
                    sql.Literal(HOSTILE),
                    sql.Literal(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(HOSTILE)).as_string(conn)),
                )
                .as_string(conn)
            )
        )
    )
    quoted = HOSTILE.replace('"', '\\"')
    (tmp_path / "h.yaml").write_text(f"""\
apiVersion: reconciler.dev/v1alpha1
kind: Domain
metadata: {{name: d}}
spec:
  name: "{quoted} domain"
  type: text
  checks: [{{name: "{quoted} check", expression: "VALUE <> ''"}}]
---
apiVersion: reconciler.dev/v1alpha1
kind: CompositeType
metadata: {{name: c}}
spec:
  name: "{quoted} type"
  attributes: [{{name: "{quoted} attr", type: text}}]
---
apiVersion: reconciler.dev/v1alpha1
kind: Table
metadata: {{name: t}}
spec:
  name: "{quoted} table"
  columns: [{{name: id, type: bigint}}, {{name: "{quoted} col", type: text}}]
  rowLevelSecurity: {{enabled: true, forced: true}}
  policies: [{{name: "{quoted} policy", roles: ["{quoted}"], using: "true"}}]
  grants:
    - {{to: "{quoted}", privileges: [SELECT]}}
    - {{to: "{quoted}", privileges: [UPDATE], columns: ["{quoted} col"]}}
""")
    outcome = plan([tmp_path], database)
    assert outcome.plan.verified
    assert {s.id.split("/")[1] for s in outcome.plan.steps} >= {
        "create-domain",
        "create-type",
        "create-table",
        "create-policy",
        "row-level-security",
        "grant-table",
    }


def test_attribute_type_change_under_a_column_is_refused_with_the_columns_named(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute("CREATE TYPE public.pair AS (a integer, b text); CREATE TABLE public.uses (id int, p public.pair)")
    (tmp_path / "t.yaml").write_text(
        "apiVersion: reconciler.dev/v1alpha1\nkind: CompositeType\nmetadata: {name: pair}\nspec:\n"
        "  attributes: [{name: a, type: bigint}, {name: b, type: text}]\n---\n"
        "apiVersion: reconciler.dev/v1alpha1\nkind: Table\nmetadata: {name: uses}\nspec:\n"
        "  columns: [{name: id, type: integer}, {name: p, type: pair}]\n"
    )
    with pytest.raises(PlanError) as caught:
        plan([tmp_path], database)
    assert "PostgreSQL cannot change the type of attribute(s) a" in str(caught.value) and "public.uses.p" in str(
        caught.value
    )
    conn.execute("DROP TABLE public.uses")
    (tmp_path / "t.yaml").write_text(
        "apiVersion: reconciler.dev/v1alpha1\nkind: CompositeType\nmetadata: {name: pair}\nspec:\n"
        "  attributes: [{name: a, type: bigint}, {name: b, type: text}]\n"
    )
    assert [s.id for s in plan([tmp_path], database).plan.steps] == ["expand/alter-attribute/public.pair"]


def test_policy_naming_an_unknown_column_is_reported_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(
        "apiVersion: reconciler.dev/v1alpha1\nkind: Table\nmetadata: {name: t}\nspec:\n  columns: [{name: owner, "
        "type: text}]\n  policies:\n    - name: p\n      using: owner = current_user AND tenant = 1\n    - name: q\n  "
        "    using: EXISTS (SELECT 1 FROM members m WHERE m.user_name = owner)\n"
    )
    with pytest.raises(LoadError) as caught:
        load_paths([tmp_path])
    assert str(caught.value).splitlines()[0].endswith("t.yaml:8:14: policy refers to unknown column 'tenant'")
    assert "1 error" in str(caught.value)


def test_a_renamed_table_and_sequence_keep_their_grants(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(SETUP)
    export(database, tmp_path, schemas=["app"])
    for path, old, new in (
        (tmp_path / "app" / "accounts.yaml", "name: accounts", "name: ledger\n  renamedFrom: accounts"),
        (tmp_path / "app" / "_schema.yaml", "name: counter", "name: tally\n  renamedFrom: counter"),
    ):
        text = path.read_text()
        assert old in text, text
        path.write_text(text.replace(old, new, 1))
    steps = [s.id for s in plan([tmp_path], database).plan.steps]
    assert not [s for s in steps if "grant" in s or "revoke" in s], steps


def test_the_same_privilege_on_a_table_and_on_its_column(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    """SELECT on the table and SELECT on one of its columns, to the same role: read, planned and exported."""
    conn.execute(SETUP.split("CREATE SCHEMA app;")[0])
    (tmp_path / "t.yaml").write_text(
        "apiVersion: reconciler.dev/v1alpha1\nkind: Table\nmetadata: {name: things}\nspec:\n"
        "  columns:\n    - {name: id, type: bigint}\n    - {name: label, type: text}\n"
        f"  grants:\n    - {{to: {ROLE}, privileges: [SELECT]}}\n    - {{to: {ROLE}, privileges: [SELECT], columns: "
        f"[label]}}\n"
    )
    outcome = plan([tmp_path], database)
    assert outcome.plan.verified
    grant = outcome.plan.steps[-1].statements[0].text()
    assert grant == f'GRANT SELECT, SELECT ("label") ON TABLE "public"."things" TO "{ROLE}"'
    conn.execute(
        f"CREATE TABLE public.things (id bigint, label text); GRANT SELECT, SELECT (label) ON public.things TO {ROLE}"
    )
    assert plan([tmp_path], database).plan.steps == ()
    out = tmp_path / "out"
    export(database, out)
    assert "columns: [label]" in (out / "public" / "things.yaml").read_text()
