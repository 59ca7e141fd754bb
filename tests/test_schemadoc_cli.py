"""`reconciler docs` and the plan comment's diagram as a user runs them (the CLI in a subprocess):
from YAML, from a live database with row estimates, usage errors, and the committed docs of the
examples, which must be what the command writes today."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
from conftest import EXAMPLES, REPO

RECONCILER = str(Path(sys.executable).parent / "reconciler")
COMMITTED = {"shop": REPO / "docs" / "schemas" / "shop", "shop-v2": REPO / "docs" / "schemas" / "shop-v2"}


def run(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RECONCILER, *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=env)


def test_committed_docs_of_the_examples_are_up_to_date(tmp_path: Path) -> None:
    for name, committed in COMMITTED.items():
        out = tmp_path / name
        result = run("docs", f"schemas/{name}", "--out", str(out))
        assert result.returncode == 0, result.stderr
        written = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
        assert committed.is_dir(), f"{committed} is missing: run `make schema-docs` and commit it"
        present = {p.name: p.read_bytes() for p in sorted(committed.iterdir())}
        assert sorted(present) == sorted(written), (
            f"{committed} has other files than `reconciler docs` writes: run `make schema-docs`"
        )
        stale = [file for file in written if present[file] != written[file]]
        assert not stale, f"stale docs in {committed}: {', '.join(stale)}; run `make schema-docs` and commit the result"


def test_the_readme_shows_the_committed_diagram() -> None:
    diagram = (COMMITTED["shop"] / "er.mmd").read_text()
    assert f"```mermaid\n{diagram}```\n" in (REPO / "README.md").read_text(), (
        "README.md: paste docs/schemas/shop/er.mmd"
    )


def test_docs_from_yaml_prints_what_it_wrote(tmp_path: Path) -> None:
    result = run("docs", str(EXAMPLES), "--out", str(tmp_path / "site"), "--format", "markdown", "--format", "html")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["README.md", "index.html"]
    assert (
        result.stdout
        == f"wrote README.md, index.html to {tmp_path / 'site'}: 5 tables in 1 diagram, from the YAML in {EXAMPLES}\n"
    )
    assert "From the YAML in " + str(EXAMPLES) + "." in (tmp_path / "site" / "README.md").read_text()


def test_a_new_run_replaces_the_diagram_files_it_no_longer_writes(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "er-01-schema-old.mmd").write_text("from an earlier run")
    result = run("docs", str(EXAMPLES), "--out", str(tmp_path), "--format", "mermaid")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["er.mmd", "notes.txt"]


DATABASE = """
CREATE SCHEMA crm;
COMMENT ON SCHEMA crm IS 'Customers and their accounts.';
CREATE TABLE crm.customers (id bigint PRIMARY KEY, name text NOT NULL);
COMMENT ON COLUMN crm.customers.name IS 'Legal name.';
CREATE TABLE crm.accounts (
    id bigint PRIMARY KEY, customer_id bigint NOT NULL REFERENCES crm.customers ON DELETE CASCADE
);
CREATE TABLE crm.untouched (id int);
INSERT INTO crm.customers SELECT g, 'c' || g FROM generate_series(1, 3000) g;
INSERT INTO crm.accounts SELECT g, g FROM generate_series(1, 3000) g;
ANALYZE crm.customers;
ANALYZE crm.accounts;
"""


def test_docs_from_a_database_has_row_estimates(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute(DATABASE)  # a static script, no parameters
    env = {**os.environ, "RECONCILER_URL": database}
    result = run("docs", "--out", str(tmp_path), "--format", "markdown", "--format", "mermaid", env=env)
    assert result.returncode == 0, result.stderr
    md = (tmp_path / "README.md").read_text()
    assert "Customers and their accounts." in md and "| `name` | `text` | no |  |  | Legal name. |" in md
    assert "**Rows:** ≈ 3,000, " in md
    major = conn.info.server_version // 10000
    assert ("**Rows:** unknown (never analyzed)" if major >= 14 else "**Rows:** ≈ 0, ") in md
    assert "| `accounts_customer_id_fkey` | `(customer_id)` | [`crm.customers`](#t-crm-customers-" in md
    assert '"crm.customers" ||..o{ "crm.accounts" : "accounts_customer_id_fkey"' in (tmp_path / "er.mmd").read_text()
    assert "planner's estimates" in md
    assert result.stdout.endswith(f"3 tables in 1 diagram, from database {conn.info.dbname!r}\n")
    # a focus on one table, from the database
    focused = run(
        "docs", "--url", database, "--out", str(tmp_path / "focus"), "--focus", "accounts", "--format", "markdown"
    )
    assert focused.returncode == 0, focused.stderr
    assert "### Table `crm.customers`" in (tmp_path / "focus" / "README.md").read_text()
    assert "crm.untouched" not in (tmp_path / "focus" / "README.md").read_text()


def test_the_plan_comment_shows_what_changes(conn: psycopg.Connection[Any], database: str) -> None:
    applied = run("apply", str(EXAMPLES), "--url", database, "--auto-approve")
    assert applied.returncode == 0, applied.stderr
    result = run("plan", str(REPO / "schemas" / "shop-v2"), "--url", database, "--format", "markdown", "--no-replay")
    assert result.returncode == 2, result.stderr
    md = result.stdout
    assert "### Tables this plan changes\n\n```mermaid\nerDiagram\n" in md
    diagram = md[md.index("```mermaid") : md.index("```", md.index("```mermaid") + 3)]
    assert '    "shop.orders (changed)" {' in diagram and '        integer item_count "+ added"' in diagram
    assert '        text display_name "~ renamed from full_name"' in diagram
    assert '        integer reserved "- dropped"' in diagram
    assert '"shop.order_items"' in diagram and '"shop.order_items" {' not in diagram  # a neighbour
    # types as PostgreSQL spells them, shown short in the diagram
    assert "        timestamptz updated_at\n" in diagram and "        varchar(8) warehouse_code PK\n" in diagram


def test_usage_errors_and_bad_input_never_show_a_traceback(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "RECONCILER_URL"}
    result = run("docs", "--out", str(tmp_path), env=env)
    assert result.returncode == 64 and "give schema PATHs, --url (or RECONCILER_URL), or --env" in result.stderr
    result = run("docs", str(EXAMPLES), "--url", "postgresql://localhost/x", "--out", str(tmp_path), env=env)
    assert result.returncode == 64 and "either PATHs or a database" in result.stderr
    result = run("docs", str(EXAMPLES), "--out", str(tmp_path), "--focus", "nope")
    assert (
        result.returncode == 1
        and result.stderr.strip() == "error: --focus 'nope': no such table (give schema.table or a table name)"
    )
    (tmp_path / "file").write_text("x")
    result = run("docs", str(EXAMPLES), "--out", str(tmp_path / "file"))
    assert result.returncode == 1 and "is not a directory" in result.stderr
    for output in (result.stdout + result.stderr,):
        assert "Traceback" not in output
