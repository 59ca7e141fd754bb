"""Rules for columns changed in place: added, dropped, altered without a swap.

Online forms used here:
- a new column is added nullable; a non-volatile default is metadata only (PostgreSQL 11+), so
  `ADD COLUMN ... NOT NULL DEFAULT 0` is instant; a volatile default or a `backfill` hint means:
  add without default, set the default for new rows, fill existing rows in batches;
- NOT NULL is reached through a CHECK (col IS NOT NULL) added NOT VALID, validated under SHARE
  UPDATE EXCLUSIVE (reads and writes continue), after which SET NOT NULL needs no scan
  (PostgreSQL 12+) and the helper check is dropped;
- widening type changes PostgreSQL does without a rewrite (varchar(n) to a longer varchar or
  text, numeric precision up) are done in place; other type changes go through a swap
  (see `swap`).
"""

from __future__ import annotations

import dataclasses
import re

from psycopg import sql

from reconciler.ddl import relations
from reconciler.ddl.statement import comment_on
from reconciler.diff import changes as c
from reconciler.errors import PlanError
from reconciler.model import CheckConstraint, Column, PrimaryKey, QualifiedName, Table, UniqueConstraint
from reconciler.model.names import make_object_name
from reconciler.plan import ordering as o
from reconciler.plan.context import PlanContext
from reconciler.plan.rules.base import (
    breaks_old,
    brief_exclusive,
    deletes_data,
    exclusive,
    make_step,
    not_reversible,
    rewrite,
    share_update,
    validation_scan,
)
from reconciler.plan.rules.indexes import replacement_steps
from reconciler.plan.steps import BackfillSpec, Hazard, HazardCode, Phase, Step
from reconciler.sqlparse.fragments import column_references, parse_expression

PG11_FAST_DEFAULT = 110000
PG12_NOT_NULL_FROM_CHECK = 120000
PG13_DROP_EXPRESSION = 130000
PG17_SET_EXPRESSION = 170000

_VARCHAR = re.compile(r"^character varying(?:\((\d+)\))?$")
_NUMERIC = re.compile(r"^numeric(?:\((\d+),(\d+)\))?$")
_VARBIT = re.compile(r"^bit varying(?:\((\d+)\))?$")


def in_place_type_change(old: str, new: str) -> bool:
    """Type changes PostgreSQL makes without rewriting the table or rebuilding its indexes."""
    if old == new:
        return True
    for pattern in (_VARCHAR, _VARBIT):
        a, b = pattern.match(old), pattern.match(new)
        if a and b:
            return b.group(1) is None or (a.group(1) is not None and int(b.group(1)) >= int(a.group(1)))
    if _VARCHAR.match(old) and new == "text":
        return True
    a, b = _NUMERIC.match(old), _NUMERIC.match(new)
    if a and b:
        if b.group(1) is None:
            return True
        return a.group(1) is not None and a.group(2) == b.group(2) and int(b.group(1)) >= int(a.group(1))
    return False


def batch_key(table: Table) -> tuple[str, ...] | None:
    """Columns to paginate a backfill on: the primary key, else a unique constraint over
    NOT NULL columns."""
    if table.primary_key is not None:
        return table.primary_key.columns
    not_null = {col.name for col in table.columns if not col.nullable}
    for unique in table.uniques:
        if set(unique.columns) <= not_null and not unique.deferrable:
            return unique.columns
    return None


