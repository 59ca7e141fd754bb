"""Rules for indexes: always CONCURRENTLY on existing tables (SHARE UPDATE EXCLUSIVE: reads and
writes continue), a new definition built beside the old one before the old one is dropped."""

from __future__ import annotations

import dataclasses

from reconciler.ddl import relations
from reconciler.ddl.statement import comment_on
from reconciler.diff import changes as c
from reconciler.model import Index, QualifiedName, Table
from reconciler.plan import ordering as o
from reconciler.plan.context import PlanContext, helper_name
from reconciler.plan.rules.base import index_build, make_step, share_update
from reconciler.plan.steps import Hazard, HazardCode, Phase, Step


def _build(ctx: PlanContext, change: c.TableChange, index: Index, name: str) -> Step:
    table = change.live.qname
    built = dataclasses.replace(index, name=name)
    hazards = [index_build(ctx, table)]
    if index.unique:
        hazards.append(
            Hazard(
                HazardCode.MAY_FAIL,
                f"fails if {table} holds duplicate keys; the invalid index left behind is dropped before a retry",
            )
        )
    return make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.CREATE_INDEX,
        action="create-index",
        subject=f"{table.schema}.{name}",
        description=f"build index {name} on {table} CONCURRENTLY",
        statements=[relations.create_index_on(table, built, concurrently=True)],
        transactional=False,
        reverse=[relations.drop_index(table.schema, name, concurrently=True)],
        locks=[share_update(table)],
        hazards=hazards,
        long_running=True,
        builds_index=QualifiedName(table.schema, name),
    )


def _drop(ctx: PlanContext, change: c.TableChange, index: Index) -> Step:
    live = change.live
    table = ctx.table_name(live, Phase.CONTRACT)
    return make_step(
        ctx,
        change,
        phase=Phase.CONTRACT,
        order=o.DROP_INDEX,
        action="drop-index",
        subject=f"{table.schema}.{index.name}",
        description=f"drop index {index.name} of {table} CONCURRENTLY",
        statements=[relations.drop_index(table.schema, index.name, concurrently=True)],
        transactional=False,
        reverse=[relations.create_index_on(table, index, concurrently=True)],
        locks=[share_update(table)],
        long_running=True,  # DROP INDEX CONCURRENTLY waits for every transaction that could still use the index
        hazards=[
            Hazard(
                HazardCode.BREAKS_OLD_APPLICATION,
                f"queries of the old application version may rely on {index.name} to be fast",
            )
        ],
    )


def add_index(change: c.AddIndex, ctx: PlanContext) -> list[Step]:
    return [_build(ctx, change, change.index, change.index.name)]


def drop_index(change: c.DropIndex, ctx: PlanContext) -> list[Step]:
    return [_drop(ctx, change, change.index)]


def rename_index(change: c.RenameIndex, ctx: PlanContext) -> list[Step]:
    table = change.live.qname
    old, new = change.old.name, change.new.name
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.RENAME_INDEX,
            action="rename-index",
            subject=change.subject,
            description=f"rename index {old} of {table} to {new}",
            statements=[relations.rename_index(table.schema, old, new)],
            reverse=[relations.rename_index(table.schema, new, old)],
            locks=[share_update(table)],
        )
    ]


def replace_index(change: c.ReplaceIndex, ctx: PlanContext) -> list[Step]:
    return replacement_steps(ctx, change, change.old, change.new)


def replacement_steps(ctx: PlanContext, change: c.TableChange, old: Index, new: Index) -> list[Step]:
    """Build `new` beside `old` (expand), drop `old` and give `new` its name (contract)."""
    same_name = old.name == new.name
    name = helper_name(new.name, "rc_new") if same_name else new.name
    build = _build(ctx, change, new, name)
    steps = [build, _drop(ctx, change, old)]
    if same_name:
        table = ctx.table_name(change.live, Phase.CONTRACT)
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.CONTRACT,
                order=o.RENAME_INTO_PLACE,
                action="rename-index",
                subject=f"{table.schema}.{new.name}",
                description=f"rename index {name} of {table} to {new.name}",
                statements=[relations.rename_index(table.schema, name, new.name)],
                reverse=[relations.rename_index(table.schema, new.name, name)],
                locks=[share_update(table)],
                after=[steps[1].id],
            )
        )
    return steps


def alter_index_comment(change: c.AlterIndexComment, ctx: PlanContext) -> list[Step]:
    table = change.live.qname
    target = relations.index_target(Table(table.schema, table.name), change.old.name)
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.COMMENT,
            action="comment-index",
            subject=change.subject,
            description=f"set the comment of index {change.new.name}",
            statements=[comment_on(target, change.new.comment)],
            reverse=[comment_on(target, change.old.comment)],
        )
    ]
