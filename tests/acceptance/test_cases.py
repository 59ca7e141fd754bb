"""Acceptance cases (tests/acceptance/cases/*), each planned, applied phase by phase and re-diffed
on a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.pgharness import PgServer

from acceptance.harness import Case, all_cases, run_case


@pytest.mark.parametrize("path", all_cases(), ids=lambda p: p.name)
def test_case(path: Path, database: str, pg_server: PgServer) -> None:
    case = Case.load(path)
    if pg_server.major < case.min_server:
        pytest.fail(f"case {case.name} needs PostgreSQL {case.min_server}+, the test server is {pg_server.major}")
    run_case(case, database, pg_server.major)
