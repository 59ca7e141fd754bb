"""The dependency graph of a plan: what must be dropped and re-created around a change, and in
which order code objects are created.

Stage: plan. Two sources: the live side from pg_depend (`LiveState.dependencies`: views on table
columns, views on views and functions, triggers, checks, defaults and indexes on functions), the
desired side from parsed SQL (`sqlparse.graph.desired_edges`).

What it decides:
- a column type change (in place or by a swap) or a column drop under views: PostgreSQL refuses
  both while a view uses the column, so the dependent views (transitively, materialized views
  too) are dropped at the start of the very step that alters the column and re-created at its end,
  in dependency order, inside its transaction: readers never see the views missing;
- in a contract step the re-created views take their desired definition when declared, else
  their live one (unmanaged views survive unchanged); in an expand step their live one (the old
  application still reads them; their own change follows in its own step);
- in a contract step, views created or redefined by the plan that read the table are included;
- a re-created view or materialized view gets its live privileges back right after its CREATE
  (`live_privileges`), in the same transaction;
- creation order among views follows their dependencies (`Step.after`); ranks already put
  functions before tables and views (see plan.ordering); across kinds, where ranks would be wrong
  (`link_kinds`): a routine whose arguments or result name a new table's, view's or type's row
  type after the step creating it, a new domain's checks calling new routines after those.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable

from reconciler.ddl import code, security
from reconciler.ddl.statement import Statement, comment_on
from reconciler.diff import changes as c
from reconciler.diff import code as cc
from reconciler.errors import PlanError
from reconciler.model import GrantTarget, MaterializedView, QualifiedName, View
from reconciler.model.grants import GrantKind
from reconciler.plan.context import PlanContext
from reconciler.plan.rules import swap
from reconciler.plan.steps import Hazard, HazardCode, Lock, LockLevel, Step
from reconciler.sqlparse.graph import (
    Edges,
    Node,
    desired_edges,
    reachable,
    routine_needs,
    topological,
    view_node,
    views_of,
)

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


def _compat(ctx: PlanContext, node: Node) -> bool:
    """A rename's compatibility view (a view named like a desired table): its own steps drop it."""
    return node[0] == "view" and ctx.desired.table(QualifiedName(node[1], node[2])) is not None


def view_dependants(ctx: PlanContext, start: Iterable[Node], *, planned: bool = False) -> set[Node]:
    """Live views and materialized views that need `start`, transitively; with `planned`, also
    the declared views that will need them (for a contract step: expand has created them)."""
    reverse: dict[Node, set[Node]] = defaultdict(set)
    for dep in ctx.live.dependencies:
        if dep.dependant[0] in VIEW_KINDS and not _compat(ctx, dep.dependant):
            reverse[dep.referenced].add(dep.dependant)
    if planned:
        for node, needs in desired_edges(ctx.desired).items():
            if node[0] in VIEW_KINDS:
                for need in needs:
                    reverse[need].add(node)
    return reachable(start, reverse)


def column_dependants(ctx: PlanContext, table: QualifiedName, column: str) -> set[Node]:
    """Views (transitively) and triggers (UPDATE OF, WHEN) that use a column: PostgreSQL refuses
    to change its type or drop it while they exist."""
    direct = {
        d.dependant
        for d in ctx.live.dependencies
        if d.dependant[0] in (*VIEW_KINDS, "trigger")
        and d.referenced == ("table", table.schema, table.name)
        and d.column == column
        and not _compat(ctx, d.dependant)
    }
    return direct | view_dependants(ctx, {n for n in direct if n[0] in VIEW_KINDS})


def definition(ctx: PlanContext, node: Node, *, live_first: bool = False) -> View | MaterializedView | None:
    """The definition a re-created view takes: the desired one when declared, else the live one
    (or the other way round in an expand step, where the old application still needs the old one)."""
    catalogs = (ctx.live.catalog, ctx.desired) if live_first else (ctx.desired, ctx.live.catalog)
    for catalog in catalogs:
        for view in views_of(catalog):
            if view_node(view) == node:
                return view
    return None


