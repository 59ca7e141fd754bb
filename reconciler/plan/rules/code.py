"""Rules for functions, procedures, views, materialized views and triggers.

- functions: new ones before tables (checks and defaults may call them), bodies checked at run
  time (`check_function_bodies = off`, as pg_dump does); a changed body or attribute is
  CREATE OR REPLACE (callers and dependants keep working); changed arguments or result are DROP +
  CREATE in one transaction, with dependent views and triggers dropped and re-created around it;
- views hold no data: a changed definition is DROP + CREATE in one transaction (dependent views
  with it), in expand when every column the old definition had is still there, else in contract;
- materialized views: see `_replace_materialized_view` for the refresh strategies;
- triggers: created after the functions and columns they use; a changed trigger is DROP + CREATE
  in one transaction (CREATE OR REPLACE TRIGGER needs PostgreSQL 14; this works from 12 on).
"""

from __future__ import annotations

from psycopg import sql

from reconciler.ddl import code
from reconciler.ddl.relations import create_index_on, drop_index, rename_index
from reconciler.ddl.statement import Statement, comment_on
from reconciler.diff import code as cc
from reconciler.errors import PlanError
from reconciler.introspect.grants import routine as routine_target
from reconciler.model import Function, GrantTarget, Index, MaterializedView, QualifiedName, View
from reconciler.plan import dependencies as d
from reconciler.plan import ordering as o
from reconciler.plan.context import PlanContext, helper_name
from reconciler.plan.rules.base import breaks_old, brief_exclusive, exclusive, make_step, share_update
from reconciler.plan.steps import Hazard, HazardCode, Lock, LockLevel, Phase, Step
from reconciler.sqlparse.graph import view_node
from reconciler.sqlparse.queries import output_names

# --- functions ---------------------------------------------------------------------------------


def _routine(function: Function) -> list[Statement]:
    out = [code.CHECK_BODIES_OFF_LOCAL, code.create_routine(function)]
    if function.comment is not None:
        out.append(code.comment_routine(function))
    return out


def add_function(change: cc.AddFunction, ctx: PlanContext) -> list[Step]:
    f = change.function
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.CREATE_FUNCTION,
            action=f"create-{f.kind}",
            subject=str(f),
            description=f"create {f.kind} {f}",
            statements=_routine(f),
            reverse=[code.drop_routine(f)],
        )
    ]


def replace_function(change: cc.ReplaceFunction, ctx: PlanContext) -> list[Step]:
    old, new = change.old, change.new
    if set(cc.differing_fields(old, new)) == {"comment"}:
        return [
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.COMMENT,
                action=f"comment-{new.kind}",
                subject=str(new),
                description=f"set the comment of {new.kind} {new}",
                statements=[code.comment_routine(new)],
                reverse=[code.comment_routine(old)],
            )
        ]
    users = [dep.dependant for dep in ctx.live.dependencies if dep.referenced == ("function", old.schema, old.name)]
    checks = sorted(f"{u[1]}.{u[2]}" for u in users if u[0] == "constraint")
    hazards = (
        [
            Hazard(
                HazardCode.MAY_FAIL,
                f"check constraint(s) {', '.join(checks)} call {new}: rows already stored are not re-checked with the "
                "new body",
                "validate the data yourself, or drop and re-add the constraint to have it checked",
            )
        ]
        if checks
        else []
    )
    replace = make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.REPLACE_FUNCTION,
        action=f"replace-{new.kind}",
        subject=str(new),
        description=f"CREATE OR REPLACE {new.kind} {new} ({change.detail})",
        statements=_routine(new),
        reverse=_routine(old),
        hazards=hazards,
    )
    return [replace, *_reindex(ctx, change, [u for u in users if u[0] == "index"], replace.id)]


def _reindex(
    ctx: PlanContext, change: cc.ReplaceFunction, indexes: list[tuple[str, str, str]], after: str
) -> list[Step]:
    """An expression index stores the function's results: with a new body they are stale until
    rebuilt. REINDEX CONCURRENTLY (PostgreSQL 12+) rebuilds without blocking reads or writes."""
    steps = []
    for _, schema, name in sorted(set(indexes)):
        table = next(
            (t.qname for t in ctx.live.catalog.tables for i in t.indexes if t.schema == schema and i.name == name), None
        )
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.REPLACE_FUNCTION,
                action="reindex",
                subject=f"{schema}.{name}",
                description=(
                    f"rebuild index {schema}.{name} CONCURRENTLY: it stores results of {change.new} computed with the "
                    "old body"
                ),
                statements=[code.reindex_concurrently(QualifiedName(schema, name))],
                transactional=False,
                long_running=True,
                locks=[share_update(table)] if table else [],
                after=[after],
                hazards=[
                    Hazard(
                        HazardCode.INDEX_BUILD,
                        f"rebuilds {schema}.{name} CONCURRENTLY (reads and writes continue); until it finishes, "
                        "lookups through it may use results of the old body",
                    )
                ],
            )
        )
    return steps


