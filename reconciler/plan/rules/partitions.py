"""Rules for partitioning: partitions created, attached, detached and dropped, and indexes of
partitioned tables, each in its online form.

Lock facts these rules rely on (PostgreSQL 12+ unless said):
- CREATE TABLE ... PARTITION OF takes ACCESS EXCLUSIVE on the parent: fine for a new parent,
  not for a live one. So a partition of a live parent is made as a standalone table
  (CREATE TABLE ... (LIKE parent)) and attached: ATTACH PARTITION takes only SHARE UPDATE
  EXCLUSIVE on the parent (reads and writes continue) and ACCESS EXCLUSIVE on the new table.
- ATTACH scans the new table to check its rows fit the bounds, unless a validated CHECK
  constraint already proves it: we add one NOT VALID, VALIDATE it (SHARE UPDATE EXCLUSIVE), and
  drop it once attached. A DEFAULT partition is scanned under ACCESS EXCLUSIVE for rows that
  now belong to the new partition, unless a validated CHECK on it excludes the new range: we
  add that one too where it can be written (single-key range and list partitioning).
- DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+) takes SHARE UPDATE EXCLUSIVE and may not
  run in a transaction block, nor while the table has a DEFAULT partition; otherwise plain
  DETACH takes ACCESS EXCLUSIVE on the parent. An interrupted concurrent detach leaves the
  partition "detach pending" (pg_inherits.inhdetachpending); the next plan finishes it with
  DETACH ... FINALIZE.
- An index on a partitioned table: CREATE INDEX ON ONLY the parent (catalog only, invalid),
  CREATE INDEX CONCURRENTLY on each partition, ALTER INDEX ... ATTACH PARTITION each; the
  parent's index becomes valid when the last partition's is attached.
"""

from __future__ import annotations

import dataclasses

from psycopg import sql

from reconciler.ddl import relations
from reconciler.ddl.statement import Statement, comment_on, qualified
from reconciler.diff import changes as c
from reconciler.diff import partitions as dp
from reconciler.errors import PlanError
from reconciler.model import (
    CheckConstraint,
    Constraint,
    ForeignKey,
    Index,
    IndexElement,
    QualifiedName,
    Table,
    UniqueConstraint,
)
from reconciler.model.names import choose_name, name_addition
from reconciler.model.partitions import PartitionBy, PartitionOf
from reconciler.plan import ordering as o
from reconciler.plan.context import PlanContext, helper_name
from reconciler.plan.rules.base import (
    brief_exclusive,
    deletes_data,
    exclusive,
    index_build,
    make_step,
    not_reversible,
    rule,
    share_update,
    validation_scan,
)
from reconciler.plan.steps import Hazard, HazardCode, Lock, LockLevel, Phase, Step
from reconciler.sqlparse.fragments import index_column_label, parse_expression

# ranks within a phase (see plan.ordering): partitions right after their parents are created
CREATE_PARTITION = o.CREATE_TABLE + 5
ATTACH_SEQUENCE = o.CREATE_TABLE + 6  # helper checks, validations, attach: ordered by `after`
CREATE_INDEX_ONLY = o.CREATE_INDEX
ATTACH_INDEX = o.CREATE_INDEX + 1
DETACH_PARTITION = o.DROP_TABLE - 10
DROP_DETACHED = o.DROP_TABLE


# --- partitions ----------------------------------------------------------------------------


def add_partition(change: dp.AddPartition, ctx: PlanContext) -> list[Step]:
    table = change.table
    assert table.partition_of is not None
    parent = table.partition_of.parent
    if ctx.live.catalog.table(parent) is None:
        return [_create_with_new_parent(ctx, change, table)]
    create = [relations.create_table_like(table.qname, parent, table.partition_by), *_own_objects(table)]
    return attach_steps(ctx, change, table.qname, table.partition_of, Phase.EXPAND, create=create)


def _own_objects(table: Table) -> list[Statement]:
    """The partition's own constraints and indexes (beyond its parent's), and their comments."""
    statements = [relations.add_constraint(table, k, not_valid=_not_valid(k)) for k in table.constraints()]
    statements += [relations.create_index(table, index) for index in table.indexes]
    return statements + _comments(table)


