"""Run composed statements on a connection, each with its own schema context.

Used to build scratch databases and by the tests; production execution (timeouts, retries,
journal) lives in `reconciler.execute`.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterable

import psycopg
from psycopg import sql

from reconciler.sqlgen import Statement, search_path

BATCH_SIZE = 200


def script(statements: Iterable[Statement]) -> sql.Composed:
    """One multi-statement script, switching search_path where the schema context changes."""
    parts: list[sql.Composable] = []
    current: str | None = None
    for statement in statements:
        schema = statement.schema or "public"
        if schema != current:
            parts.append(search_path(schema))
            current = schema
        parts.append(statement.sql)
    if current not in (None, "public"):
        parts.append(search_path("public"))
    return sql.SQL(";\n").join(parts)


def run_statements(conn: psycopg.Connection[Any], statements: Iterable[Statement]) -> None:
    """Execute statements in order, one round trip each; the caller owns the transaction."""
    for statement in statements:
        conn.execute(script([statement]))


def run_batched(conn: psycopg.Connection[Any], statements: list[Statement], on_error: Any = None) -> None:
    """Execute statements in batches, one round trip per batch.

    On an autocommit connection each batch commits on its own (PostgreSQL runs a multi-statement
    query as one implicit transaction), which is twice as fast for large scratch databases; inside
    a transaction each batch gets a savepoint. Either way a failed batch is undone and replayed
    one statement at a time, so `on_error(statement, exc)` learns which statement was rejected.
    """
    for start in range(0, len(statements), BATCH_SIZE):
        batch = statements[start : start + BATCH_SIZE]
        try:
            with _unit(conn):
                conn.execute(script(batch))
        except psycopg.Error as batch_error:
            for statement in batch:
                try:
                    with _unit(conn):
                        conn.execute(script([statement]))
                except psycopg.Error as exc:
                    if on_error is not None:
                        on_error(statement, exc)
                    raise
            raise batch_error


def _unit(conn: psycopg.Connection[Any]) -> Any:
    """A savepoint inside a transaction; nothing extra on an autocommit connection."""
    return contextlib.nullcontext() if conn.autocommit else conn.transaction()
