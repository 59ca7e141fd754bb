"""Session fixtures: a real PostgreSQL server (never a mock, never a skip) and a fresh database per test."""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any, Iterator

import psycopg
import pytest

from support.pgharness import PgServer, create_template, fresh_database, provision

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "schemas" / "shop"
_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> Iterator[PgServer]:
    try:
        server = provision()
    except Exception as exc:  # noqa: BLE001
        pytest.fail(str(exc), pytrace=False)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"PostgreSQL for tests: {server.source} (major {server.major})")
    create_template(server)
    yield server
    server.stop()


@pytest.fixture
def database(pg_server: PgServer) -> Iterator[str]:
    """DSN of a new, empty database (created from the session's template) for this test."""
    name = f"reconciler_test_{os.getpid()}_{next(_counter)}"
    with fresh_database(pg_server, name) as dsn:
        yield dsn


@pytest.fixture
def conn(database: str) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(database, autocommit=True) as connection:
        yield connection


def pytest_report_header(config: pytest.Config) -> str:
    return "reconciler tests run against a real PostgreSQL (see tests/support/pgharness.py)"
