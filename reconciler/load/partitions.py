"""Partitioning in the YAML: `partitionBy` on a partitioned table, `partitionOf` on a partition.

Stage: load. Called by the loader's table assembly; every problem is a located diagnostic.
Checked here: partition key columns exist; a partition names a parent that is declared and
partitioned; its bounds have the shape of the parent's strategy (and one value per key for
range); a partition declares no columns of its own (they come from the parent). What only
PostgreSQL can judge (do the bounds overlap another partition, does a value convert to the key's
type, does a unique key include the partition key) is judged by normalization in a scratch
database, with the document's file:line.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from reconciler.load import spec as s
from reconciler.load.assemble import Assembler, Entry
from reconciler.model import QualifiedName, Table
from reconciler.model.partitions import PartitionBound, PartitionBy, PartitionKey, PartitionOf
from reconciler.sqlparse.fragments import column_references, parse_expression

RANGE_LIMITS = frozenset({"minvalue", "maxvalue"})


def parent_name(entry: Entry[s.TableSpec]) -> QualifiedName | None:
    spec = entry.spec.partition_of
    if spec is None:
        return None
    return QualifiedName(spec.schema_ or entry.spec.schema_, spec.table)


def inherited_columns(tables: dict[QualifiedName, Entry[s.TableSpec]], entry: Entry[s.TableSpec]) -> set[str]:
    """Names of the columns a partition gets from its parent (and the parent's parent...)."""
    names: set[str] = set()
    seen: set[QualifiedName] = set()
    parent = parent_name(entry)
    while parent is not None and parent not in seen and parent in tables:
        seen.add(parent)
        names |= {c.name for c in tables[parent].spec.columns}
        parent = parent_name(tables[parent])
    return names


def partition_by(assembler: Assembler, entry: Entry[s.TableSpec], known: set[str]) -> PartitionBy | None:
    spec = entry.spec.partition_by
    if spec is None:
        return None
    keys = []
    for i, item in enumerate(spec.columns):
        key = s.PartitionKeySpec.model_validate({"column": item}) if isinstance(item, str) else item
        path = ("partitionBy", "columns", i)
        if key.column is not None and key.column not in known:
            assembler.problem(
                entry.at(
                    *path, message=f"partition key column {key.column!r} is not a column of table {entry.sql_name!r}"
                )
            )
        if key.expression is not None:
            missing = sorted(column_references(parse_expression(key.expression)) - known)
            if missing:
                assembler.problem(
                    entry.at(*path, "expression", message=f"partition key refers to unknown column {missing[0]!r}")
                )
        keys.append(PartitionKey(column=key.column, expression=key.expression))
    if spec.strategy == "list" and len(keys) > 1:
        assembler.problem(entry.at("partitionBy", "columns", message="list partitioning takes exactly one key"))
    return PartitionBy(strategy=spec.strategy, keys=tuple(keys))


def partition_of(assembler: Assembler, entry: Entry[s.TableSpec]) -> PartitionOf | None:
    spec = entry.spec.partition_of
    parent = parent_name(entry)
    if spec is None or parent is None:
        return None
    if entry.spec.columns:
        assembler.problem(
            entry.at(
                "columns",
                message="a partition has its parent's columns: remove `columns` from a table with `partitionOf`",
            )
        )
    parent_entry = assembler.tables.get(parent)
    bound = _bound(assembler, entry, spec)
    if parent_entry is None:
        if assembler.complete:
            assembler.problem(entry.at("partitionOf", "table", message=f"parent table {str(parent)!r} is not defined"))
    elif parent == QualifiedName(entry.spec.schema_, entry.sql_name):
        assembler.problem(entry.at("partitionOf", "table", message="a table cannot be a partition of itself"))
    elif parent_entry.spec.partition_by is None:
        assembler.problem(
            entry.at(
                "partitionOf",
                "table",
                message=f"parent table {str(parent)!r} is not partitioned: give it `partitionBy`",
            )
        )
    elif bound is not None and bound.default:
        if parent_entry.spec.partition_by.strategy == "hash":
            assembler.problem(
                entry.at("partitionOf", "default", message="a hash-partitioned table cannot have a default partition")
            )
    elif bound is not None:
        _check_shape(assembler, entry, parent_entry.spec.partition_by, bound)
    return PartitionOf(parent=parent, bound=bound or PartitionBound(default=True))


def _bound(assembler: Assembler, entry: Entry[s.TableSpec], spec: s.PartitionOfSpec) -> PartitionBound | None:
    if spec.default == (spec.bounds is not None):
        assembler.problem(
            entry.at("partitionOf", message="a partition needs exactly one of `bounds` or `default: true`")
        )
        return None
    if spec.default:
        return PartitionBound(default=True)
    bounds = spec.bounds
    assert bounds is not None
    for field, values in (("from", bounds.from_), ("to", bounds.to), ("in", bounds.in_)):
        for i, value in enumerate(values or []):
            refs = column_references(parse_expression(s.sql_text(value))) - (RANGE_LIMITS if field != "in" else set())
            if refs:
                message = (
                    f"a bound is a constant, but this refers to column {sorted(refs)[0]!r}; for a string write the SQL "
                    f"literal: \"'{sorted(refs)[0]}'\""
                )
                assembler.problem(entry.at("partitionOf", "bounds", field, i, message=message))
    return PartitionBound(
        lower=tuple(_limit(s.sql_text(v)) for v in bounds.from_ or ()),
        upper=tuple(_limit(s.sql_text(v)) for v in bounds.to or ()),
        values=tuple(s.sql_text(v) for v in bounds.in_ or ()),
        modulus=bounds.modulus,
        remainder=bounds.remainder,
    )


def _limit(value: str) -> str:
    return value.upper() if value.lower() in RANGE_LIMITS else value


def _check_shape(
    assembler: Assembler, entry: Entry[s.TableSpec], parent: s.PartitionBySpec, bound: PartitionBound
) -> None:
    assert entry.spec.partition_of is not None  # only partitions are checked
    bounds = entry.spec.partition_of.bounds
    assert bounds is not None
    given = {
        name
        for name, value in (
            ("from", bounds.from_),
            ("to", bounds.to),
            ("in", bounds.in_),
            ("modulus", bounds.modulus),
            ("remainder", bounds.remainder),
        )
        if value is not None
    }
    wanted = {"range": {"from", "to"}, "list": {"in"}, "hash": {"modulus", "remainder"}}[parent.strategy]
    path = ("partitionOf", "bounds")
    if given != wanted:
        shown = ", ".join(sorted(wanted))
        assembler.problem(
            entry.at(
                *path,
                message=(
                    f"the parent is partitioned by {parent.strategy}: bounds need exactly {shown}, got "
                    f"{', '.join(sorted(given)) or 'nothing'}"
                ),
            )
        )
        return
    if parent.strategy == "range":
        for name, values in (("from", bound.lower), ("to", bound.upper)):
            if len(values) != len(parent.columns):
                assembler.problem(
                    entry.at(
                        *path, name, message=f"{len(values)} value(s) for {len(parent.columns)} partition key column(s)"
                    )
                )
    elif parent.strategy == "list" and not bound.values:
        assembler.problem(entry.at(*path, "in", message="a list partition needs at least one value"))
    elif parent.strategy == "hash":
        assert bound.modulus is not None and bound.remainder is not None
        if bound.modulus < 1 or not 0 <= bound.remainder < bound.modulus:
            assembler.problem(entry.at(*path, message="hash bounds need modulus >= 1 and 0 <= remainder < modulus"))


def with_parent_columns(tables: list[Table]) -> list[Table]:
    """Partitions get their parent's columns (recursively for sub-partitions), without comments
    (PostgreSQL does not copy them) and migration hints (the parent's changes are planned on the
    parent). They serve the loader's checks and never count in comparisons or the hash."""
    by_name = {t.qname: t for t in tables}

    def columns(table: Table, depth: int = 0) -> tuple[Any, ...]:
        if table.partition_of is None or depth > len(tables):
            return table.columns
        parent = by_name.get(table.partition_of.parent)
        if parent is None:
            return table.columns
        return tuple(
            replace(c, comment=None, renamed_from=None, backfill=None, using=None) for c in columns(parent, depth + 1)
        )

    return [replace(t, columns=columns(t)) if t.partition_of is not None else t for t in tables]