def backfill_step(
    ctx: PlanContext,
    change: c.Change | str,
    table: Table,
    assignments: list[tuple[str, str]],
    condition: str,
    subject: str,
    what: str,
    *,
    catch_up: bool = False,
) -> Step:
    key = batch_key(table)
    hazards = [
        Hazard(
            HazardCode.LONG_RUNNING,
            f"updates {ctx.size(table.qname)} of {table.qname} in batches ({ctx.backfill_estimate(table.qname)})",
        )
    ]
    if key is None:
        hazards.append(
            Hazard(
                HazardCode.LONG_RUNNING,
                f"{table.qname} has no primary key or unique NOT NULL key: the update runs as one statement",
                "add a primary key",
            )
        )
    if catch_up:
        # between the backfill and the check, the old application version may still have written NULLs
        return make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.CATCH_UP_BACKFILL,
            action="backfill",
            subject=subject,
            description=f"fill {what} in rows written since the backfill phase, now that no new NULL can arrive",
            statements=[],
            tables=[ctx.table_name(table, Phase.CONTRACT)],
            long_running=True,
            hazards=hazards,
            backfill=BackfillSpec(
                table=ctx.table_name(table, Phase.CONTRACT),
                key=key or (),
                assignments=tuple(assignments),
                condition=condition,
                batch_size=ctx.settings.backfill_batch_size,
            ),
        )
    return make_step(
        ctx,
        change,
        phase=Phase.BACKFILL,
        order=o.BACKFILL,
        action="backfill",
        subject=subject,
        description=f"fill {what} in existing rows of {table.qname}",
        statements=[],
        tables=[table.qname],
        long_running=True,
        hazards=hazards,
        backfill=BackfillSpec(
            table=table.qname,
            key=key or (),
            assignments=tuple(assignments),
            condition=condition,
            batch_size=ctx.settings.backfill_batch_size,
        ),
    )


def not_null_check_name(table: str, column: str) -> str:
    return make_object_name(table, column, "rc_not_null")


def not_null_steps(
    ctx: PlanContext,
    change: c.Change | str,
    live: Table,
    column: str,
    *,
    final_name: str | None = None,
    may_have_nulls: bool = False,
    fill: str | None = None,
) -> list[Step]:
    """NOT NULL without a blocking scan: CHECK NOT VALID, VALIDATE, SET NOT NULL, drop the check.

    `column` is the column's name when these steps run; `final_name` its name after a swap (the
    swap itself then sets NOT NULL and drops the check)."""
    table = ctx.table_name(live, Phase.CONTRACT)
    check = CheckConstraint(
        not_null_check_name(table.name, final_name or column),
        sql.SQL("{} IS NOT NULL").format(sql.Identifier(column)).as_string(None),
    )
    subject = f"{table}.{final_name or column}"
    add_hazards = [brief_exclusive(ctx, table)]
    if final_name is None:  # a swap's helper column is written only by its sync trigger
        add_hazards.append(breaks_old(f"writes of NULL into {table}.{column} fail from this step on"))
    validate_hazards = [validation_scan(ctx, table)]
    if may_have_nulls:
        validate_hazards.append(
            Hazard(
                HazardCode.MAY_FAIL,
                f"fails if a row of {table} has no value in {column}",
                "add a `backfill` expression or a default",
            )
        )
    steps = [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.NOT_NULL_CHECK,
            action="not-null-check",
            subject=subject,
            description=f"check {table}.{column} IS NOT NULL for new writes (NOT VALID: no scan)",
            statements=[relations.add_constraint_to(table, check, not_valid=True)],
            reverse=[relations.drop_constraint(table, check.name)],
            locks=[exclusive(table)],
            hazards=add_hazards,
        ),
    ]
    if fill is not None:
        condition = sql.SQL("{} IS NULL").format(sql.Identifier(column)).as_string(None)
        steps.append(backfill_step(ctx, change, live, [(column, fill)], condition, subject, column, catch_up=True))
    steps += [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.NOT_NULL_VALIDATE,
            action="not-null-validate",
            subject=subject,
            description=f"validate that no row of {table} has NULL in {column} (reads and writes continue)",
            statements=[relations.validate_constraint(table, check.name)],
            locks=[share_update(table)],
            long_running=True,
            hazards=validate_hazards,
        ),
    ]
    if final_name is None:
        hazards = [brief_exclusive(ctx, table)]
        if ctx.server_version < PG12_NOT_NULL_FROM_CHECK:
            hazards.append(
                Hazard(
                    HazardCode.BLOCKING_SCAN,
                    f"PostgreSQL before 12 scans {table} under ACCESS EXCLUSIVE for SET NOT NULL",
                )
            )
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.CONTRACT,
                order=o.SET_NOT_NULL,
                action="set-not-null",
                subject=subject,
                description=(
                    f"make {table}.{column} NOT NULL (the validated check spares the scan) and drop the helper check"
                ),
                statements=[relations.set_not_null(table, column, True), relations.drop_constraint(table, check.name)],
                reverse=[relations.set_not_null(table, column, False)],
                locks=[exclusive(table)],
                hazards=hazards,
            )
        )
    return steps


