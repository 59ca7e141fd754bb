"""The one entry point the CLI and the operator share.

Each function runs one job end to end (validate, ...), with typed errors and no printing: the
shells decide how to show results. Keeping the shells thin means CI, the operator and the drift
audit run the same tested code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reconciler.export import ExportResult, export_catalog
from reconciler.introspect import LiveState, introspect
from reconciler.load import LoadResult, load_paths


def validate(paths: list[Path]) -> LoadResult:
    """Load and check desired-state YAML; raises LoadError listing every problem."""
    return load_paths(paths)


@dataclass(frozen=True)
class ExportOutcome:
    live: LiveState
    result: ExportResult


def export(url: str, out: Path, *, schemas: list[str] | None = None, force: bool = False) -> ExportOutcome:
    """Introspect a database and write it as desired-state YAML under `out`."""
    live = introspect(url, schemas or None)
    return ExportOutcome(live=live, result=export_catalog(live.catalog, out, force=force))
