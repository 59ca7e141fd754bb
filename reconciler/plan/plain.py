"""How a step's SQL runs at its simplest: every statement of every step, no journal, no retries,
backfills as one UPDATE.

Stage: plan. Replay runs plans this way on a scratch database, the renderers show a backfill as
its one UPDATE, and the tests use it; production applies go through `reconciler.execute`, which
adds gates, locks, retries, batching and a journal (and marks its backfill sessions the same way).
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg import sql

from reconciler.ddl.statement import expression_sql, qualified, script, search_path
from reconciler.plan.steps import BackfillSpec, Step

BACKFILL_SETTING = "reconciler.backfill"


def backfill_all(spec: BackfillSpec) -> sql.Composed:
    """The whole backfill as one UPDATE (a scratch database has no traffic to protect)."""
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(column), expression_sql(expression))
        for column, expression in spec.assignments
    )
    return sql.SQL("UPDATE {} SET {} WHERE {}").format(
        qualified(spec.table), assignments, expression_sql(spec.condition)
    )


def mark_backfill_session(conn: psycopg.Connection[Any]) -> None:
    """Tell sync triggers that writes in this transaction come from a backfill."""
    conn.execute(sql.SQL("SELECT pg_catalog.set_config({}, 'on', true)").format(sql.Literal(BACKFILL_SETTING)))


def run_step(conn: psycopg.Connection[Any], step: Step) -> None:
    """Run one step on an autocommit connection."""
    if step.backfill is not None:
        with conn.transaction():
            mark_backfill_session(conn)
            conn.execute(backfill_all(step.backfill))
        return
    if step.transactional:
        with conn.transaction():
            conn.execute(script(step.statements))
        return
    for statement in step.statements:
        # CONCURRENTLY refuses to run in a transaction block, which a multi-statement query is
        conn.execute(search_path(statement.schema or "public"))
        conn.execute(statement.sql)
