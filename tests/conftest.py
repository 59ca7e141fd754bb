"""Session fixtures: a real PostgreSQL server (never a mock, never a skip) and a fresh database per test."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from support.kubeharness import KubeServer
from support.pgharness import PgServer, create_template, fresh_database, provision

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "schemas" / "shop"
_counter = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> Iterator[PgServer]:
    try:
        server = provision()
    except Exception as exc:  # noqa: BLE001  (any failure fails the session with its message)
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


@pytest.fixture(scope="session")
def kube(request: pytest.FixtureRequest) -> Iterator[KubeServer]:
    """A real kube-apiserver 1.20 with etcd for the session (never a mock, never a skip).

    The `kubernetes` client reads KUBECONFIG when it is imported, so besides setting the variable
    (for kopf and subprocesses) the client's default configuration is loaded explicitly.
    """
    try:
        server = KubeServer.start()
    except Exception as exc:  # noqa: BLE001  (any failure fails the session with its message)
        pytest.fail(f"cannot start the test Kubernetes API server: {exc}", pytrace=False)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"Kubernetes for tests: kube-apiserver at {server.url}")
    previous = os.environ.get("KUBECONFIG")
    os.environ["KUBECONFIG"] = str(server.kubeconfig)
    import kubernetes  # noqa: PLC0415  (only sessions that use the API server pay for the import)

    kubernetes.config.load_kube_config(config_file=str(server.kubeconfig))
    yield server
    if previous is None:
        os.environ.pop("KUBECONFIG", None)
    else:
        os.environ["KUBECONFIG"] = previous
    server.stop()
