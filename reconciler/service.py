"""The one entry point the CLI and the operator share.

Each function runs one job end to end (validate, ...), with typed errors and no printing: the
shells decide how to show results. Keeping the shells thin means CI, the operator and the drift
audit run the same tested code.
"""

from __future__ import annotations

from pathlib import Path

from reconciler.load import LoadResult, load_paths


def validate(paths: list[Path]) -> LoadResult:
    """Load and check desired-state YAML; raises LoadError listing every problem."""
    return load_paths(paths)