def drop_statement(node: Node) -> Statement:
    name = QualifiedName(node[1], node[2])
    return code.drop_view(name) if node[0] == "view" else code.drop_materialized_view(name)


def create_statements(view: View | MaterializedView) -> list[Statement]:
    if isinstance(view, View):
        out = [code.create_view(view)]
        if view.comment is not None:
            out.append(comment_on(code.view_target(view.qname), view.comment, view.schema))
        return out
    out = [code.create_materialized_view(view, with_data=view.refresh != "none")]
    return out + code.materialized_view_indexes(view) + code.materialized_view_comments(view)


def live_privileges(ctx: PlanContext, target: GrantTarget) -> list[Statement]:
    """GRANTs giving a re-created view, materialized view or routine the privileges it has live,
    right after its CREATE in the same transaction: the application's role never loses SELECT or
    EXECUTE. Declared grant changes follow in their own steps (they diff against the live ACL)."""
    found = next((g for g in ctx.live.catalog.grants if g.target == target), None)
    return security.restore(found.target, found.privileges) if found is not None else []


def around(
    ctx: PlanContext, nodes: set[Node], *, live_first: bool = False, own: frozenset[Node] = frozenset()
) -> tuple[list[Statement], list[Statement], list[Hazard], list[Lock]]:
    """Statements dropping `nodes` (dependants first) and re-creating them (dependencies first).
    With `live_first` (an expand step: the old application still reads them) they come back as
    they are live, except the objects of `own`, which the step exists to change."""
    triggers = sorted(n for n in nodes if n[0] == "trigger")
    nodes = {n for n in nodes if n[0] != "trigger"}
    edges = all_edges(ctx)
    order = topological(nodes, edges)
    drops = [*(_trigger_drop(n) for n in triggers), *(drop_statement(n) for n in reversed(order))]
    creates: list[Statement] = []
    hazards: list[Hazard] = []
    for node in order:
        view = definition(ctx, node, live_first=live_first and node not in own)
        if view is None:
            continue
        kind: GrantKind = "view" if isinstance(view, View) else "materialized view"
        creates += create_statements(view) + live_privileges(ctx, GrantTarget(kind, view.schema, view.name))
        if isinstance(view, MaterializedView) and view.refresh != "none":
            hazards.append(
                Hazard(
                    HazardCode.LONG_RUNNING,
                    f"materialized view {view.qname} is re-populated inside this transaction: its query runs while the "
                    "step holds its locks",
                )
            )
    for node in triggers:
        creates += _trigger_create(ctx, node, live_first=live_first)
    if nodes or triggers:
        shown = ", ".join(f"{n[1]}.{n[2]}" for n in (*order, *triggers))
        hazards.insert(
            0,
            Hazard(
                HazardCode.ACCESS_EXCLUSIVE_LOCK,
                f"drops and re-creates dependent object(s) {shown} in the same transaction: queries on them wait for "
                "it, none sees them missing",
            ),
        )
    locks = [Lock(LockLevel.ACCESS_EXCLUSIVE, QualifiedName(n[1], n[2])) for n in order]
    return drops, creates, hazards, locks


def _trigger_table(node: Node) -> tuple[QualifiedName, str]:
    table, _, name = node[2].partition(".")  # trigger nodes are named table.trigger
    return QualifiedName(node[1], table), name


def _trigger_drop(node: Node) -> Statement:
    table, name = _trigger_table(node)
    return code.drop_table_trigger(table, name)


def _trigger_create(ctx: PlanContext, node: Node, *, live_first: bool) -> list[Statement]:
    table, name = _trigger_table(node)
    catalogs = (ctx.live.catalog, ctx.desired) if live_first else (ctx.desired, ctx.live.catalog)
    for catalog in catalogs:
        found = catalog.table(table)
        trigger = next((t for t in (found.triggers if found else ()) if t.name == name), None)
        if trigger is not None:
            return code.create_table_trigger(table, trigger)
    return []


# --- column changes under views ---------------------------------------------------------------


