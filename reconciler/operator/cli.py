"""`reconciler operator run|crds`: the operator's commands, a group of its own.

Stage: shell. The CLI does not import the operator: it finds this group through the
`reconciler.commands` entry point (pyproject.toml), so either shell can change without the other.
"""

from __future__ import annotations

from pathlib import Path

import click

from reconciler.operator import crds


@click.group("operator")
def group() -> None:
    """The Kubernetes operator: run it, or write its CustomResourceDefinitions."""


@group.command("run")
@click.option(
    "--namespace",
    "-n",
    "namespaces",
    multiple=True,
    help="Namespace to watch (repeatable; default: $POD_NAMESPACE or default).",
)
@click.option(
    "--all-namespaces", "-A", is_flag=True, help="Watch every namespace (needs the cluster-wide RBAC of the chart)."
)
@click.option(
    "--metrics-port", type=int, default=9090, show_default=True, help="Port of /metrics and /healthz (0: none)."
)
@click.option("--peering", default=None, help="kopf peering name: replicas sharing it elect one active operator.")
@click.option("--priority", type=int, default=None, help="Peering priority (default: random, so one replica leads).")
@click.option(
    "--retry-max-delay",
    type=float,
    default=60.0,
    show_default=True,
    help="Longest wait between retries of a failing Database, in seconds.",
)
@click.option(
    "--settle",
    type=float,
    default=1.5,
    show_default=True,
    help="Quiet period after a resource change before planning, in seconds.",
)
@click.option(
    "--work-dir",
    envvar="RECONCILER_WORK_DIR",
    default=None,
    help="Working directory (where the built-in pg_dump hook writes backups).",
)
@click.pass_context
def operator_run(
    ctx: click.Context,
    namespaces: tuple[str, ...],
    all_namespaces: bool,
    metrics_port: int,
    peering: str | None,
    priority: int | None,
    retry_max_delay: float,
    settle: float,
    work_dir: str | None,
) -> None:
    """Run the controller: converge every Database resource towards its desired objects."""
    # kopf and the Kubernetes client load only for this command: every other command of the CLI
    # finds this group at start-up (through its entry point), and none of them needs them
    from reconciler.operator.main import OperatorOptions, run  # noqa: PLC0415  (see the comment above)

    if namespaces and all_namespaces:
        raise click.UsageError("give --namespace or --all-namespaces, not both")
    log_format = ctx.find_root().params.get("log_format", "auto")
    run(
        OperatorOptions(
            namespaces=namespaces,
            all_namespaces=all_namespaces,
            metrics_port=metrics_port,
            log_format="console" if log_format == "console" else "json",
            peering=peering,
            priority=priority,
            retry_max_seconds=retry_max_delay,
            settle_seconds=settle,
            work_dir=work_dir,
        )
    )


@group.command("crds")
@click.option("--out", type=click.Path(path_type=Path), default=Path("crds"), show_default=True)
def operator_crds(out: Path) -> None:
    """Write the CustomResourceDefinitions (generated from the YAML format's models)."""
    for path in crds.write(out):
        click.echo(f"wrote {path}")
