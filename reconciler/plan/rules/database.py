"""Rules for database-level objects: schemas, extensions, enum types, sequences."""

from __future__ import annotations

from typing import Any

from psycopg import sql

from reconciler.ddl import relations, types
from reconciler.ddl.statement import Statement, comment_on, qualified
from reconciler.diff import changes as c
from reconciler.model import Column, QualifiedName, Sequence, Table
from reconciler.plan import ordering as o
from reconciler.plan.context import PlanContext, helper_name
from reconciler.plan.rules.base import breaks_old, exclusive, make_step, not_reversible, rewrite
from reconciler.plan.steps import Hazard, HazardCode, Lock, LockLevel, Phase, Step
from reconciler.sqlparse.fragments import column_references, parse_expression, sql_name


def add_schema(change: c.AddSchema, ctx: PlanContext) -> list[Step]:
    statements = [types.create_schema(change.schema)]
    if change.schema.comment is not None:
        statements.append(
            comment_on(sql.SQL("SCHEMA {}").format(sql.Identifier(change.schema.name)), change.schema.comment)
        )
    drop = types.drop_schema(change.schema.name)
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.CREATE_SCHEMA,
            action="create-schema",
            subject=change.subject,
            description=f"create schema {change.schema.name}",
            statements=statements,
            reverse=[drop],
        )
    ]


def alter_schema(change: c.AlterSchema, ctx: PlanContext) -> list[Step]:
    target = sql.SQL("SCHEMA {}").format(sql.Identifier(change.desired.name))
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.COMMENT,
            action="comment-schema",
            subject=change.subject,
            description=f"set the comment of schema {change.desired.name}",
            statements=[comment_on(target, change.desired.comment)],
            reverse=[comment_on(target, change.live.comment)],
        )
    ]


def add_extension(change: c.AddExtension, ctx: PlanContext) -> list[Step]:
    drop = types.drop_extension(change.extension.name)
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.CREATE_EXTENSION,
            action="create-extension",
            subject=change.subject,
            description=f"create extension {change.extension.name}",
            statements=[types.create_extension(change.extension)],
            reverse=[drop],
        )
    ]


def alter_extension(change: c.AlterExtension, ctx: PlanContext) -> list[Step]:
    steps = []
    live, desired = change.live, change.desired
    if desired.version != live.version and desired.version is not None:
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.CREATE_EXTENSION,
                action="update-extension",
                subject=change.subject,
                description=f"update extension {desired.name} from {live.version} to {desired.version}",
                statements=[types.alter_extension(desired, version=desired.version)],
                hazards=[
                    Hazard(
                        HazardCode.MAY_FAIL,
                        "the extension's update script decides what it locks and changes",
                        "read the extension's release notes",
                    )
                ],
            )
        )
    if desired.schema != live.schema and desired.schema is not None:
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.CONTRACT,
                order=o.RENAME_TYPE,
                action="move-extension",
                subject=change.subject,
                description=f"move extension {desired.name} to schema {desired.schema}",
                statements=[types.alter_extension(desired, schema=desired.schema)],
                reverse=[types.alter_extension(desired, schema=live.schema)],
                hazards=[breaks_old(f"SQL naming {live.schema}.<object> of the extension stops resolving")],
            )
        )
    return steps


# --- enums ---------------------------------------------------------------------------------


def add_enum(change: c.AddEnum, ctx: PlanContext) -> list[Step]:
    enum = change.enum
    statements = [types.create_enum(enum)]
    if enum.comment is not None:
        statements.append(comment_on(sql.SQL("TYPE {}").format(qualified(enum.qname)), enum.comment))
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.CREATE_ENUM,
            action="create-enum",
            subject=change.subject,
            description=f"create enum {enum.qname}",
            statements=statements,
            reverse=[types.drop_type(enum.qname)],
        )
    ]


def drop_enum(change: c.DropEnum, ctx: PlanContext) -> list[Step]:
    enum = change.enum
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.DROP_TYPE,
            action="drop-enum",
            subject=change.subject,
            description=f"drop enum {enum.qname}",
            statements=[types.drop_type(enum.qname)],
            reverse=[types.create_enum(enum)],
            hazards=[breaks_old(f"the old application version may still cast to {enum.qname}")],
        )
    ]


def rename_enum(change: c.RenameEnum, ctx: PlanContext) -> list[Step]:
    old, new = change.live.qname, change.desired.qname
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.RENAME_TYPE,
            action="rename-enum",
            subject=change.subject,
            description=f"rename enum {old} to {new.name}",
            statements=[types.rename_type(old, new.name)],
            reverse=[types.rename_type(new, old.name)],
            hazards=[breaks_old(f"SQL casting to {old} by name stops working (columns keep their type)")],
        )
    ]


