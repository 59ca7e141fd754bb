"""The one entry point the CLI and the operator share.

Each function runs one job end to end (validate, ...), with typed errors and no printing: the
shells decide how to show results. Keeping the shells thin means CI, the operator and the drift
audit run the same tested code.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from reconciler.diff import diff
from reconciler.errors import PlanError
from reconciler.export import ExportResult, export_catalog
from reconciler.introspect import LiveState, introspect
from reconciler.load import LoadResult, load_paths
from reconciler.model import Catalog, content_hash
from reconciler.plan import Plan, PlanContext, PlanSettings, plan_steps
from reconciler.plan.replay import replay
from reconciler.scratch import desired_scope, normalize


def validate(paths: list[Path]) -> LoadResult:
    """Load and check desired-state YAML; raises LoadError listing every problem."""
    return load_paths(paths)


@dataclass(frozen=True)
class ExportOutcome:
    live: LiveState
    result: ExportResult


def export(url: str, out: Path, *, schemas: list[str] | None = None, force: bool = False) -> ExportOutcome:
    """Introspect a database and write it as desired-state YAML under `out`."""
    live = introspect(url, schemas or None)
    return ExportOutcome(live=live, result=export_catalog(live.catalog, out, force=force))


@dataclass(frozen=True)
class PlanOutcome:
    plan: Plan
    live: LiveState
    desired: Catalog


def plan(paths: list[Path], url: str, *, settings: PlanSettings | None = None, verify: bool = True) -> PlanOutcome:
    """Load the desired schema, read the live one, and plan the migration between them.

    The plan is replayed on a scratch copy of the live schema before it is returned; a replay that
    leaves differences (or fails) is an error, never a plan shown as valid."""
    loaded = load_paths(paths)
    live = introspect(url, desired_scope(loaded.catalog))
    desired = normalize(loaded.catalog, url, origins=loaded.origins).catalog
    changes = diff(live.catalog, desired)
    ctx = PlanContext(live=live, desired=desired, settings=settings or PlanSettings(), volatile_functions=live.volatile_functions)
    steps = plan_steps(changes, ctx)
    warnings = list(live.warnings)
    warnings += [f"invalid index {table.schema}.{name} (left by an interrupted CREATE INDEX CONCURRENTLY) will be dropped before it is rebuilt" for table, name in live.invalid_indexes]
    result = Plan(
        steps=tuple(steps),
        source_hash=content_hash(live.catalog),
        target_hash=content_hash(desired),
        database=live.database,
        server_version=live.server_version,
        changes=tuple(f"{type(change).__name__} {change.subject}" for change in changes),
        warnings=tuple(warnings),
        unmanaged=tuple(str(obj) for obj in live.unmanaged),
        verified=not steps,
    )
    if steps and verify:
        replayed = replay(result, live, desired, url)
        if replayed.failure:
            raise PlanError(f"the plan does not apply cleanly to a copy of the live schema: {replayed.failure}")
        if replayed.remaining:
            raise PlanError("after replaying the plan on a copy of the live schema, differences remain: " + "; ".join(replayed.remaining))
        notes = [replayed.note] if replayed.note else []
        result = dataclasses.replace(result, verified=True, warnings=result.warnings + tuple(notes))
    return PlanOutcome(plan=result, live=live, desired=desired)
