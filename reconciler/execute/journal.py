"""The journal: plans and steps recorded in the target database, the advisory lock that lets
one applier work on a database at a time, and the one place that knows the active plan and the
rule for which plan runs next.

Stage: execute. Two connections are involved: the control connection (autocommit) holds the
advisory lock and records plan-level state and events; the work connection runs the steps, and a
step's own state change is written inside the step's transaction (`step_done_statement`), so a
step and its "done" mark commit together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from reconciler.errors import ApplierBusy, ExecutionError
from reconciler.plan.artifact import Plan, plan_from_json

SCHEMA = "reconciler"
ACTIVE_STATES = ("running", "waiting", "failed")
LOCK_KEY = int.from_bytes(hashlib.sha256(b"reconciler.apply").digest()[:8], "big", signed=True)


@cache
def _ddl() -> str:
    return resources.files("reconciler.execute").joinpath("journal.sql").read_text()


@dataclass(frozen=True)
class StepRecord:
    step_id: str
    state: str
    attempts: int
    error: str | None
    backup_file: str | None
    restore_command: str | None
    checkpoint: dict[str, Any] | None
    rows_done: int


@dataclass(frozen=True)
class PlanRecord:
    digest: str
    state: str
    checkpoint_hash: str | None
    message: str | None
    plan: Plan


class Journal:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        assert conn.autocommit, "the control connection must be in autocommit mode"
        self.conn = conn

    # --- setup and locking -----------------------------------------------------------------

    def ensure(self) -> None:
        try:
            with self.conn.transaction():
                self.conn.execute(sql.SQL(_ddl()))  # constant package data
        except psycopg.errors.InsufficientPrivilege as exc:
            raise ExecutionError(
                f"cannot create the journal schema {SCHEMA!r}: {exc.diag.message_primary}; grant CREATE on the database"
            ) from None

    def lock(self) -> None:
        row = self.conn.execute("SELECT pg_catalog.pg_try_advisory_lock(%s)", (LOCK_KEY,)).fetchone()
        if not (row and row[0]):
            raise ApplierBusy(
                f"another applier is working on this database ({self.holder()}); try again when it has finished"
            )

    def unlock(self) -> None:
        self.conn.execute("SELECT pg_catalog.pg_advisory_unlock(%s)", (LOCK_KEY,))

    def holder(self) -> str:
        row = self.conn.execute(
            "SELECT a.pid, a.application_name, a.client_addr::text, a.backend_start "
            "FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = %s",
            (LOCK_KEY,),
        ).fetchone()
        if row is None:
            return "holder unknown"
        pid, app, addr, since = row
        return (
            f"pid {pid}, {app or 'no application name'}, from {addr or 'local socket'}, connected since "
            f"{since:%Y-%m-%d %H:%M:%S %Z}"
        )

    # --- plans -----------------------------------------------------------------------------

    def active(self) -> PlanRecord | None:
        with self.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(
                sql.SQL(
                    "SELECT digest, state, checkpoint_hash, message, plan FROM {}.plans WHERE state = ANY(%s)"
                ).format(sql.Identifier(SCHEMA)),
                (list(ACTIVE_STATES),),
            )
            row = cur.fetchone()
        if row is None:
            return None
        return PlanRecord(
            row["digest"], row["state"], row["checkpoint_hash"], row["message"], plan_from_json(row["plan"])
        )

    def state_of(self, digest: str) -> str | None:
        """The journal's state for a plan (None: never started here)."""
        row = self.conn.execute(
            sql.SQL("SELECT state FROM {}.plans WHERE digest = %s").format(sql.Identifier(SCHEMA)), (digest,)
        ).fetchone()
        return str(row[0]) if row else None

    def begin(self, plan: Plan) -> None:
        data = plan.to_json()
        with self.conn.transaction():
            self.conn.execute(
                sql.SQL(
                    "INSERT INTO {}.plans (digest, source_hash, target_hash, plan, state) VALUES (%s, %s, %s, %s, "
                    "'running') ON CONFLICT (digest) DO UPDATE SET state = 'running', updated_at = now()"
                ).format(sql.Identifier(SCHEMA)),
                (plan.digest, plan.source_hash, plan.target_hash, Jsonb(data)),
            )
            for position, step in enumerate(plan.steps):
                self.conn.execute(
                    sql.SQL(
                        "INSERT INTO {}.steps (digest, step_id, position, phase, description) VALUES (%s, %s, %s, %s, "
                        "%s) ON CONFLICT DO NOTHING"
                    ).format(sql.Identifier(SCHEMA)),
                    (plan.digest, step.id, position, step.phase.value, step.description),
                )
        self.event(plan.digest, None, "plan-started", {"steps": len(plan.steps)})

    def set_plan_state(
        self, digest: str, state: str, message: str | None = None, checkpoint_hash: str | None = None
    ) -> None:
        self.conn.execute(
            sql.SQL(
                "UPDATE {}.plans SET state = %s, message = %s, checkpoint_hash = COALESCE(%s, checkpoint_hash), "
                "updated_at = now() WHERE digest = %s"
            ).format(sql.Identifier(SCHEMA)),
            (state, message, checkpoint_hash, digest),
        )

    def clear_checkpoint(self, digest: str) -> None:
        self.conn.execute(
            sql.SQL("UPDATE {}.plans SET checkpoint_hash = NULL WHERE digest = %s").format(sql.Identifier(SCHEMA)),
            (digest,),
        )

    def abandon(self, digest: str, reason: str) -> None:
        self.set_plan_state(digest, "abandoned", reason)
        self.event(digest, None, "plan-abandoned", {"reason": reason})

    # --- steps -----------------------------------------------------------------------------

    def steps(self, digest: str) -> dict[str, StepRecord]:
        with self.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(
                sql.SQL(
                    "SELECT step_id, state, attempts, error, backup_file, restore_command, checkpoint, rows_done "
                    "FROM {}.steps WHERE digest = %s ORDER BY position"
                ).format(sql.Identifier(SCHEMA)),
                (digest,),
            )
            return {r["step_id"]: StepRecord(**r) for r in cur.fetchall()}

    def step_started(self, digest: str, step_id: str) -> None:
        self.conn.execute(
            sql.SQL(
                "UPDATE {}.steps SET state = 'running', attempts = attempts + 1, started_at = COALESCE(started_at, "
                "now()), error = NULL WHERE digest = %s AND step_id = %s"
            ).format(sql.Identifier(SCHEMA)),
            (digest, step_id),
        )

    def step_failed(self, digest: str, step_id: str, error: str) -> None:
        self.conn.execute(
            sql.SQL("UPDATE {}.steps SET state = 'failed', error = %s WHERE digest = %s AND step_id = %s").format(
                sql.Identifier(SCHEMA)
            ),
            (error, digest, step_id),
        )

    def record_backup(self, digest: str, step_id: str, file: str | None, restore: str | None) -> None:
        self.conn.execute(
            sql.SQL(
                "UPDATE {}.steps SET backup_file = %s, restore_command = %s WHERE digest = %s AND step_id = %s"
            ).format(sql.Identifier(SCHEMA)),
            (file, restore, digest, step_id),
        )

    def event(self, digest: str | None, step_id: str | None, kind: str, detail: dict[str, Any] | None = None) -> None:
        self.conn.execute(
            sql.SQL("INSERT INTO {}.events (digest, step_id, kind, detail) VALUES (%s, %s, %s, %s)").format(
                sql.Identifier(SCHEMA)
            ),
            (digest, step_id, kind, Jsonb(detail or {})),
        )

    def history(self, limit: int = 20) -> list[dict[str, Any]]:
        with self.conn.cursor(row_factory=dict_row) as cur:
            cur.execute(
                sql.SQL(
                    "SELECT p.digest, p.state, p.message, p.created_at, p.updated_at, p.source_hash, p.target_hash, "
                    "coalesce(json_agg(json_build_object('id', s.step_id, 'phase', s.phase, 'state', s.state, "
                    "'attempts', s.attempts, 'startedAt', s.started_at, 'finishedAt', s.finished_at, 'error', "
                    "s.error, 'backupFile', s.backup_file, 'restoreCommand', s.restore_command, 'rowsDone', "
                    "s.rows_done, 'description', s.description) ORDER BY s.position) FILTER (WHERE s.step_id IS NOT "
                    "NULL), '[]') AS steps FROM {schema}.plans p LEFT JOIN {schema}.steps s ON s.digest = p.digest "
                    "GROUP BY p.digest ORDER BY p.created_at DESC LIMIT %s"
                ).format(schema=sql.Identifier(SCHEMA)),
                (limit,),
            )
            return cur.fetchall()


