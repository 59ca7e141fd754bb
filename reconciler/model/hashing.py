"""Canonical form and content hash of model values.

The hash names a schema state: plans are pinned to the hash of the live schema they were computed
from, and a stale plan is one whose hash no longer matches. So the hash must be stable across
runs, machines and reconciler versions:
- it is SHA-256 over canonical JSON (sorted keys, no whitespace);
- fields equal to their default are left out, so adding a field with a default to a model type
  later does not change the hash of schemas that do not use it;
- migration hints (fields with compare=False) are left out: they say how, not what;
- column order is ignored: PostgreSQL cannot reorder columns online, so two tables with the same
  columns in another order are the same schema for reconciler.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
from typing import Any

from reconciler.model.objects import Catalog, Table, normalized


def canonical(value: Any) -> Any:
    """A JSON-ready canonical form of a model value."""
    if isinstance(value, tuple | list):
        return [canonical(item) for item in value]
    if hasattr(type(value), "__dataclass_fields__"):
        return _canonical_dataclass(value)
    return value


_MISSING = object()


@functools.cache
def _fields(cls: type) -> tuple[tuple[str, Any], ...]:
    """(name, default) of the compared fields of a model class, computed once per class."""
    out = []
    for f in dataclasses.fields(cls):
        if not f.compare:
            continue
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = _MISSING
        out.append((f.name, default))
    return tuple(out)


def _canonical_dataclass(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    is_table = type(value) is Table
    for name, default in _fields(value.__class__):
        item = getattr(value, name)
        if default is not _MISSING and item == default:
            continue
        if is_table and name == "columns":
            if value.partition_of is not None:
                continue  # a partition's columns are its parent's (model.partitions): never compared
            item = tuple(sorted(item, key=lambda c: c.name))
        out[name] = canonical(item)
    return out


def canonical_json(value: Any) -> str:
    return json.dumps(canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(catalog: Catalog) -> str:
    """The stable content hash of a catalog, as `sha256:<hex>`."""
    digest = hashlib.sha256(canonical_json(normalized(catalog)).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"
