"""Column swaps: zero-downtime type changes and renames.

PostgreSQL rewrites the table under ACCESS EXCLUSIVE for most type changes, and a plain rename
breaks every query of the running application. Instead, per column:

expand    add the new column (the target name for a rename, a helper name for a type change),
          and a trigger that keeps it in sync with the old one on every write (for a rename in
          both directions, since either application version may write); build the indexes the
          new column will need, CONCURRENTLY;
backfill  fill the new column for existing rows in batches (the trigger covers rows written
          meanwhile, so the backfill only has to cover rows that existed when it started);
contract  NOT NULL through a validated check; then, per table in one short transaction: drop
          the triggers, carry identity and owned sequences over, drop the old column, rename the
          new one into place, attach primary key / unique constraints to the prebuilt indexes,
          rename prebuilt indexes; afterwards check and foreign-key constraints over the column
          are re-added NOT VALID and validated online.

Everything over a swapped column (indexes, constraints, foreign keys pointing at it) is planned
here, from the desired model; generic rules leave such objects alone.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from psycopg import sql

from reconciler.ddl import relations
from reconciler.ddl.statement import Statement, comment_on
from reconciler.diff import changes as c
from reconciler.model import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    IndexElement,
    PrimaryKey,
    QualifiedName,
    Table,
    UniqueConstraint,
)
from reconciler.plan import ordering as o
from reconciler.plan.context import PlanContext, helper_name
from reconciler.plan.rules.base import (
    breaks_old,
    brief_exclusive,
    exclusive,
    index_build,
    make_step,
    not_reversible,
    share_update,
)
from reconciler.plan.rules.columns import backfill_step, in_place_type_change, not_null_check_name, not_null_steps
from reconciler.plan.steps import Hazard, HazardCode, Lock, LockLevel, Phase, Step
from reconciler.sqlparse.fragments import (
    canonical_type,
    column_references,
    parse_expression,
    qualify_columns,
    rename_columns,
)

BACKFILL_SETTING = "reconciler.backfill"  # set by the executor in backfill sessions


@dataclass(frozen=True)
class ColumnSwap:
    live: Table
    desired: Table
    old: Column
    new: Column
    temp: str  # the new column's name until contract

    @property
    def renamed(self) -> bool:
        return self.old.name != self.new.name

    @property
    def forward(self) -> str:
        """The new value, computed from the row (old column names)."""
        if self.new.using is not None:
            return self.new.using
        column = sql.Identifier(self.old.name)
        if self.old.type == self.new.type:
            return column.as_string(None)
        return sql.SQL("{}::{}").format(column, sql.SQL(canonical_type(self.new.type))).as_string(None)

    @property
    def backward(self) -> str:
        """The old value, computed from the new column (when the new application writes it)."""
        column = sql.Identifier(self.temp)
        if self.old.type == self.new.type:
            return column.as_string(None)
        return sql.SQL("{}::{}").format(column, sql.SQL(canonical_type(self.old.type))).as_string(None)


def is_swap(change: c.Change) -> bool:
    if isinstance(change, c.RenameColumn):
        return change.old.generated is None and change.new.generated is None
    if isinstance(change, c.AlterColumn) and c.ColumnAlteration.TYPE in change.kinds:
        no_generated = change.old.generated is None and change.new.generated is None
        return no_generated and not in_place_type_change(change.old.type, change.new.type)
    return False


def find_swaps(changes: Iterable[c.Change]) -> dict[tuple[QualifiedName, str], ColumnSwap]:
    swaps: dict[tuple[QualifiedName, str], ColumnSwap] = {}
    for change in changes:
        if not is_swap(change):
            continue
        assert isinstance(change, c.RenameColumn | c.AlterColumn)
        taken = {col.name for col in change.live.columns} | {col.name for col in change.desired.columns}
        temp = (
            change.new.name
            if isinstance(change, c.RenameColumn)
            else _free_name(helper_name(change.new.name, "new"), taken)
        )
        swaps[(change.live.qname, change.old.name)] = ColumnSwap(
            change.live, change.desired, change.old, change.new, temp
        )
    return swaps


def _free_name(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = helper_name(name, str(n))
    return candidate


# --- what a swap owns ----------------------------------------------------------------------


def _refs(obj: object) -> set[str]:
    """Column names of its own table an index or constraint refers to."""
    names: set[str] = set()
    for field in ("columns", "include", "on_delete_set_columns"):
        value = getattr(obj, field, ())
        if value and isinstance(value[0], str):
            names.update(value)
    if isinstance(obj, CheckConstraint):
        names |= column_references(parse_expression(obj.expression))
    if isinstance(obj, Index):
        for element in obj.elements:
            if element.column:
                names.add(element.column)
            if element.expression:
                names |= column_references(parse_expression(element.expression))
        if obj.where:
            names |= column_references(parse_expression(obj.where))
    return names


def swapped_names(ctx: PlanContext, table: QualifiedName, *, desired: bool) -> dict[str, ColumnSwap]:
    """Column name (as on the given side) -> swap, for one table (named as on that side)."""
    out = {}
    for swap in ctx.swaps.values():
        assert isinstance(swap, ColumnSwap)
        if desired and swap.desired.qname == table:
            out[swap.new.name] = swap
        elif not desired and swap.live.qname == table:
            out[swap.old.name] = swap
    return out


def touches_swap(ctx: PlanContext, table: QualifiedName, obj: object, *, desired: bool) -> bool:
    """Does an index or constraint of `table` (live or desired side) involve a swapped column,
    on its own side or, for a foreign key, on the referenced side?"""
    if not ctx.swaps:
        return False
    if _refs(obj) & set(swapped_names(ctx, table, desired=desired)):
        return True
    if isinstance(obj, ForeignKey):
        return bool(set(obj.referenced_columns) & set(swapped_names(ctx, obj.references, desired=desired)))
    return False


# --- steps ---------------------------------------------------------------------------------


def swap_steps(ctx: PlanContext) -> list[Step]:
    by_table: dict[QualifiedName, list[ColumnSwap]] = defaultdict(list)
    for swap in ctx.swaps.values():
        assert isinstance(swap, ColumnSwap)
        by_table[swap.live.qname].append(swap)
    steps: list[Step] = []
    for swaps in by_table.values():
        steps += _table_swap(ctx, sorted(swaps, key=lambda s: s.old.name))
    return steps


def _function_name(swap: ColumnSwap) -> QualifiedName:
    return QualifiedName(swap.live.schema, helper_name(f"{swap.live.name}_{swap.old.name}", "rc_sync"))


def _trigger_body(swap: ColumnSwap) -> sql.Composed:
    def new(text: str) -> sql.SQL:
        return sql.SQL(qualify_columns(text, "new"))

    if not swap.renamed:  # the helper column is written by nobody but this trigger
        return sql.SQL("BEGIN NEW.{} := {}; RETURN NEW; END").format(sql.Identifier(swap.temp), new(swap.forward))
    old_col, new_col = sql.Identifier(swap.old.name), sql.Identifier(swap.temp)
    return sql.SQL(
        "BEGIN "
        "IF current_setting({setting}, true) = 'on' THEN RETURN NEW; END IF; "
        "IF TG_OP = 'INSERT' THEN "
        "IF NEW.{n} IS NOT NULL THEN NEW.{o} := {backward}; ELSE NEW.{n} := {forward}; END IF; "
        "ELSIF NEW.{n} IS DISTINCT FROM OLD.{n} THEN NEW.{o} := {backward}; "
        "ELSIF NEW.{o} IS DISTINCT FROM OLD.{o} THEN NEW.{n} := {forward}; "
        "END IF; RETURN NEW; END"
    ).format(
        setting=sql.Literal(BACKFILL_SETTING),
        n=new_col,
        o=old_col,
        forward=new(swap.forward),
        backward=new(swap.backward),
    )


def _prepare(ctx: PlanContext, swap: ColumnSwap) -> list[Step]:
    table = swap.live.qname
    subject = f"{swap.desired.qname}.{swap.new.name}"
    change = f"{'RenameColumn' if swap.renamed else 'AlterColumn'} {subject}"
    helper = Column(
        swap.temp,
        swap.new.type,
        nullable=True,
        collation=swap.new.collation,
        comment=swap.new.comment if swap.renamed else None,
    )
    what = f"new column {swap.temp}" if swap.renamed else f"helper column {swap.temp} ({swap.new.type})"
    function = _function_name(swap)
    add = make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.SWAP_PREPARE,
        action="add-column",
        subject=f"{table}.{swap.temp}",
        description=f"add {what} beside {table}.{swap.old.name}",
        statements=[relations.add_column(table, helper)],
        reverse=[relations.drop_column(table, swap.temp)],
        locks=[exclusive(table)],
        hazards=[brief_exclusive(ctx, table)],
    )
    direction = "both ways" if swap.renamed else f"from {swap.old.name}"
    hazards = [
        Hazard(HazardCode.LONG_RUNNING, f"every write to {table} runs the sync trigger until the contract phase")
    ]
    if swap.old.type != swap.new.type or swap.new.using is not None:
        hazards.append(
            Hazard(
                HazardCode.MAY_FAIL,
                f"writes of {swap.old.name} values that `{swap.forward}` cannot convert to {swap.new.type} fail from "
                "this step on",
                "make sure the old application version only writes convertible values",
            )
        )
    if swap.new.using is None and zone_dependent(swap.old.type, swap.new.type):
        hazards.append(
            Hazard(
                HazardCode.TIMEZONE_DEPENDENT,
                f"converting {swap.old.name} from {swap.old.type} to {swap.new.type} interprets its values in the "
                "TimeZone of the converting session: the sync trigger's is the writing application's, the backfill's "
                "reconciler's",
                f"state the zone the values were written in: using: \"{swap.old.name} AT TIME ZONE 'UTC'\"",
            )
        )
    sync = make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.SWAP_TRIGGER,
        action="sync-trigger",
        subject=f"{table}.{swap.temp}",
        description=f"keep {swap.temp} in sync {direction} on every insert and update of {table}",
        statements=[
            relations.sync_trigger_function(function, _trigger_body(swap)),
            relations.create_trigger(table, function.name, function),
        ],
        reverse=[relations.drop_trigger(table, function.name), relations.drop_function(function)],
        locks=[Lock(LockLevel.SHARE_ROW_EXCLUSIVE, table)],
        after=[add.id],
        hazards=hazards,
    )
    return [add, sync]


# Date and time types, and whether they carry a time zone (conversions between the two kinds
# depend on the session's TimeZone setting).
_ZONED = {
    "timestamp with time zone": True,
    "timestamptz": True,
    "time with time zone": True,
    "timetz": True,
    "timestamp without time zone": False,
    "timestamp": False,
    "time without time zone": False,
    "time": False,
    "date": False,
}
_TYPMOD = re.compile(r"\(\s*\d+\s*\)")


def zone_dependent(old: str, new: str) -> bool:
    """Whether converting `old` to `new` depends on the session's TimeZone (timestamp to
    timestamptz, date to timestamptz, time to timetz, and back), whatever the precision."""

    def zoned(text: str) -> bool | None:
        return _ZONED.get(" ".join(_TYPMOD.sub("", text.lower().removeprefix("pg_catalog.")).split()))

    before, after = zoned(old), zoned(new)
    return before is not None and after is not None and before != after


def _prebuilt_index_name(name: str) -> str:
    return helper_name(name, "rc_new")


def _on_helpers(index: Index, mapping: dict[str, str]) -> Index:
    """An index definition of the desired table, rewritten over the helper columns."""
    elements = tuple(
        dataclasses.replace(e, column=mapping.get(e.column, e.column))
        if e.column
        else dataclasses.replace(e, expression=rename_columns(e.expression or "", mapping))
        for e in index.elements
    )
    return dataclasses.replace(
        index,
        name=_prebuilt_index_name(index.name),
        elements=elements,
        include=tuple(mapping.get(n, n) for n in index.include),
        where=rename_columns(index.where, mapping) if index.where else None,
        comment=None,
    )


def _key_index(constraint: PrimaryKey | UniqueConstraint) -> Index:
    return Index(
        name=constraint.name,
        elements=tuple(IndexElement(column=col) for col in constraint.columns),
        unique=True,
        include=constraint.include,
        nulls_not_distinct=isinstance(constraint, UniqueConstraint) and constraint.nulls_not_distinct,
    )


def _table_swap(ctx: PlanContext, swaps: list[ColumnSwap]) -> list[Step]:
    live, desired = swaps[0].live, swaps[0].desired
    table = live.qname
    mapping = {s.new.name: s.temp for s in swaps}  # desired names -> names during expand
    steps: list[Step] = []
    for swap in swaps:
        steps += _prepare(ctx, swap)
    owned_keys = [
        k
        for k in desired.constraints()
        if isinstance(k, PrimaryKey | UniqueConstraint) and touches_swap(ctx, desired.qname, k, desired=True)
    ]
    owned_indexes = [i for i in desired.indexes if touches_swap(ctx, desired.qname, i, desired=True)]
    prebuilt: list[tuple[Index, PrimaryKey | UniqueConstraint | Index]]
    prebuilt = [(_on_helpers(_key_index(k), mapping), k) for k in owned_keys]
    prebuilt += [(_on_helpers(i, mapping), i) for i in owned_indexes]
    for index, target in prebuilt:
        steps.append(
            make_step(
                ctx,
                f"swap {table}",
                phase=Phase.EXPAND,
                order=o.CREATE_INDEX,
                action="create-index",
                subject=f"{table.schema}.{index.name}",
                description=f"build index {index.name} on the new column(s) of {table}, for {target.name}",
                statements=[relations.create_index_on(table, index, concurrently=True)],
                transactional=False,
                reverse=[relations.drop_index(table.schema, index.name, concurrently=True)],
                locks=[share_update(table)],
                hazards=[index_build(ctx, table)],
                long_running=True,
                builds_index=QualifiedName(table.schema, index.name),
            )
        )
    assignments = [(s.temp, s.forward) for s in swaps]
    condition = (
        sql.SQL(" OR ")
        .join(
            sql.SQL("({} IS NULL AND {} IS NOT NULL)").format(sql.Identifier(s.temp), sql.Identifier(s.old.name))
            for s in swaps
        )
        .as_string(None)
    )
    steps.append(
        backfill_step(ctx, f"swap {table}", live, assignments, condition, str(table), ", ".join(s.temp for s in swaps))
    )
    for swap in swaps:
        if not swap.new.nullable:
            steps += not_null_steps(ctx, f"swap {table}", live, swap.temp, final_name=swap.new.name)
    owned_checks = [k for k in desired.checks if touches_swap(ctx, desired.qname, k, desired=True)]
    steps.append(
        _swap_step(
            ctx, swaps, owned_keys, [i for i, t in prebuilt if isinstance(t, Index)], owned_indexes, owned_checks
        )
    )
    return steps


def _swap_step(
    ctx: PlanContext,
    swaps: list[ColumnSwap],
    keys: list[PrimaryKey | UniqueConstraint],
    prebuilt: list[Index],
    targets: list[Index],
    checks: list[CheckConstraint],
) -> Step:
    live = swaps[0].live
    table = ctx.table_name(live, Phase.CONTRACT)
    statements: list[Statement] = []
    for swap in swaps:
        function = _function_name(swap)
        statements += [relations.drop_trigger(table, function.name), relations.drop_function(function)]
    for swap in swaps:
        statements += _move_column(ctx, table, swap)
    for key in keys:
        statements.append(relations.add_constraint_using_index(table, key, _prebuilt_index_name(key.name)))
    for index, target in zip(prebuilt, targets, strict=False):
        statements.append(relations.rename_index(table.schema, index.name, target.name))
    # checks over the old column went with it: back at once, NOT VALID (new writes checked), validated after
    statements += [relations.add_constraint_to(table, check, not_valid=True) for check in checks]
    renamed = [s for s in swaps if s.renamed]
    hazards = [
        brief_exclusive(ctx, table),
        not_reversible("the old column is dropped; its values live on, converted, in the new one"),
    ]
    if renamed:
        names = ", ".join(s.old.name for s in renamed)
        hazards.append(breaks_old(f"the old application version still uses {names}"))
    retyped = [s for s in swaps if s.old.type != s.new.type]
    if retyped:
        hazards.append(
            breaks_old(
                "the old application version sees the new column type(s): "
                + ", ".join(f"{s.new.name} {s.new.type}" for s in retyped)
            )
        )
        hazards.append(
            Hazard(
                HazardCode.MAY_FAIL,
                f"sessions holding prepared statements over {table} get 'cached plan must not change result type' "
                "once after the swap",
                "most drivers re-prepare on retry; reconnect pools that do not",
            )
        )
    described = ", ".join(
        f"{s.old.name} -> {s.new.name} {s.new.type}" if s.renamed else f"{s.new.name} {s.old.type} -> {s.new.type}"
        for s in swaps
    )
    return make_step(
        ctx,
        f"swap {live.qname}",
        phase=Phase.CONTRACT,
        order=o.SWAP,
        action="swap-columns",
        subject=str(live.qname),
        description=f"swap in the new column(s) of {table}: {described}",
        statements=statements,
        locks=[exclusive(table)],
        hazards=hazards,
    )


def _move_column(ctx: PlanContext, table: QualifiedName, swap: ColumnSwap) -> list[Statement]:
    new, temp = swap.new, swap.temp
    statements: list[Statement] = []
    if not new.nullable:
        statements += [
            relations.set_not_null(table, temp, True),
            relations.drop_constraint(table, not_null_check_name(table.name, new.name)),
        ]
    if new.identity is not None:
        statements.append(relations.add_identity(table, temp, new.identity.generation, new.identity.options))
        previous = swap.old.name if swap.old.identity is not None else None
        statements.append(relations.continue_identity(table, temp, previous))
    owned = [s for s in ctx.live.catalog.sequences if s.owned_by == (swap.live.qname, swap.old.name)]
    statements += [relations.sequence_owner(s.qname, None) for s in owned]
    statements.append(relations.drop_column(table, swap.old.name))
    if temp != new.name:
        statements.append(relations.rename_column(table, temp, new.name))
    if new.default is not None and new.identity is None:
        statements.append(relations.set_default(table, new.name, new.default))
    for sequence in owned:
        wanted = ctx.desired.sequence(sequence.qname)
        if wanted is not None and wanted.owned_by is not None:
            statements.append(relations.sequence_owner(sequence.qname, wanted.owned_by))
    if new.comment is not None and not swap.renamed:
        statements.append(comment_on(relations.column_target(Table(table.schema, table.name), new.name), new.comment))
    return statements


def readded_checks(ctx: PlanContext) -> list[Step]:
    """Check constraints over swapped columns go with the old column and come back NOT VALID in
    the swap's own transaction; here they are validated against the existing rows."""
    steps: list[Step] = []
    seen: set[QualifiedName] = set()
    for swap in ctx.swaps.values():
        assert isinstance(swap, ColumnSwap)
        if swap.desired.qname in seen:
            continue
        seen.add(swap.desired.qname)
        table = ctx.table_name(swap.live, Phase.CONTRACT)
        for check in swap.desired.checks:
            if touches_swap(ctx, swap.desired.qname, check, desired=True) and not check.not_valid:
                steps.append(
                    make_step(
                        ctx,
                        f"swap {swap.live.qname}",
                        phase=Phase.CONTRACT,
                        order=o.READD_VALIDATE,
                        action="validate",
                        subject=f"{table}.{check.name}",
                        description=(
                            f"validate check {check.name} on existing rows of {table} (reads and writes continue)"
                        ),
                        statements=[relations.validate_constraint(table, check.name)],
                        locks=[share_update(table)],
                        long_running=True,
                        hazards=[
                            Hazard(HazardCode.MAY_FAIL, f"fails if existing rows of {table} violate {check.name}")
                        ],
                    )
                )
    return steps


