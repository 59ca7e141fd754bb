"""The commands of `reconciler`: each a thin shell over `reconciler.service`.

Stage: shell. Commands of other shells (`reconciler operator ...`) are registered under the
`reconciler.commands` entry point group and found at start-up, never imported from here.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import click

from reconciler import __version__, log, service
from reconciler.cli.progress import progress_factory
from reconciler.config import load_project
from reconciler.errors import ApprovalRequired, ExitCode, LoadError
from reconciler.gates.approvals import Gate, parse_flag, plan_summary, read_approvals, write_approval
from reconciler.lint import RULES
from reconciler.load.jsonschema import document_json_schema
from reconciler.model import content_hash
from reconciler.pg.dsn import target as dsn_target
from reconciler.plan import Phase, render
from reconciler.plan.context import PlanSettings
from reconciler.report import lint as lint_report
from reconciler.report import schemadoc
from reconciler.report.formats import RENDERERS, render_text

SCHEMA_PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))  # default: the project's

CONFIG = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="Project file (default: ./reconciler.yaml if present).",
)
ENV = click.option("--env", "env_name", help="Environment of the project file: its connection and policy.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
@click.option(
    "--log-format",
    envvar="RECONCILER_LOG_FORMAT",
    type=click.Choice(["auto", "console", "json"]),
    default="auto",
    show_default=True,
    help="Log lines on stderr: console on a terminal and JSON otherwise (auto), or forced.",
)
@click.option(
    "--log-level",
    envvar="RECONCILER_LOG_LEVEL",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
)
def cli(log_format: str, log_level: str) -> None:
    """GitOps schema-as-code for PostgreSQL: declarative YAML in, zero-downtime migrations out."""
    log.configure(level=log_level, fmt=log_format)


@cli.command()
@SCHEMA_PATHS
@CONFIG
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def validate(paths: tuple[Path, ...], config_path: Path | None, fmt: str) -> None:
    """Check desired-state YAML files or directories (default: the project's schemas; exit 0 valid, 1 invalid)."""
    try:
        result = service.validate(list(paths) or load_project(config_path).schema_paths())
    except LoadError as exc:
        if fmt == "json":
            problems = [
                {"file": d.file, "line": d.line, "column": d.column, "message": d.message} for d in exc.diagnostics
            ]
            click.echo(json.dumps({"valid": False, "errors": problems}, indent=2))
            sys.exit(ExitCode.ERROR)
        raise

    catalog = result.catalog
    counts = {
        "files": len(result.files),
        "schemas": len(catalog.schemas),
        "extensions": len(catalog.extensions),
        "enums": len(catalog.enums),
        "sequences": len(catalog.sequences),
        "tables": len(catalog.tables),
        "columns": sum(len(t.columns) for t in catalog.tables),
        "constraints": sum(len(list(t.constraints())) for t in catalog.tables),
        "indexes": sum(len(t.indexes) for t in catalog.tables),
    }
    code = {
        "functions": sum(1 for f in catalog.functions if f.kind == "function"),
        "procedures": sum(1 for f in catalog.functions if f.kind == "procedure"),
        "views": len(catalog.views),
        "materialized views": len(catalog.materialized_views),
        "triggers": sum(len(t.triggers) for t in catalog.tables),
    }
    counts.update({kind: n for kind, n in code.items() if n})  # only when used: older outputs stay as they were
    digest = content_hash(catalog)
    if fmt == "json":
        click.echo(json.dumps({"valid": True, "counts": counts, "contentHash": digest}, indent=2))
        return
    summary = ", ".join(_plural(n, k) for k, n in counts.items() if k != "files")
    click.echo(f"valid: {_plural(counts['files'], 'files')}: {summary}")
    click.echo(f"content hash: {digest}")


def _plural(count: int, noun: str) -> str:
    """'1 tables' -> '1 table' (nouns are given in the plural)."""
    if count == 1:
        noun = noun[:-2] if noun.endswith("xes") else noun[:-1]
    return f"{count} {noun}"


URL = click.option(
    "--url",
    envvar="RECONCILER_URL",
    required=True,
    help=(
        "PostgreSQL connection URL or key=value string (or set RECONCILER_URL, which keeps the password off the "
        "command line)."
    ),
)


@cli.command()
@URL
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(path_type=Path),
    help="Directory to write (must be empty unless --force).",
)
@click.option(
    "--schema", "schemas", multiple=True, help="Export only this schema (repeatable; default: every user schema)."
)
@click.option("--force", is_flag=True, help="Write into a non-empty directory, overwriting files of the same name.")
def export(url: str, out: Path, schemas: tuple[str, ...], force: bool) -> None:
    """Write a live database's schema as desired-state YAML, to adopt it."""
    outcome = service.export(url, out, schemas=list(schemas), force=force)
    live = outcome.live
    click.echo(
        f"exported {_plural(outcome.result.tables, 'tables')} from {live.database!r} "
        f"(PostgreSQL {live.server_version_text}) into {len(outcome.result.files)} file(s) under {out}"
    )
    for warning in live.warnings:
        click.echo(f"warning: {warning}", err=True)
    if live.unmanaged:
        click.echo(f"not exported ({len(live.unmanaged)} object(s) of kinds reconciler does not manage yet):", err=True)
        for obj in live.unmanaged:
            click.echo(f"  {obj}", err=True)