# --- add -----------------------------------------------------------------------------------


def add_column(change: c.AddColumn, ctx: PlanContext) -> list[Step]:
    live, column = change.live, change.column
    table = live.qname
    hazards: list[Hazard] = [brief_exclusive(ctx, table)]
    if change.looks_like_rename_of:
        hazards.append(_rename_hint(change.looks_like_rename_of, column.name))
    if column.generated is not None or column.identity is not None:
        return [_add_filled_column(ctx, change, table, column, hazards)]
    volatile = ctx.is_volatile(column.default)
    fill = column.backfill or (column.default if volatile else None)
    if column.default is not None and fill is None and ctx.server_version < PG11_FAST_DEFAULT:
        hazards += rewrite(ctx, table, "a default on a new column before PostgreSQL 11")
    inline_default = column.default if fill is None else None
    inline_not_null = not column.nullable and inline_default is not None
    added = Column(
        column.name, column.type, nullable=not inline_not_null, default=inline_default, collation=column.collation
    )
    statements = [relations.add_column(table, added)]
    if fill is not None and column.default is not None:
        statements.append(relations.set_default(table, column.name, column.default))
    if column.comment is not None:
        statements.append(
            comment_on(relations.column_target(Table(table.schema, table.name), column.name), column.comment)
        )
    steps = [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.ADD_COLUMN,
            action="add-column",
            subject=change.subject,
            description=f"add column {table}.{column.name} {column.type}"
            + (" (nullable for now)" if added.nullable != column.nullable else ""),
            statements=statements,
            reverse=[relations.drop_column(table, column.name)],
            locks=[exclusive(table)],
            hazards=hazards,
        )
    ]
    if fill is not None:
        condition = sql.SQL("{} IS NULL").format(sql.Identifier(column.name)).as_string(None)
        steps.append(
            backfill_step(ctx, change, live, [(column.name, fill)], condition, change.subject, f"{column.name}")
        )
    if not column.nullable and not inline_not_null:
        # without a default, rows the old version inserts after the backfill arrive NULL: catch up
        catch_up = fill if column.default is None else None
        steps += not_null_steps(
            ctx, change, live, column.name, may_have_nulls=fill is None and ctx.maybe_populated(table), fill=catch_up
        )
    return steps


def _add_filled_column(
    ctx: PlanContext, change: c.AddColumn, table: QualifiedName, column: Column, hazards: list[Hazard]
) -> Step:
    """Identity and stored generated columns are computed for every existing row when added."""
    virtual = column.generated is not None and column.generated.kind == "virtual"
    if not virtual and ctx.maybe_populated(table):
        what = "an identity column" if column.identity is not None else "a stored generated column"
        hazards = hazards[1:] + rewrite(ctx, table, f"adding {what} computes it for every row")
    statements = [relations.add_column(table, column)]
    if column.comment is not None:
        statements.append(
            comment_on(relations.column_target(Table(table.schema, table.name), column.name), column.comment)
        )
    return make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.ADD_COLUMN,
        action="add-column",
        subject=change.subject,
        description=f"add column {table}.{column.name} {column.type}",
        statements=statements,
        reverse=[relations.drop_column(table, column.name)],
        locks=[exclusive(table)],
        hazards=hazards,
        long_running=True,
    )


def _rename_hint(old: str, new: str) -> Hazard:
    return Hazard(
        HazardCode.POSSIBLE_RENAME,
        f"dropping {old} and adding {new} of the same type looks like a rename",
        f"if it is one, add `renamedFrom: {old}` to column {new} to keep the data",
    )


# --- drop ----------------------------------------------------------------------------------


