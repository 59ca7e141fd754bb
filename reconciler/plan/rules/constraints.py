"""Rules for constraints.

Online forms:
- CHECK and FOREIGN KEY: added NOT VALID (catalog only: new writes are checked at once), then
  VALIDATE CONSTRAINT scans existing rows under SHARE UPDATE EXCLUSIVE, so reads and writes go on;
- UNIQUE: a unique index built CONCURRENTLY, then ADD CONSTRAINT ... USING INDEX (catalog only);
- PRIMARY KEY: the same, in the contract phase, once its columns are NOT NULL through a
  validated check (otherwise ADD PRIMARY KEY would scan under ACCESS EXCLUSIVE);
- a changed definition under the same name: the new one is built beside the old one under a
  helper name and renamed into place after the old one is dropped.

Foreign keys that depend on something being rebuilt (a swapped column on either side, or the
referenced key being replaced or dropped) are dropped early in the contract phase and added
again NOT VALID + VALIDATE at its end: `find_recreations` decides which, and generic rules leave
them alone.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.ddl import relations
from reconciler.ddl.statement import comment_on
from reconciler.diff import changes as c
from reconciler.model import (
    CheckConstraint,
    ForeignKey,
    Index,
    IndexElement,
    PrimaryKey,
    QualifiedName,
    Table,
    UniqueConstraint,
)
from reconciler.model.objects import Constraint
from reconciler.plan import ordering as o
from reconciler.plan.context import PlanContext, helper_name
from reconciler.plan.rules.base import (
    breaks_old,
    brief_exclusive,
    exclusive,
    index_build,
    make_step,
    share_update,
    validation_scan,
)
from reconciler.plan.rules.swap import foreign_key_over_helpers, readd_constraint, touches_swap
from reconciler.plan.steps import Hazard, HazardCode, Lock, LockLevel, Phase, Step


@dataclass(frozen=True)
class FkRecreation:
    live_table: Table | None
    live_fk: ForeignKey | None
    desired_table: Table | None
    desired_fk: ForeignKey | None
    over_swap: bool  # a swapped column on either side: rebuilt over the helper columns (see rules.swap)


def _affected_keys(changes: Iterable[c.Change]) -> dict[QualifiedName, list[frozenset[str]]]:
    """Per live table, the column sets of unique keys that are replaced or dropped."""
    keys: dict[QualifiedName, list[frozenset[str]]] = {}
    for change in changes:
        if not isinstance(change, c.TableChange):
            continue
        old: object = None
        if isinstance(change, c.ReplaceConstraint | c.ReplaceIndex):
            old = change.old
        elif isinstance(change, c.DropConstraint):
            old = change.constraint
        elif isinstance(change, c.DropIndex):
            old = change.index
        if isinstance(old, PrimaryKey | UniqueConstraint):
            keys.setdefault(change.live.qname, []).append(frozenset(old.columns))
        elif isinstance(old, Index) and old.unique and all(e.column for e in old.elements):
            keys.setdefault(change.live.qname, []).append(frozenset(e.column for e in old.elements if e.column))
    return keys


def new_primary_keys(changes: Iterable[c.Change]) -> set[tuple[QualifiedName, frozenset[str]]]:
    """Primary keys this plan attaches in the contract phase: a foreign key to one waits for it."""
    keys = set()
    for change in changes:
        if not isinstance(change, c.TableChange):
            continue
        new = (
            change.constraint
            if isinstance(change, c.AddConstraint)
            else change.new
            if isinstance(change, c.ReplaceConstraint)
            else None
        )
        if isinstance(new, PrimaryKey):
            keys.add((change.desired.qname, frozenset(new.columns)))
    return keys


def find_recreations(changes: list[c.Change], ctx: PlanContext) -> dict[tuple[str, QualifiedName, str], FkRecreation]:
    affected = _affected_keys(changes)
    found: dict[tuple[str, QualifiedName, str], FkRecreation] = {}
    for table in ctx.live.catalog.tables:
        twin = ctx.desired_twin(table)
        for fk in table.foreign_keys:
            key_rebuilt = frozenset(fk.referenced_columns) in affected.get(fk.references, [])
            over_swap = touches_swap(ctx, table.qname, fk, desired=False)
            if key_rebuilt or over_swap:
                desired_fk = _twin_fk(twin, fk) if twin is not None else None
                if desired_fk is not None and twin is not None:
                    over_swap = over_swap or touches_swap(ctx, twin.qname, desired_fk, desired=True)
                found[("live", table.qname, fk.name)] = FkRecreation(table, fk, twin, desired_fk, over_swap)
    for table in ctx.desired.tables:
        live_table = ctx.live.catalog.table(table.renamed_from or table.qname) or ctx.live.catalog.table(table.qname)
        for fk in table.foreign_keys:
            if not touches_swap(ctx, table.qname, fk, desired=True) and not _pairs_with_found(found, table, fk):
                continue
            live_fk = (
                next((f for f in live_table.foreign_keys if f.name in (fk.name, fk.renamed_from)), None)
                if live_table
                else None
            )
            over_swap = touches_swap(ctx, table.qname, fk, desired=True) or (
                live_fk is not None
                and live_table is not None
                and touches_swap(ctx, live_table.qname, live_fk, desired=False)
            )
            found[("desired", table.qname, fk.name)] = FkRecreation(
                live_table if live_fk else None, live_fk, table, fk, over_swap
            )
    return found


def _twin_fk(desired: Table, live_fk: ForeignKey) -> ForeignKey | None:
    return next((f for f in desired.foreign_keys if f.name == live_fk.name or f.renamed_from == live_fk.name), None)


def _pairs_with_found(found: dict[tuple[str, QualifiedName, str], FkRecreation], table: Table, fk: ForeignKey) -> bool:
    return any(
        r.desired_fk is not None
        and r.desired_table is not None
        and r.desired_table.qname == table.qname
        and r.desired_fk.name == fk.name
        for r in found.values()
    )


def is_recreated(ctx: PlanContext, table: QualifiedName, fk: Constraint, *, desired: bool) -> bool:
    if not isinstance(fk, ForeignKey):
        return False
    for recreation in ctx.recreated_fks.values():
        assert isinstance(recreation, FkRecreation)
        if (
            desired
            and recreation.desired_table is not None
            and recreation.desired_table.qname == table
            and recreation.desired_fk is not None
            and recreation.desired_fk.name == fk.name
        ):
            return True
        if (
            not desired
            and recreation.live_table is not None
            and recreation.live_table.qname == table
            and recreation.live_fk is not None
            and recreation.live_fk.name == fk.name
        ):
            return True
    return False


def recreation_steps(ctx: PlanContext) -> list[Step]:
    steps: list[Step] = []
    done: set[tuple[QualifiedName, str]] = set()
    for recreation in ctx.recreated_fks.values():
        assert isinstance(recreation, FkRecreation)
        if recreation.over_swap and recreation.desired_fk is not None and recreation.desired_table is not None:
            key = (recreation.desired_table.qname, "+" + recreation.desired_fk.name)
            if key not in done:
                done.add(key)
                steps += foreign_key_over_helpers(
                    ctx, recreation.desired_table, recreation.desired_fk, recreation.live_table, recreation.live_fk
                )
            if recreation.live_fk is not None and recreation.live_table is not None:
                done.add((recreation.live_table.qname, recreation.live_fk.name))
            continue
        if recreation.live_fk is not None and recreation.live_table is not None:
            key = (recreation.live_table.qname, recreation.live_fk.name)
            if key not in done:
                done.add(key)
                steps.append(_drop_fk_early(ctx, recreation.live_table, recreation.live_fk))
        if recreation.desired_fk is not None and recreation.desired_table is not None:
            key = (recreation.desired_table.qname, "+" + recreation.desired_fk.name)
            if key not in done:
                done.add(key)
                steps += readd_constraint(
                    ctx,
                    f"recreate {recreation.desired_table.qname}.{recreation.desired_fk.name}",
                    recreation.desired_table.qname,
                    recreation.desired_fk,
                )
    return steps


def _drop_fk_early(ctx: PlanContext, live: Table, fk: ForeignKey) -> Step:
    table = ctx.table_name(live, Phase.CONTRACT)
    target = ctx.table_name(fk.references, Phase.CONTRACT)
    return make_step(
        ctx,
        f"recreate {live.qname}.{fk.name}",
        phase=Phase.CONTRACT,
        order=o.DROP_FOREIGN_KEY,
        action="drop-foreign-key",
        subject=f"{table}.{fk.name}",
        description=f"drop foreign key {fk.name} of {table} while the key it references is rebuilt",
        statements=[relations.drop_constraint(table, fk.name)],
        reverse=[relations.add_constraint_to(table, fk, not_valid=True)],
        locks=foreign_key_drop_locks(table, target),  # its triggers live on both tables
        hazards=[
            brief_exclusive(ctx, table),
            brief_exclusive(ctx, target),
            Hazard(HazardCode.MAY_FAIL, f"{fk.name} is not enforced until it is added again later in this phase"),
        ],
    )


def foreign_key_drop_locks(table: QualifiedName, target: QualifiedName) -> list[Lock]:
    """Dropping a foreign key removes its triggers from both tables: ACCESS EXCLUSIVE on each."""
    return [exclusive(table)] + ([exclusive(target)] if target != table else [])


# --- generic constraint rules --------------------------------------------------------------


def _kind(constraint: Constraint) -> str:
    return {
        PrimaryKey: "primary key",
        UniqueConstraint: "unique constraint",
        CheckConstraint: "check",
        ForeignKey: "foreign key",
    }[type(constraint)]


def _key_index(constraint: PrimaryKey | UniqueConstraint, name: str) -> Index:
    return Index(
        name=name,
        elements=tuple(IndexElement(column=col) for col in constraint.columns),
        unique=True,
        include=constraint.include,
        nulls_not_distinct=isinstance(constraint, UniqueConstraint) and constraint.nulls_not_distinct,
    )


def _build_key_index(
    ctx: PlanContext, change: c.Change, table: QualifiedName, constraint: PrimaryKey | UniqueConstraint, name: str
) -> Step:
    index = _key_index(constraint, name)
    columns = ", ".join(constraint.columns)
    return make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.CREATE_INDEX,
        action="create-index",
        subject=f"{table.schema}.{name}",
        description=f"build unique index {name} on {table} ({columns}) for {_kind(constraint)} {constraint.name}",
        statements=[relations.create_index_on(table, index, concurrently=True)],
        transactional=False,
        reverse=[relations.drop_index(table.schema, name, concurrently=True)],
        locks=[share_update(table)],
        long_running=True,
        hazards=[
            index_build(ctx, table),
            Hazard(
                HazardCode.MAY_FAIL,
                f"fails if {table} holds duplicate ({columns}) values; "
                "the invalid index left behind is dropped before a retry",
            ),
            breaks_old(f"writes of a duplicate ({columns}) fail once the index is built"),
        ],
        builds_index=QualifiedName(table.schema, name),
    )


def _attach_key(
    ctx: PlanContext,
    change: c.Change,
    phase: Phase,
    table: QualifiedName,
    constraint: PrimaryKey | UniqueConstraint,
    index: str,
    after: str,
) -> Step:
    pk = isinstance(constraint, PrimaryKey)
    order = (
        (o.PRIMARY_KEY_USING_INDEX if pk else o.RENAME_INTO_PLACE) if phase == Phase.CONTRACT else o.UNIQUE_USING_INDEX
    )
    return make_step(
        ctx,
        change,
        phase=phase,
        order=order,
        action="attach-constraint",
        subject=f"{table}.{constraint.name}",
        description=f"make index {index} the {_kind(constraint)} {constraint.name} of {table} (no scan)",
        statements=[relations.add_constraint_using_index(table, constraint, index)],
        reverse=[relations.drop_constraint(table, constraint.name)],
        locks=[exclusive(table)],
        hazards=[brief_exclusive(ctx, table)],
        after=[after],
    )


def _add_not_valid(
    ctx: PlanContext, change: c.Change, table: QualifiedName, constraint: CheckConstraint | ForeignKey
) -> list[Step]:
    subject = f"{table}.{constraint.name}"
    phase, add_rank, validate_rank = Phase.EXPAND, o.ADD_CONSTRAINT_NOT_VALID, o.VALIDATE
    if isinstance(constraint, ForeignKey):
        locks = [Lock(LockLevel.SHARE_ROW_EXCLUSIVE, table), Lock(LockLevel.SHARE_ROW_EXCLUSIVE, constraint.references)]
        hazards = [
            Hazard(
                HazardCode.ACCESS_EXCLUSIVE_LOCK,
                f"takes SHARE ROW EXCLUSIVE on {table} and {constraint.references} (writes wait, for milliseconds once "
                f"granted; at most {ctx.settings.lock_timeout_ms} ms for the lock, then it backs off)",
            ),
            breaks_old(f"writes to {table} that violate {constraint.name} fail from this step on"),
        ]
        add_rank, validate_rank = o.ADD_FOREIGN_KEY, o.VALIDATE_FOREIGN_KEY  # after the unique keys they reference
        if (constraint.references, frozenset(constraint.referenced_columns)) in ctx.new_primary_keys:
            phase, add_rank, validate_rank = (
                Phase.CONTRACT,
                o.READD_CONSTRAINT,
                o.READD_VALIDATE,
            )  # its key is attached in contract
            table = ctx.table_name(table, Phase.CONTRACT)
    else:
        locks = [exclusive(table)]
        hazards = [
            brief_exclusive(ctx, table),
            breaks_old(f"writes that violate {constraint.name} fail from this step on"),
        ]
    steps = [
        make_step(
            ctx,
            change,
            phase=phase,
            order=add_rank,
            action="add-constraint",
            subject=subject,
            description=f"add {_kind(constraint)} {constraint.name} on {table} NOT VALID (new writes checked, no scan)",
            statements=[relations.add_constraint_to(table, constraint, not_valid=True)],
            reverse=[relations.drop_constraint(table, constraint.name)],
            locks=locks,
            hazards=hazards,
        )
    ]
    if not constraint.not_valid:
        locks = [share_update(table)] + (
            [Lock(LockLevel.ROW_SHARE, constraint.references)] if isinstance(constraint, ForeignKey) else []
        )
        steps.append(
            make_step(
                ctx,
                change,
                phase=phase,
                order=validate_rank,
                action="validate",
                subject=subject,
                description=(
                    f"validate {_kind(constraint)} {constraint.name} on existing rows of {table} (reads and writes "
                    "continue)"
                ),
                statements=[relations.validate_constraint(table, constraint.name)],
                locks=locks,
                long_running=True,
                hazards=[
                    validation_scan(ctx, table),
                    Hazard(
                        HazardCode.MAY_FAIL,
                        f"fails if existing rows of {table} violate {constraint.name}",
                        "fix those rows, or declare the constraint `notValid: true`",
                    ),
                ],
                after=[steps[0].id],
            )
        )
    return steps


def add_constraint(change: c.AddConstraint, ctx: PlanContext) -> list[Step]:
    constraint = change.constraint
    table = change.live.qname
    if isinstance(constraint, CheckConstraint | ForeignKey):
        return _add_not_valid(ctx, change, table, constraint)
    build = _build_key_index(ctx, change, table, constraint, constraint.name)
    phase = Phase.CONTRACT if isinstance(constraint, PrimaryKey) else Phase.EXPAND
    attach_table = ctx.table_name(change.live, phase)
    return [build, _attach_key(ctx, change, phase, attach_table, constraint, constraint.name, build.id)]


def drop_constraint(change: c.DropConstraint, ctx: PlanContext) -> list[Step]:
    """Dropping a check or foreign key only relaxes what may be written: the old application
    cannot notice, so it happens in expand (the new version may need it gone). Dropping a unique
    key or primary key can break the old version's ON CONFLICT: contract."""
    constraint = change.constraint
    relaxing = isinstance(constraint, CheckConstraint | ForeignKey)
    phase = Phase.EXPAND if relaxing else Phase.CONTRACT
    table = ctx.table_name(change.live, phase)
    hazards = [brief_exclusive(ctx, table)]
    if isinstance(constraint, PrimaryKey | UniqueConstraint):
        hazards.append(breaks_old(f"INSERT ... ON CONFLICT over {', '.join(constraint.columns)} stops working"))
    locks = [exclusive(table)]
    if isinstance(constraint, ForeignKey):
        target = ctx.table_name(constraint.references, phase)
        locks = foreign_key_drop_locks(table, target)
        if target != table:
            hazards.append(brief_exclusive(ctx, target))
    return [
        make_step(
            ctx,
            change,
            phase=phase,
            order=o.RELAX_CONSTRAINT if relaxing else o.DROP_CONSTRAINT,
            action="drop-constraint",
            subject=change.subject,
            description=f"drop {_kind(constraint)} {constraint.name} of {table}",
            statements=[relations.drop_constraint(table, constraint.name)],
            reverse=[relations.add_constraint_to(table, constraint, not_valid=True)],
            locks=locks,
            hazards=hazards,
        )
    ]