@cli.command("plan")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@URL
@CONFIG
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown", "sql"]), default="text", show_default=True
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    help="Also write the plan artifact (JSON) to this file, for `apply --plan`.",
)
@click.option(
    "--no-replay", is_flag=True, help="Skip replaying the plan on a scratch copy (the plan is then marked unverified)."
)
@click.option(
    "--create-roles",
    is_flag=True,
    help="Create roles that grants name but the server lacks (NOLOGIN) instead of refusing to plan.",
)
def plan_command(
    paths: tuple[Path, ...],
    url: str,
    config_path: Path | None,
    fmt: str,
    out: Path | None,
    no_replay: bool,
    create_roles: bool,
) -> None:
    """Plan the migration from the live database to the desired YAML (exit 0 nothing to do, 2 changes planned).

    The text and Markdown formats end with the lint findings (`reconciler lint`); they do not change the exit code."""
    settings = load_project(config_path).project.lint
    outcome = service.plan(list(paths), url, verify=not no_replay, settings=PlanSettings(create_roles=create_roles))
    plan = outcome.plan
    if out is not None:
        out.write_text(render.render_json(plan))
    renderers = {"json": render.render_json, "markdown": render.render_markdown, "sql": render.render_sql}
    if fmt == "markdown":
        touched = [table for step in plan.steps for table in step.tables]
        diagram = schemadoc.plan_diagram_markdown(outcome.live.catalog, outcome.desired, touched)
        text = render.render_markdown(plan, diagram=diagram)
    else:
        text = renderers[fmt](plan) if fmt in renderers else render.render_text(plan, color=sys.stdout.isatty())
    if fmt in ("text", "markdown") and outcome.loaded is not None:
        report = service.lint_loaded(outcome.loaded, settings, url=url, plan=plan)
        text += "\n" + (
            lint_report.render_markdown(report) if fmt == "markdown" else lint_report.render_plan_section(report)
        )
    click.echo(text, nl=False)
    if out is not None and fmt == "text":
        click.echo(f"\nplan written to {out} (digest {plan.digest})")
    if outcome.in_progress:
        click.echo(
            "this plan is already in progress on the database: continue it with `reconciler apply` (see `reconciler "
            "history`)",
            err=True,
        )
    sys.exit(ExitCode.OK if plan.empty else ExitCode.CHANGES)


def _target(config_path: Path | None, env_name: str | None, url: str | None) -> tuple[Any, str]:
    """The project, and the URL from --url or the environment."""
    project = load_project(config_path)
    if url:
        return project, url
    if env_name:
        return project, project.url(env_name)
    raise click.UsageError("give --url (or RECONCILER_URL), or --env with a project file")


