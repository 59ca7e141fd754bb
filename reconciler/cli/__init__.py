"""The `reconciler` command: a thin shell over `reconciler.service`.

Contract with users (docs/cli.md): results go to stdout, messages to stderr, exit codes are the
ones in `reconciler.errors.ExitCode`, and no traceback is ever printed (set RECONCILER_DEBUG=1 to
see one for an internal error). The commands are in `commands`, backfill progress bars in
`progress`; `main` is the console script.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import click

from reconciler.cli.commands import cli
from reconciler.errors import ApprovalRequired, ExitCode, LoadError, ReconcilerError
from reconciler.pg.dsn import redact

__all__ = ["cli", "main"]


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
        plain = isinstance(exc, LoadError | ApprovalRequired)  # not an error: a list of problems, or a gate
        _fail(str(exc) if plain else f"error: {exc}", exc.exit_code)
    except click.ClickException as exc:
        _fail(f"error: {exc.format_message()}", ExitCode.ERROR)
    except Exception as exc:  # the last guard: never a traceback for users
        if os.environ.get("RECONCILER_DEBUG"):
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (set RECONCILER_DEBUG=1 for a traceback)", ExitCode.ERROR)