def recreate_function(change: cc.RecreateFunction, ctx: PlanContext) -> list[Step]:
    """DROP + CREATE: PostgreSQL cannot change a routine's arguments or result in place."""
    old, new = change.old, change.new
    node = ("function", old.schema, old.name)
    users = [dep.dependant for dep in ctx.live.dependencies if dep.referenced == node]
    blocking = sorted({f"{u[0]} {u[1]}.{u[2]}" for u in users if u[0] in ("constraint", "default", "index")})
    if blocking:
        raise PlanError(
            f"{old.kind} {old} changes its arguments or result, which needs DROP + CREATE, but {', '.join(blocking)} "
            "use(s) it: give the new version another name, move the users over, then remove the old one"
        )
    views = {u for u in users if u[0] in d.VIEW_KINDS}
    views |= d.view_dependants(ctx, views)
    drops, creates, hazards, locks = d.around(
        ctx, views, live_first=True
    )  # expand: as they are; their own changes follow
    triggers = [u for u in users if u[0] == "trigger"]
    trigger_drops, trigger_creates, tables = _triggers_around(ctx, triggers)
    restored = d.live_privileges(ctx, routine_target(old))  # the new version executable by whoever could run the old
    statements = [
        *drops,
        *trigger_drops,
        code.CHECK_BODIES_OFF_LOCAL,
        code.drop_routine(old),
        *_routine(new)[1:],
        *restored,
        *trigger_creates,
        *creates,
    ]
    hazards = [breaks_old(f"callers of {old} written for its old arguments or result fail from this step on"), *hazards]
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.RECREATE_FUNCTION,
            action=f"recreate-{new.kind}",
            subject=str(new),
            description=f"drop and re-create {new.kind} {new} ({change.detail})",
            statements=statements,
            hazards=hazards,
            locks=[*locks, *(exclusive(t) for t in tables)],
        )
    ]


def _triggers_around(
    ctx: PlanContext, nodes: list[tuple[str, str, str]]
) -> tuple[list[Statement], list[Statement], list[QualifiedName]]:
    drops: list[Statement] = []
    creates: list[Statement] = []
    tables = []
    for _, schema, label in sorted(nodes):
        table_name, _, trigger_name = label.partition(".")
        table = QualifiedName(schema, table_name)
        live = ctx.live.catalog.table(table)
        desired = ctx.desired.table(table)
        trigger = next((t for t in (live.triggers if live else ()) if t.name == trigger_name), None) or next(
            (t for t in (desired.triggers if desired else ()) if t.name == trigger_name), None
        )  # as it is live: a changed trigger is replaced by its own step
        if trigger is None:
            continue
        drops.append(code.drop_table_trigger(table, trigger_name))
        creates += code.create_table_trigger(table, trigger)
        tables.append(table)
    return drops, creates, tables


# --- views -------------------------------------------------------------------------------------


def add_view(change: cc.AddView, ctx: PlanContext) -> list[Step]:
    view = change.view
    if isinstance(view, MaterializedView):
        return [_build_materialized_view(ctx, change, view)]
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.CREATE_VIEW,
            action="create-view",
            subject=str(view.qname),
            description=f"create view {view.qname}",
            statements=d.create_statements(view),
            reverse=[code.drop_view(view.qname)],
        )
    ]


def _build_materialized_view(ctx: PlanContext, change: cc.CodeChange, view: MaterializedView) -> Step:
    hazards = []
    if view.refresh == "none":
        hazards.append(
            Hazard(
                HazardCode.BREAKS_OLD_APPLICATION,
                f"{view.qname} is created WITH NO DATA (refresh: none): reading it fails until the application "
                "refreshes it",
            )
        )
    else:
        hazards.append(
            Hazard(
                HazardCode.LONG_RUNNING,
                f"{view.qname} is populated by running its query "
                "(the tables it reads are only read: traffic continues)",
            )
        )
    return make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.CREATE_VIEW,
        action="create-materialized-view",
        subject=str(view.qname),
        description=f"create materialized view {view.qname} with its indexes",
        statements=d.create_statements(view),
        reverse=[code.drop_materialized_view(view.qname)],
        hazards=hazards,
        long_running=view.refresh != "none",
    )