def _column_targets(changes: list[c.Change]) -> dict[str, tuple[QualifiedName, str]]:
    """Step id (or id suffix) + '#column' -> (live table, column) for the steps that alter or drop a column."""
    targets: dict[str, tuple[QualifiedName, str]] = {}
    alterations = {c.ColumnAlteration.TYPE, c.ColumnAlteration.COLLATION}
    for change in changes:
        if isinstance(change, c.DropColumn):
            targets[f"contract/drop-column/{change.subject}#{change.column.name}"] = (
                change.live.qname,
                change.column.name,
            )
        elif isinstance(change, c.AlterColumn) and alterations & change.kinds:
            key = (
                f"contract/swap-columns/{change.live.qname}"
                if swap.is_swap(change)
                else f"/alter-column-type/{change.subject}"
            )
            targets[f"{key}#{change.old.name}"] = (change.live.qname, change.old.name)
    return targets


def _planned_views_over(ctx: PlanContext, changes: list[c.Change], table: QualifiedName) -> set[Node]:
    """Views this plan creates or redefines whose new query reads `table` (table-level: their
    columns are not known before they exist), with the declared views that read them."""
    edges = desired_edges(ctx.desired)
    out = set()
    for change in changes:
        if isinstance(change, cc.AddView | cc.ReplaceView):
            node = view_node(change.view if isinstance(change, cc.AddView) else change.new)
            if ("table", table.schema, table.name) in edges.get(node, set()):
                out.add(node)
    return out | view_dependants(ctx, out, planned=True)


Wanted = dict[str, tuple[set[Node], set[Node]]]


def recreated_views(changes: list[c.Change], ctx: PlanContext) -> Wanted:
    """Step key -> (live views over the column, views of this plan over its table), to drop and
    re-create around that step."""
    _refuse_undeclared_users_of_dropped(changes, ctx)
    found: Wanted = {}
    for key, (table, column) in _column_targets(changes).items():
        live = column_dependants(ctx, table, column)
        planned = _planned_views_over(ctx, changes, table)
        if live or planned:
            found[key] = (live, planned)
    return found


def _refuse_undeclared_users_of_dropped(changes: list[c.Change], ctx: PlanContext) -> None:
    """A view the YAML does not declare cannot be re-created without a table or column it reads,
    and reconciler never drops what it does not manage: say so before planning, not at replay."""
    declared = {view_node(v) for v in views_of(ctx.desired)}
    for change in changes:
        if isinstance(change, c.DropTable):
            table, column = change.table.qname, None
        elif isinstance(change, c.DropColumn):
            table, column = change.live.qname, change.column.name
        else:
            continue
        users = {
            d.dependant
            for d in ctx.live.dependencies
            if d.dependant[0] in VIEW_KINDS
            and d.referenced == ("table", table.schema, table.name)
            and (column is None or d.column == column)
            and not _compat(ctx, d.dependant)
        }
        undeclared = sorted(f"{n[0]} {n[1]}.{n[2]}" for n in users | view_dependants(ctx, users) if n not in declared)
        if undeclared:
            what = f"column {table}.{column}" if column else f"table {table}"
            raise PlanError(
                f"{what} is dropped, but {', '.join(undeclared)} (not declared in the YAML) use(s) it: "
                "declare the view(s) with a query that no longer needs it, or drop them yourself first"
            )


def wrap(steps: list[Step], wanted: Wanted, ctx: PlanContext) -> list[Step]:
    """Put the drops and re-creations of the views over altered columns into the steps that alter
    them. In a contract step the views take their desired definitions (views this plan creates
    exist by then); in an expand step only live views are involved, with their live definitions
    (their own changes follow in their own steps). A view under columns altered by several steps
    is dropped and re-created in each."""
    per_step: dict[str, set[Node]] = defaultdict(set)
    phases = {s.id: s.phase.value for s in steps}
    for key, (live, planned) in wanted.items():
        suffix = key.rsplit("#", 1)[0]
        step_id = next((i for i in phases if i == suffix or i.endswith(suffix)), None)
        if step_id is not None:
            per_step[step_id] |= live | (planned if phases[step_id] == "contract" else set())
    return [_wrapped(ctx, s, per_step[s.id]) if per_step.get(s.id) else s for s in steps]


