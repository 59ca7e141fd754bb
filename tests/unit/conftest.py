"""Unit tests: the differ, the planner and the registry of change kinds on catalogs built in
memory. No PostgreSQL, no Kubernetes: `pytest -m unit` (or `make unit`) runs them in seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.unit)