def _comments(table: Table) -> list[Statement]:
    """Comments of the table, its own constraints and indexes (a partition's columns are its parent's)."""
    statements = []
    if table.comment is not None:
        statements.append(comment_on(sql.SQL("TABLE {}").format(qualified(table.qname)), table.comment))
    for constraint in table.constraints():
        if constraint.comment is not None:
            statements.append(comment_on(relations.constraint_target(table, constraint.name), constraint.comment))
    for index in table.indexes:
        if index.comment is not None:
            statements.append(comment_on(relations.index_target(table, index.name), index.comment))
    return statements


def _not_valid(constraint: Constraint) -> bool:
    return isinstance(constraint, CheckConstraint | ForeignKey) and constraint.not_valid


def _create_with_new_parent(ctx: PlanContext, change: dp.AddPartition, table: Table) -> Step:
    """The parent is created by this plan, so nobody uses it yet: PARTITION OF is fine."""
    assert table.partition_of is not None
    parent = table.partition_of.parent
    statements = [relations.create_table(table)]
    statements += [
        relations.add_constraint(table, k, not_valid=_not_valid(k))
        for k in table.constraints()
        if isinstance(k, ForeignKey) or _not_valid(k)
    ]
    statements += [relations.create_index(table, index) for index in table.indexes]
    statements += _comments(table)
    parent_step = _creating_step(ctx, parent)
    return make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=CREATE_PARTITION,
        action="create-partition",
        subject=change.subject,
        description=f"create partition {table.qname} of new table {parent} {table.partition_of.bound}",
        statements=statements,
        reverse=[relations.drop_table(table.qname)],
        tables=[table.qname],
        after=[parent_step],
    )


def _creating_step(ctx: PlanContext, table: QualifiedName) -> str:
    """The id of the step that creates the new table `table` (see add_partition)."""
    desired = ctx.desired.table(table)
    if desired is None or desired.partition_of is None:
        return f"expand/create-table/{table}"
    if ctx.live.catalog.table(desired.partition_of.parent) is None:
        return f"expand/create-partition/{table}"
    return f"expand/create-partition-table/{table}"


def attach_steps(
    ctx: PlanContext,
    change: c.Change,
    table: QualifiedName,
    partition_of: PartitionOf,
    phase: Phase,
    *,
    create: list[Statement] | None = None,
    after: list[str] | None = None,
) -> list[Step]:
    """Attach `table` (created here from `create`, or existing) to its parent without a long lock."""
    parent = partition_of.parent
    check = _bound_check(ctx, partition_of)
    check_name = helper_name(table.name, "partition_bound")
    steps: list[Step] = []
    previous = list(after or [])

    def add(step: Step) -> Step:
        steps.append(step)
        previous[:] = [step.id]
        return step

    if create is not None:
        statements = [
            *create,
            *([relations.add_check_text(table, check_name, check, not_valid=True)] if check is not None else []),
        ]
        add(
            make_step(
                ctx,
                change,
                phase=phase,
                order=ATTACH_SEQUENCE,
                action="create-partition-table",
                subject=str(table),
                description=(
                    f"create {table} as a standalone table like {parent} (no lock on {parent} beyond ACCESS SHARE)"
                )
                + (", with a NOT VALID check matching its bounds" if check is not None else ""),
                statements=statements,
                reverse=[relations.drop_table(table)],
                tables=[table],
                locks=[Lock(LockLevel.ACCESS_SHARE, parent)],
                after=list(previous),
            )
        )
    elif check is not None:
        add(
            make_step(
                ctx,
                change,
                phase=phase,
                order=ATTACH_SEQUENCE,
                action="add-partition-check",
                subject=str(table),
                description=f"add a NOT VALID check matching the bounds {partition_of.bound} to {table} (catalog only)",
                statements=[relations.add_check_text(table, check_name, check, not_valid=True)],
                reverse=[relations.drop_constraint_if_exists(table, check_name)],
                locks=[exclusive(table)],
                hazards=[brief_exclusive(ctx, table)],
                after=list(previous),
            )
        )
    if check is not None:
        hazards = (
            []
            if create is not None
            else [
                validation_scan(ctx, table),
                Hazard(HazardCode.MAY_FAIL, f"fails if rows of {table} lie outside {partition_of.bound}"),
            ]
        )
        add(
            make_step(
                ctx,
                change,
                phase=phase,
                order=ATTACH_SEQUENCE,
                action="validate-partition-check",
                subject=str(table),
                description=(
                    f"validate the bounds check of {table} (SHARE UPDATE EXCLUSIVE: reads and writes continue), so "
                    "ATTACH needs no scan"
                ),
                statements=[relations.validate_constraint(table, check_name)],
                locks=[share_update(table)],
                hazards=hazards,
                long_running=create is None,
                after=list(previous),
            )
        )
    default = _default_partition(ctx, parent, exclude=table)
    default_check = helper_name(default.name, f"not_{table.name}") if default is not None else ""
    if default is not None and check is not None:
        steps += _exclude_from_default(ctx, change, phase, default, default_check, check, table, previous)
    add(
        _attach(
            ctx,
            change,
            phase,
            table,
            partition_of,
            check_name if check is not None else None,
            default,
            default_check if default is not None and check is not None else None,
            existing=create is None,
            after=list(previous),
        )
    )
    return steps


