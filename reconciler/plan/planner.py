"""The planner: typed changes -> ordered steps in three phases.

Stage: plan. Cross-change decisions are taken first (which columns are swapped, which foreign
keys must be dropped and re-added around rebuilt keys), then each change goes to its rule, and
changes a swap or a foreign-key recreation already covers are left to them.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from reconciler.diff import changes as c
from reconciler.errors import PlanError
from reconciler.model import CheckConstraint, ForeignKey, Index, PrimaryKey, UniqueConstraint
from reconciler.plan import dependencies
from reconciler.plan.context import PlanContext
from reconciler.plan.ordering import ordered
from reconciler.plan.rules import RULES, constraints, swap
from reconciler.plan.steps import Step


def plan_steps(changes: list[c.Change], ctx: PlanContext) -> list[Step]:
    ctx.swaps = swap.find_swaps(changes)
    ctx.recreated_fks = constraints.find_recreations(changes, ctx)
    ctx.new_primary_keys = constraints.new_primary_keys(changes)
    around_columns = dependencies.recreated_views(changes, ctx)
    steps: list[Step] = []
    for change in changes:
        if _covered_elsewhere(change, ctx):
            continue
        rule = RULES.get(type(change))
        if rule is None:
            raise PlanError(f"no planning rule for {type(change).__name__} ({change.subject})")
        steps += rule(change, ctx)
    steps += swap.swap_steps(ctx)
    steps += swap.readded_checks(ctx)
    steps += constraints.recreation_steps(ctx)
    steps = dependencies.link(dependencies.wrap(steps, around_columns, ctx), ctx)
    return ordered(_unique_ids(steps))


def _covered_elsewhere(change: c.Change, ctx: PlanContext) -> bool:
    """Column swaps plan their columns, and the keys and indexes over them, as a whole; foreign
    keys dropped and re-added around a rebuilt key are planned by that recreation."""
    if swap.is_swap(change):
        return True
    if not isinstance(change, c.TableChange):
        return False
    sides = ((change.live_object, change.live.qname, False), (change.desired_object, change.desired.qname, True))
    for obj, table, desired in sides:
        if not isinstance(obj, Index | PrimaryKey | UniqueConstraint | CheckConstraint | ForeignKey):
            continue
        if swap.touches_swap(ctx, table, obj, desired=desired):
            return True
        if not isinstance(obj, Index) and constraints.is_recreated(ctx, table, obj, desired=desired):
            return True
    return False


def _unique_ids(steps: list[Step]) -> list[Step]:
    seen: Counter[str] = Counter()
    out = []
    for step in steps:
        seen[step.id] += 1
        out.append(step if seen[step.id] == 1 else dataclasses.replace(step, id=f"{step.id}#{seen[step.id]}"))
    return out
