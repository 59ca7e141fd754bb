"""`reconciler drift` across environments, as an SRE runs it from CI."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import psycopg
import pytest
from conftest import EXAMPLES, REPO
from support.pgharness import PgServer, fresh_database

from reconciler.ddl.catalog import create_catalog
from reconciler.ddl.statement import run_statements
from reconciler.drift.audit import narrowed
from reconciler.introspect import introspect
from reconciler.load import load_paths
from reconciler.model import content_hash

RECONCILER = str(Path(sys.executable).parent / "reconciler")
ENVIRONMENTS = ("dev", "staging", "prod")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def environments(pg_server: PgServer) -> Iterator[dict[str, str]]:
    """Three databases with the example schema applied."""
    catalog = load_paths([EXAMPLES]).catalog
    names = {env: f"reconciler_drift_{env}_{os.getpid()}" for env in ENVIRONMENTS}
    contexts = [fresh_database(pg_server, name) for name in names.values()]
    dsns = [ctx.__enter__() for ctx in contexts]
    try:
        for dsn in dsns:
            with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
                run_statements(conn, create_catalog(catalog))
        yield dict(zip(ENVIRONMENTS, dsns, strict=True))
    finally:
        for ctx in contexts:
            ctx.__exit__(None, None, None)


def project(tmp_path: Path, names: tuple[str, ...]) -> Path:
    environments = "".join(f"  {name}:\n    connection: {{env: {name.upper()}_URL}}\n" for name in names)
    (tmp_path / "reconciler.yaml").write_text(
        textwrap.dedent(f"""\
            apiVersion: reconciler.dev/v1alpha1
            kind: Project
            schemas: [{EXAMPLES}]
            environments:
            """)
        + environments
    )
    return tmp_path


def drift(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    variables = {f"{name.upper()}_URL": url for name, url in env.items()}
    return subprocess.run(
        [RECONCILER, "drift", *args],
        cwd=root,
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
        timeout=300,
    )


def sabotage(environments: dict[str, str]) -> None:
    with psycopg.connect(environments["dev"], autocommit=True) as conn:
        conn.execute("ALTER TABLE shop.users ADD COLUMN nickname text")
    with psycopg.connect(environments["staging"], autocommit=True) as conn:
        conn.execute("DROP INDEX shop.orders_user_placed_idx")
    with psycopg.connect(environments["prod"], autocommit=True) as conn:
        conn.execute("ALTER TABLE shop.products DROP CONSTRAINT products_price_positive")
        conn.execute("ALTER TABLE shop.products ADD CONSTRAINT products_price_positive CHECK (price_cents >= 0)")


def test_all_in_sync_exits_0(environments: dict[str, str], tmp_path: Path) -> None:
    root = project(tmp_path, ENVIRONMENTS)
    result = drift(root, environments)
    assert result.returncode == 0, result.stderr
    assert "No drift: every reachable environment matches." in result.stdout
    for name in ENVIRONMENTS:
        assert f"{name}: in-sync" in result.stdout


def test_drift_matrix_in_every_format(environments: dict[str, str], tmp_path: Path) -> None:
    sabotage(environments)
    unreachable = f"postgresql://someone:s3cret-pw@127.0.0.1:{_closed_port()}/shop"
    env = {**environments, "qa": unreachable}
    root = project(tmp_path, (*ENVIRONMENTS, "qa"))

    text = drift(root, env)
    assert text.returncode == 1, "an unreachable environment makes the audit an error"
    assert "s3cret-pw" not in text.stdout + text.stderr
    out = text.stdout
    assert "qa: UNREACHABLE" in out and "Connection refused" in out
    assert "dev: different" in out and "staging: different" in out and "prod: different" in out
    assert "column nickname unexpected" in out
    assert "index orders_user_placed_idx missing" in out
    assert "constraint products_price_positive has another definition" in out

    report = json.loads(drift(root, env, "--format", "json").stdout)
    assert (report["kind"], report["formatVersion"], report["driftFound"]) == ("DriftReport", 1, True)
    statuses = {e["name"]: e["status"] for e in report["environments"]}
    assert statuses == {"dev": "different", "staging": "different", "prod": "different", "qa": "unreachable"}
    objects = {(o["kind"], o["schema"], o["name"]): o["environments"] for o in report["objects"]}
    assert set(objects) == {("table", "shop", "users"), ("table", "shop", "orders"), ("table", "shop", "products")}
    users = objects[("table", "shop", "users")]
    assert users["dev"] == {"status": "different", "details": ["column nickname unexpected"]}
    assert users["staging"]["status"] == "in-sync" and users["qa"]["status"] == "unreachable"
    assert objects[("table", "shop", "orders")]["staging"]["details"] == ["index orders_user_placed_idx missing"]

    markdown = drift(root, env, "--format", "markdown").stdout
    assert markdown.startswith("## reconciler drift")
    assert "| object | dev | staging | prod | qa |" in markdown
    assert (
        "| `table shop.users` | ❌ different<br>column nickname unexpected | ✅ in-sync | ✅ in-sync | ❔ unreachable |"
        in markdown
    )

    junit = ET.fromstring(drift(root, env, "--format", "junit").stdout)
    suites = {s.get("name"): s for s in junit.iter("testsuite")}
    assert set(suites) == {"dev", "staging", "prod", "qa"}
    assert (suites["dev"].get("failures"), suites["qa"].get("errors")) == ("1", "1")
    failed = [case.get("name") for case in suites["prod"].iter("testcase") if case.find("failure") is not None]
    assert failed == ["shop.products"]
    assert int(suites["prod"].get("tests") or 0) >= 9  # every object is a check


def test_baseline_comparison_and_exit_2(environments: dict[str, str], tmp_path: Path) -> None:
    with psycopg.connect(environments["staging"], autocommit=True) as conn:
        conn.execute("CREATE INDEX orders_placed_brin ON shop.orders USING brin (placed_at)")
    root = project(tmp_path, ENVIRONMENTS)
    result = drift(root, environments, "--baseline", "prod", "--env", "staging", "--env", "prod")
    assert result.returncode == 2, result.stderr
    assert "Drift against environment prod" in result.stdout
    assert "index orders_placed_brin unexpected" in result.stdout


def test_half_applied_plan_is_reported_as_migrating(environments: dict[str, str], tmp_path: Path) -> None:
    v2 = REPO / "schemas" / "shop-v2"
    applied = subprocess.run(
        [RECONCILER, "apply", str(v2)],
        env={**os.environ, "RECONCILER_URL": environments["prod"]},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert applied.returncode == 3, applied.stderr  # waiting at the contract gate
    (tmp_path / "reconciler.yaml").write_text(
        project(tmp_path, ENVIRONMENTS).joinpath("reconciler.yaml").read_text().replace(str(EXAMPLES), str(v2))
    )
    report = json.loads(drift(tmp_path, environments, "--format", "json").stdout)
    prod = next(e for e in report["environments"] if e["name"] == "prod")
    assert prod["status"] == "migrating"
    assert prod["plan"]["towardsDesired"] is True and prod["plan"]["currentStep"].startswith("contract/")
    users = next(o for o in report["objects"] if o["name"] == "users")["environments"]
    assert users["prod"]["status"] == "migrating"
    assert users["prod"]["details"][0].startswith("plan sha256:")
    assert users["dev"]["status"] == "different"  # dev has not started: plain drift from v2


GRANTEE = "reconciler_drift_app"
TWO_SCHEMAS = f"""
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{GRANTEE}') THEN CREATE ROLE {GRANTEE} NOLOGIN; END IF;
    END $$;
    CREATE SCHEMA app; CREATE TABLE app.t (id int);
    CREATE SCHEMA other; CREATE TABLE other.x (id int);