def _exclude_from_default(
    ctx: PlanContext,
    change: c.Change,
    phase: Phase,
    default: QualifiedName,
    name: str,
    check: sql.Composable,
    table: QualifiedName,
    previous: list[str],
) -> list[Step]:
    excluded = sql.SQL("NOT {}").format(check)
    add = make_step(
        ctx,
        change,
        phase=phase,
        order=ATTACH_SEQUENCE,
        action="add-default-partition-check",
        subject=f"{default}.{table.name}",
        description=(
            f"add a NOT VALID check to the default partition {default} that excludes the rows of {table} (catalog only)"
        ),
        statements=[relations.add_check_text(default, name, excluded, not_valid=True)],
        reverse=[relations.drop_constraint_if_exists(default, name)],
        locks=[exclusive(default)],
        hazards=[brief_exclusive(ctx, default)],
        after=list(previous),
    )
    validate = make_step(
        ctx,
        change,
        phase=phase,
        order=ATTACH_SEQUENCE,
        action="validate-default-partition-check",
        subject=f"{default}.{table.name}",
        description=(
            f"validate that check (SHARE UPDATE EXCLUSIVE on {default}: reads and writes continue), so ATTACH does not "
            "scan the default partition under ACCESS EXCLUSIVE"
        ),
        statements=[relations.validate_constraint(default, name)],
        locks=[share_update(default)],
        hazards=[
            validation_scan(ctx, default),
            Hazard(HazardCode.MAY_FAIL, f"fails if {default} holds rows that belong to {table}: move them out first"),
        ],
        long_running=True,
        after=[add.id],
    )
    previous[:] = [validate.id]
    return [add, validate]


def _attach(
    ctx: PlanContext,
    change: c.Change,
    phase: Phase,
    table: QualifiedName,
    partition_of: PartitionOf,
    check: str | None,
    default: QualifiedName | None,
    default_check: str | None,
    *,
    existing: bool,
    after: list[str],
) -> Step:
    parent = partition_of.parent
    statements = [relations.attach_partition(parent, table, partition_of.bound)]
    if check is not None:
        statements.append(relations.drop_constraint(table, check))
    if default_check is not None and default is not None:
        statements.append(relations.drop_constraint(default, default_check))
    locks = [share_update(parent), exclusive(table)]
    hazards = [brief_exclusive(ctx, table)] if existing else []
    if check is None and existing:
        hazards.append(
            Hazard(
                HazardCode.BLOCKING_SCAN,
                f"ATTACH scans {table} ({ctx.size(table)}) under ACCESS EXCLUSIVE on it: "
                "no CHECK can state these bounds simply",
            )
        )
    if default is not None:
        locks.append(exclusive(default))
        hazards.append(_default_hazard(ctx, default, scanned=default_check is None))
    targets = _foreign_key_targets(ctx, parent)
    locks += [Lock(LockLevel.SHARE_ROW_EXCLUSIVE, target) for target in targets]
    hazards += [
        Hazard(
            HazardCode.ACCESS_EXCLUSIVE_LOCK,
            f"the parent's foreign key is cloned onto the partition: takes SHARE ROW EXCLUSIVE "
            f"on {target} for an instant (its writes wait)",
        )
        for target in targets
    ]
    return make_step(
        ctx,
        change,
        phase=phase,
        order=ATTACH_SEQUENCE,
        action="attach-partition",
        subject=str(table),
        description=(
            f"attach {table} to {parent} {partition_of.bound} (SHARE UPDATE EXCLUSIVE on {parent}: reads and writes "
            "continue"
        )
        + ("; the validated check spares the scan) and drop the helper checks" if check is not None else ")"),
        statements=statements,
        reverse=[relations.detach_partition(parent, table, concurrently=False)],
        locks=locks,
        hazards=hazards,
        after=after,
    )