def alter_enum(change: c.AlterEnum, ctx: PlanContext) -> list[Step]:
    steps: list[Step] = []
    # Values are added online (PostgreSQL 12+: inside a transaction, usable once committed), in
    # declared order, also when a removal means the type is swapped later: the new application
    # version may write them from the expand phase on.
    name = change.live.qname
    for value, neighbour, before in change.added:
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.ADD_ENUM_VALUE,
                action="add-enum-value",
                subject=f"{change.subject}.{value}",
                description=f"add value {value!r} to enum {name}"
                + (f" {'before' if before else 'after'} {neighbour!r}" if neighbour else ""),
                statements=[types.add_enum_value(name, value, neighbour, before)],
                hazards=[not_reversible("PostgreSQL cannot remove an enum value without recreating the type")],
                after=[steps[-1].id] if steps else [],
            )
        )
    if change.needs_type_swap:
        steps.extend(_swap_enum_type(change, ctx))
    if change.live.comment != change.desired.comment:
        target = sql.SQL("TYPE {}").format(qualified(name))
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.COMMENT,
                action="comment-enum",
                subject=change.subject,
                description=f"set the comment of enum {name}",
                statements=[comment_on(target, change.desired.comment)],
                reverse=[comment_on(target, change.live.comment)],
            )
        )
    return steps


def columns_using(ctx: PlanContext, name: QualifiedName) -> list[tuple[Table, Column]]:
    """Live columns whose type is the user-defined type `name` (enum, domain, composite) or an array of it."""
    spelled = sql_name((name.schema, name.name))  # as format_type prints it
    return [(t, c) for t in ctx.live.catalog.tables for c in t.columns if c.type in (spelled, spelled + "[]")]


def _literal_users(objects: tuple[Any, ...], column: str) -> list[Any]:
    """Partial or expression indexes and checks whose expressions mention `column`."""
    found = []
    for obj in objects:
        texts = [getattr(obj, "where", None), getattr(obj, "expression", None)]
        texts += [e.expression for e in getattr(obj, "elements", ()) if e.expression]
        if any(text and column in column_references(parse_expression(text)) for text in texts):
            found.append(obj)
    return found


def _swap_enum_type(change: c.AlterEnum, ctx: PlanContext) -> list[Step]:
    """Removing or reordering values: build the new type beside the old one, convert every column
    (a rewrite of each table), then put the new type in the old one's place."""
    old = change.live.qname
    temp = QualifiedName(old.schema, helper_name(old.name, "new"))
    desired = change.desired
    prepare = make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.CREATE_ENUM,
        action="create-enum",
        subject=f"{temp}",
        description=f"create enum {temp} with the new values of {old}",
        statements=[types.create_enum(type(desired)(temp.schema, temp.name, desired.values))],
        reverse=[types.drop_type(temp)],
    )
    statements: list[Statement] = []
    defaults: list[Statement] = []  # set once the new type carries the old name
    hazards: list[Hazard] = []
    tables = []
    removed = ", ".join(repr(v) for v in change.removed) or "none"
    rebuilt: list[Statement] = []  # partial indexes and checks compare with literals of the old type
    for table, column in columns_using(ctx, old):
        is_array = column.type.endswith("[]")
        tname = ctx.table_name(table, Phase.CONTRACT)
        tables.append(tname)
        desired_table = ctx.desired.table(tname)
        for index in _literal_users(table.indexes, column.name):
            statements.append(relations.drop_index(tname.schema, index.name, concurrently=False))
            wanted = next((i for i in desired_table.indexes if i.name == index.name), None) if desired_table else None
            if wanted is not None:
                rebuilt.append(relations.create_index_on(tname, wanted, concurrently=False))
        for check in _literal_users(table.checks, column.name):
            statements.append(relations.drop_constraint(tname, check.name))
            wanted_check = (
                next((k for k in desired_table.checks if k.name == check.name), None) if desired_table else None
            )
            if wanted_check is not None:
                rebuilt.append(relations.add_constraint_to(tname, wanted_check, not_valid=wanted_check.not_valid))
        target = f"{qualified(temp).as_string(None)}" + ("[]" if is_array else "")
        via_text = "text[]" if is_array else "text"
        using = (
            sql.SQL("{}::{}::{}")
            .format(sql.Identifier(column.name), sql.SQL(via_text), sql.SQL(target))
            .as_string(None)
        )
        if column.default is not None:
            statements.append(relations.set_default(tname, column.name, None))
        statements.append(relations.alter_column_type(tname, column.name, target, using=using))
        hazards += rewrite(ctx, tname, f"converting {tname}.{column.name} to the new enum")
        desired_table = ctx.desired.table(tname)
        desired_column = desired_table.column(column.name) if desired_table is not None else None
        if desired_column is not None and desired_column.default is not None:
            defaults.append(relations.set_default(tname, column.name, desired_column.default))
    statements += [types.drop_type(old), types.rename_type(temp, old.name), *defaults, *rebuilt]
    hazards += [
        Hazard(
            HazardCode.MAY_FAIL, f"fails if a row still holds a removed value ({removed})", "update those rows first"
        ),
        breaks_old(f"the old application version may still write removed values ({removed})"),
        not_reversible("the removed enum values are gone"),
    ]
    swap = make_step(
        ctx,
        change,
        phase=Phase.CONTRACT,
        order=o.DROP_TYPE,
        action="replace-enum",
        subject=change.subject,
        description=f"replace enum {old} by one with values {list(desired.values)}",
        statements=statements,
        locks=[exclusive(t) for t in tables],
        hazards=hazards,
        long_running=True,
        after=[prepare.id],
    )
    return [prepare, swap]


