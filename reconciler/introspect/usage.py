"""How far the live sequences have counted: the facts lint's `design/integer-key-near-limit`
needs beyond the schema itself.

Stage: introspect. One query (queries/sequence_usage.sql, a constant template with bound
parameters) in a read-only transaction; values, not schema, so they are kept apart from the
model and never compared or hashed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import namedtuple_row

from reconciler.errors import IntrospectionError
from reconciler.model import QualifiedName
from reconciler.pg.dsn import connect


@dataclass(frozen=True, slots=True)
class SequenceUsage:
    sequence: QualifiedName
    type: str
    min_value: int
    max_value: int
    increment: int
    last_value: int | None  # None: never used, or not readable by this role
    column: tuple[QualifiedName, str] | None = None  # the (table, column) it serves


@dataclass(frozen=True)
class Usage:
    """Sequences by name, and by the column they serve."""

    sequences: dict[QualifiedName, SequenceUsage]
    columns: dict[tuple[QualifiedName, str], SequenceUsage]

    def for_column(self, table: QualifiedName, column: str) -> SequenceUsage | None:
        return self.columns.get((table, column))

    def for_sequence(self, name: QualifiedName) -> SequenceUsage | None:
        return self.sequences.get(name)


@cache
def _query() -> sql.SQL:
    """A constant template shipped with the package; the schemas are a bound parameter."""
    return sql.SQL(resources.files("reconciler.introspect").joinpath("queries", "sequence_usage.sql").read_text())


def sequence_usage(url: str, schemas: Iterable[str]) -> Usage:
    """Read the position of every sequence in `schemas`."""
    with connect(url) as conn:
        return read_sequence_usage(conn, schemas)


def read_sequence_usage(conn: psycopg.Connection[Any], schemas: Iterable[str]) -> Usage:
    try:
        conn.read_only = True
        with conn.transaction(), conn.cursor(row_factory=namedtuple_row) as cur:
            cur.execute(sql.SQL("SET LOCAL statement_timeout = {}").format(sql.Literal(30_000)))
            cur.execute(_query(), {"schemas": sorted(set(schemas))})
            rows: list[Any] = cur.fetchall()
    except psycopg.Error as exc:
        raise IntrospectionError(f"reading sequence positions failed: {str(exc).strip().splitlines()[0]}") from None
    finally:
        conn.read_only = False
    sequences: dict[QualifiedName, SequenceUsage] = {}
    columns: dict[tuple[QualifiedName, str], SequenceUsage] = {}
    for row in rows:
        owner = (QualifiedName(row.owner_schema, row.owner_table), row.owner_column) if row.owner_column else None
        usage = SequenceUsage(
            sequence=QualifiedName(row.schema, row.name),
            type=row.type,
            min_value=row.min_value,
            max_value=row.max_value,
            increment=row.increment,
            last_value=row.last_value,
            column=owner,
        )
        sequences[usage.sequence] = usage
        if owner is not None:
            columns[owner] = usage
    return Usage(sequences, columns)