def _default_hazard(ctx: PlanContext, default: QualifiedName, *, scanned: bool) -> Hazard:
    if scanned:
        return Hazard(
            HazardCode.BLOCKING_SCAN,
            f"{default} is the DEFAULT partition: ATTACH scans it ({ctx.size(default)}) under ACCESS "
            "EXCLUSIVE for rows of the new partition (no CHECK can exclude these bounds simply)",
            "keep the default partition small, or attach in a maintenance window",
        )
    return Hazard(
        HazardCode.ACCESS_EXCLUSIVE_LOCK,
        f"{default} is the DEFAULT partition: ATTACH takes ACCESS EXCLUSIVE on it, briefly "
        "(its validated check excludes the new range, so it is not scanned)",
    )


def _foreign_key_targets(ctx: PlanContext, parent: QualifiedName) -> list[QualifiedName]:
    """Tables the parent's foreign keys reference: ATTACH clones those keys onto the partition."""
    table = ctx.desired.table(parent) or ctx.live.catalog.table(parent)
    return sorted({fk.references for fk in table.foreign_keys}, key=str) if table is not None else []


def _bound_check(ctx: PlanContext, partition_of: PartitionOf) -> sql.Composable | None:
    parent = ctx.desired.table(partition_of.parent) or ctx.live.catalog.table(partition_of.parent)
    if parent is None or parent.partition_by is None or len(parent.partition_by.keys) != 1:
        return None
    return relations.partition_constraint(parent.partition_by.keys[0], partition_of.bound)


def _default_partition(ctx: PlanContext, parent: QualifiedName, exclude: QualifiedName) -> QualifiedName | None:
    for table in ctx.live.catalog.tables:
        if (
            table.qname != exclude
            and table.partition_of is not None
            and table.partition_of.parent == parent
            and table.partition_of.bound.default
        ):
            return table.qname
    return None


def drop_partition(change: dp.DropPartition, ctx: PlanContext) -> list[Step]:
    """Detach (data kept), then drop the detached table in contract: deletes-data, so it waits for
    approval. To keep the data, keep the table's document without `partitionOf` instead."""
    table = change.table
    assert table.partition_of is not None
    if ctx.desired.table(table.partition_of.parent) is None:
        return []  # dropping the parent drops its partitions
    detach = detach_step(ctx, change, table)
    drop = make_step(
        ctx,
        change,
        phase=Phase.CONTRACT,
        order=DROP_DETACHED,
        action="drop-table",
        subject=change.subject,
        description=f"drop the detached partition {table.qname}",
        statements=[relations.drop_table(table.qname)],
        locks=[exclusive(table.qname)],
        hazards=[
            deletes_data(
                f"drops {table.qname} and all its rows ({ctx.size(table.qname)})",
                "to keep the rows, keep the table's document and remove only its `partitionOf`",
            ),
            not_reversible("the rows are gone unless restored from the backup taken before this step"),
        ],
        after=[detach.id],
    )
    return [detach, drop]


