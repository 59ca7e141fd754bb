"""Export of partitioning: `partitionBy` on partitioned tables, `partitionOf` on partitions.

Stage: export (a renderer of the model, like the rest of `reconciler.export`). A partition's
document carries no columns: they are its parent's, and the loader fills them in.
"""

from __future__ import annotations

from typing import Any

from reconciler.export.values import sql_value
from reconciler.model import Table
from reconciler.model.partitions import PartitionBound, PartitionBy, PartitionKey


def add_partitioning(spec: dict[str, Any], table: Table) -> dict[str, Any]:
    """`spec` (a Table document's spec) with the table's partitioning; columns dropped for partitions."""
    if table.partition_of is not None:
        spec.pop("columns", None)
        parent = table.partition_of.parent
        of: dict[str, Any] = {"table": parent.name}
        if parent.schema != table.schema:
            of["schema"] = parent.schema
        if table.partition_of.bound.default:
            of["default"] = True
        else:
            of["bounds"] = _bounds(table.partition_of.bound)
        spec["partitionOf"] = of
    if table.partition_by is not None:
        spec["partitionBy"] = _partition_by(table.partition_by)
    return spec


def _key(key: PartitionKey) -> Any:
    return key.column if key.column is not None else {"expression": key.expression}


def _partition_by(partition_by: PartitionBy) -> dict[str, Any]:
    return {"strategy": partition_by.strategy, "columns": [_key(k) for k in partition_by.keys]}


def _bounds(bound: PartitionBound) -> dict[str, Any]:
    if bound.modulus is not None:
        return {"modulus": bound.modulus, "remainder": bound.remainder}
    if bound.values:
        return {"in": [sql_value(v) for v in bound.values]}
    return {"from": [sql_value(v) for v in bound.lower], "to": [sql_value(v) for v in bound.upper]}