@cli.command("apply")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--url", envvar="RECONCILER_URL", help="PostgreSQL connection URL (or RECONCILER_URL, or --env).")
@CONFIG
@ENV
@click.option(
    "--plan", "plan_file", type=click.Path(path_type=Path), help="Apply this plan file (refused if stale or modified)."
)
@click.option(
    "--phase",
    type=click.Choice(["expand", "backfill", "contract", "all"]),
    default="all",
    show_default=True,
    help="Run phases up to this one.",
)
@click.option(
    "--approve",
    "approvals",
    multiple=True,
    metavar="DIGEST[:PHASE]",
    help="Approve a plan digest (optionally one phase of it). Repeatable.",
)
@click.option(
    "--approvals-dir",
    type=click.Path(path_type=Path),
    help="Directory of approval files (default: the project's, or ./approvals).",
)
@click.option("--auto-approve", is_flag=True, help="Pass every gate except data loss.")
@click.option(
    "--allow-data-loss",
    is_flag=True,
    help="With --auto-approve: also pass steps that delete data (a backup still runs first).",
)
@click.option(
    "--create-roles",
    is_flag=True,
    help="Create roles that grants name but the server lacks (NOLOGIN); same as policy createRoles.",
)
def apply_command(
    paths: tuple[Path, ...],
    url: str | None,
    config_path: Path | None,
    env_name: str | None,
    plan_file: Path | None,
    phase: str,
    approvals: tuple[str, ...],
    approvals_dir: Path | None,
    auto_approve: bool,
    allow_data_loss: bool,
    create_roles: bool = False,
) -> None:
    """Apply the desired schema (or a plan file): expand, backfill, contract, stopping at gates.

    Exit codes: 0 done (or nothing to do), 3 waiting for an approval, 4 another applier is busy, 1 error."""
    project, target_url = _target(config_path, env_name, url)
    policy = project.policy(env_name)
    if create_roles:
        policy = policy.model_copy(update={"create_roles": True})
    if not paths and plan_file is None:
        paths = tuple(project.schema_paths())
    found = [parse_flag(a) for a in approvals] + read_approvals(approvals_dir or project.approvals_dir())
    gate = Gate(
        gated_phases=frozenset(Phase(p) for p in policy.approval.phases),
        gated_hazards=frozenset(policy.approval.hazards),
        approvals=tuple(found),
        auto_approve=auto_approve,
        allow_data_loss=allow_data_loss,
    )
    request = service.ApplyRequest(
        url=target_url,
        policy=policy,
        gate=gate,
        paths=list(paths) or None,
        plan_file=plan_file,
        up_to=Phase.CONTRACT if phase == "all" else Phase(phase),
        progress=progress_factory(sys.stderr.isatty()),
    )
    outcome = service.apply(request)
    _report_apply(outcome, plan_file)


def _report_apply(outcome: Any, plan_file: Path | None) -> None:
    plan = outcome.plan
    if outcome.status == "nothing":
        click.echo("nothing to do: the database matches the desired schema")
        return
    if outcome.skipped_done:
        click.echo(f"resumed plan {plan.digest}: {len(outcome.skipped_done)} step(s) already done")
    backups = {step_id: (file, restore) for step_id, file, restore in outcome.backups if file}
    for step_id in outcome.ran:
        if step_id in backups:
            file, restore = backups[step_id]
            click.echo(f"      backup {file}" + (f"\n      restore with: {restore}" if restore else ""))
        click.echo(f"done  {step_id}")
    if outcome.status == "done" and not outcome.ran and outcome.skipped_done:
        click.echo(f"plan {plan.digest} was already applied")
        return
    if outcome.status == "done":
        click.echo(f"plan {plan.digest} applied: {len(plan.steps)} steps")
        return
    if outcome.status == "stopped":
        click.echo(f"stopped at the phase limit; plan {plan.digest} continues with `reconciler apply` later")
        return
    step = outcome.waiting_step
    source = str(plan_file) if plan_file else "--digest " + plan.digest
    lines = [f"waiting for approval before step {step.id} ({step.description}):"]
    lines += [f"  - {reason}" for reason in outcome.waiting_reasons]
    lines += [
        f"plan digest: {plan.digest}",
        "approve with one of:",
        f"  reconciler apply ... --approve {plan.digest}:{step.phase.value}",
        f"  reconciler approve {source} --phase {step.phase.value} --by <your name>   (writes an approval file to "
        "commit)",
    ]

    raise ApprovalRequired("\n".join(lines))


@cli.command("approve")
@click.argument("plan_file", required=False, type=click.Path(path_type=Path))
@click.option("--digest", help="The plan digest to approve (instead of a plan file).")
@click.option("--phase", type=click.Choice(["expand", "backfill", "contract", "all"]), default="all", show_default=True)
@click.option("--by", "by", required=True, help="Who approves (recorded in the approval file).")
@CONFIG
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    help="Where to write the approval (default: the project's approvals directory).",
)
def approve_command(
    plan_file: Path | None, digest: str | None, phase: str, by: str, config_path: Path | None, directory: Path | None
) -> None:
    """Write an approval file for a plan (commit it; `apply` reads the directory)."""
    if (plan_file is None) == (digest is None):
        raise click.UsageError("give a plan file or --digest (one of them)")
    summary = None
    if plan_file is not None:
        plan = service.read_plan_file(plan_file)  # refuses a modified plan
        digest, summary = plan.digest, plan_summary(plan)
    assert digest is not None
    target_dir = directory or load_project(config_path).approvals_dir()
    written = write_approval(target_dir, digest, by, None if phase == "all" else Phase(phase), summary)
    click.echo(f"approved {digest} ({phase}) by {by}: {written}")