def detach_step(ctx: PlanContext, change: c.Change, table: Table) -> Step:
    assert table.partition_of is not None
    parent = table.partition_of.parent
    breaks = Hazard(
        HazardCode.BREAKS_OLD_APPLICATION,
        f"the rows of {table.qname} no longer appear in {parent}, and new rows in its range "
        f"go to the default partition or fail",
        "deploy the application version that no longer needs them first",
    )
    if table.partition_of.detach_pending:
        return make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=DETACH_PARTITION,
            action="finalize-detach",
            subject=str(table.qname),
            description=(
                f"finish the interrupted DETACH CONCURRENTLY of {table.qname} from {parent} (DETACH ... FINALIZE)"
            ),
            statements=[relations.detach_partition_finalize(parent, table.qname)],
            locks=[share_update(parent), share_update(table.qname)],
            hazards=[breaks],
            long_running=True,
        )
    default = _default_partition(ctx, parent, exclude=QualifiedName("", ""))
    if ctx.live.major_version >= 14 and default is None:
        return make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=DETACH_PARTITION,
            action="detach-partition",
            subject=str(table.qname),
            description=(
                f"detach {table.qname} from {parent} CONCURRENTLY (SHARE UPDATE EXCLUSIVE: reads and writes continue; "
                "waits for transactions using the parent)"
            ),
            statements=[relations.detach_partition(parent, table.qname, concurrently=True)],
            transactional=False,
            reverse=[relations.attach_partition(parent, table.qname, table.partition_of.bound)],
            locks=[share_update(parent), share_update(table.qname)],
            hazards=[breaks],
            long_running=True,
        )
    why = (
        "PostgreSQL before 14 cannot detach concurrently"
        if default is None
        else f"{parent} has a DEFAULT partition ({default}), which rules out DETACH CONCURRENTLY"
    )
    locks = [
        exclusive(parent),
        exclusive(table.qname),
        *([exclusive(default)] if default is not None and default != table.qname else []),
    ]
    return make_step(
        ctx,
        change,
        phase=Phase.CONTRACT,
        order=DETACH_PARTITION,
        action="detach-partition",
        subject=str(table.qname),
        description=f"detach {table.qname} from {parent} ({why})",
        statements=[relations.detach_partition(parent, table.qname, concurrently=False)],
        reverse=[relations.attach_partition(parent, table.qname, table.partition_of.bound)],
        locks=locks,
        hazards=[
            breaks,
            Hazard(
                HazardCode.ACCESS_EXCLUSIVE_LOCK,
                f"{why}: takes ACCESS EXCLUSIVE on {parent} (catalog only, brief; reads and "
                f"writes wait for it, at most {ctx.settings.lock_timeout_ms} ms then it backs off)",
            ),
        ],
    )


def alter_partition_of(change: dp.AlterPartitionOf, ctx: PlanContext) -> list[Step]:
    """Attach a standalone table, detach a partition (kept as a table), or move it (new bounds or
    parent): detach, then attach again with the online dance."""
    steps: list[Step] = []
    if change.old is not None:
        steps.append(detach_step(ctx, change, change.live))
        if not steps[0].transactional or steps[0].id.startswith("contract/finalize-detach/"):
            steps.append(_drop_detach_check(ctx, change, change.live, steps[0].id))
    if change.new is not None:
        phase = Phase.EXPAND if change.old is None else Phase.CONTRACT
        attached = attach_steps(ctx, change, change.live.qname, change.new, phase, after=[s.id for s in steps])
        if change.old is not None:
            attached[-1] = _with_hazard(
                attached[-1],
                Hazard(HazardCode.MAY_FAIL, f"fails if rows of {change.live.qname} lie outside {change.new.bound}"),
            )
        steps += attached
    return steps


