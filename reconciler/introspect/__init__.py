"""Introspection: a live database -> the schema model (see `reader`)."""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.introspect.reader import BOOKKEEPING_SCHEMA, LiveState, TableStats, UnmanagedObject, read_catalog
from reconciler.pg.dsn import connect


def introspect(dsn: str, schemas: Iterable[str] | None = None) -> LiveState:
    """Connect to `dsn` and read `schemas` (default: every user schema)."""
    with connect(dsn) as conn:
        return read_catalog(conn, schemas, dsn=dsn)


__all__ = ["BOOKKEEPING_SCHEMA", "LiveState", "TableStats", "UnmanagedObject", "introspect", "read_catalog"]
