"""The CI kit as a team adopting it would run it: the pre-commit hooks through pre-commit's own
`try-repo` (a local hook repository, no database), and the GitLab CI template checked against
GitLab's schema and its jobs' scripts run here, line by line, as a runner would."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from conftest import EXAMPLES, REPO

BIN = Path(sys.executable).parent
UNREACHABLE = "postgresql://nobody@127.0.0.1:9/none?connect_timeout=1"
TEMPLATE = REPO / "ci" / "gitlab" / "reconciler.gitlab-ci.yml"
NO_PK_TABLE = """apiVersion: reconciler.dev/v1alpha1
kind: Table
metadata:
  name: audit-log
spec:
  schema: shop
  name: audit_log
  comment: Who did what.
  columns:
    - name: at
      type: timestamptz
"""


def environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RECONCILER_", "PRE_COMMIT", "GITHUB_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def schema_project(root: Path) -> Path:
    """A repository of a team: the example schema and a project file naming it."""
    shutil.copytree(EXAMPLES, root / "schemas" / "shop")
    (root / "reconciler.yaml").write_text(
        "apiVersion: reconciler.dev/v1alpha1\nkind: Project\nschemas: [schemas/shop]\n"
    )
    return root


# --- pre-commit --------------------------------------------------------------------------------


def git(cwd: Path, *args: str) -> None:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run(["git", *identity, *args], cwd=cwd, check=True, capture_output=True)


def try_repo(project: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """pre-commit try-repo: this repository as the hook repository, every hook, every file."""
    env = environment(PRE_COMMIT_HOME=str(home), RECONCILER_URL=UNREACHABLE)  # the hooks must not touch it
    command = [str(BIN / "pre-commit"), "try-repo", str(REPO), "--all-files", "--color", "never"]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)


def test_pre_commit_hooks_validate_and_lint_without_a_database(tmp_path: Path) -> None:
    """One try-repo run (each installs the hooks' environment afresh, a minute or more): the
    schema is valid YAML, so `reconciler-validate` passes, and has a table without a primary key,
    so `reconciler-lint` fails and says where. (Both hooks on a clean schema, and invalid YAML,
    are the commands' own tests in test_cli.py and test_lint_cli.py.)"""
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [hook["id"] for hook in hooks] == ["reconciler-validate", "reconciler-lint"]
    assert hooks[1]["entry"] == "reconciler lint --offline"
    project = schema_project(tmp_path / "project")
    (project / "schemas" / "shop" / "audit-log.yaml").write_text(NO_PK_TABLE)
    git(project, "init", "-q")
    git(project, "add", ".")
    result = try_repo(project, tmp_path / "pre-commit-home")
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("reconciler validate.") and line.endswith("Passed") for line in lines), lines
    assert any(line.startswith("reconciler lint.") and line.endswith("Failed") for line in lines), lines
    assert (
        "schemas/shop/audit-log.yaml:7:9: error design/table-without-primary-key: table shop.audit_log has no primary "
        "key" in lines
    )
    assert "lint: 1 error, 1 warning (2 suppressed) in the YAML" in lines


# --- GitLab CI ---------------------------------------------------------------------------------


def template() -> dict[str, Any]:
    return yaml.safe_load(TEMPLATE.read_text())


def test_gitlab_template_is_valid_gitlab_ci() -> None:
    schema = json.loads(
        resources.files("check_jsonschema.builtin_schemas.vendor").joinpath("gitlab-ci.json").read_text()
    )
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = sorted(validator.iter_errors(template()), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    jobs = {name for name in template() if not name.startswith(".") and name != "variables"}
    assert jobs == {"reconciler-lint", "reconciler-plan"}
    plan_rules = template()["reconciler-plan"]["rules"]
    assert all(rule["if"].startswith("$RECONCILER_URL && ") for rule in plan_rules)  # never without a database
    assert template()["reconciler-lint"]["artifacts"]["reports"]["codequality"] == "gl-code-quality-report.json"


def job_lines(name: str) -> list[str]:
    """The job's before_script and script, its `extends` resolved (one level, as the template uses)."""
    jobs = template()
    job = jobs[name]
    base = jobs[job["extends"]] if "extends" in job else {}
    return [*job.get("before_script", base.get("before_script", [])), *job.get("script", base.get("script", []))]


def run_job(name: str, cwd: Path, **variables: str) -> subprocess.CompletedProcess[str]:
    """Run a job's lines with bash, failing at the first failing line as a runner does; the pip
    install of reconciler is the one line not run (this test runs the reconciler under test)."""
    lines = job_lines(name)
    installs = [line for line in lines if line.startswith("python -m pip install")]
    assert installs == ['python -m pip install --quiet "$RECONCILER_PIP_SPEC"']
    script = "\n".join(line for line in lines if line not in installs)
    env = environment(**{**template()["variables"], **variables})
    return subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def test_gitlab_lint_job_keeps_a_code_quality_report_and_fails_on_errors(tmp_path: Path) -> None:
    project = schema_project(tmp_path)
    passed = run_job("reconciler-lint", project, RECONCILER_SCHEMAS="schemas/shop")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert passed.stdout.splitlines()[-1] == "lint: 0 errors, 1 warning (2 suppressed) in the YAML"
    report = json.loads((project / "gl-code-quality-report.json").read_text())
    assert [(i["check_name"], i["severity"], i["location"]["path"]) for i in report] == [
        ("design/char-or-varchar", "minor", "schemas/shop/products.yaml")
    ]
    (project / "schemas" / "shop" / "audit-log.yaml").write_text(NO_PK_TABLE)
    failed = run_job("reconciler-lint", project, RECONCILER_SCHEMAS="schemas/shop")
    assert failed.returncode == 1
    report = json.loads((project / "gl-code-quality-report.json").read_text())
    assert ("design/table-without-primary-key", "major") in [(i["check_name"], i["severity"]) for i in report]


def test_gitlab_plan_job_keeps_the_plan_and_its_review(database: str, tmp_path: Path) -> None:
    project = schema_project(tmp_path)
    result = run_job("reconciler-plan", project, RECONCILER_SCHEMAS="schemas/shop", RECONCILER_URL=database)
    assert result.returncode == 0, result.stdout + result.stderr  # changes planned (exit 2) is a success
    review = (project / "reconciler-plan.md").read_text()
    assert review.startswith("## reconciler plan")
    assert "### Lint: 0 errors, 1 warning (2 suppressed)" in review
    assert review in result.stdout  # `cat` shows it in the job log
    plan = json.loads((project / "reconciler-plan.json").read_text())
    assert (plan["kind"], plan["verified"]) == ("SchemaPlan", True)