def readd_constraint(
    ctx: PlanContext, change: str, table: QualifiedName, constraint: CheckConstraint | ForeignKey
) -> list[Step]:
    """Add a check or foreign key NOT VALID late in the contract phase, then validate it."""
    subject = f"{table}.{constraint.name}"
    locks = (
        [exclusive(table)]
        if isinstance(constraint, CheckConstraint)
        else [Lock(LockLevel.SHARE_ROW_EXCLUSIVE, table), Lock(LockLevel.SHARE_ROW_EXCLUSIVE, constraint.references)]
    )
    add = make_step(
        ctx,
        change,
        phase=Phase.CONTRACT,
        order=o.READD_CONSTRAINT,
        action="add-constraint",
        subject=subject,
        description=f"add {_kind(constraint)} {constraint.name} on {table} (NOT VALID: new writes are checked at once)",
        statements=[relations.add_constraint_to(table, constraint, not_valid=True)],
        reverse=[relations.drop_constraint(table, constraint.name)],
        locks=locks,
        hazards=[Hazard(HazardCode.MAY_FAIL, f"between its removal and this step, {constraint.name} was not enforced")],
    )
    if constraint.not_valid:
        return [add]
    validate = make_step(
        ctx,
        change,
        phase=Phase.CONTRACT,
        order=o.READD_VALIDATE,
        action="validate",
        subject=subject,
        description=(
            f"validate {_kind(constraint)} {constraint.name} on existing rows of {table} (reads and writes continue)"
        ),
        statements=[relations.validate_constraint(table, constraint.name)],
        locks=[share_update(table)],
        long_running=True,
        hazards=[Hazard(HazardCode.MAY_FAIL, f"fails if existing rows of {table} violate {constraint.name}")],
        after=[add.id],
    )
    return [add, validate]