def drop_column(change: c.DropColumn, ctx: PlanContext) -> list[Step]:
    table = ctx.table_name(change.live, Phase.CONTRACT)
    column = change.column
    hazards = [
        deletes_data(f"drops column {table}.{column.name} and its values in every row ({ctx.size(change.live.qname)})"),
        breaks_old(f"the old application version may still read or write {column.name}"),
        not_reversible("the values are gone unless restored from the backup taken before this step"),
        brief_exclusive(ctx, table),
    ]
    if change.looks_like_rename_to:
        hazards.append(_rename_hint(column.name, change.looks_like_rename_to))
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.DROP_COLUMN,
            action="drop-column",
            subject=change.subject,
            description=f"drop column {table}.{column.name}",
            statements=[relations.drop_column(table, column.name)],
            reverse=[relations.add_column(table, dataclasses.replace(column, identity=None, default=None))],
            locks=[exclusive(table)],
            hazards=hazards,
        )
    ]


# --- alter ---------------------------------------------------------------------------------


def alter_column(change: c.AlterColumn, ctx: PlanContext) -> list[Step]:
    kinds = change.kinds
    K = c.ColumnAlteration
    steps: list[Step] = []
    if K.TYPE in kinds or K.COLLATION in kinds:
        steps += _type_in_place(change, ctx)
    if K.NULLABILITY in kinds:
        steps += _nullability(change, ctx)
    if K.IDENTITY in kinds:
        steps += _identity(change, ctx)
    if K.GENERATED in kinds:
        steps += _generated(change, ctx)
    if K.DEFAULT in kinds and not _default_handled_elsewhere(change):
        steps += _default(change, ctx)
    if K.COMMENT in kinds:
        table = change.live.qname
        target = relations.column_target(Table(table.schema, table.name), change.new.name)
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.COMMENT,
                action="comment-column",
                subject=change.subject,
                description=f"set the comment of {table}.{change.new.name}",
                statements=[comment_on(target, change.new.comment)],
                reverse=[comment_on(target, change.old.comment)],
            )
        )
    return steps


def _collation_indexes(change: c.AlterColumn, ctx: PlanContext) -> tuple[list[Step], list[str]]:
    """Indexes over a column whose collation changes: plain column keys are rebuilt beside the
    old index CONCURRENTLY with the new collation spelled out, so that changing the column later
    keeps them instead of rebuilding under ACCESS EXCLUSIVE. Returns those steps, and the names
    of indexes that will still be rebuilt under the lock (expression keys, constraint indexes)."""
    column, steps, remaining = change.new.name, [], []
    desired_indexes = {i.name: i for i in change.desired.indexes}
    for index in change.live.indexes:
        over_column = [e for e in index.elements if e.column == change.old.name]
        wanted = desired_indexes.get(index.name)
        if not over_column:
            if any(
                e.expression and column in column_references(parse_expression(e.expression)) for e in index.elements
            ):
                remaining.append(index.name)
            continue
        if wanted is None or any(
            e.expression and column in column_references(parse_expression(e.expression)) for e in index.elements
        ):
            remaining.append(index.name)
            continue
        explicit = tuple(
            dataclasses.replace(e, collation=change.new.collation or '"default"') if e.column == column else e
            for e in wanted.elements
        )
        steps += replacement_steps(ctx, change, index, dataclasses.replace(wanted, elements=explicit))
    remaining += [
        k.name
        for k in change.live.constraints()
        if isinstance(k, PrimaryKey | UniqueConstraint) and change.old.name in k.columns
    ]
    return steps, remaining


