"""Replay validation: a plan is applied to a scratch copy of the live schema and must leave
nothing to change.

Stage: plan. The copy is made with pg_dump --schema-only (faithful, objects reconciler does not
model included); if no suitable pg_dump is available, from the live model instead, and the plan
says so. Every step runs with the plain runner, backfills as single UPDATEs on empty tables;
then the scratch database is read back and diffed against the desired schema. Anything left is a
planner bug or an unsupported change, reported before the plan is ever shown as valid.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

from reconciler.ddl.catalog import create_catalog, privileges_of
from reconciler.ddl.statement import run_batched
from reconciler.diff import diff
from reconciler.errors import NormalizationError, ServerUnavailable
from reconciler.introspect import BOOKKEEPING_SCHEMA, LiveState, read_catalog
from reconciler.model import Catalog
from reconciler.normalize import desired_scope
from reconciler.normalize.scratch import scratch_database
from reconciler.pg import dsn as dsnlib
from reconciler.pg.dump import schema_dump
from reconciler.plan.artifact import Plan
from reconciler.plan.plain import run_step


@dataclass(frozen=True)
class ReplayResult:
    remaining: tuple[str, ...]  # differences left after the replay: empty means verified
    failure: str | None  # a step that failed on the scratch copy
    note: str | None  # how the copy was made, when not faithful


def _copy_live(scratch: psycopg.Connection[object], dsn: str, live: LiveState) -> str | None:
    try:
        dump = schema_dump(dsn, live.major_version, exclude_schemas=(BOOKKEEPING_SCHEMA,))
    except ServerUnavailable as exc:
        run_batched(scratch, create_catalog(live.catalog))
        return f"replayed on a copy built from the model ({exc})"
    scratch.execute(dump)  # pg_dump's own script, run as a whole
    scratch.execute("SELECT pg_catalog.set_config('search_path', 'public', false)")
    return None


def replay(plan: Plan, live: LiveState, desired: Catalog, dsn: str) -> ReplayResult:
    scope = sorted(set(desired_scope(desired)) | set(live.schemas_in_scope))
    with scratch_database(dsn) as scratch_dsn, dsnlib.connect(scratch_dsn, autocommit=True) as conn:
        try:
            note = _copy_live(conn, dsn, live)
            run_batched(conn, privileges_of(live.catalog))
        except psycopg.Error as exc:
            raise NormalizationError(
                f"could not copy the live schema to a scratch database: {str(exc).strip().splitlines()[0]}"
            ) from None
        for step in plan.steps:
            try:
                run_step(conn, step)
            except psycopg.Error as exc:
                reason = exc.diag.message_primary or str(exc).strip().splitlines()[0]
                return ReplayResult((), f"step {step.id} failed on the scratch copy: {reason}", note)
        after = read_catalog(conn, scope, dsn=scratch_dsn)
    remaining = diff(after.catalog, desired)
    return ReplayResult(tuple(f"{type(c).__name__} {c.subject}" for c in remaining), None, note)