def _keeps_columns(old: View | MaterializedView, new: View | MaterializedView) -> bool:
    before, after = output_names(old.query), output_names(new.query)
    return before is not None and after is not None and set(before) <= set(after)


def replace_view(change: cc.ReplaceView, ctx: PlanContext) -> list[Step]:
    if isinstance(change.new, MaterializedView):
        return _replace_materialized_view(change, ctx)
    old, new = change.old, change.new
    assert isinstance(old, View) and isinstance(new, View)
    if change.definition_changed:
        return [_recreate_view(ctx, change, new)]
    steps = []
    if (old.check_option, old.security_barrier, old.security_invoker) != (
        new.check_option,
        new.security_barrier,
        new.security_invoker,
    ):
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.CREATE_VIEW,
                action="replace-view",
                subject=str(new.qname),
                description=f"set the options of view {new.qname}",
                statements=[code.create_view(new, replace=True), *_reset_options(old, new)],
                reverse=[code.create_view(old, replace=True)],
            )
        )
    if old.comment != new.comment:
        steps.append(_comment(ctx, change, code.view_target(new.qname), old.comment, new.comment, "view"))
    return steps


def _reset_options(old: View, new: View) -> list[Statement]:
    """CREATE OR REPLACE VIEW sets the options it names and keeps the others: reset those dropped."""
    gone = [
        n
        for n, was, now in (
            ("security_barrier", old.security_barrier, new.security_barrier),
            ("security_invoker", old.security_invoker, new.security_invoker),
            ("check_option", old.check_option, new.check_option),
        )
        if was and not now
    ]
    return [code.reset_view_options(new.qname, gone)] if gone else []


def _recreate_view(ctx: PlanContext, change: cc.ReplaceView, new: View) -> Step:
    node = view_node(new)
    compatible = _keeps_columns(change.old, new)
    nodes = {node} | d.view_dependants(ctx, {node}, planned=not compatible)
    drops, creates, hazards, locks = d.around(ctx, nodes, live_first=compatible, own=frozenset({node}))
    phase = Phase.EXPAND if compatible else Phase.CONTRACT
    if not compatible:
        hazards.append(breaks_old(f"the new definition of {new.qname} no longer has every column of the old one"))
    return make_step(
        ctx,
        change,
        phase=phase,
        order=o.CREATE_VIEW if compatible else o.REPLACE_VIEW,
        action="replace-view",
        subject=str(new.qname),
        description=f"re-create view {new.qname} with its new definition",
        statements=[*drops, *creates],
        hazards=hazards,
        locks=locks,
    )


def _comment(
    ctx: PlanContext, change: cc.CodeChange, target: sql.Composable, old: str | None, new: str | None, what: str
) -> Step:
    return make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.COMMENT,
        action=f"comment-{what.replace(' ', '-')}",
        subject=change.subject,
        description=f"set the comment of {what} {change.subject}",
        statements=[comment_on(target, new)],
        reverse=[comment_on(target, old)],
    )


# --- materialized views ------------------------------------------------------------------------


def _replace_materialized_view(change: cc.ReplaceView, ctx: PlanContext) -> list[Step]:
    old, new = change.old, change.new
    assert isinstance(old, MaterializedView) and isinstance(new, MaterializedView)
    if change.definition_changed:
        if new.refresh == "concurrently" and new.unique_index() is not None:
            return _swap_materialized_view(ctx, change, old, new)
        return [_recreate_materialized_view(ctx, change, old, new)]
    steps = _materialized_view_indexes(ctx, change, old, new)
    if old.comment != new.comment:
        steps.append(
            _comment(
                ctx, change, code.materialized_view_target(new.qname), old.comment, new.comment, "materialized view"
            )
        )
    return steps