"""


@pytest.fixture
def two_databases(pg_server: PgServer) -> Iterator[dict[str, str]]:
    """Environments a and b: schemas app and other, each with one table, and no grants yet."""
    contexts = [fresh_database(pg_server, f"reconciler_drift_{name}_{os.getpid()}") for name in ("a", "b")]
    dsns = [ctx.__enter__() for ctx in contexts]
    try:
        for dsn in dsns:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(TWO_SCHEMAS)
        yield dict(zip(("a", "b"), dsns, strict=True))
    finally:
        for ctx in contexts:
            ctx.__exit__(None, None, None)


def _not_in_sync(report: dict[str, object], env: str) -> dict[str, list[str]]:
    found = {}
    for o in report["objects"]:
        seen = o["environments"][env]
        if seen["status"] != "in-sync":
            found[f"{o['kind']} {o['name'] if o['kind'] == 'schema' else o['schema'] + '.' + o['name']}"] = [
                seen["status"],
                *seen["details"],
            ]
    return found


def test_baseline_compares_every_roles_privileges_both_ways(two_databases: dict[str, str], tmp_path: Path) -> None:
    with psycopg.connect(two_databases["a"], autocommit=True) as conn:
        owner = conn.execute("SELECT current_user").fetchone()[0]
        conn.execute(
            f"GRANT SELECT ON app.t TO {GRANTEE}; GRANT SELECT ON other.x TO {GRANTEE}; "
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA other GRANT SELECT ON TABLES TO {GRANTEE}"
        )
    with psycopg.connect(two_databases["b"], autocommit=True) as conn:
        conn.execute(
            f"GRANT SELECT, UPDATE ON app.t TO {GRANTEE}; GRANT USAGE ON SCHEMA other TO {GRANTEE} WITH GRANT OPTION; "
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT USAGE ON TYPES TO {GRANTEE} WITH GRANT OPTION"
        )
    with psycopg.connect(two_databases["a"], autocommit=True) as conn:
        conn.execute(
            f"GRANT USAGE ON SCHEMA other TO {GRANTEE}; ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT USAGE ON TYPES TO "
            f"{GRANTEE}"
        )
    root = project(tmp_path, ("a", "b"))

    result = drift(root, two_databases, "--baseline", "a", "--format", "json")
    assert result.returncode == 2, result.stderr
    report = json.loads(result.stdout)
    assert {e["name"]: e["status"] for e in report["environments"]} == {"a": "in-sync", "b": "different"}
    assert _not_in_sync(report, "b") == {
        "schema app": ["different", f"default USAGE on types to {GRANTEE} (for {owner}) has an extra grant option"],
        "table app.t": ["different", f"UPDATE to {GRANTEE} extra"],
        "table other.x": ["different", f"SELECT to {GRANTEE} missing"],
        "schema other": [
            "different",
            f"USAGE to {GRANTEE} has an extra grant option",
            f"default SELECT on tables to {GRANTEE} (for {owner}) missing",
        ],
    }
    assert "does not mention" not in result.stdout

    reverse = json.loads(drift(root, two_databases, "--baseline", "b", "--format", "json").stdout)
    assert {e["name"]: e["status"] for e in reverse["environments"]} == {"a": "different", "b": "in-sync"}
    assert _not_in_sync(reverse, "a") == {
        "schema app": ["different", f"default USAGE on types to {GRANTEE} (for {owner}) with grant option missing"],
        "table app.t": ["different", f"UPDATE to {GRANTEE} missing"],
        "table other.x": ["different", f"SELECT to {GRANTEE} extra"],
        "schema other": [
            "different",
            f"USAGE to {GRANTEE} with grant option missing",
            f"default SELECT on tables to {GRANTEE} (for {owner}) extra",
        ],
    }
    text = drift(root, two_databases, "--baseline", "b").stdout
    assert f"UPDATE to {GRANTEE} missing" in text and "does not mention" not in text


def test_baseline_with_yaml_compares_only_its_schemas(two_databases: dict[str, str], tmp_path: Path) -> None:
    with psycopg.connect(two_databases["a"], autocommit=True) as conn:
        conn.execute(
            f"GRANT USAGE ON SCHEMA other TO {GRANTEE}; GRANT SELECT ON other.x TO {GRANTEE}; "
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA other GRANT SELECT ON TABLES TO {GRANTEE}"
        )
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "app.yaml").write_text(
        textwrap.dedent("""\
        apiVersion: reconciler.dev/v1alpha1
        kind: Schema
        metadata: {name: app}
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata: {name: t}
        spec:
          schema: app
          columns: [{name: id, type: integer}]
        """)
    )
    root = project(tmp_path, ("a", "b"))

    result = drift(root, two_databases, str(schemas), "--baseline", "a", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["objects"] == [], "nothing out of sync, in schema other either"
    hashes = {e["name"]: e["schemaHash"] for e in report["environments"]}
    assert hashes["a"] == hashes["b"], "schema other is outside the YAML's scope: its privileges do not count"


def test_narrowing_a_full_read_hashes_as_reading_only_that_schema(two_databases: dict[str, str]) -> None:
    with psycopg.connect(two_databases["a"], autocommit=True) as conn:
        conn.execute(
            f"GRANT USAGE ON SCHEMA other TO {GRANTEE}; GRANT SELECT ON other.x TO {GRANTEE}; "
            f"GRANT USAGE ON SCHEMA app TO {GRANTEE}; GRANT SELECT ON app.t TO {GRANTEE}; "
            f"ALTER DEFAULT PRIVILEGES IN SCHEMA other GRANT SELECT ON TABLES TO {GRANTEE}"
        )
    only_app = introspect(two_databases["a"], ["app"]).catalog
    assert [str(g.target) for g in only_app.grants] == ["schema app", "table app.t"]
    assert content_hash(narrowed(introspect(two_databases["a"]), ["app"])) == content_hash(only_app)