@cli.command("history")
@click.option("--url", envvar="RECONCILER_URL", help="PostgreSQL connection URL.")
@CONFIG
@ENV
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--limit", default=20, show_default=True)
def history_command(url: str | None, config_path: Path | None, env_name: str | None, fmt: str, limit: int) -> None:
    """Show the journal: plans applied to the database and their steps."""
    _, target_url = _target(config_path, env_name, url)
    plans = service.history(target_url, limit)
    if fmt == "json":
        click.echo(json.dumps(plans, indent=2, default=str))
        return
    if not plans:
        click.echo("no plans recorded in this database")
        return
    for record in plans:
        steps = record["steps"]
        done = sum(1 for s in steps if s["state"] == "done")
        click.echo(
            f"{record['digest']}  {record['state']:<9} {done}/{len(steps)} steps  "
            f"{record['created_at']:%Y-%m-%d %H:%M:%S}" + (f"  {record['message']}" if record["message"] else "")
        )
        for step in steps:
            extra = f"  error: {step['error']}" if step["error"] else ""
            extra += f"  backup: {step['backupFile']}" if step["backupFile"] else ""
            extra += f"  rows: {step['rowsDone']}" if step["rowsDone"] else ""
            click.echo(f"    {step['state']:<8} {step['id']}{extra}")


@cli.command("abandon")
@click.option("--url", envvar="RECONCILER_URL", help="PostgreSQL connection URL.")
@CONFIG
@ENV
@click.option("--digest", help="Only abandon the active plan if it has this digest.")
def abandon_command(url: str | None, config_path: Path | None, env_name: str | None, digest: str | None) -> None:
    """Stop tracking the active plan (the schema stays as it is; plan again from there)."""
    _, target_url = _target(config_path, env_name, url)
    plan = service.abandon(target_url, digest)
    click.echo(f"abandoned plan {plan.digest}; run `reconciler plan` to see what is left to do")


@cli.command("drift")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@CONFIG
@click.option(
    "--env", "env_names", multiple=True, help="Environment of the project file (repeatable; default: all of them)."
)
@click.option("--url", "urls", multiple=True, metavar="[NAME=]URL", help="Also compare this database (repeatable).")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "markdown", "junit"]), default="text", show_default=True
)
@click.option("--baseline", help="Compare with this environment instead of the desired YAML.")
@click.option("--out", "out", type=click.Path(path_type=Path), help="Write the report to this file instead of stdout.")
def drift_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    env_names: tuple[str, ...],
    urls: tuple[str, ...],
    fmt: str,
    baseline: str | None,
    out: Path | None,
) -> None:
    """Compare every environment with the desired schema: one matrix, object x environment.

    Exit codes: 0 all in sync, 2 drift found, 1 an environment could not be read (or another error)."""
    project = load_project(config_path)
    names = list(env_names) or ([] if urls else list(project.project.environments))  # in the order the file lists them
    targets = [service.DriftTarget(name, project.url(name)) for name in names]
    for value in urls:
        name, sep, url = value.partition("=")
        if not sep or "://" in name or " " in name:
            name, url = "", value
        targets.append(service.DriftTarget(name or dsn_target(url).dbname + "@" + dsn_target(url).host, url))
    chosen_paths: list[Path] | None = list(paths) or (project.schema_paths() if baseline is None else None)
    report = service.drift(chosen_paths, targets, baseline=baseline, rules=project.project.ignore)
    text = RENDERERS[fmt](report) if fmt != "text" else render_text(report, color=sys.stdout.isatty() and out is None)
    if out is not None:
        out.write_text(text)
        click.echo(f"drift report written to {out}")
    else:
        click.echo(text, nl=False)
    if report.unreachable:
        sys.exit(ExitCode.ERROR)
    sys.exit(ExitCode.CHANGES if report.drifted else ExitCode.OK)