def _recreate_materialized_view(
    ctx: PlanContext, change: cc.ReplaceView, old: MaterializedView, new: MaterializedView
) -> Step:
    """refresh: blocking or none: DROP + CREATE in one transaction (readers wait while it fills)."""
    node = view_node(new)
    compatible = _keeps_columns(old, new)
    nodes = {node} | d.view_dependants(ctx, {node}, planned=not compatible)
    drops, creates, hazards, locks = d.around(ctx, nodes, live_first=compatible, own=frozenset({node}))
    if new.refresh == "none":
        hazards.append(
            Hazard(
                HazardCode.BREAKS_OLD_APPLICATION,
                f"{new.qname} is re-created WITH NO DATA (refresh: none): reading it fails until the application "
                "refreshes it",
            )
        )
    else:
        hazards.append(
            Hazard(
                HazardCode.BLOCKING_SCAN,
                f"{new.qname} is re-populated while its ACCESS EXCLUSIVE lock is held: its readers wait for the whole "
                "query",
                "declare a unique index and `refresh: concurrently` to build the new version beside the old one",
            )
        )
    if not compatible:
        hazards.append(breaks_old(f"the new definition of {new.qname} no longer has every column of the old one"))
    return make_step(
        ctx,
        change,
        phase=Phase.EXPAND if compatible else Phase.CONTRACT,
        order=o.CREATE_VIEW if compatible else o.REPLACE_VIEW,
        action="replace-materialized-view",
        subject=str(new.qname),
        description=f"drop and re-create materialized view {new.qname} with its new definition ({new.refresh})",
        statements=[*drops, *creates],
        hazards=hazards,
        locks=locks,
        long_running=True,
    )


def _swap_materialized_view(
    ctx: PlanContext, change: cc.ReplaceView, old: MaterializedView, new: MaterializedView
) -> list[Step]:
    """refresh: concurrently: the new version is built and indexed beside the old one (expand,
    readers undisturbed), swapped in by renames in one short transaction (contract), then brought
    up to date with REFRESH ... CONCURRENTLY (readers continue; needs the unique index)."""
    helper = helper_name(new.name, "rc_new")
    index_names = {i.name: helper_name(i.name, "rc_new") for i in new.indexes}
    helper_qname = QualifiedName(new.schema, helper)
    build = make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.CREATE_VIEW,
        action="build-materialized-view",
        subject=str(new.qname),
        description=f"build the new version of {new.qname} beside the old one, as {helper}, with its indexes",
        statements=[
            code.create_materialized_view(new, name=helper),
            *code.materialized_view_indexes(new, name=helper, rename=index_names),
        ],
        reverse=[code.drop_materialized_view(helper_qname)],
        long_running=True,
        hazards=[
            Hazard(HazardCode.LONG_RUNNING, f"runs the query of {new.qname} once (the tables it reads are only read)")
        ],
    )
    node = view_node(new)
    users = d.view_dependants(ctx, {node}, planned=not _keeps_columns(old, new))
    drops, creates, hazards, locks = d.around(ctx, users, live_first=_keeps_columns(old, new))
    renames = [code.rename_materialized_view(helper_qname, new.name)] + [
        rename_index(new.schema, index_names[i.name], i.name) for i in new.indexes
    ]
    compatible = _keeps_columns(old, new)  # the old application's queries still work: swap in expand
    phase, order = (Phase.EXPAND, o.CREATE_VIEW) if compatible else (Phase.CONTRACT, o.REPLACE_VIEW)
    if not compatible:
        hazards.insert(0, breaks_old(f"the new definition of {new.qname} no longer has every column of the old one"))
    swap_in = make_step(
        ctx,
        change,
        phase=phase,
        order=order,
        action="swap-materialized-view",
        subject=str(new.qname),
        description=f"swap the new version of {new.qname} in: drop the old one, rename {helper} and its indexes",
        statements=[
            *drops,
            code.drop_materialized_view(new.qname),
            *renames,
            *code.materialized_view_comments(new),
            *d.live_privileges(ctx, GrantTarget("materialized view", new.schema, new.name)),
            *creates,
        ],
        hazards=[brief_exclusive(ctx, new.qname), *hazards],
        locks=[Lock(LockLevel.ACCESS_EXCLUSIVE, new.qname), *locks],
        after=[build.id],
    )
    refresh = make_step(
        ctx,
        change,
        phase=phase,
        order=order if compatible else o.REFRESH_VIEW,
        action="refresh-materialized-view",
        subject=str(new.qname),
        description=f"bring {new.qname} up to date with REFRESH MATERIALIZED VIEW CONCURRENTLY (readers continue)",
        statements=[code.refresh_materialized_view(new.qname, concurrently=True)],
        transactional=False,
        long_running=True,
        locks=[Lock(LockLevel.EXCLUSIVE, new.qname)],
        after=[swap_in.id],
        hazards=[
            Hazard(
                HazardCode.LONG_RUNNING,
                f"re-runs the query of {new.qname} and applies the differences; reads continue, other refreshes wait",
            )
        ],
    )
    return [build, swap_in, refresh]


