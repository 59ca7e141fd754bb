"""The executor: a journaled state machine that applies a plan step by step.

Stage: execute. Contract of `apply_plan`:
- one applier per database (advisory lock), one active plan per database (journal);
- a plan is started only on the schema it was computed from (source hash), and resumed only if
  the schema is still what the last run left (checkpoint hash): a plan never runs on a database
  that changed under it;
- each step passes its gate (approval) and its backup hook first, then runs with lock_timeout and
  statement_timeout; lock timeouts and transient errors are retried with jittered backoff;
- a step's "done" mark commits with the step, so a killed run resumes at the first step that did
  not commit; non-transactional steps (CONCURRENTLY) are idempotent: an index left invalid by a
  killed build is dropped and rebuilt, a valid one is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from reconciler.ddl.statement import script, search_path
from reconciler.errors import ExecutionError, LockNotAvailable, StalePlanError
from reconciler.execute.backfill import BackfillSettings, ProgressSink, run_backfill
from reconciler.execute.journal import Journal, StepRecord, step_done_statement
from reconciler.execute.session import (
    Backoff,
    ErrorKind,
    blockers,
    classify,
    orphaned_backends,
    prepare_session,
    set_timeouts,
)
from reconciler.gates.approvals import Gate
from reconciler.gates.backup import take_backups
from reconciler.introspect import LiveState, read_catalog
from reconciler.log import get_logger
from reconciler.model import QualifiedName, content_hash
from reconciler.pg import dsn as dsnlib
from reconciler.plan.artifact import Plan
from reconciler.plan.steps import LockLevel, Phase, Step
from reconciler.policy import Policy, duration_ms

log = get_logger("reconciler.apply")


@dataclass(frozen=True)
class ApplyOptions:
    gate: Gate
    policy: Policy
    up_to: Phase = Phase.CONTRACT  # run no phase after this one
    progress: Callable[[Step, float | None], ProgressSink] | None = None  # (step, estimated rows)
    on_step: Callable[[Step, str], None] | None = None  # (step, "started" | "done"): for status displays


@dataclass
class ApplyOutcome:
    plan: Plan
    status: str  # "done" | "waiting" | "stopped" (phase limit) | "nothing"
    ran: list[str] = field(default_factory=list)
    skipped_done: list[str] = field(default_factory=list)
    waiting_step: Step | None = None
    waiting_reasons: tuple[str, ...] = ()
    backups: list[tuple[str, str | None, str | None]] = field(default_factory=list)  # (step, file, restore)


class _NoProgress:
    def update(self, rows: int, batch_size: int) -> None:
        return None


def _application_name(plan: Plan) -> str:
    return f"reconciler/apply:{plan.digest.split(':', 1)[1][:16]}"


def apply_plan(plan: Plan, dsn: str, live: LiveState, options: ApplyOptions) -> ApplyOutcome:
    """Apply (or resume) `plan` on the database at `dsn`, whose current state is `live`."""
    if plan.empty:
        return ApplyOutcome(plan, "nothing")
    with dsnlib.connect(dsn, autocommit=True) as control:
        journal = Journal(control)
        journal.ensure()
        journal.lock()
        try:
            if journal.state_of(plan.digest) == "done":  # applying a finished plan again is not an error
                return ApplyOutcome(plan, "done", skipped_done=[s.id for s in plan.steps])
            _start_or_resume(journal, plan, live)
            outcome = _run(journal, plan, dsn, live, options)
            _finish(journal, plan, dsn, live, outcome)
            return outcome
        finally:
            journal.unlock()


def _start_or_resume(journal: Journal, plan: Plan, live: LiveState) -> None:
    active = journal.active()
    live_hash = content_hash(live.catalog)
    if active is not None and active.digest != plan.digest:
        done = sum(1 for record in journal.steps(active.digest).values() if record.state == "done")
        if done:
            raise ExecutionError(
                f"plan {active.digest} is half-applied ({done} of {len(active.plan.steps)} steps done): resume it with "
                "`reconciler apply` on the same desired schema, or abandon it with `reconciler abandon` and plan again"
            )
        journal.abandon(active.digest, f"superseded by {plan.digest} before any step ran")
        active = None
    if active is None:
        if live_hash != plan.source_hash:
            raise StalePlanError(
                f"stale plan: it was computed from schema {plan.source_hash}, but the database now has {live_hash}; "
                "make a new plan"
            )
        journal.begin(plan)
        return
    if active.checkpoint_hash is not None and active.checkpoint_hash != live_hash:
        raise StalePlanError(
            f"the database changed since plan {plan.digest} last ran (expected schema {active.checkpoint_hash}, found "
            f"{live_hash}); inspect the changes with `reconciler drift`, then abandon the plan and plan again"
        )
    journal.set_plan_state(plan.digest, "running")
    journal.clear_checkpoint(plan.digest)  # until this run finishes, nobody knows where it left the schema
    journal.event(plan.digest, None, "plan-resumed", {"checkpoint": active.checkpoint_hash})


def _run(journal: Journal, plan: Plan, dsn: str, live: LiveState, options: ApplyOptions) -> ApplyOutcome:
    outcome = ApplyOutcome(plan, "done")
    records = journal.steps(plan.digest)
    orphans = orphaned_backends(journal.conn, _application_name(plan))
    for pid in orphans:  # work of a killed run of this very plan: we hold the lock, it cannot be legitimate
        journal.conn.execute("SELECT pg_catalog.pg_cancel_backend(%s)", (pid,))
        journal.event(plan.digest, None, "orphan-cancelled", {"pid": pid})
    with dsnlib.connect(dsn, autocommit=True) as work:
        prepare_session(work, _application_name(plan), live.server_version)
        for step in plan.steps:
            record = records.get(step.id)
            if record is not None and record.state == "done":
                outcome.skipped_done.append(step.id)
                continue
            if step.phase.rank > options.up_to.rank:
                outcome.status = "stopped"
                return outcome
            decision = options.gate.decide(plan, step)
            if not decision.allowed:
                outcome.status, outcome.waiting_step, outcome.waiting_reasons = "waiting", step, decision.reasons
                journal.event(plan.digest, step.id, "waiting-for-approval", {"reasons": list(decision.reasons)})
                return outcome
            if decision.approval is not None:
                journal.event(
                    plan.digest, step.id, "approved", {"by": decision.approval.by, "source": decision.approval.source}
                )
            for backup in take_backups(options.policy.backup, step, plan, dsn, live.major_version):
                journal.record_backup(plan.digest, step.id, backup.file, backup.restore_command)
                journal.event(plan.digest, step.id, "backup", {"hook": backup.hook, "file": backup.file})
                outcome.backups.append((step.id, backup.file, backup.restore_command))
            if options.on_step is not None:
                options.on_step(step, "started")
            _run_with_retries(journal, work, plan, step, record, live, options)
            outcome.ran.append(step.id)
            if options.on_step is not None:
                options.on_step(step, "done")
    return outcome


def _finish(journal: Journal, plan: Plan, dsn: str, live: LiveState, outcome: ApplyOutcome) -> None:
    """Record where this run left the schema, so the next run can tell if it changed meanwhile."""
    with dsnlib.connect(dsn) as conn:
        after = read_catalog(conn, live.schemas_in_scope, dsn=dsn)
    checkpoint = content_hash(after.catalog)
    if outcome.status == "done":
        journal.set_plan_state(plan.digest, "done", None, checkpoint)
        journal.event(plan.digest, None, "plan-done", {"schema": checkpoint})
    else:
        message = (
            f"waiting at {outcome.waiting_step.id}"
            if outcome.waiting_step
            else f"stopped after phase limit ({outcome.status})"
        )
        journal.set_plan_state(plan.digest, "waiting", message, checkpoint)


# --- one step --------------------------------------------------------------------------------


def _run_with_retries(
    journal: Journal,
    work: psycopg.Connection[Any],
    plan: Plan,
    step: Step,
    record: StepRecord | None,
    live: LiveState,
    options: ApplyOptions,
) -> None:
    retries = options.policy.retries
    backoff = Backoff(duration_ms(retries.base_delay) / 1000, duration_ms(retries.max_delay) / 1000)
    lock_timeout = duration_ms(options.policy.lock_timeout)
    for attempt in range(1, retries.max_attempts + 1):
        journal.step_started(plan.digest, step.id)
        log.info("step started", step=step.id, attempt=attempt, description=step.description)
        try:
            _execute(work, plan, step, record, live, options, lock_timeout)
            log.info("step done", step=step.id)
            return
        except psycopg.Error as exc:
            kind = classify(exc)
            reason = (
                exc.diag.message_primary if isinstance(exc, psycopg.Error) and exc.diag.message_primary else str(exc)
            ).strip()
            if kind is ErrorKind.PERMANENT:
                journal.step_failed(plan.digest, step.id, reason)
                journal.set_plan_state(plan.digest, "failed", f"{step.id}: {reason}")
                raise ExecutionError(f"step {step.id} failed: {reason}") from None
            waiting_for = [str(b) for b in blockers(work, _strong_lock_tables(step))] if kind is ErrorKind.LOCK else []
            delay = backoff.delay(attempt)
            journal.event(
                plan.digest,
                step.id,
                "retry",
                {
                    "kind": kind.value,
                    "reason": reason,
                    "attempt": attempt,
                    "delay": round(delay, 3),
                    "blockers": waiting_for,
                },
            )
            log.warning(
                "step will be retried",
                step=step.id,
                kind=kind.value,
                reason=reason,
                attempt=attempt,
                delay_s=round(delay, 2),
                blockers=waiting_for,
            )
            if work.closed or work.broken:
                raise ExecutionError(
                    f"step {step.id}: the database connection was lost ({reason}); run apply again to resume"
                ) from None
            time.sleep(delay)
    journal.step_failed(plan.digest, step.id, "lock not available")
    journal.set_plan_state(plan.digest, "failed", f"{step.id}: could not get its lock")
    raise LockNotAvailable(
        f"step {step.id} could not get its lock in {retries.max_attempts} attempts (lock_timeout {lock_timeout} ms "
        "each); the sessions in its way are in the journal (`reconciler history`); run apply again later to resume"
    )


def _strong_lock_tables(step: Step) -> list[QualifiedName]:
    return [lock.table for lock in step.locks if lock.level >= LockLevel.SHARE_UPDATE_EXCLUSIVE]


def _execute(
    work: psycopg.Connection[Any],
    plan: Plan,
    step: Step,
    record: StepRecord | None,
    live: LiveState,
    options: ApplyOptions,
    lock_timeout: int,
) -> None:
    if step.backfill is not None:
        policy = options.policy.backfill
        settings = BackfillSettings(
            batch_size=policy.batch_size,
            max_batch_size=policy.max_batch_size,
            target_seconds=duration_ms(policy.target_batch_time) / 1000,
            pause_seconds=duration_ms(policy.pause) / 1000,
            lock_timeout_ms=lock_timeout,
        )
        stats = live.stats.get(step.backfill.table)
        estimate = stats.rows if stats is not None and stats.rows >= 0 else None
        sink = options.progress(step, estimate) if options.progress else _NoProgress()
        try:
            run_backfill(
                work, plan.digest, step, _key_types(work, step), record.checkpoint if record else None, settings, sink
            )
        finally:
            getattr(sink, "close", lambda: None)()
        return
    # catalog-only steps get the environment's limit; scans and index builds (0 in the plan) none
    statement_timeout = duration_ms(options.policy.statement_timeout) if step.statement_timeout_ms else 0
    done_sql, done_params = step_done_statement(plan.digest, step.id)
    if step.transactional:
        with work.transaction():
            set_timeouts(work, lock_timeout, statement_timeout, local=True)
            work.execute(script(step.statements))
            work.execute(done_sql, done_params)
        return
    set_timeouts(work, lock_timeout, statement_timeout, local=False)
    try:
        for statement in step.statements:
            if step.builds_index is not None and _index_already_built(work, step.builds_index):
                continue
            work.execute(search_path(statement.schema or "public"))
            work.execute(statement.sql)
        work.execute(done_sql, done_params)
    finally:
        if not work.broken:
            set_timeouts(work, 0, 0, local=False)


def _index_already_built(work: psycopg.Connection[Any], index: QualifiedName) -> bool:
    """For CREATE INDEX CONCURRENTLY: keep a valid index a killed run finished; drop an invalid
    one it left half built, so the build can start again."""
    row = work.execute(
        "SELECT i.indisvalid FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s",
        (index.schema, index.name),
    ).fetchone()
    if row is None:
        return False
    if row[0]:
        return True
    work.execute(sql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(sql.Identifier(index.schema, index.name)))
    return False


def _key_types(work: psycopg.Connection[Any], step: Step) -> tuple[str, ...]:
    """Types of the backfill key, read now (the table may have been renamed earlier in this run)."""
    spec = step.backfill
    assert spec is not None
    rows = dict(
        work.execute(
            "SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a "
            "JOIN pg_catalog.pg_class c ON c.oid = a.attrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relname = %s AND a.attnum > 0 AND NOT a.attisdropped",
            (spec.table.schema, spec.table.name),
        ).fetchall()
    )
    missing = [name for name in spec.key if name not in rows]
    if missing:
        raise ExecutionError(f"step {step.id}: key column(s) {', '.join(missing)} of {spec.table} are missing")
    return tuple(rows[name] for name in spec.key)
