"""Statements and the primitives every DDL module composes them with, and how they are run.

Stage: ddl. Every statement is built with psycopg.sql: names are `Identifier`s, values are
`Literal`s, and templates are constants. User-written SQL fragments (types, defaults, expressions)
are spliced only after PostgreSQL's parser accepted them as exactly one type or expression, and
only in pglast's re-rendered form (see `reconciler.sqlparse.fragments`), always parenthesized.

Unqualified names inside types and expressions resolve in the object's own schema, then
`public`, then `pg_catalog`: each statement carries that schema (`Statement.schema`) and the
runners here set `search_path` accordingly. They build scratch databases and serve the tests;
production execution (timeouts, retries, journal) lives in `reconciler.execute`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from reconciler.model import QualifiedName
from reconciler.sqlparse.fragments import canonical_expression, canonical_type, parse_name

Subject = tuple[str, str, str]  # (kind, schema, name) of the object a statement is about
Query = sql.SQL | sql.Composed  # what psycopg executes: a constant template, or one filled in


@dataclass(frozen=True)
class Statement:
    """One SQL statement, the schema its unqualified names resolve in, and what it is about."""

    sql: Query
    schema: str | None = None
    subject: Subject | None = None

    def text(self) -> str:
        return self.sql.as_string(None)


# --- fragments ----------------------------------------------------------------------------


def qualified(name: QualifiedName) -> sql.Identifier:
    return sql.Identifier(name.schema, name.name)


def idents(names: Iterable[str]) -> sql.Composed:
    return sql.SQL(", ").join(sql.Identifier(n) for n in names)


def type_sql(text: str) -> sql.SQL:
    return sql.SQL(canonical_type(text))


def expression_sql(text: str) -> sql.Composed:
    """A user expression, parenthesized, in its parser-checked rendering."""
    return sql.SQL("({})").format(sql.SQL(canonical_expression(text)))


def name_sql(text: str) -> sql.Identifier:
    """A possibly qualified name written as in SQL (collations, operator classes)."""
    return sql.Identifier(*parse_name(text))


def search_path(schema: str) -> Query:
    if schema == "public":
        return sql.SQL("SET search_path TO public")
    return sql.SQL("SET search_path TO {}, public").format(sql.Identifier(schema))


def comment_on(target: sql.Composable, comment: str | None, schema: str | None = None) -> Statement:
    """`target` is e.g. `TABLE "s"."t"`; a None comment removes it."""
    value = sql.Literal(comment) if comment is not None else sql.SQL("NULL")
    return Statement(sql.SQL("COMMENT ON {} IS {}").format(target, value), schema)


# --- running ------------------------------------------------------------------------------


BATCH_SIZE = 200


def script(statements: Iterable[Statement]) -> sql.Composed:
    """One multi-statement script, switching search_path where the schema context changes."""
    parts: list[sql.Composable] = []
    current: str | None = None
    for statement in statements:
        schema = statement.schema or "public"
        if schema != current:
            parts.append(search_path(schema))
            current = schema
        parts.append(statement.sql)
    if current not in (None, "public"):
        parts.append(search_path("public"))
    return sql.SQL(";\n").join(parts)


def run_statements(conn: psycopg.Connection[Any], statements: Iterable[Statement]) -> None:
    """Execute statements in order, one round trip each; the caller owns the transaction."""
    for statement in statements:
        conn.execute(script([statement]))


def run_batched(conn: psycopg.Connection[Any], statements: list[Statement], on_error: Any = None) -> None:
    """Execute statements in batches, one round trip per batch.

    On an autocommit connection each batch commits on its own (PostgreSQL runs a multi-statement
    query as one implicit transaction), which is twice as fast for large scratch databases; inside
    a transaction each batch gets a savepoint. Either way a failed batch is undone and replayed
    one statement at a time, so `on_error(statement, exc)` learns which statement was rejected.
    """
    for start in range(0, len(statements), BATCH_SIZE):
        batch = statements[start : start + BATCH_SIZE]
        try:
            with _unit(conn):
                conn.execute(script(batch))
        except psycopg.Error as batch_error:
            for statement in batch:
                try:
                    with _unit(conn):
                        conn.execute(script([statement]))
                except psycopg.Error as exc:
                    if on_error is not None:
                        on_error(statement, exc)
                    raise
            raise batch_error


def _unit(conn: psycopg.Connection[Any]) -> Any:
    """A savepoint inside a transaction; nothing extra on an autocommit connection."""
    return contextlib.nullcontext() if conn.autocommit else conn.transaction()
