"""Export of partitioning: `partitionBy` on partitioned tables, `partitionOf` on partitions.

Stage: export (a shell-side renderer of the model, like `reconciler.export`). A partition's
document carries no columns: they are its parent's, and the loader fills them in.
"""

from __future__ import annotations

import re
from typing import Any

from reconciler.model import Table
from reconciler.model.partitions import PartitionBound, PartitionBy, PartitionKey

_INTEGER = re.compile(r"^-?[0-9]+$")


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


def _value(text: str) -> Any:
    return int(text) if _INTEGER.match(text) else text


def _bounds(bound: PartitionBound) -> dict[str, Any]:
    if bound.modulus is not None:
        return {"modulus": bound.modulus, "remainder": bound.remainder}
    if bound.values:
        return {"in": [_value(v) for v in bound.values]}
    return {"from": [_value(v) for v in bound.lower], "to": [_value(v) for v in bound.upper]}