def _type_in_place(change: c.AlterColumn, ctx: PlanContext) -> list[Step]:
    old, new = change.old, change.new
    collation = new.collation if new.collation != old.collation else None
    widening = in_place_type_change(old.type, new.type) and collation is None
    phase = Phase.EXPAND if widening else Phase.CONTRACT
    table = ctx.table_name(change.live, phase)
    prepared: list[Step] = []
    if widening:
        hazards = [brief_exclusive(ctx, table)]
        what = (
            f"widen {table}.{new.name} from {old.type} to {new.type} (no rewrite: PostgreSQL only updates the catalog)"
        )
    elif old.type == new.type:
        prepared, rebuilt = _collation_indexes(change, ctx)
        hazards = [brief_exclusive(ctx, table)]
        if rebuilt:
            hazards.append(
                Hazard(
                    HazardCode.BLOCKING_SCAN,
                    f"rebuilds {', '.join(rebuilt)} while holding ACCESS EXCLUSIVE on {table} ({ctx.size(table)})",
                    "PostgreSQL has no online form for indexes over expressions or constraints: run it in a quiet "
                    "period",
                )
            )
        what = (
            f"change the collation of {table}.{new.name} to {new.collation or 'the default'} (comparisons and sort "
            "order change)"
        )
    else:
        hazards = rewrite(ctx, table, f"changing the type of generated column {new.name}")
        what = f"change the type of {table}.{new.name} from {old.type} to {new.type}"
    reverse = [relations.alter_column_type(table, new.name, old.type, collation=old.collation)]
    return [
        *prepared,
        make_step(
            ctx,
            change,
            phase=phase,
            order=o.RELAX_COLUMN if widening else o.ALTER_COLUMN_CONTRACT,
            action="alter-column-type",
            subject=change.subject,
            description=what,
            statements=[
                relations.alter_column_type(
                    table,
                    new.name,
                    new.type,
                    collation=collation or (new.collation if old.type != new.type else None),
                    using=new.using,
                )
            ],
            reverse=reverse,
            locks=[exclusive(table)],
            hazards=hazards,
            long_running=not widening,
        ),
    ]


def _nullability(change: c.AlterColumn, ctx: PlanContext) -> list[Step]:
    old, new = change.old, change.new
    if new.nullable:
        table = change.live.qname
        return [
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.RELAX_COLUMN,
                action="drop-not-null",
                subject=change.subject,
                description=f"allow NULL in {table}.{new.name}",
                statements=[relations.set_not_null(table, new.name, False)],
                reverse=[relations.set_not_null(table, new.name, True)],
                locks=[exclusive(table)],
                hazards=[brief_exclusive(ctx, table)],
            )
        ]
    steps = []
    if new.backfill is not None:
        condition = sql.SQL("{} IS NULL").format(sql.Identifier(old.name)).as_string(None)
        steps.append(
            backfill_step(
                ctx, change, change.live, [(old.name, new.backfill)], condition, change.subject, f"NULLs of {old.name}"
            )
        )
    return steps + not_null_steps(
        ctx, change, change.live, new.name, may_have_nulls=new.backfill is None, fill=new.backfill
    )


def _default_handled_elsewhere(change: c.AlterColumn) -> bool:
    """Defaults set together with an identity or generated change, in the same step."""
    K = c.ColumnAlteration
    return (
        (K.IDENTITY in change.kinds and change.new.identity is None)
        or (K.GENERATED in change.kinds and change.new.generated is None)
        or (K.IDENTITY in change.kinds and change.old.default is not None)
    )


def _default(change: c.AlterColumn, ctx: PlanContext) -> list[Step]:
    new, old = change.new, change.old
    if new.default is not None:
        table = change.live.qname
        return [
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.RELAX_COLUMN,
                action="set-default",
                subject=change.subject,
                description=f"set the default of {table}.{new.name} to {new.default} (new rows only)",
                statements=[relations.set_default(table, new.name, new.default)],
                reverse=[relations.set_default(table, new.name, old.default)],
                locks=[exclusive(table)],
                hazards=[brief_exclusive(ctx, table)],
            )
        ]
    table = ctx.table_name(change.live, Phase.CONTRACT)
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.ALTER_COLUMN_CONTRACT,
            action="drop-default",
            subject=change.subject,
            description=f"drop the default of {table}.{new.name}",
            statements=[relations.set_default(table, new.name, None)],
            reverse=[relations.set_default(table, new.name, old.default)],
            locks=[exclusive(table)],
            hazards=[
                brief_exclusive(ctx, table),
                breaks_old(f"inserts that omit {new.name} get NULL instead of {old.default}"),
            ],
        )
    ]


