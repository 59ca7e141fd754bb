"""Declarative partitioning in the model: how a table is partitioned, and what a partition is.

Stage: model. A partitioned table is a `Table` with `partition_by`; a partition is a `Table`
with `partition_of`. Both are plain tables otherwise, so every rule that works on tables keeps
working on them. Partition keys and bounds hold SQL text as PostgreSQL prints it
(`pg_get_partkeydef`, `pg_get_expr(relpartbound)`); the desired side gets there by
normalization through a scratch database, like every other expression.

A partition's columns are its parent's: PostgreSQL propagates column changes from the parent,
so columns of partitions are carried (for the loader's checks and for detaching) but never
compared (see `reconciler.diff.partitions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from reconciler.model.objects import QualifiedName

PartitionStrategy = Literal["range", "list", "hash"]


@dataclass(frozen=True, slots=True)
class PartitionKey:
    """One key of a partitioning: a column or an expression."""

    column: str | None = None
    expression: str | None = None

    @property
    def label(self) -> str:
        return self.column if self.column is not None else f"({self.expression})"


@dataclass(frozen=True, slots=True)
class PartitionBy:
    """`PARTITION BY strategy (keys)`."""

    strategy: PartitionStrategy
    keys: tuple[PartitionKey, ...]


@dataclass(frozen=True, slots=True)
class PartitionBound:
    """`FOR VALUES ...` or `DEFAULT`. Values are SQL text: `'2024-01-01'`, `42`, `MINVALUE`."""

    default: bool = False
    lower: tuple[str, ...] = ()  # range: FROM (...)
    upper: tuple[str, ...] = ()  # range: TO (...)
    values: tuple[str, ...] = ()  # list: IN (...)
    modulus: int | None = None  # hash: WITH (MODULUS m, REMAINDER r)
    remainder: int | None = None

    @property
    def strategy(self) -> PartitionStrategy | None:
        """The strategy these bounds fit; None for DEFAULT, which fits range and list."""
        if self.default:
            return None
        if self.modulus is not None:
            return "hash"
        return "list" if self.values else "range"

    def __str__(self) -> str:
        if self.default:
            return "DEFAULT"
        if self.modulus is not None:
            return f"FOR VALUES WITH (modulus {self.modulus}, remainder {self.remainder})"
        if self.values:
            return f"FOR VALUES IN ({', '.join(self.values)})"
        return f"FOR VALUES FROM ({', '.join(self.lower)}) TO ({', '.join(self.upper)})"


@dataclass(frozen=True, slots=True)
class PartitionOf:
    """`PARTITION OF parent bound`."""

    parent: QualifiedName
    bound: PartitionBound
    # live only: an interrupted DETACH ... CONCURRENTLY left it half detached (PostgreSQL 14+)
    detach_pending: bool = field(default=False, compare=False)


def is_partitioned(table: object) -> bool:
    return getattr(table, "partition_by", None) is not None


def parent_of(table: object) -> QualifiedName | None:
    partition_of = getattr(table, "partition_of", None)
    return partition_of.parent if partition_of is not None else None