def _wrapped(ctx: PlanContext, step: Step, nodes: set[Node]) -> Step:
    drops, creates, hazards, locks = around(ctx, nodes, live_first=step.phase.value != "contract")
    return dataclasses.replace(
        step,
        statements=(*drops, *step.statements, *creates),
        hazards=(*step.hazards, *hazards),
        locks=(*step.locks, *dict.fromkeys(locks)),
        description=step.description
        + f" (dependants dropped and re-created around it: {', '.join(sorted(n[2] for n in nodes))})",
        reverse=None,
    )


# --- creation order among views -----------------------------------------------------------------


def link(steps: list[Step], ctx: PlanContext) -> list[Step]:
    """Each view-creating step after the steps creating the views it reads."""
    steps = link_kinds(steps, ctx)
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
            needs = [
                creating[f"{n[1]}.{n[2]}"]
                for n in (edges.get(node, set()) if node else set())
                if n[0] in VIEW_KINDS and f"{n[1]}.{n[2]}" in creating
            ]
            needs = [i for i in needs if i != step.id and _phase_rank(i) <= step.phase.rank]
            if needs:
                step = dataclasses.replace(step, after=tuple(dict.fromkeys((*step.after, *sorted(needs)))))
        out.append(step)
    return out


def _phase_rank(step_id: str) -> int:
    return ("expand", "backfill", "contract").index(step_id.split("/", 1)[0])


# --- creation order across kinds ----------------------------------------------------------------

_CREATES = {
    "table": ("create-table",),
    "view": ("create-view", "replace-view"),
    "materialized view": ("create-materialized-view", "build-materialized-view"),
    "composite type": ("create-type",),
    "domain": ("create-domain",),
    "function": ("create-function", "create-procedure", "recreate-function", "recreate-procedure"),
}
_ROUTINE_STEPS = _CREATES["function"]


def _subjects(ctx: PlanContext) -> dict[str, list[Node]]:
    """Step subject -> the desired objects it may name (subjects spelled as the rules spell them)."""
    d = ctx.desired
    found: dict[str, list[Node]] = defaultdict(list)
    for kind, objects in (
        ("table", d.tables),
        ("view", d.views),
        ("materialized view", d.materialized_views),
        ("composite type", d.composite_types),
        ("domain", d.domains),
    ):
        for obj in objects:
            found[str(obj.qname)].append((kind, obj.schema, obj.name))
    for function in d.functions:
        found[str(function)].append(("function", function.schema, function.name))
    return found


def _action(step: Step) -> tuple[str, str]:
    action, _, subject = step.id.partition("/")[2].partition("/")
    return action, subject.split("#", 1)[0]


def link_kinds(steps: list[Step], ctx: PlanContext) -> list[Step]:
    """A step creating a routine after the steps creating the tables, views and types its
    signature names; a step giving a new domain its checks after the routines they call."""
    subjects = _subjects(ctx)
    creating: dict[Node, list[str]] = defaultdict(list)
    for step in steps:
        action, subject = _action(step)
        for node in subjects.get(subject, ()):
            if action in _CREATES[node[0]]:
                creating[node].append(step.id)
    if not creating:
        return steps
    signatures = routine_needs(ctx.desired)
    edges = desired_edges(ctx.desired)
    out = []
    for step in steps:
        action, subject = _action(step)
        needs: set[Node] = set()
        if action in _ROUTINE_STEPS:
            needs = signatures.get(subject, set())
        elif action == "domain-checks":
            needs = {n for node in subjects.get(subject, ()) if node[0] == "domain" for n in edges.get(node, set())}
        found = [i for n in needs for i in creating.get(n, ()) if i != step.id and _phase_rank(i) <= step.phase.rank]
        if found:
            step = dataclasses.replace(step, after=tuple(dict.fromkeys((*step.after, *sorted(found)))))
        out.append(step)
    return out
