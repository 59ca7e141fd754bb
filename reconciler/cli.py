"""The `reconciler` command: a thin shell over `reconciler.service`.

Contract with users (docs/cli.md): results go to stdout, messages to stderr, exit codes are the
ones in `reconciler.errors.ExitCode`, and no traceback is ever printed (set RECONCILER_DEBUG=1 to
see one for an internal error).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from reconciler import __version__, service
from reconciler.errors import ExitCode, LoadError, ReconcilerError
from reconciler.pg.dsn import redact

PATHS = click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reconciler")
def cli() -> None:
    """GitOps schema-as-code for PostgreSQL: declarative YAML in, zero-downtime migrations out."""


@cli.command()
@PATHS
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def validate(paths: tuple[Path, ...], fmt: str) -> None:
    """Check desired-state YAML files or directories (exit 0 valid, 1 invalid)."""
    try:
        result = service.validate(list(paths))
    except LoadError as exc:
        if fmt == "json":
            problems = [{"file": d.file, "line": d.line, "column": d.column, "message": d.message} for d in exc.diagnostics]
            click.echo(json.dumps({"valid": False, "errors": problems}, indent=2))
            sys.exit(ExitCode.ERROR)
        raise
    from reconciler.model import content_hash  # noqa: PLC0415

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
    help="PostgreSQL connection URL or key=value string (or set RECONCILER_URL, which keeps the password off the command line).",
)


@cli.command()
@URL
@click.option("--out", "out", required=True, type=click.Path(path_type=Path), help="Directory to write (must be empty unless --force).")
@click.option("--schema", "schemas", multiple=True, help="Export only this schema (repeatable; default: every user schema).")
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
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown", "sql"]), default="text", show_default=True)
@click.option("--out", "out", type=click.Path(path_type=Path), help="Also write the plan artifact (JSON) to this file, for `apply --plan`.")
@click.option("--no-replay", is_flag=True, help="Skip replaying the plan on a scratch copy (the plan is then marked unverified).")
def plan_command(paths: tuple[Path, ...], url: str, fmt: str, out: Path | None, no_replay: bool) -> None:
    """Plan the migration from the live database to the desired YAML (exit 0 nothing to do, 2 changes planned)."""
    from reconciler.plan import render  # noqa: PLC0415

    outcome = service.plan(list(paths), url, verify=not no_replay)
    plan = outcome.plan
    if out is not None:
        out.write_text(render.render_json(plan))
    renderers = {"json": render.render_json, "markdown": render.render_markdown, "sql": render.render_sql}
    text = renderers[fmt](plan) if fmt in renderers else render.render_text(plan, color=sys.stdout.isatty())
    click.echo(text, nl=False)
    if out is not None and fmt == "text":
        click.echo(f"\nplan written to {out} (digest {plan.digest})")
    sys.exit(ExitCode.OK if plan.empty else ExitCode.CHANGES)


@cli.command("schema")
def json_schema() -> None:
    """Print the JSON Schema of the YAML format (for editors and linters)."""
    from reconciler.load.jsonschema import document_json_schema  # noqa: PLC0415

    click.echo(json.dumps(document_json_schema(), indent=2))


def _fail(message: str, code: int) -> NoReturn:
    click.echo(redact(message), err=True)
    sys.exit(code)


def main(argv: list[str] | None = None) -> Any:
    """Entry point: runs the CLI and maps every failure to a message and an exit code."""
    try:
        return cli.main(args=argv, prog_name="reconciler", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        hint = f"\nTry '{exc.ctx.command_path} --help' for help." if exc.ctx else ""
        _fail(f"usage error: {exc.format_message()}{hint}", ExitCode.USAGE)
    except click.Abort:
        _fail("interrupted", ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        _fail("interrupted", ExitCode.INTERRUPTED)
    except ReconcilerError as exc:
        _fail(f"error: {exc}" if not isinstance(exc, LoadError) else str(exc), exc.exit_code)
    except click.ClickException as exc:
        _fail(f"error: {exc.format_message()}", ExitCode.ERROR)
    except Exception as exc:  # noqa: BLE001  (the last guard: never a traceback for users)
        if os.environ.get("RECONCILER_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (set RECONCILER_DEBUG=1 for a traceback)", ExitCode.ERROR)


if __name__ == "__main__":
    main()