def rename_constraint(change: c.RenameConstraint, ctx: PlanContext) -> list[Step]:
    table = ctx.table_name(change.live, Phase.CONTRACT)
    old, new = change.old.name, change.new.name
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.RENAME_INTO_PLACE,
            action="rename-constraint",
            subject=change.subject,
            description=f"rename {_kind(change.new)} {old} of {table} to {new}",
            statements=[relations.rename_constraint(table, old, new)],
            reverse=[relations.rename_constraint(table, new, old)],
            locks=[exclusive(table)],
            hazards=[
                brief_exclusive(ctx, table),
                breaks_old(f"SQL naming constraint {old} (e.g. ON CONFLICT ON CONSTRAINT) stops working"),
            ],
        )
    ]


def replace_constraint(change: c.ReplaceConstraint, ctx: PlanContext) -> list[Step]:
    """Build the new definition beside the old one, then swap names in the contract phase."""
    old, new = change.old, change.new
    table = change.live.qname
    contract_table = ctx.table_name(change.live, Phase.CONTRACT)
    helper = helper_name(new.name, "rc_new") if old.name == new.name else new.name
    steps: list[Step] = []
    if isinstance(new, CheckConstraint | ForeignKey):
        steps += _add_not_valid(ctx, change, table, _renamed(new, helper))
    else:
        steps.append(_build_key_index(ctx, change, table, new, helper))
    steps.append(
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.DROP_FOREIGN_KEY if isinstance(old, ForeignKey) else o.DROP_CONSTRAINT,
            action="drop-constraint",
            subject=f"{contract_table}.{old.name}",
            description=f"drop the old definition of {_kind(old)} {old.name} of {contract_table}",
            statements=[relations.drop_constraint(contract_table, old.name)],
            reverse=[relations.add_constraint_to(contract_table, old, not_valid=True)],
            locks=[exclusive(contract_table)],
            hazards=[brief_exclusive(ctx, contract_table)],
        )
    )
    if isinstance(new, PrimaryKey | UniqueConstraint):
        steps.append(_attach_key(ctx, change, Phase.CONTRACT, contract_table, new, helper, steps[-1].id))
    elif helper != new.name:
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.CONTRACT,
                order=o.RENAME_INTO_PLACE,
                action="rename-constraint",
                subject=change.subject,
                description=f"rename {helper} to {new.name} on {contract_table}",
                statements=[relations.rename_constraint(contract_table, helper, new.name)],
                reverse=[relations.rename_constraint(contract_table, new.name, helper)],
                locks=[exclusive(contract_table)],
                hazards=[brief_exclusive(ctx, contract_table)],
                after=[steps[-1].id],
            )
        )
    return steps


