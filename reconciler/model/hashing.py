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
import hashlib
import json
from typing import Any

from reconciler.model.objects import Catalog, Table, normalized


def canonical(value: Any) -> Any:
    """A JSON-ready canonical form of a model value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _canonical_dataclass(value)
    if isinstance(value, tuple | list):
        return [canonical(item) for item in value]
    return value


def _canonical_dataclass(value: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(value):
        if not f.compare:
            continue
        item = getattr(value, f.name)
        if f.default is not dataclasses.MISSING and item == f.default:
            continue
        if f.default_factory is not dataclasses.MISSING and item == f.default_factory():
            continue
        if isinstance(value, Table) and f.name == "columns":
            item = tuple(sorted(item, key=lambda c: c.name))
        out[f.name] = canonical(item)
    return out


def canonical_json(value: Any) -> str:
    return json.dumps(canonical(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(catalog: Catalog) -> str:
    """The stable content hash of a catalog, as `sha256:<hex>`."""
    digest = hashlib.sha256(canonical_json(normalized(catalog)).encode("utf-8")).hexdigest()
    return f"sha256:{digest}"
