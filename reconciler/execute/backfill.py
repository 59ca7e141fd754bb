"""Batched, keyset-paginated, resumable backfills.

Stage: execute. A backfill walks the table in key order up to the largest key that existed when
it started (the bound): rows inserted later are covered by the default or sync trigger the expand
phase installed, so the walk terminates however busy the table is. Each batch is one short
transaction: it updates the rows with keys in (last, upper], records the new checkpoint in the
journal in the same transaction, and commits, so a killed backfill resumes after the last
committed batch and no batch is ever applied twice. The batch size adapts towards a target
duration; a pause between batches leaves room for the application.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import psycopg
from psycopg import sql

from reconciler.ddl.statement import expression_sql, qualified, type_sql
from reconciler.execute.journal import checkpoint_statement, step_done_statement
from reconciler.execute.session import set_timeouts
from reconciler.plan.plain import backfill_all, mark_backfill_session
from reconciler.plan.steps import BackfillSpec, Step

MIN_BATCH = 10


class ProgressSink(Protocol):
    def update(self, rows: int, batch_size: int) -> None: ...


@dataclass(frozen=True)
class BackfillSettings:
    batch_size: int
    max_batch_size: int
    target_seconds: float
    pause_seconds: float
    lock_timeout_ms: int
    statement_timeout_ms: int = 300_000


@dataclass(frozen=True)
class _Key:
    columns: tuple[str, ...]
    types: tuple[str, ...]

    def row(self) -> sql.Composed:
        return sql.SQL("({})").format(sql.SQL(", ").join(sql.Identifier(c) for c in self.columns))

    def values(self) -> sql.Composed:
        return sql.SQL("({})").format(
            sql.SQL(", ").join(sql.SQL("{}::{}").format(sql.Placeholder(), type_sql(t)) for t in self.types)
        )

    def as_text(self) -> sql.Composed:
        # aliased: an output column named like the key would win over it in ORDER BY, sorting as text
        return sql.SQL(", ").join(
            sql.SQL("{}::text AS {}").format(sql.Identifier(c), sql.Identifier(f"k{i}"))
            for i, c in enumerate(self.columns)
        )

    def order(self, descending: bool = False) -> sql.Composed:
        direction = sql.SQL(" DESC" if descending else "")
        return sql.SQL(", ").join(sql.SQL("{}{}").format(sql.Identifier(c), direction) for c in self.columns)


def _range(key: _Key, last: list[str] | None) -> tuple[sql.Composable, list[str]]:
    """`key > last AND key <= upper` (the lower bound only when there is one)."""
    if last is None:
        return sql.SQL("{} <= {}").format(key.row(), key.values()), []
    return sql.SQL("{} > {} AND {} <= {}").format(key.row(), key.values(), key.row(), key.values()), list(last)


def _bound(conn: psycopg.Connection[Any], spec: BackfillSpec, key: _Key) -> list[str] | None:
    row = conn.execute(
        sql.SQL("SELECT {} FROM {} ORDER BY {} LIMIT 1").format(
            key.as_text(), qualified(spec.table), key.order(descending=True)
        )
    ).fetchone()
    return list(row) if row else None


def _upper(
    conn: psycopg.Connection[Any], spec: BackfillSpec, key: _Key, last: list[str] | None, bound: list[str], size: int
) -> list[str]:
    where, params = _range(key, last)
    row = conn.execute(
        sql.SQL("SELECT {} FROM {} WHERE {} ORDER BY {} OFFSET {} LIMIT 1").format(
            key.as_text(), qualified(spec.table), where, key.order(), sql.Literal(size - 1)
        ),
        params + bound,
    ).fetchone()
    return list(row) if row else bound


def _update(spec: BackfillSpec, key: _Key, last: list[str] | None) -> tuple[sql.Composed, list[str]]:
    assignments = sql.SQL(", ").join(
        sql.SQL("{} = {}").format(sql.Identifier(col), expression_sql(expr)) for col, expr in spec.assignments
    )
    where, params = _range(key, last)
    statement = sql.SQL("UPDATE {} SET {} WHERE {} AND {}").format(
        qualified(spec.table), assignments, where, expression_sql(spec.condition)
    )
    return statement, params


def run_backfill(
    conn: psycopg.Connection[Any],
    digest: str,
    step: Step,
    key_types: tuple[str, ...],
    checkpoint: dict[str, Any] | None,
    settings: BackfillSettings,
    progress: ProgressSink,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Run (or resume) a backfill step on an autocommit connection; returns rows updated now."""
    spec = step.backfill
    assert spec is not None
    done_sql, done_params = step_done_statement(digest, step.id)
    if not spec.key:  # no key to page on: one statement (the plan carries a hazard saying so)
        with conn.transaction():
            set_timeouts(conn, settings.lock_timeout_ms, 0, local=True)
            mark_backfill_session(conn)
            rows = conn.execute(backfill_all(spec)).rowcount
            conn.execute(done_sql, done_params)
        progress.update(rows, rows)
        return rows
    key = _Key(spec.key, key_types)
    state = dict(checkpoint or {})
    if "bound" not in state:
        state = {"bound": _bound(conn, spec, key), "last": None, "batchSize": settings.batch_size}
        statement, params = checkpoint_statement(digest, step.id, state, 0)
        conn.execute(statement, params)
    bound: list[str] | None = state["bound"]
    last: list[str] | None = state.get("last")
    size = int(state.get("batchSize") or settings.batch_size)
    total = 0
    while True:
        if bound is None or last == bound:
            conn.execute(done_sql, done_params)
            return total
        started = time.monotonic()
        upper = _upper(conn, spec, key, last, bound, size)
        update, update_params = _update(spec, key, last)
        state = {"bound": bound, "last": upper, "batchSize": size}
        with conn.transaction():
            set_timeouts(conn, settings.lock_timeout_ms, settings.statement_timeout_ms, local=True)
            mark_backfill_session(conn)
            rows = conn.execute(update, update_params + upper).rowcount
            statement, checkpoint_params = checkpoint_statement(digest, step.id, state, rows)
            conn.execute(statement, checkpoint_params)
            if upper == bound:
                conn.execute(done_sql, done_params)
        last = upper
        total += rows
        progress.update(rows, size)
        size = _adapt(size, time.monotonic() - started, settings)
        if last != bound and settings.pause_seconds:
            sleep(settings.pause_seconds)


def _adapt(size: int, elapsed: float, settings: BackfillSettings) -> int:
    """Steer the batch size towards the target duration, at most doubling or halving at once."""
    if elapsed <= 0:
        return min(size * 2, settings.max_batch_size)
    factor = max(0.5, min(2.0, settings.target_seconds / elapsed))
    return max(MIN_BATCH, min(settings.max_batch_size, int(size * factor)))
