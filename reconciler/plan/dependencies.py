"""The dependency graph of a plan: what must be dropped and re-created around a change, and in
which order code objects are created.

Stage: plan. Two sources: the live side from pg_depend (`LiveState.dependencies`: views on table
columns, views on views and functions, triggers, checks, defaults and indexes on functions), the
desired side from parsed SQL (`codegraph.desired_edges`).

What it decides:
- a column type change (in place or by a swap) or a column drop under views: PostgreSQL refuses
  both while a view uses the column, so the dependent views (transitively, materialized views
  too) are dropped at the start of the very step that alters the column and re-created at its end,
  in dependency order, inside its transaction: readers never see the views missing;
- the re-created views take their desired definition when declared, else their live one
  (unmanaged views survive unchanged); their own change, if any, is then covered;
- views created by the plan that read a table whose columns change are handled the same way;
- creation order among views follows their dependencies (`Step.after`); ranks already put
  functions before tables and views (see plan.ordering).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Iterable

from reconciler import sqlcode
from reconciler.codegraph import Edges, Node, desired_edges, topological, view_node
from reconciler.diff import changes as c
from reconciler.diff import code as cc
from reconciler.model import MaterializedView, QualifiedName, View
from reconciler.plan.context import PlanContext
from reconciler.plan.rules import swap
from reconciler.plan.steps import Hazard, HazardCode, Lock, LockLevel, Step
from reconciler.sqlgen import Statement, comment_on

VIEW_KINDS = ("view", "materialized view")


def live_edges(ctx: PlanContext) -> Edges:
    edges: Edges = defaultdict(set)
    for dep in ctx.live.dependencies:
        edges[dep.dependant].add(dep.referenced)
    return edges


def all_edges(ctx: PlanContext) -> Edges:
    edges = live_edges(ctx)
    for node, needs in desired_edges(ctx.desired).items():
        edges[node] |= needs
    return edges


def view_dependants(ctx: PlanContext, start: Iterable[Node], *, planned: bool = False) -> set[Node]:
    """Live views and materialized views that need `start`, transitively; with `planned`, also
    the declared views that will need them (for a contract step: expand has created them)."""
    reverse: dict[Node, set[Node]] = defaultdict(set)
    for dep in ctx.live.dependencies:
        if dep.dependant[0] in VIEW_KINDS:
            reverse[dep.referenced].add(dep.dependant)
    if planned:
        for node, needs in desired_edges(ctx.desired).items():
            if node[0] in VIEW_KINDS:
                for need in needs:
                    reverse[need].add(node)
    found: set[Node] = set()
    queue = list(start)
    while queue:
        for user in reverse.get(queue.pop(), ()):
            if user not in found:
                found.add(user)
                queue.append(user)
    return found


def column_dependants(ctx: PlanContext, table: QualifiedName, column: str) -> set[Node]:
    direct = {d.dependant for d in ctx.live.dependencies
              if d.dependant[0] in VIEW_KINDS and d.referenced == ("table", table.schema, table.name) and d.column == column}  # fmt: skip
    return direct | view_dependants(ctx, direct)


def definition(ctx: PlanContext, node: Node) -> View | MaterializedView | None:
    """The definition a re-created view takes: the desired one when declared, else the live one."""
    for catalog in (ctx.desired, ctx.live.catalog):
        for view in (*catalog.views, *catalog.materialized_views):
            if view_node(view) == node:
                return view
    return None


def drop_statement(node: Node) -> Statement:
    name = QualifiedName(node[1], node[2])
    return sqlcode.drop_view(name) if node[0] == "view" else sqlcode.drop_materialized_view(name)


def create_statements(view: View | MaterializedView) -> list[Statement]:
    if isinstance(view, View):
        out = [sqlcode.create_view(view)]
        if view.comment is not None:
            out.append(comment_on(sqlcode.view_target(view.qname), view.comment, view.schema))
        return out
    out = [sqlcode.create_materialized_view(view, with_data=view.refresh != "none")]
    return out + sqlcode.materialized_view_indexes(view) + sqlcode.materialized_view_comments(view)


def around(ctx: PlanContext, nodes: set[Node]) -> tuple[list[Statement], list[Statement], list[Hazard], list[Lock]]:
    """Statements dropping `nodes` (dependants first) and re-creating them (dependencies first)."""
    edges = all_edges(ctx)
    order = topological(nodes, edges)
    drops = [drop_statement(n) for n in reversed(order)]
    creates: list[Statement] = []
    hazards: list[Hazard] = []
    for node in order:
        view = definition(ctx, node)
        if view is None:
            continue
        creates += create_statements(view)
        if isinstance(view, MaterializedView) and view.refresh != "none":
            hazards.append(Hazard(HazardCode.LONG_RUNNING, f"materialized view {view.qname} is re-populated inside this transaction: its query runs while the step holds its locks"))
    if nodes:
        shown = ", ".join(f"{n[1]}.{n[2]}" for n in order)
        hazards.insert(0, Hazard(HazardCode.ACCESS_EXCLUSIVE_LOCK, f"drops and re-creates dependent view(s) {shown} in the same transaction: queries on them wait for it, none sees them missing"))
    locks = [Lock(LockLevel.ACCESS_EXCLUSIVE, QualifiedName(n[1], n[2])) for n in order]
    return drops, creates, hazards, locks


# --- column changes under views ---------------------------------------------------------------


def _column_targets(changes: list[c.Change], ctx: PlanContext) -> dict[str, tuple[QualifiedName, str]]:
    """Step id suffix -> (live table, column) for the steps that alter or drop a column."""
    targets: dict[str, tuple[QualifiedName, str]] = {}
    for change in changes:
        if isinstance(change, c.DropColumn):
            targets[f"contract/drop-column/{change.subject}"] = (change.live.qname, change.column.name)
        elif isinstance(change, c.AlterColumn) and c.ColumnAlteration.TYPE in change.kinds:
            key = f"contract/swap-columns/{change.live.qname}" if swap.is_swap(change) else f"/alter-column-type/{change.subject}"
            targets[key + f"#{change.old.name}"] = (change.live.qname, change.old.name)
    return targets


def _new_views_over(ctx: PlanContext, changes: list[c.Change], table: QualifiedName) -> set[Node]:
    """Views this plan creates or redefines that read `table` (table-level: their columns are not
    known before they exist)."""
    edges = desired_edges(ctx.desired)
    out = set()
    for change in changes:
        if isinstance(change, cc.AddView | cc.ReplaceView):
            node = view_node(change.view if isinstance(change, cc.AddView) else change.new)
            if ("table", table.schema, table.name) in edges.get(node, set()):
                out.add(node)
    return out


def recreated_views(changes: list[c.Change], ctx: PlanContext) -> dict[str, set[Node]]:
    """Step-id key -> views to drop and re-create around that step; also records them on ctx."""
    found: dict[str, set[Node]] = {}
    for key, (table, column) in _column_targets(changes, ctx).items():
        nodes = column_dependants(ctx, table, column) | _new_views_over(ctx, changes, table)
        if nodes:
            found[key] = nodes | view_dependants(ctx, nodes, planned=True)
    ctx.recreated_views = set().union(*found.values()) if found else set()
    return found


def covered(change: c.Change, ctx: PlanContext) -> bool:
    """A view change the column-change steps already carry out (with the desired definition)."""
    if isinstance(change, cc.AddView | cc.ReplaceView):
        view = change.view if isinstance(change, cc.AddView) else change.new
        return view_node(view) in ctx.recreated_views and not isinstance(change, cc.AddView)
    return False


def wrap(steps: list[Step], wanted: dict[str, set[Node]], ctx: PlanContext) -> list[Step]:
    """Put the drops and re-creations of `wanted` into the steps they belong to. A view under
    several altered columns is dropped in the first such step and re-created in the last."""
    if not wanted:
        return steps
    position = {s.id: (s.phase.rank, s.order, s.id) for s in steps}
    owners: dict[Node, list[str]] = defaultdict(list)
    for key, nodes in wanted.items():
        suffix = key.rsplit("#", 1)[0]
        step = next((s for s in steps if s.id == suffix or s.id.endswith(suffix)), None)
        if step is None:
            continue
        for node in nodes:
            if step.phase.value == "contract" or _exists(ctx, node):  # views this plan creates exist in contract only
                owners[node].append(step.id)
    first: dict[str, set[Node]] = defaultdict(set)
    last: dict[str, set[Node]] = defaultdict(set)
    for node, ids in owners.items():
        ordered_ids = sorted(set(ids), key=position.__getitem__)
        first[ordered_ids[0]].add(node)
        last[ordered_ids[-1]].add(node)
    out = []
    for step in steps:
        if step.id in first or step.id in last:
            step = _wrapped(ctx, step, first.get(step.id, set()), last.get(step.id, set()))
        out.append(step)
    return out


def _wrapped(ctx: PlanContext, step: Step, dropped: set[Node], created: set[Node]) -> Step:
    drops, _, hazards, locks = around(ctx, dropped)
    _, creates, more, more_locks = around(ctx, created)
    hazards += [h for h in more if h not in hazards]
    return dataclasses.replace(
        step,
        statements=(*drops, *step.statements, *creates),
        hazards=(*step.hazards, *hazards),
        locks=(*step.locks, *dict.fromkeys(locks + more_locks)),
        description=step.description + f" (dependent views dropped and re-created around it: {', '.join(sorted(n[2] for n in dropped | created))})",
        reverse=None,
    )


def _exists(ctx: PlanContext, node: Node) -> bool:
    return any(view_node(v) == node for v in (*ctx.live.catalog.views, *ctx.live.catalog.materialized_views))


# --- creation order among views -----------------------------------------------------------------


def link(steps: list[Step], ctx: PlanContext) -> list[Step]:
    """Each view-creating step after the steps creating the views it reads."""
    creating = {}
    for step in steps:
        action, _, subject = step.id.partition("/")[2].partition("/")
        if action in ("create-view", "replace-view", "build-materialized-view"):
            creating[subject] = step.id
    if not creating:
        return steps
    edges = desired_edges(ctx.desired)
    out = []
    for step in steps:
        action, _, subject = step.id.partition("/")[2].partition("/")
        if action in ("create-view", "replace-view", "build-materialized-view"):
            node = next((n for n in edges if n[0] in VIEW_KINDS and f"{n[1]}.{n[2]}" == subject), None)
            needs = [creating[f"{n[1]}.{n[2]}"] for n in edges.get(node, set()) if node and n[0] in VIEW_KINDS and f"{n[1]}.{n[2]}" in creating]
            needs = [i for i in needs if i != step.id and _phase_rank(i) <= step.phase.rank]
            if needs:
                step = dataclasses.replace(step, after=tuple(dict.fromkeys((*step.after, *sorted(needs)))))
        out.append(step)
    return out


def _phase_rank(step_id: str) -> int:
    return ("expand", "backfill", "contract").index(step_id.split("/", 1)[0])
