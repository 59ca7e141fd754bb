"""Rules for whole tables: create, drop, rename, comment."""

from __future__ import annotations

from psycopg import sql

from reconciler.ddl import relations
from reconciler.ddl.statement import comment_on, qualified
from reconciler.diff import changes as c
from reconciler.model import ForeignKey, Table
from reconciler.plan import ordering as o
from reconciler.plan.context import PlanContext
from reconciler.plan.rules.base import breaks_old, brief_exclusive, deletes_data, exclusive, make_step, not_reversible
from reconciler.plan.rules.constraints import is_recreated
from reconciler.plan.steps import Hazard, HazardCode, Lock, LockLevel, Phase, Step


def add_table(change: c.AddTable, ctx: PlanContext) -> list[Step]:
    """A new table is created with its indexes and constraints in one transaction: nobody can
    see it before commit, so plain CREATE INDEX is safe here. Foreign keys come as separate
    steps, once every table they point at exists."""
    table = change.table
    statements = [relations.create_table(table)]
    for constraint in table.checks:
        if constraint.not_valid:
            statements.append(relations.add_constraint(table, constraint, not_valid=True))
    statements += [relations.create_index(table, index) for index in table.indexes]
    statements += list(relations.table_comments(table))
    create = make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.CREATE_TABLE,
        action="create-table",
        subject=change.subject,
        description=f"create table {table.qname} ({len(table.columns)} columns, {len(table.indexes)} indexes)",
        statements=statements,
        reverse=[relations.drop_table(table.qname)],
        tables=[table.qname],
    )
    keys = [fk for fk in table.foreign_keys if not is_recreated(ctx, table.qname, fk, desired=True)]
    return [create] + [_new_table_foreign_key(ctx, change, table, fk) for fk in keys]


def _new_table_foreign_key(ctx: PlanContext, change: c.AddTable, table: Table, fk: ForeignKey) -> Step:
    # The new table is empty, so the validation scan is instant; the referenced table is locked
    # in SHARE ROW EXCLUSIVE (blocks writes) only for that instant, within lock_timeout.
    target = fk.references
    hazards = []
    if ctx.live.catalog.table(target) is not None:
        hazards.append(
            Hazard(
                HazardCode.ACCESS_EXCLUSIVE_LOCK,
                f"takes SHARE ROW EXCLUSIVE on {target} for an instant (its writes wait; at most "
                f"{ctx.settings.lock_timeout_ms} ms for the lock, then it backs off)",
            )
        )
    return make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.NEW_TABLE_FOREIGN_KEY,
        action="add-foreign-key",
        subject=f"{table.qname}.{fk.name}",
        description=f"add foreign key {fk.name} on new table {table.qname} referencing {target}",
        statements=[relations.add_constraint(table, fk, not_valid=fk.not_valid)],
        reverse=[relations.drop_constraint(table.qname, fk.name)],
        locks=[Lock(LockLevel.SHARE_ROW_EXCLUSIVE, table.qname), Lock(LockLevel.SHARE_ROW_EXCLUSIVE, target)],
        hazards=hazards,
    )


def drop_table(change: c.DropTable, ctx: PlanContext) -> list[Step]:
    table = change.table
    # its foreign keys' triggers live on the tables they reference: those are locked too
    referenced = sorted(
        {ctx.table_name(fk.references, Phase.CONTRACT) for fk in table.foreign_keys} - {table.qname}, key=str
    )
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.DROP_TABLE,
            action="drop-table",
            subject=change.subject,
            description=f"drop table {table.qname}",
            statements=[relations.drop_table(table.qname)],
            reverse=[relations.create_table(table)],
            locks=[exclusive(table.qname), *(exclusive(t) for t in referenced)],
            hazards=[
                deletes_data(f"drops table {table.qname} and all its rows ({ctx.size(table.qname)})"),
                breaks_old(f"the old application version may still use {table.qname}"),
                not_reversible("the rows are gone unless restored from the backup taken before this step"),
                *(brief_exclusive(ctx, t) for t in referenced),
            ],
        )
    ]


def rename_table(change: c.RenameTable, ctx: PlanContext) -> list[Step]:
    """Expand: a view under the new name lets the new application version use it at once (simple
    views are updatable). Contract: drop the view and rename the table, in one instant step."""
    old, new = change.live.qname, change.desired.qname
    view = make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.COMPAT_VIEW,
        action="compat-view",
        subject=str(new),
        description=f"create view {new} over {old} so the new application version can use the new name",
        statements=[relations.create_compat_view(new, old)],
        reverse=[relations.drop_view(new)],
    )
    rename = make_step(
        ctx,
        change,
        phase=Phase.CONTRACT,
        order=o.RENAME_TABLE,
        action="rename-table",
        subject=str(new),
        description=f"rename table {old} to {new.name} (replacing the compatibility view)",
        statements=[relations.drop_view(new), relations.rename_table(old, new.name)],
        reverse=[relations.rename_table(new, old.name)],
        locks=[exclusive(old)],
        hazards=[brief_exclusive(ctx, old), breaks_old(f"the old application version uses the name {old}")],
    )
    return [view, rename]


def alter_table_comment(change: c.AlterTableComment, ctx: PlanContext) -> list[Step]:
    name = change.live.qname
    target = sql.SQL("TABLE {}").format(qualified(name))
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.COMMENT,
            action="comment-table",
            subject=change.subject,
            description=f"set the comment of table {name}",
            statements=[comment_on(target, change.desired.comment)],
            reverse=[comment_on(target, change.live.comment)],
        )
    ]
