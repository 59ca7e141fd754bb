"""Session settings, error classification, backoff, and who is in the way.

Stage: execute. DDL must never queue application traffic behind it: every step runs with a
lock_timeout, so a step that cannot get its lock gives up quickly (SQLSTATE 55P03) instead of
waiting in the lock queue while every later query waits behind it; it is then retried after a
jittered, growing pause. Only errors known to be transient are retried.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

import psycopg
from psycopg import sql

from reconciler.model import QualifiedName


class ErrorKind(Enum):
    LOCK = "lock"  # lock_timeout: retry after backing off
    TEMPORARY = "temporary"  # connection lost, deadlock, serialization failure, shutdown: retry
    PERMANENT = "permanent"  # anything else: stop and report


_TEMPORARY_STATES = {"40001", "40P01", "57P01", "57P02", "57P03", "53300", "53400"}


def classify(exc: BaseException) -> ErrorKind:
    if isinstance(exc, psycopg.errors.LockNotAvailable):
        return ErrorKind.LOCK
    state = getattr(exc, "sqlstate", None) or ""
    if (
        state in _TEMPORARY_STATES
        or state.startswith("08")
        or (isinstance(exc, psycopg.OperationalError) and not state)
    ):
        return ErrorKind.TEMPORARY
    return ErrorKind.PERMANENT


@dataclass(frozen=True)
class Backoff:
    base_seconds: float
    max_seconds: float

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Full jitter: uniform in [0, min(max, base * 2^attempt)]."""
        ceiling = min(self.max_seconds, self.base_seconds * (2 ** max(attempt - 1, 0)))
        return (rng or random).uniform(0, ceiling)


def set_timeouts(
    conn: psycopg.Connection[Any], lock_timeout_ms: int, statement_timeout_ms: int, *, local: bool
) -> None:
    scope = "SET LOCAL" if local else "SET"
    conn.execute(sql.SQL(scope + " lock_timeout = {}").format(sql.Literal(lock_timeout_ms)))
    conn.execute(sql.SQL(scope + " statement_timeout = {}").format(sql.Literal(statement_timeout_ms)))


def prepare_session(conn: psycopg.Connection[Any], application_name: str, server_version: int) -> None:
    conn.execute(sql.SQL("SET application_name = {}").format(sql.Literal(application_name[:63])))
    if server_version >= 140000:
        # a backend whose client died (a killed applier) aborts its work instead of finishing it
        conn.execute("SET client_connection_check_interval = '1s'")


@dataclass(frozen=True)
class Blocker:
    pid: int
    application: str
    state: str
    mode: str
    table: str
    seconds: float
    query: str

    def __str__(self) -> str:
        query = " ".join(self.query.split())[:80]
        return (
            f"pid {self.pid} ({self.application or 'no name'}, {self.state}, {self.seconds:.0f}s) holds {self.mode} on "
            f"{self.table}: {query}"
        )


def blockers(conn: psycopg.Connection[Any], tables: Iterable[QualifiedName]) -> list[Blocker]:
    """Other sessions holding locks on `tables`: the ones a strong lock would wait for."""
    names = [sql.Identifier(t.schema, t.name).as_string(None) for t in tables]
    if not names:
        return []
    rows = conn.execute(
        "SELECT a.pid, coalesce(a.application_name, ''), coalesce(a.state, ''), l.mode, l.relation::regclass::text, "
        "extract(epoch FROM now() - coalesce(a.xact_start, a.query_start, now()))::float8, coalesce(a.query, '') "
        "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.granted AND l.locktype = 'relation' AND l.pid <> pg_catalog.pg_backend_pid() "
        "AND l.relation = ANY (SELECT to_regclass(n) FROM unnest(%s::text[]) n) "
        "ORDER BY 6 DESC",
        (names,),
    ).fetchall()
    return [Blocker(*row) for row in rows]


def orphaned_backends(conn: psycopg.Connection[Any], application_name: str) -> list[int]:
    """Backends of an earlier, killed run of the same plan, still at work."""
    rows = conn.execute(
        "SELECT pid FROM pg_catalog.pg_stat_activity WHERE application_name = %s AND pid <> "
        "pg_catalog.pg_backend_pid() AND state <> 'idle'",
        (application_name[:63],),
    ).fetchall()
    return [row[0] for row in rows]