# --- statements run on the work connection, inside a step's transaction ---------------------


def step_done_statement(digest: str, step_id: str) -> tuple[sql.Composed, tuple[Any, ...]]:
    return (
        sql.SQL(
            "UPDATE {}.steps SET state = 'done', finished_at = now(), error = NULL WHERE digest = %s AND step_id = %s"
        ).format(sql.Identifier(SCHEMA)),
        (digest, step_id),
    )


def checkpoint_statement(
    digest: str, step_id: str, checkpoint: dict[str, Any], rows: int
) -> tuple[sql.Composed, tuple[Any, ...]]:
    return (
        sql.SQL(
            "UPDATE {}.steps SET checkpoint = %s, rows_done = rows_done + %s WHERE digest = %s AND step_id = %s"
        ).format(sql.Identifier(SCHEMA)),
        (Jsonb(json.loads(json.dumps(checkpoint, default=str))), rows, digest, step_id),
    )


def journal_exists(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute("SELECT to_regclass('reconciler.plans') IS NOT NULL").fetchone()
    return bool(row and row[0])


# --- the active plan -----------------------------------------------------------------------


@dataclass(frozen=True)
class ActivePlan:
    """The journal's plan in progress on a database (running, waiting at a gate, or failed), and
    how far it got."""

    digest: str
    plan: Plan
    state: str
    done: int  # steps done
    total: int  # steps journaled
    current_step: str | None  # the first step not done


def active_plan(conn: psycopg.Connection[Any]) -> ActivePlan | None:
    """The plan in progress in this database's journal, if any (an autocommit connection)."""
    if not journal_exists(conn):
        return None
    journal = Journal(conn)
    record = journal.active()
    if record is None:
        return None
    steps = journal.steps(record.digest)
    done = sum(1 for s in steps.values() if s.state == "done")
    current = next((step_id for step_id, s in steps.items() if s.state != "done"), None)
    return ActivePlan(record.digest, record.plan, record.state, done, len(steps), current)


def plan_to_resume(active: ActivePlan | None, desired_hash: str, *, finish_started: bool = False) -> Plan | None:
    """Which plan runs: the active plan is resumed when it leads to the desired schema (target
    hash equal to `desired_hash`). One leading elsewhere blocks planning: `reconciler plan`
    refuses, and the executor supersedes it only while none of its steps ran. With
    `finish_started` (the operator, whose desired objects may change at any time) a started one
    is resumed anyway: a half-applied migration is finished before anything else is planned.
    None: make a new plan."""
    if active is None:
        return None
    if active.plan.target_hash == desired_hash or (finish_started and active.done > 0):
        return active.plan
    return None
