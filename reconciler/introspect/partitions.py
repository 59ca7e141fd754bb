"""Read partitioning into the model: keys of partitioned tables, parents and bounds of partitions.

Stage: introspect. PostgreSQL prints the key (`pg_get_partkeydef`) and the bound
(`pg_get_expr(relpartbound)`); we parse that text with PostgreSQL's own parser (pglast) rather
than reading pg_partitioned_table's attribute numbers and expression trees, so key expressions
and bound values come out exactly as PostgreSQL spells them on both sides of a diff.

A partition's columns are its parent's; its inherited constraints and its shares of the
parent's indexes are filtered out by the constraint and index queries (conislocal, pg_inherits).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pglast import ast, parse_sql
from pglast.stream import RawStream

from reconciler.model import QualifiedName, Table
from reconciler.model.partitions import PartitionBound, PartitionBy, PartitionKey, PartitionOf, PartitionStrategy
from reconciler.sqlparse.fragments import items

_STRATEGIES: dict[str, PartitionStrategy] = {"r": "range", "l": "list", "h": "hash"}


def with_partitioning(tables: list[Table], oids: list[int], rows: list[Any]) -> list[Table]:
    """`tables` (in the order of `oids`) with partition_by / partition_of set from `rows`."""
    by_oid = {row.table_oid: row for row in rows}
    out = []
    for table, oid in zip(tables, oids, strict=False):
        row = by_oid.get(oid)
        if row is None:
            out.append(table)
            continue
        partition_by = parse_key(row.partition_key) if row.partition_key else None
        partition_of = None
        if row.parent_name is not None and row.bound is not None:
            parent = QualifiedName(row.parent_schema, row.parent_name)
            partition_of = PartitionOf(parent, parse_bound(row.bound), detach_pending=bool(row.detach_pending))
        out.append(replace(table, partition_by=partition_by, partition_of=partition_of))
    return out


def _text(node: Any) -> str:
    return str(RawStream()(node))


def parse_key(definition: str) -> PartitionBy:
    """`RANGE (created_at)`, `LIST (lower(region))`, `HASH (id)`."""
    statement = parse_sql(f"CREATE TABLE t () PARTITION BY {definition}")[0].stmt
    assert isinstance(statement, ast.CreateStmt) and statement.partspec is not None
    spec = statement.partspec
    strategy = _STRATEGIES[str(getattr(spec.strategy, "value", spec.strategy))]
    keys = []
    for element in items(spec.partParams):
        if element.name is not None:
            keys.append(PartitionKey(column=element.name))
        else:
            keys.append(PartitionKey(expression=_text(element.expr)))
    return PartitionBy(strategy=strategy, keys=tuple(keys))


def _value(node: Any) -> str:
    text = _text(node)
    return text.upper() if text.lower() in ("minvalue", "maxvalue") else text


def parse_bound(text: str) -> PartitionBound:
    """`FOR VALUES FROM (...) TO (...)`, `FOR VALUES IN (...)`, `FOR VALUES WITH (...)`, `DEFAULT`."""
    statement = parse_sql(f"CREATE TABLE t PARTITION OF p {text}")[0].stmt
    assert isinstance(statement, ast.CreateStmt) and statement.partbound is not None
    bound = statement.partbound
    if bound.is_default:
        return PartitionBound(default=True)
    if bound.strategy == "h":
        return PartitionBound(modulus=bound.modulus, remainder=bound.remainder)
    if bound.strategy == "l":
        return PartitionBound(values=tuple(_value(d) for d in items(bound.listdatums)))
    return PartitionBound(
        lower=tuple(_value(d) for d in items(bound.lowerdatums)),
        upper=tuple(_value(d) for d in items(bound.upperdatums)),
    )