# --- sequences -----------------------------------------------------------------------------


def add_sequence(change: c.AddSequence, ctx: PlanContext) -> list[Step]:
    sequence = change.sequence
    statements = [relations.create_sequence(sequence)]
    if sequence.comment is not None:
        statements.append(comment_on(sql.SQL("SEQUENCE {}").format(qualified(sequence.qname)), sequence.comment))
    steps = [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.SEQUENCE,
            action="create-sequence",
            subject=change.subject,
            description=f"create sequence {sequence.qname}",
            statements=statements,
            reverse=[relations.drop_sequence(sequence.qname)],
        )
    ]
    if sequence.owned_by is not None:
        steps.append(_owner_step(ctx, change, sequence.qname, sequence.owned_by, after=steps[0].id))
    return steps


def _owner_step(
    ctx: PlanContext,
    change: c.Change,
    name: QualifiedName,
    owner: tuple[QualifiedName, str] | None,
    after: str | None = None,
) -> Step:
    shown = f"{owner[0]}.{owner[1]}" if owner else "nobody"
    return make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.COMMENT,
        action="sequence-owner",
        subject=str(name),
        description=f"make {shown} the owner of sequence {name}",
        statements=[relations.sequence_owner(name, owner)],
        after=[after] if after else [],
    )


def drop_sequence(change: c.DropSequence, ctx: PlanContext) -> list[Step]:
    sequence = change.sequence
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.DROP_TYPE,
            action="drop-sequence",
            subject=change.subject,
            description=f"drop sequence {sequence.qname}",
            statements=[relations.drop_sequence(sequence.qname)],
            reverse=[relations.create_sequence(sequence)],
            hazards=[
                breaks_old(f"the old application version may still call nextval on {sequence.qname}"),
                not_reversible("the sequence's position is lost"),
            ],
        )
    ]


def rename_sequence(change: c.RenameSequence, ctx: PlanContext) -> list[Step]:
    old, new = change.live.qname, change.desired.qname
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.RENAME_TYPE,
            action="rename-sequence",
            subject=change.subject,
            description=f"rename sequence {old} to {new.name}",
            statements=[relations.rename_sequence(old, new.name)],
            reverse=[relations.rename_sequence(new, old.name)],
            hazards=[
                breaks_old(f"SQL naming {old} (e.g. nextval('{old}')) stops working; column defaults keep working")
            ],
        )
    ]


def alter_sequence(change: c.AlterSequence, ctx: PlanContext) -> list[Step]:
    live, desired = change.live, change.desired
    steps = []
    name = desired.qname if isinstance(change, c.AlterSequence) and live.qname == desired.qname else live.qname
    if (live.type, live.options) != (desired.type, desired.options):
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.SEQUENCE,
                action="alter-sequence",
                subject=change.subject,
                description=f"change the options of sequence {name}",
                statements=[relations.alter_sequence(_named(desired, name))],
                reverse=[relations.alter_sequence(_named(live, name))],
                locks=[Lock(LockLevel.ACCESS_EXCLUSIVE, name)],
                hazards=[
                    Hazard(
                        HazardCode.ACCESS_EXCLUSIVE_LOCK,
                        f"nextval on {name} waits while the sequence is altered (an instant once granted)",
                    )
                ],
            )
        )
    if live.owned_by != desired.owned_by and not _owner_handled_by_swap(ctx, live):
        steps.append(_owner_step(ctx, change, name, desired.owned_by))
    if live.comment != desired.comment:
        target = sql.SQL("SEQUENCE {}").format(qualified(name))
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.COMMENT,
                action="comment-sequence",
                subject=change.subject,
                description=f"set the comment of sequence {name}",
                statements=[comment_on(target, desired.comment)],
                reverse=[comment_on(target, live.comment)],
            )
        )
    return steps


def _named(sequence: Sequence, name: QualifiedName) -> Sequence:
    return type(sequence)(name.schema, name.name, sequence.type, sequence.options, sequence.owned_by, sequence.comment)


def _owner_handled_by_swap(ctx: PlanContext, live: Sequence) -> bool:
    return live.owned_by is not None and (live.owned_by[0], live.owned_by[1]) in ctx.swaps
