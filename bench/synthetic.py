"""Synthetic catalogs for benchmarks and large round-trip tests.

`create_synthetic(conn, tables)` builds `tables` tables in schema `synth`, each with columns of
varied types, an identity primary key, a foreign key to the previous table, a check, a unique
constraint, a composite index, and every tenth table a partial and an expression index; every
fiftieth table uses an enum. Statements are composed with psycopg.sql and sent in batches.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

SCHEMA = "synth"
BATCH = 200


def _table_statements(i: int) -> Iterator[sql.Composed]:
    name = f"t{i:05d}"
    table = sql.Identifier(SCHEMA, name)
    columns = [
        sql.SQL("id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY"),
        sql.SQL("code varchar(32) NOT NULL"),
        sql.SQL("title text"),
        sql.SQL("amount numeric(12,2) NOT NULL DEFAULT 0"),
        sql.SQL("created_at timestamptz NOT NULL DEFAULT now()"),
        sql.SQL("active boolean NOT NULL DEFAULT true"),
        sql.SQL("payload jsonb"),
        sql.SQL("external_id uuid"),
    ]
    if i % 50 == 0:
        columns.append(sql.SQL("state {} NOT NULL DEFAULT 'new'").format(sql.Identifier(SCHEMA, "state")))
    if i > 0:
        columns.append(sql.SQL("parent_id bigint"))
    yield sql.SQL("CREATE TABLE {} ({}, CONSTRAINT {} CHECK (amount >= 0), CONSTRAINT {} UNIQUE (code))").format(
        table,
        sql.SQL(", ").join(columns),
        sql.Identifier(f"{name}_amount_check"),
        sql.Identifier(f"{name}_code_key"),
    )
    yield sql.SQL("CREATE INDEX {} ON {} (created_at DESC, active)").format(
        sql.Identifier(f"{name}_created_idx"), table
    )
    if i > 0:
        parent = sql.Identifier(SCHEMA, f"t{i - 1:05d}")
        yield sql.SQL(
            "ALTER TABLE {} ADD CONSTRAINT {} FOREIGN KEY (parent_id) REFERENCES {} (id) ON DELETE SET NULL"
        ).format(table, sql.Identifier(f"{name}_parent_fkey"), parent)
        yield sql.SQL("CREATE INDEX {} ON {} (parent_id)").format(sql.Identifier(f"{name}_parent_idx"), table)
    if i % 10 == 0:
        yield sql.SQL("CREATE INDEX {} ON {} (lower(title)) WHERE active").format(
            sql.Identifier(f"{name}_title_idx"), table
        )
    yield sql.SQL("COMMENT ON TABLE {} IS {}").format(table, sql.Literal(f"synthetic table {i}"))


def create_synthetic(conn: psycopg.Connection[Any], tables: int) -> None:
    """Create the synthetic schema with `tables` tables (autocommit connection)."""
    conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(SCHEMA)))
    conn.execute(sql.SQL("CREATE TYPE {} AS ENUM ('new', 'open', 'closed')").format(sql.Identifier(SCHEMA, "state")))
    batch: list[sql.Composed] = []
    for i in range(tables):
        batch.extend(_table_statements(i))
        if len(batch) >= BATCH:
            _flush(conn, batch)
    _flush(conn, batch)
    conn.execute(sql.SQL("ANALYZE"))


def _flush(conn: psycopg.Connection[Any], batch: list[sql.Composed]) -> None:
    if batch:
        with conn.transaction():
            conn.execute(sql.SQL(";\n").join(batch))
        batch.clear()
