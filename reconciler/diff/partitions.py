"""Partitioning changes, and the refinement of table changes on partitioned tables.

Stage: diff. `refine` runs after the table differ: it retypes changes whose planning differs on
partitioned tables and partitions (so the planner picks a partition rule by type, as for every
other change), drops column changes on partitions (PostgreSQL propagates the parent's columns:
the change is planned once, on the parent) and adds the changes of the partitioning itself.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from reconciler.diff import changes as c
from reconciler.model import Catalog, Constraint, Index, QualifiedName, Table, UniqueConstraint
from reconciler.model.partitions import PartitionBy, PartitionOf

_COLUMN_CHANGES = (c.AddColumn, c.DropColumn, c.AlterColumn, c.RenameColumn)


@dataclass(frozen=True)
class AddPartition(c.AddTable):
    """A new partition (its parent may be new too, or live and populated)."""


@dataclass(frozen=True)
class DropPartition(c.DropTable):
    """A live partition that is no longer declared at all."""


@dataclass(frozen=True)
class AlterPartitionOf(c.TableChange):
    """A table's place in a partitioning changes: attached, detached, bounds or parent changed,
    or an interrupted DETACH CONCURRENTLY to finish. `old`/`new` are None for a standalone table."""

    old: PartitionOf | None
    new: PartitionOf | None


@dataclass(frozen=True)
class AlterPartitionBy(c.TableChange):
    """The partition key or strategy changes, or a table becomes (un)partitioned: no online form."""

    old: PartitionBy | None
    new: PartitionBy | None


@dataclass(frozen=True)
class AddPartitionedIndex(c.AddIndex):
    """An index on a live partitioned table: ON ONLY the parent, then per partition."""


@dataclass(frozen=True)
class DropPartitionedIndex(c.DropIndex):
    """An index of a partitioned table: DROP INDEX CONCURRENTLY does not work on those."""


@dataclass(frozen=True)
class AddPartitionedUnique(c.AddConstraint):
    """A unique constraint on a live partitioned table: built partition by partition."""


@dataclass(frozen=True)
class ReplacePartitionedIndex(c.ReplaceIndex):
    """A changed index of a partitioned table: the new one built partition by partition."""


def refine(changes: list[c.Change], live: Catalog, desired: Catalog) -> list[c.Change]:
    partitioning = list(_partitioning(live, desired))
    moved = [ch for ch in partitioning if isinstance(ch, AlterPartitionOf)]
    detached = {ch.live.qname: ch.old.parent for ch in moved if ch.old is not None and ch.new is None}
    attached = {ch.live.qname: ch.new.parent for ch in moved if ch.old is None and ch.new is not None}
    out: list[c.Change] = []
    for change in changes:
        if not _comes_with_detach(change, detached, live) and not _adopted_by_attach(change, attached, desired):
            out.extend(_refined(change))
    return out + partitioning


def _without_name(obj: Index | Constraint) -> Index | Constraint:
    return dataclasses.replace(obj, name="", comment=None, renamed_from=None)


def _adopted_by_attach(change: c.Change, attached: dict[QualifiedName, QualifiedName], desired: Catalog) -> bool:
    """A table being attached keeps its own copies of the parent's keys, checks and indexes:
    ATTACH adopts them as the partition's share of the parent's (no drop, no rebuild)."""
    if not isinstance(change, c.DropConstraint | c.DropIndex) or change.live.qname not in attached:
        return False
    parent = desired.table(attached[change.live.qname])
    if parent is None:
        return False
    if isinstance(change, c.DropIndex):
        return _without_name(change.index) in {_without_name(i) for i in parent.indexes}
    return _without_name(change.constraint) in {_without_name(k) for k in parent.constraints()}


def _comes_with_detach(change: c.Change, detached: dict[QualifiedName, QualifiedName], live: Catalog) -> bool:
    """A detached partition keeps its copies of the parent's keys, checks, foreign keys and
    indexes (as its own): a kept table that declares them needs no step to add them."""
    if not isinstance(change, c.AddConstraint | c.AddIndex) or change.live.qname not in detached:
        return False
    parent = live.table(detached[change.live.qname])
    if parent is None:
        return False
    if isinstance(change, c.AddIndex):
        return _without_name(change.index) in {_without_name(i) for i in parent.indexes}
    return _without_name(change.constraint) in {_without_name(k) for k in parent.constraints()}


def _both_partitions(change: c.TableChange) -> bool:
    return change.live.partition_of is not None and change.desired.partition_of is not None


def _refined(change: c.Change) -> Iterable[c.Change]:
    if type(change) is c.AddTable and change.table.partition_of is not None:
        return [AddPartition(change.table)]
    if type(change) is c.DropTable and change.table.partition_of is not None:
        return [DropPartition(change.table)]
    if isinstance(change, _COLUMN_CHANGES) and _both_partitions(change):
        return []
    if type(change) is c.AddIndex and change.live.partition_by is not None:
        return [AddPartitionedIndex(change.live, change.desired, change.index)]
    if (
        type(change) is c.AddConstraint
        and isinstance(change.constraint, UniqueConstraint)
        and change.live.partition_by is not None
    ):
        return [AddPartitionedUnique(change.live, change.desired, change.constraint)]
    if type(change) is c.ReplaceIndex and change.live.partition_by is not None:
        return [ReplacePartitionedIndex(change.live, change.desired, change.old, change.new)]
    if type(change) is c.DropIndex and change.live.partition_by is not None:
        return [DropPartitionedIndex(change.live, change.desired, change.index)]
    return [change]


def _partitioning(live: Catalog, desired: Catalog) -> Iterable[c.Change]:
    """Partition keys and memberships of tables that exist on both sides (same name)."""
    for wanted in desired.tables:
        current = live.table(wanted.qname)
        if current is None and wanted.renamed_from is not None:
            current = live.table(wanted.renamed_from)
        if current is None:
            continue
        if current.partition_by != wanted.partition_by:
            yield AlterPartitionBy(current, wanted, current.partition_by, wanted.partition_by)
        pending = current.partition_of is not None and current.partition_of.detach_pending
        if current.partition_of != wanted.partition_of or pending:
            yield AlterPartitionOf(current, wanted, current.partition_of, wanted.partition_of)


def partitions_of(catalog: Catalog, parent: Table) -> list[Table]:
    """The direct partitions of `parent` in `catalog`, by name."""
    return [t for t in catalog.tables if t.partition_of is not None and t.partition_of.parent == parent.qname]


def detail(change: c.Change) -> str | None:
    """A drift report's line for a partitioning change; None for other changes."""
    match change:
        case AlterPartitionOf(old=None, new=new) if new is not None:
            return f"not a partition, desired a partition of {new.parent} {new.bound}"
        case AlterPartitionOf(old=old, new=None) if old is not None:
            return f"a partition of {old.parent} {old.bound}, desired a table of its own"
        case AlterPartitionOf(old=old, new=new) if old is not None and new is not None:
            if old.detach_pending and old == new:
                return f"detach from {old.parent} pending (an interrupted DETACH CONCURRENTLY)"
            return f"partition of {old.parent} {old.bound}, desired of {new.parent} {new.bound}"
        case AlterPartitionBy(old=old, new=new):
            return f"partitioning is {_shown(old)}, desired {_shown(new)}"
    return None


def _shown(partition_by: PartitionBy | None) -> str:
    if partition_by is None:
        return "none"
    return f"{partition_by.strategy} ({', '.join(k.label for k in partition_by.keys)})"