def _identity(change: c.AlterColumn, ctx: PlanContext) -> list[Step]:
    old, new = change.old, change.new
    if old.identity is not None and new.identity is not None:
        table = change.live.qname
        return [
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.RELAX_COLUMN,
                action="alter-identity",
                subject=change.subject,
                description=f"change the identity of {table}.{new.name}",
                statements=[relations.alter_identity(table, new.name, new.identity.generation, new.identity.options)],
                reverse=[relations.alter_identity(table, new.name, old.identity.generation, old.identity.options)],
                locks=[exclusive(table)],
                hazards=[brief_exclusive(ctx, table)],
            )
        ]
    table = ctx.table_name(change.live, Phase.CONTRACT)
    if new.identity is not None:
        statements = []
        if old.default is not None:
            statements.append(relations.set_default(table, new.name, None))
        statements += [
            relations.add_identity(table, new.name, new.identity.generation, new.identity.options),
            relations.continue_identity(table, new.name),
        ]
        return [
            make_step(
                ctx,
                change,
                phase=Phase.CONTRACT,
                order=o.ALTER_COLUMN_CONTRACT,
                action="add-identity",
                subject=change.subject,
                description=f"make {table}.{new.name} an identity column continuing after the existing values",
                statements=statements,
                reverse=[relations.drop_identity(table, new.name)],
                locks=[exclusive(table)],
                hazards=[brief_exclusive(ctx, table)]
                + (
                    [breaks_old(f"inserts that supply {new.name} fail (GENERATED ALWAYS)")]
                    if new.identity.generation == "always"
                    else []
                ),
            )
        ]
    statements = [relations.drop_identity(table, new.name)]
    if new.default is not None:
        statements.append(relations.set_default(table, new.name, new.default))
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.ALTER_COLUMN_CONTRACT,
            action="drop-identity",
            subject=change.subject,
            description=f"stop generating {table}.{new.name} as identity (its sequence is dropped)",
            statements=statements,
            locks=[exclusive(table)],
            hazards=[
                brief_exclusive(ctx, table),
                breaks_old(f"inserts that omit {new.name} no longer get a value"),
                not_reversible("the identity sequence's position is lost"),
            ],
        )
    ]


def _generated(change: c.AlterColumn, ctx: PlanContext) -> list[Step]:
    old, new = change.old, change.new
    table = ctx.table_name(change.live, Phase.CONTRACT)
    if new.generated is None:
        if ctx.server_version < PG13_DROP_EXPRESSION:
            raise PlanError(f"{table}.{new.name}: turning a generated column into a plain one needs PostgreSQL 13+")
        statements = [relations.drop_expression(table, new.name)]
        if new.default is not None:
            statements.append(relations.set_default(table, new.name, new.default))
        return [
            make_step(
                ctx,
                change,
                phase=Phase.CONTRACT,
                order=o.ALTER_COLUMN_CONTRACT,
                action="drop-expression",
                subject=change.subject,
                description=f"make {table}.{new.name} a plain column keeping its current values",
                statements=statements,
                locks=[exclusive(table)],
                hazards=[brief_exclusive(ctx, table)],
            )
        ]
    if old.generated is None or ctx.server_version < PG17_SET_EXPRESSION or old.generated.kind != new.generated.kind:
        raise PlanError(
            f"{table}.{new.name}: there is no in-place way to make this column generated or change how it is generated "
            "on this server; add a new generated column under another name and drop this one"
        )
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.ALTER_COLUMN_CONTRACT,
            action="set-expression",
            subject=change.subject,
            description=f"change the expression of generated column {table}.{new.name}",
            statements=[relations.set_expression(table, new.name, new.generated.expression)],
            reverse=[relations.set_expression(table, new.name, old.generated.expression)],
            locks=[exclusive(table)],
            hazards=rewrite(ctx, table, "recomputing a stored generated column")
            if new.generated.kind == "stored"
            else [brief_exclusive(ctx, table)],
            long_running=True,
        )
    ]


def rename_column_in_place(change: c.RenameColumn, ctx: PlanContext) -> list[Step]:
    """Generated columns cannot be kept in sync by a trigger (nobody may write them): they are
    renamed in place, in the contract phase."""
    table = ctx.table_name(change.live, Phase.CONTRACT)
    old, new = change.old.name, change.new.name
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.RENAME_INTO_PLACE,
            action="rename-column",
            subject=change.subject,
            description=f"rename generated column {table}.{old} to {new}",
            statements=[relations.rename_column(table, old, new)],
            reverse=[relations.rename_column(table, new, old)],
            locks=[exclusive(table)],
            hazards=[brief_exclusive(ctx, table), breaks_old(f"the old application version reads {old}")],
        )
    ]
