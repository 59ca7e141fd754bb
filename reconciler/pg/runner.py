"""Run composed statements on a connection, each with its own schema context.

Used to build scratch databases and by the tests; production execution (timeouts, retries,
journal) lives in `reconciler.execute`.
"""

from __future__ import annotations

from typing import Any, Iterable

import psycopg

from reconciler.sqlgen import Statement, search_path


def run_statements(conn: psycopg.Connection[Any], statements: Iterable[Statement]) -> None:
    """Execute statements in order; the caller owns the transaction."""
    current: str | None = None
    for statement in statements:
        schema = statement.schema or "public"
        if schema != current:
            conn.execute(search_path(schema))
            current = schema
        conn.execute(statement.sql)
    if current not in (None, "public"):
        conn.execute(search_path("public"))