def _renamed(constraint: CheckConstraint | ForeignKey, name: str) -> CheckConstraint | ForeignKey:
    return dataclasses.replace(constraint, name=name)


def validate_constraint(change: c.ValidateConstraint, ctx: PlanContext) -> list[Step]:
    table = change.live.qname
    constraint = change.constraint
    locks = [share_update(table)] + (
        [Lock(LockLevel.ROW_SHARE, constraint.references)] if isinstance(constraint, ForeignKey) else []
    )
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.VALIDATE,
            action="validate",
            subject=change.subject,
            description=(
                f"validate {_kind(constraint)} {constraint.name} on existing rows of {table} (reads and writes "
                "continue)"
            ),
            statements=[relations.validate_constraint(table, constraint.name)],
            locks=locks,
            long_running=True,
            hazards=[
                validation_scan(ctx, table),
                Hazard(HazardCode.MAY_FAIL, f"fails if existing rows violate {constraint.name}"),
            ],
        )
    ]


def alter_constraint_comment(change: c.AlterConstraintComment, ctx: PlanContext) -> list[Step]:
    table = change.live.qname
    # expand runs before any rename of the constraint (contract), so it still has its old name
    target = relations.constraint_target(Table(table.schema, table.name), change.old.name)
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.COMMENT,
            action="comment-constraint",
            subject=change.subject,
            description=f"set the comment of constraint {change.new.name} of {table}",
            statements=[comment_on(target, change.new.comment)],
            reverse=[comment_on(target, change.old.comment)],
        )
    ]