def _drop_detach_check(ctx: PlanContext, change: c.Change, table: Table, detach: str) -> Step:
    """DETACH CONCURRENTLY (and FINALIZE) leave a CHECK constraint restating the old bounds on the table
    (named as PostgreSQL names an unnamed check); the kept table does not declare it."""
    assert table.partition_of is not None
    parent = ctx.live.catalog.table(table.partition_of.parent)
    keys = parent.partition_by.keys if parent is not None and parent.partition_by is not None else ()
    column = keys[0].column if len(keys) == 1 else None
    name = choose_name(table.name, column, "check", {k.name for k in table.constraints()})
    return make_step(
        ctx,
        change,
        phase=Phase.CONTRACT,
        order=DETACH_PARTITION + 1,
        action="drop-detach-check",
        subject=str(table.qname),
        description=f"drop the check restating its old bounds that DETACH CONCURRENTLY left on {table.qname}",
        statements=[relations.drop_constraint_if_exists(table.qname, name)],
        locks=[exclusive(table.qname)],
        hazards=[brief_exclusive(ctx, table.qname)],
        after=[detach],
    )


def _with_hazard(step: Step, hazard: Hazard) -> Step:
    return dataclasses.replace(step, hazards=(*step.hazards, hazard))


def alter_partition_by(change: dp.AlterPartitionBy, ctx: PlanContext) -> list[Step]:
    def shown(value: PartitionBy | None) -> str:
        if value is None:
            return "not partitioned"
        keys = ", ".join(k.label for k in value.keys)
        return f"PARTITION BY {value.strategy.upper()} ({keys})"

    raise PlanError(
        f"table {change.live.qname}: changing its partitioning ({shown(change.old)} -> {shown(change.new)}) has no "
        "online form in PostgreSQL: create a new table with the new partitioning under another name, copy the rows, "
        "and switch the application over"
    )


# --- indexes of partitioned tables ---------------------------------------------------------


def add_partitioned_index(change: dp.AddPartitionedIndex, ctx: PlanContext, label: str = "idx") -> list[Step]:
    parent = change.live.qname
    only = make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=CREATE_INDEX_ONLY,
        action="create-index-on-only",
        subject=change.subject,
        description=(
            f"create index {change.index.name} ON ONLY {parent} (catalog only; invalid until every partition's index "
            "is attached)"
        ),
        statements=[relations.create_index_only(parent, change.index)],
        reverse=[relations.drop_index(parent.schema, change.index.name, concurrently=False)],
        locks=[Lock(LockLevel.SHARE, parent)],
        hazards=[_share_instant(parent)],
    )
    return [only, *_partition_indexes(ctx, change, parent, change.index, only.id, label)]


def _share_instant(table: QualifiedName) -> Hazard:
    return Hazard(
        HazardCode.ACCESS_EXCLUSIVE_LOCK, f"takes SHARE on {table} for an instant (writes wait; ON ONLY builds nothing)"
    )


def _partitions(ctx: PlanContext, parent: QualifiedName) -> list[Table]:
    """Partitions of `parent` now or by the time indexes are built (attached earlier in expand)."""
    found = {
        t.qname: t
        for t in ctx.live.catalog.tables
        if t.partition_of is not None and t.partition_of.parent == parent and not t.partition_of.detach_pending
    }
    for table in ctx.desired.tables:
        if table.partition_of is not None and table.partition_of.parent == parent and table.qname not in found:
            found[table.qname] = table
    return [found[q] for q in sorted(found, key=str)]


def _child_index(partition: Table, index: Index, taken: set[str], label: str) -> Index:
    labels = [
        e.column if e.column is not None else index_column_label(parse_expression(e.expression or ""))
        for e in index.elements
    ]
    name = choose_name(partition.name, name_addition(labels + list(index.include)), label, taken)
    taken.add(name)
    return Index(
        **{
            **{f: getattr(index, f) for f in index.__dataclass_fields__},
            "name": name,
            "comment": None,
            "renamed_from": None,
        }
    )


