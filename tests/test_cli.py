"""The `reconciler` command as a user runs it: exit codes, messages on stderr, no tracebacks."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml
from conftest import EXAMPLES

RECONCILER = str(Path(sys.executable).parent / "reconciler")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([RECONCILER, *args], capture_output=True, text=True, timeout=120)


def test_validate_the_example() -> None:
    result = run("validate", str(EXAMPLES))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("valid: 7 files: 1 schema, 2 extensions, 1 enum, 1 sequence, 5 tables")
    assert "content hash: sha256:" in result.stdout


def test_validate_a_broken_copy_reports_every_error(tmp_path: Path) -> None:
    broken = tmp_path / "shop"
    shutil.copytree(EXAMPLES, broken)
    users = broken / "users.yaml"
    users.write_text(users.read_text().replace("type: citext", "type: citext(").replace("full_name", "full name", 1))
    orders = broken / "orders.yaml"
    orders.write_text(
        orders.read_text()
        .replace("onDelete: restrict", "onDelete: explode")
        .replace("nullable: false", "nullable: nope", 1)
    )
    result = run("validate", str(tmp_path))
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"{orders}:14:17: spec.columns[1].nullable: Input should be a valid boolean",
        f"{orders}:38:17: spec.foreignKeys[0].onDelete: Input should be 'no action', 'restrict', 'cascade', 'set null' "
        "or 'set default'",
        f"{users}:13:13: spec.columns[1].type: type does not parse: syntax error at end of input",
        "3 errors found",
    ]


def test_validate_json_output(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text(
        "apiVersion: reconciler.dev/v1alpha1\nkind: Table\nmetadata: {name: t}\nspec: {colums: []}\n"
    )
    result = run("validate", "--format", "json", str(tmp_path))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["valid"] is False
    assert report["errors"] == [
        {
            "file": str(tmp_path / "bad.yaml"),
            "line": 4,
            "column": 8,
            "message": "unknown field 'colums' in spec (did you mean 'columns'?)",
        }
    ]


def test_usage_errors_exit_64_without_traceback() -> None:
    result = run("plan")  # validate and lint default to the project's schemas; plan needs them named
    assert result.returncode == 64
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("usage error: Missing argument 'PATHS...'")


def test_json_schema_accepts_every_example_document() -> None:
    result = run("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    validator = jsonschema.Draft202012Validator(schema)
    documents = [doc for path in sorted(EXAMPLES.rglob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())]
    assert len(documents) == 10
    for document in documents:
        validator.validate(document)
    bad = dict(documents[-1], spec={"columns": [{"name": "x", "type": "int", "nulable": True}]})
    assert not validator.is_valid(bad)