def _kind(constraint: object) -> str:
    return "foreign key" if isinstance(constraint, ForeignKey) else "check"


def _helper_columns(ctx: PlanContext, table: QualifiedName, columns: tuple[str, ...]) -> tuple[str, ...]:
    """Desired column names of `table`, as they are named before the swap (helper names)."""
    swapped = swapped_names(ctx, table, desired=True)
    return tuple(swapped[name].temp if name in swapped else name for name in columns)


def foreign_key_over_helpers(
    ctx: PlanContext, desired: Table, fk: ForeignKey, live: Table | None, live_fk: ForeignKey | None
) -> list[Step]:
    """A foreign key over swapped columns, rebuilt without a moment unenforced: added NOT VALID
    over the helper columns (the referenced ones have their unique index prebuilt), validated,
    and only then is the old one dropped; after the swaps it takes its final name."""
    table = ctx.table_name(live, Phase.CONTRACT) if live is not None else desired.qname
    target = fk.references
    helper = helper_name(fk.name, "rc_new")
    interim = dataclasses.replace(
        fk,
        name=helper,
        columns=_helper_columns(ctx, desired.qname, fk.columns),
        referenced_columns=_helper_columns(ctx, target, fk.referenced_columns),
        on_delete_set_columns=_helper_columns(ctx, desired.qname, fk.on_delete_set_columns),
        comment=None,
    )
    change = f"recreate {desired.qname}.{fk.name}"
    subject = f"{desired.qname}.{fk.name}"
    write_locks = [Lock(LockLevel.SHARE_ROW_EXCLUSIVE, table), Lock(LockLevel.SHARE_ROW_EXCLUSIVE, target)]
    steps = [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.SWAP_FOREIGN_KEY,
            action="add-constraint",
            subject=subject,
            description=(
                f"add foreign key {helper} on {table} over the new column(s), NOT VALID (new writes checked at once)"
            ),
            statements=[relations.add_constraint_to(table, interim, not_valid=True)],
            reverse=[relations.drop_constraint(table, helper)],
            locks=write_locks,
            hazards=[
                Hazard(
                    HazardCode.ACCESS_EXCLUSIVE_LOCK,
                    f"takes SHARE ROW EXCLUSIVE on {table} and {target} (writes wait, briefly)",
                )
            ],
        ),
    ]
    if not fk.not_valid:
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.CONTRACT,
                order=o.SWAP_FOREIGN_KEY_VALIDATE,
                action="validate",
                subject=subject,
                description=f"validate foreign key {helper} on existing rows of {table} (reads and writes continue)",
                statements=[relations.validate_constraint(table, helper)],
                locks=[share_update(table), Lock(LockLevel.ROW_SHARE, target)],
                long_running=True,
                hazards=[Hazard(HazardCode.MAY_FAIL, f"fails if rows of {table} reference missing rows of {target}")],
                after=[steps[0].id],
            )
        )
    if live_fk is not None and live is not None:
        old_target = ctx.table_name(live_fk.references, Phase.CONTRACT)
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.CONTRACT,
                order=o.DROP_REPLACED_FOREIGN_KEY,
                action="drop-foreign-key",
                subject=f"{table}.{live_fk.name}",
                description=(
                    f"drop the old foreign key {live_fk.name} of {table} ({helper} enforces the relationship now)"
                ),
                statements=[relations.drop_constraint(table, live_fk.name)],
                reverse=[relations.add_constraint_to(table, live_fk, not_valid=True)],
                locks=[exclusive(table)] + ([exclusive(old_target)] if old_target != table else []),
                hazards=[brief_exclusive(ctx, table)],
                after=[steps[-1].id],
            )
        )
    steps.append(
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.SWAP_FOREIGN_KEY_RENAME,
            action="rename-constraint",
            subject=subject,
            description=f"rename foreign key {helper} of {table} to {fk.name}",
            statements=[relations.rename_constraint(table, helper, fk.name)]
            + (
                [comment_on(relations.constraint_target(Table(table.schema, table.name), fk.name), fk.comment)]
                if fk.comment
                else []
            ),
            reverse=[relations.rename_constraint(table, fk.name, helper)],
            locks=[exclusive(table)],
            hazards=[brief_exclusive(ctx, table)],
        )
    )
    return steps