def _partition_indexes(
    ctx: PlanContext,
    change: c.Change,
    parent: QualifiedName,
    index: Index,
    parent_step: str,
    label: str,
    depth: int = 0,
) -> list[Step]:
    """Each partition's index, named as PostgreSQL would name it (`label` "rc_idx" for a
    replacement, whose old twin holds that name until contract)."""
    steps: list[Step] = []
    for partition in _partitions(ctx, parent):
        live = ctx.live.catalog.table(partition.qname)
        taken = {i.name for i in live.indexes} if live is not None else set()
        child = _child_index(partition, index, taken, label)
        subject = f"{partition.schema}.{child.name}"
        if partition.partition_by is not None and depth < 8:
            build = make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=CREATE_INDEX_ONLY,
                action="create-index-on-only",
                subject=subject,
                description=f"create index {child.name} ON ONLY the partitioned partition {partition.qname}",
                statements=[relations.create_index_only(partition.qname, child)],
                locks=[Lock(LockLevel.SHARE, partition.qname)],
                hazards=[_share_instant(partition.qname)],
            )
            steps += [build, *_partition_indexes(ctx, change, partition.qname, child, build.id, label, depth + 1)]
        else:
            build = make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.CREATE_INDEX,
                action="create-index",
                subject=subject,
                description=f"build index {child.name} on partition {partition.qname} CONCURRENTLY",
                statements=[relations.create_index_on(partition.qname, child, concurrently=True)],
                transactional=False,
                reverse=[relations.drop_index(partition.schema, child.name, concurrently=True)],
                locks=[share_update(partition.qname)],
                hazards=[index_build(ctx, partition.qname)],
                long_running=True,
                builds_index=QualifiedName(partition.schema, child.name),
            )
            steps.append(build)
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=ATTACH_INDEX,
                action="attach-index",
                subject=subject,
                description=f"attach index {child.name} of {partition.qname} to {index.name} of {parent}",
                statements=[relations.attach_index(parent.schema, index.name, child.name)],
                locks=[share_update(partition.qname)],
                after=[parent_step, build.id]
                + (
                    [s.id for s in steps if s.id.startswith("expand/attach-index/")]
                    if partition.partition_by is not None
                    else []
                ),
            )
        )
    return steps


def add_partitioned_unique(change: dp.AddPartitionedUnique, ctx: PlanContext) -> list[Step]:
    """A unique constraint on a live partitioned table: each partition's unique index built
    CONCURRENTLY and made its constraint (USING INDEX), then the parent's constraint added: it
    adopts the partitions' constraints instead of building under ACCESS EXCLUSIVE."""
    parent = change.live.qname
    unique = change.constraint
    assert isinstance(unique, UniqueConstraint)
    partitions = _partitions(ctx, parent)
    if any(p.partition_by is not None for p in partitions):
        raise PlanError(
            f"{change.subject}: a unique constraint over sub-partitioned partitions is not planned online yet; "
            "add it to each sub-partition first"
        )
    steps: list[Step] = []
    for partition in partitions:
        live = ctx.live.catalog.table(partition.qname)
        taken = {i.name for i in live.indexes} | {k.name for k in live.constraints()} if live is not None else set()
        name = choose_name(partition.name, name_addition(list(unique.columns) + list(unique.include)), "key", taken)
        elements = tuple(IndexElement(column=column) for column in unique.columns)
        index = Index(name, elements, unique=True, include=unique.include, nulls_not_distinct=unique.nulls_not_distinct)
        build = make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.CREATE_INDEX,
            action="create-index",
            subject=f"{partition.schema}.{name}",
            description=f"build unique index {name} on partition {partition.qname} CONCURRENTLY",
            statements=[relations.create_index_on(partition.qname, index, concurrently=True)],
            transactional=False,
            reverse=[relations.drop_index(partition.schema, name, concurrently=True)],
            locks=[share_update(partition.qname)],
            hazards=[
                index_build(ctx, partition.qname),
                Hazard(HazardCode.MAY_FAIL, f"fails if {partition.qname} holds duplicate keys"),
            ],
            long_running=True,
            builds_index=QualifiedName(partition.schema, name),
        )
        constraint = UniqueConstraint(
            name,
            unique.columns,
            unique.include,
            unique.nulls_not_distinct,
            unique.deferrable,
            unique.initially_deferred,
        )
        attach = make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.UNIQUE_USING_INDEX,
            action="unique-using-index",
            subject=f"{partition.qname}.{name}",
            description=f"make index {name} the unique constraint of partition {partition.qname} (catalog only)",
            statements=[relations.add_constraint_using_index(partition.qname, constraint, name)],
            locks=[exclusive(partition.qname)],
            hazards=[brief_exclusive(ctx, partition.qname)],
            after=[build.id],
        )
        steps += [build, attach]
    steps.append(
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.UNIQUE_USING_INDEX + 1,
            action="add-unique",
            subject=change.subject,
            description=(
                f"add unique constraint {unique.name} to {parent}: it adopts the partitions' constraints, nothing is "
                "built"
            ),
            statements=[relations.add_constraint_to(parent, unique)],
            reverse=[relations.drop_constraint(parent, unique.name)],
            locks=[exclusive(parent), *(exclusive(p.qname) for p in partitions)],
            hazards=[
                Hazard(
                    HazardCode.ACCESS_EXCLUSIVE_LOCK,
                    f"takes ACCESS EXCLUSIVE on {parent} and its partitions for a catalog-only change "
                    f"(waits at most {ctx.settings.lock_timeout_ms} ms for it, then backs off)",
                )
            ],
            after=[s.id for s in steps],
        )
    )
    return steps


