"""Helpers shared by the planning rules: one way to make a step, and the common hazards."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar, cast

from reconciler.ddl.statement import Statement
from reconciler.diff.changes import Change
from reconciler.model import QualifiedName
from reconciler.plan.context import (
    INDEX_BUILD_BYTES_PER_SECOND,
    REWRITE_BYTES_PER_SECOND,
    SCAN_BYTES_PER_SECOND,
    PlanContext,
)
from reconciler.plan.steps import BackfillSpec, Hazard, HazardCode, Lock, LockLevel, Phase, Step

K = TypeVar("K", bound=Change)
Rule = Callable[[Change, PlanContext], "list[Step]"]


def rule(kind: type[K], plan: Callable[[K, PlanContext], list[Step]]) -> tuple[type[Change], Rule]:
    """One entry of the rule table: `plan` turns a change of `kind` into steps (mypy checks that
    `plan` takes that kind)."""
    # The planner looks rules up by a change's exact type, so `plan` only ever gets a `kind`.
    return kind, cast(Rule, plan)


def describe(change: Change) -> str:
    return f"{type(change).__name__} {change.subject}"


def make_step(
    ctx: PlanContext,
    change: Change | str,
    *,
    phase: Phase,
    order: int,
    action: str,
    subject: str,
    description: str,
    statements: Iterable[Statement],
    locks: Iterable[Lock] = (),
    hazards: Iterable[Hazard] = (),
    reverse: Iterable[Statement] | None = None,
    transactional: bool = True,
    long_running: bool = False,
    tables: Iterable[QualifiedName] = (),
    backfill: BackfillSpec | None = None,
    after: Iterable[str] = (),
    builds_index: QualifiedName | None = None,
) -> Step:
    settings = ctx.settings
    locks = tuple(locks)
    return Step(
        id=f"{phase.value}/{action}/{subject}",
        phase=phase,
        description=description,
        statements=tuple(statements),
        change=change if isinstance(change, str) else describe(change),
        order=order,
        transactional=transactional,
        locks=locks,
        lock_timeout_ms=settings.lock_timeout_ms if locks else 0,
        statement_timeout_ms=settings.long_statement_timeout_ms if long_running else settings.ddl_statement_timeout_ms,
        hazards=tuple(hazards),
        reverse=tuple(reverse) if reverse is not None else None,
        tables=tuple(dict.fromkeys([*tables, *(lock.table for lock in locks)])),
        backfill=backfill,
        after=tuple(after),
        builds_index=builds_index,
    )


def exclusive(table: QualifiedName) -> Lock:
    return Lock(LockLevel.ACCESS_EXCLUSIVE, table)


def share_update(table: QualifiedName) -> Lock:
    return Lock(LockLevel.SHARE_UPDATE_EXCLUSIVE, table)


def brief_exclusive(ctx: PlanContext, table: QualifiedName) -> Hazard:
    return Hazard(
        HazardCode.ACCESS_EXCLUSIVE_LOCK,
        f"takes ACCESS EXCLUSIVE on {table} for a catalog-only change (milliseconds once granted); "
        f"waits at most {ctx.settings.lock_timeout_ms} ms for it, then backs off and retries",
    )


def rewrite(ctx: PlanContext, table: QualifiedName, why: str) -> list[Hazard]:
    return [
        Hazard(
            HazardCode.TABLE_REWRITE,
            f"{why}: rewrites {table} ({ctx.size(table)}, {ctx.estimate(table, REWRITE_BYTES_PER_SECOND)})",
            "no online form exists in PostgreSQL; run it in a maintenance window or split the change",
        ),
        Hazard(
            HazardCode.ACCESS_EXCLUSIVE_LOCK,
            f"holds ACCESS EXCLUSIVE on {table} for the whole rewrite: reads and writes wait",
        ),
    ]


def validation_scan(ctx: PlanContext, table: QualifiedName) -> Hazard:
    return Hazard(
        HazardCode.LONG_RUNNING,
        f"scans {table} ({ctx.size(table)}, {ctx.estimate(table, SCAN_BYTES_PER_SECOND)}) under SHARE UPDATE "
        "EXCLUSIVE: reads and writes continue",
    )


def index_build(ctx: PlanContext, table: QualifiedName) -> Hazard:
    return Hazard(
        HazardCode.INDEX_BUILD,
        f"builds an index CONCURRENTLY on {table} ({ctx.size(table)}, "
        f"{ctx.estimate(table, INDEX_BUILD_BYTES_PER_SECOND)}); reads and writes continue, the build takes two table "
        "scans",
    )


def breaks_old(message: str) -> Hazard:
    return Hazard(
        HazardCode.BREAKS_OLD_APPLICATION, message, "deploy the application version that no longer needs it first"
    )


def deletes_data(message: str, remedy: str | None = None) -> Hazard:
    return Hazard(
        HazardCode.DELETES_DATA,
        message,
        remedy or "make sure it is no longer needed; a backup hook runs before this step",
    )


def not_reversible(message: str) -> Hazard:
    return Hazard(HazardCode.NOT_REVERSIBLE, message)