@cli.command("docs")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--url", envvar="RECONCILER_URL", help="Document this database instead of YAML (or RECONCILER_URL).")
@CONFIG
@ENV
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Directory to write the docs into.")
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(list(schemadoc.FORMATS)),
    help="What to write (repeatable; default: all). markdown README.md, html index.html, mermaid er.mmd, svg er.svg.",
)
@click.option("--focus", metavar="TABLE", help="Only this table (schema.table or a unique name) and its neighbours.")
@click.option(
    "--depth", default=1, show_default=True, type=click.IntRange(0, None), help="Foreign keys away from --focus."
)
@click.option("--schema", "schemas", multiple=True, help="From a database: only this schema (repeatable).")
@click.option("--title", help="Title of the docs (default: the directory or database name).")
def docs_command(
    paths: tuple[Path, ...],
    url: str | None,
    config_path: Path | None,
    env_name: str | None,
    out: Path,
    formats: tuple[str, ...],
    focus: str | None,
    depth: int,
    schemas: tuple[str, ...],
    title: str | None,
) -> None:
    """Write a data dictionary and ER diagrams of the YAML in PATHS or of a live database."""
    source = click.get_current_context().get_parameter_source("url")
    explicit_url = url if source is not None and source.name == "COMMANDLINE" else None
    if paths and (explicit_url or env_name):
        raise click.UsageError("document either PATHs or a database (--url, --env), not both")
    target_url = None
    if not paths:
        if not url and not env_name:
            raise click.UsageError("give schema PATHs, --url (or RECONCILER_URL), or --env with a project file")
        _, target_url = _target(config_path, env_name, url)
    outcome = service.docs(
        out,
        paths=list(paths) or None,
        url=target_url,
        schemas=list(schemas),
        formats=list(formats) or None,
        focus=focus,
        depth=depth,
        title=title,
    )
    tables = _plural(outcome.tables, "tables")
    diagrams = _plural(outcome.diagrams, "diagrams")
    click.echo(f"wrote {', '.join(outcome.written)} to {out}: {tables} in {diagrams}, from {outcome.origin}")
    if outcome.removed:
        click.echo(f"removed diagram files of an earlier run: {', '.join(outcome.removed)}", err=True)


@cli.command("lint")
@SCHEMA_PATHS
@click.option(
    "--url", envvar="RECONCILER_URL", help="Also judge the plan against this database (or RECONCILER_URL, or --env)."
)
@CONFIG
@ENV
@click.option(
    "--offline",
    is_flag=True,
    help="Judge the YAML alone, never a database, even with --url, RECONCILER_URL or --env (the pre-commit hook).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "github", "gitlab"]),
    default="text",
    show_default=True,
    help="text; json (versioned, with the rules); sarif (2.1.0); github (workflow annotations); gitlab (Code Quality).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Write the report in --format to this file; the text report goes to stdout.",
)
@click.option("--list-rules", is_flag=True, help="Print every rule with its severity in this project, and exit.")
def lint_command(
    paths: tuple[Path, ...],
    url: str | None,
    config_path: Path | None,
    env_name: str | None,
    offline: bool,
    fmt: str,
    out: Path | None,
    list_rules: bool,
) -> None:
    """Review the desired YAML (design rules) and, with a database, the planned migration (change rules).

    Exit codes: 0 no error finding, 1 error findings (or invalid input, unreachable database)."""
    try:
        project = load_project(config_path)
        settings = project.project.lint
        if list_rules:
            severities = {rule.id: settings.severity(rule) for rule in RULES.values()}
            click.echo(lint_report.render_rules(severities, fmt), nl=False)
            return
        target = None if offline else (url or (project.url(env_name) if env_name else None))
        report = service.lint(list(paths) or project.schema_paths(), settings, url=target)
    except LoadError as exc:
        if fmt not in ("github", "json"):
            raise
        click.echo(lint_report.render_load_errors(exc.diagnostics, fmt), nl=False)
        sys.exit(ExitCode.ERROR)
    if out is not None:
        out.write_text(lint_report.RENDERERS[fmt](report))
        click.echo(lint_report.render_text(report), nl=False)
    else:
        click.echo(lint_report.RENDERERS[fmt](report), nl=False)
    sys.exit(ExitCode.OK if report.passed else ExitCode.ERROR)


@cli.command("schema")
def json_schema() -> None:
    """Print the JSON Schema of the YAML format (for editors and linters)."""
    click.echo(json.dumps(document_json_schema(), indent=2))


def _add_entry_point_commands(group: click.Group) -> None:
    """Commands registered under the `reconciler.commands` entry point group (the operator's
    `reconciler operator run|crds`): the shells stay independent of each other."""
    for entry in entry_points(group="reconciler.commands"):
        group.add_command(entry.load(), entry.name)


_add_entry_point_commands(cli)