def drop_partitioned_index(change: dp.DropPartitionedIndex, ctx: PlanContext) -> list[Step]:
    return [_drop_partitioned(ctx, change, change.index)]


def replace_partitioned_index(change: dp.ReplacePartitionedIndex, ctx: PlanContext) -> list[Step]:
    """The new definition built beside the old one (under a helper name when the name stays),
    partition by partition; the old one dropped in contract, the new one renamed into place."""
    same_name = change.old.name == change.new.name
    name = helper_name(change.new.name, "rc_new") if same_name else change.new.name
    built = Index(**{**{f: getattr(change.new, f) for f in change.new.__dataclass_fields__}, "name": name})
    build = add_partitioned_index(dp.AddPartitionedIndex(change.live, change.desired, built), ctx, "rc_idx")
    drop = _drop_partitioned(ctx, change, change.old)
    steps = [*build, drop]
    if same_name:
        table = ctx.table_name(change.live, Phase.CONTRACT)
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.CONTRACT,
                order=o.RENAME_INTO_PLACE,
                action="rename-index",
                subject=f"{table.schema}.{change.new.name}",
                description=f"rename index {name} of {table} to {change.new.name}",
                statements=[relations.rename_index(table.schema, name, change.new.name)],
                reverse=[relations.rename_index(table.schema, change.new.name, name)],
                locks=[share_update(table)],
                after=[drop.id],
            )
        )
    return steps


def _drop_partitioned(ctx: PlanContext, change: c.TableChange, index: Index) -> Step:
    parent = ctx.table_name(change.live, Phase.CONTRACT)
    partitions = [t.qname for t in _partitions(ctx, change.live.qname)]
    return make_step(
        ctx,
        change,
        phase=Phase.CONTRACT,
        order=o.DROP_INDEX,
        action="drop-index",
        subject=f"{parent.schema}.{index.name}",
        description=f"drop index {index.name} of partitioned table {parent} with its partitions' indexes "
        "(DROP INDEX CONCURRENTLY does not work on partitioned indexes)",
        statements=[relations.drop_index(parent.schema, index.name, concurrently=False)],
        locks=[exclusive(parent), *(exclusive(p) for p in partitions)],
        hazards=[
            Hazard(
                HazardCode.ACCESS_EXCLUSIVE_LOCK,
                f"takes ACCESS EXCLUSIVE on {parent} and its partitions for a catalog-only "
                f"drop (waits at most {ctx.settings.lock_timeout_ms} ms for it, then backs off)",
            ),
            Hazard(
                HazardCode.BREAKS_OLD_APPLICATION,
                f"queries of the old application version may rely on {index.name} to be fast",
            ),
        ],
    )


RULES = dict(
    [
        rule(dp.AddPartition, add_partition),
        rule(dp.DropPartition, drop_partition),
        rule(dp.AlterPartitionOf, alter_partition_of),
        rule(dp.AlterPartitionBy, alter_partition_by),
        rule(dp.AddPartitionedIndex, add_partitioned_index),
        rule(dp.DropPartitionedIndex, drop_partitioned_index),
        rule(dp.ReplacePartitionedIndex, replace_partitioned_index),
        rule(dp.AddPartitionedUnique, add_partitioned_unique),
    ]
)