def _materialized_view_indexes(
    ctx: PlanContext, change: cc.ReplaceView, old: MaterializedView, new: MaterializedView
) -> list[Step]:
    steps = []
    before = {i.name: i for i in old.indexes}
    after = {i.name: i for i in new.indexes}
    for name, index in after.items():
        if before.get(name) == index:
            continue
        if name in before:
            steps.append(_drop_view_index(ctx, change, new, before[name], Phase.EXPAND))
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.CREATE_INDEX,
                action="create-index",
                subject=f"{new.schema}.{name}",
                description=f"build index {name} on {new.qname} CONCURRENTLY",
                statements=[create_index_on(new.qname, index, concurrently=True)],
                transactional=False,
                locks=[share_update(new.qname)],
                long_running=True,
                builds_index=QualifiedName(new.schema, name),
                hazards=[
                    Hazard(
                        HazardCode.INDEX_BUILD,
                        f"builds an index CONCURRENTLY on materialized view {new.qname}; reads continue",
                    )
                ],
                after=[steps[-1].id] if name in before else (),
            )
        )
    for name, index in before.items():
        if name not in after:
            steps.append(_drop_view_index(ctx, change, new, index, Phase.CONTRACT))
    return steps


def _drop_view_index(
    ctx: PlanContext, change: cc.ReplaceView, view: MaterializedView, index: Index, phase: Phase
) -> Step:
    name = index.name
    return make_step(
        ctx,
        change,
        phase=phase,
        order=o.DROP_INDEX if phase == Phase.CONTRACT else o.RELAX_CONSTRAINT,
        action="drop-index",
        subject=f"{view.schema}.{name}",
        description=f"drop index {name} of {view.qname} CONCURRENTLY",
        statements=[drop_index(view.schema, name, concurrently=True)],
        transactional=False,
        locks=[share_update(view.qname)],
        long_running=True,
    )


# --- triggers -----------------------------------------------------------------------------------


def add_trigger(change: cc.AddTrigger, ctx: PlanContext) -> list[Step]:
    table = change.live.qname
    trigger = change.trigger
    existing = ctx.live.catalog.table(table) is not None  # a table created by this plan has no traffic yet
    hazards = (
        [
            Hazard(
                HazardCode.ACCESS_EXCLUSIVE_LOCK,
                f"takes SHARE ROW EXCLUSIVE on {table} (writes wait, milliseconds once granted)",
            )
        ]
        if existing
        else []
    )
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.CREATE_TRIGGER,
            action="create-trigger",
            subject=change.subject,
            description=f"create trigger {trigger.name} on {table}",
            statements=code.create_table_trigger(table, trigger),
            reverse=[code.drop_table_trigger(table, trigger.name)],
            locks=[Lock(LockLevel.SHARE_ROW_EXCLUSIVE, table)] if existing else [],
            hazards=hazards,
        )
    ]


def replace_trigger(change: cc.ReplaceTrigger, ctx: PlanContext) -> list[Step]:
    table = change.live.qname
    old, new = change.old, change.new
    if change.only_enabled_or_comment:
        statements = [code.enable_trigger(table, new)] if old.enabled != new.enabled else []
        if old.comment != new.comment:
            statements.append(comment_on(code.trigger_target(table, new.name), new.comment, table.schema))
        return [
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.CREATE_TRIGGER,
                action="alter-trigger",
                subject=change.subject,
                description=f"set {new.name} on {table} to {new.enabled}"
                if old.enabled != new.enabled
                else f"set the comment of trigger {new.name}",
                statements=statements,
                locks=[Lock(LockLevel.SHARE_ROW_EXCLUSIVE, table)],
            )
        ]
    # CREATE OR REPLACE TRIGGER exists from PostgreSQL 14 only; DROP + CREATE in one transaction
    # works from 12 on and nobody sees the table without its trigger.
    statements = [code.drop_table_trigger(table, old.name), *code.create_table_trigger(table, new)]
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.CREATE_TRIGGER,
            action="replace-trigger",
            subject=change.subject,
            description=f"drop and re-create trigger {new.name} on {table} in one transaction ({change.detail})",
            statements=statements,
            reverse=[code.drop_table_trigger(table, new.name), *code.create_table_trigger(table, old)],
            locks=[exclusive(table)],
            hazards=[brief_exclusive(ctx, table)],
        )
    ]
