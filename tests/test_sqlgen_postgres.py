"""Model -> composed DDL -> a real PostgreSQL: the example schema creates cleanly, hostile names
arrive exactly as written (or are rejected), and derived names match PostgreSQL's own."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml
from conftest import EXAMPLES
from psycopg import sql

from reconciler.ddl.catalog import create_catalog
from reconciler.ddl.statement import run_statements
from reconciler.errors import LoadError
from reconciler.load import load_paths

Conn = psycopg.Connection[Any]


def rows(conn: Conn, query: str, *params: Any) -> list[tuple[Any, ...]]:
    return conn.execute(query, params).fetchall()


def test_example_schema_creates_on_postgresql(conn: Conn) -> None:
    catalog = load_paths([EXAMPLES]).catalog
    with conn.transaction():
        run_statements(conn, create_catalog(catalog))
    tables = rows(conn, "SELECT tablename FROM pg_tables WHERE schemaname = 'shop' ORDER BY 1")
    assert [t for (t,) in tables] == ["inventory", "order_items", "orders", "products", "users"]
    constraints = rows(
        conn,
        "SELECT conrelid::regclass::text, conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE n.nspname = 'shop' AND contype IN ('p','u','c','f') ORDER BY 1, 2",
    )
    expected = sorted((f"shop.{t.name}", c.name) for t in catalog.tables for c in t.constraints())
    assert constraints == expected
    # a row goes in and the generated column and defaults work as declared
    conn.execute("INSERT INTO shop.users (email, full_name) VALUES ('Ada@Example.org', 'Ada')")
    conn.execute("INSERT INTO shop.products (sku, name, price_cents) VALUES ('A-1', 'Anvil', 1999)")
    conn.execute("INSERT INTO shop.orders (user_id) SELECT id FROM shop.users")
    conn.execute(
        "INSERT INTO shop.order_items (order_id, line_no, product_id, quantity, unit_price_cents) SELECT o.id, 1, "
        "p.id, 3, 1999 FROM shop.orders o, shop.products p"
    )
    assert rows(conn, "SELECT line_total_cents FROM shop.order_items") == [(5997,)]
    assert rows(conn, "SELECT status::text, currency FROM shop.orders, shop.products") == [("pending", "EUR")]
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("INSERT INTO shop.products (sku, name, price_cents) VALUES ('A-2', 'Free', 0)")


HOSTILE_SCHEMA = 'we"ird; schema'
HOSTILE_TABLE = "Robert'); DROP TABLE students;--"
HOSTILE_COLUMNS = ['a"b', "it's", "semi;colon", "spaced out", "ünïcødé 名前", "select", "UPPER", "$1", "%s", "{}"]


def hostile_yaml(directory: Path) -> None:
    api = "reconciler.dev/v1alpha1"
    schema = {
        "apiVersion": api,
        "kind": "Schema",
        "metadata": {"name": "weird"},
        "spec": {"name": HOSTILE_SCHEMA, "comment": 'it\'s a "test"; DROP SCHEMA public'},
    }
    columns: list[dict[str, Any]] = [
        {"name": 'a"b', "type": "int", "default": 7, "comment": "x'); DROP TABLE students; --"}
    ]
    columns += [{"name": name, "type": "text"} for name in HOSTILE_COLUMNS[1:]]
    table = {
        "apiVersion": api,
        "kind": "Table",
        "metadata": {"name": "robert"},
        "spec": {
            "schema": HOSTILE_SCHEMA,
            "name": HOSTILE_TABLE,
            "comment": "'); DROP TABLE students; --",
            "columns": columns,
            "primaryKey": ['a"b'],
            "checks": [{"name": "chk'; DROP TABLE students; --", "expression": '"a""b" > 0 AND "it\'s" <> \';\''}],
            "indexes": [
                {
                    "name": 'idx"; DROP TABLE students; --',
                    "columns": ["semi;colon", {"expression": 'lower("spaced out")'}],
                    "where": '"select" IS NOT NULL',
                }
            ],
        },
    }
    (directory / "hostile.yaml").write_text(yaml.safe_dump_all([schema, table], allow_unicode=True, sort_keys=False))


def test_hostile_names_are_quoted_never_spliced(conn: Conn, tmp_path: Path) -> None:
    conn.execute("CREATE TABLE public.students (id int)")
    hostile_yaml(tmp_path)
    catalog = load_paths([tmp_path]).catalog
    with conn.transaction():
        run_statements(conn, create_catalog(catalog))
    assert rows(conn, "SELECT to_regclass('public.students') IS NOT NULL") == [(True,)]
    found = rows(
        conn,
        "SELECT attname FROM pg_attribute WHERE attrelid = (SELECT c.oid FROM pg_class c JOIN pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relname = %s) AND attnum > 0 ORDER BY attnum",
        HOSTILE_SCHEMA,
        HOSTILE_TABLE,
    )
    assert [name for (name,) in found] == HOSTILE_COLUMNS
    comment = rows(conn, "SELECT obj_description(oid, 'pg_class') FROM pg_class WHERE relname = %s", HOSTILE_TABLE)
    assert comment == [("'); DROP TABLE students; --",)]
    index = rows(
        conn,
        "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = (SELECT oid FROM pg_class WHERE relname = "
        "%s) AND NOT indisprimary",
        HOSTILE_TABLE,
    )
    assert index == [(sql.Identifier(HOSTILE_SCHEMA, 'idx"; DROP TABLE students; --').as_string(None),)]
    # the table is usable with its odd names
    conn.execute(
        sql.SQL("INSERT INTO {} ({}, {}) VALUES (1, 'x')").format(
            sql.Identifier(HOSTILE_SCHEMA, HOSTILE_TABLE), sql.Identifier('a"b'), sql.Identifier("it's")
        )
    )


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("x" * 64, "is 64 bytes long; PostgreSQL's limit is 63"),
        ("a\\0b", "must not contain a NUL character"),
        ("", "name must not be empty"),
    ],
)
def test_names_postgresql_cannot_store_are_rejected(tmp_path: Path, name: str, problem: str) -> None:
    (tmp_path / "t.yaml").write_text(
        "apiVersion: reconciler.dev/v1alpha1\nkind: Table\nmetadata: {name: t}\n"
        f'spec:\n  columns: [{{name: "{name}", type: int}}]\n'
    )
    with pytest.raises(LoadError) as info:
        load_paths([tmp_path])
    assert problem in str(info.value)


def test_derived_names_match_the_ones_postgresql_chooses(conn: Conn, tmp_path: Path) -> None:
    long_table = "a_table_name_that_is_quite_long_to_force_truncation_of_names"  # 60 bytes
    conn.execute(
        sql.SQL(
            """CREATE TABLE {t} (
                 id int PRIMARY KEY,
                 ref int,
                 "Mixed Case" text UNIQUE,
                 an_extremely_long_column_name_for_testing int,
                 CHECK (ref > 0), CHECK (ref > 1), CHECK (id < ref),
                 UNIQUE (ref, an_extremely_long_column_name_for_testing),
                 FOREIGN KEY (ref) REFERENCES {t} (id)
               )"""
        ).format(t=sql.Identifier(long_table))
    )
    conn.execute(sql.SQL("CREATE INDEX ON {t} (ref)").format(t=sql.Identifier(long_table)))
    conn.execute(sql.SQL("CREATE INDEX ON {t} (ref)").format(t=sql.Identifier(long_table)))
    conn.execute(sql.SQL('CREATE INDEX ON {t} (lower("Mixed Case"))').format(t=sql.Identifier(long_table)))
    live = sorted(
        rows(
            conn,
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype <> 'n'",
            sql.Identifier(long_table).as_string(None),
        )
        + rows(
            conn,
            "SELECT indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE indrelid = %s::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = c.oid)",
            sql.Identifier(long_table).as_string(None),
        )
    )
    (tmp_path / "t.yaml").write_text(
        textwrap.dedent(f"""
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata: {{name: t}}
        spec:
          name: {long_table}
          columns:
            - {{name: id, type: int}}
            - {{name: ref, type: int}}
            - {{name: Mixed Case, type: text}}
            - {{name: an_extremely_long_column_name_for_testing, type: int}}
          primaryKey: [id]
          uniques:
            - columns: [Mixed Case]
            - columns: [ref, an_extremely_long_column_name_for_testing]
          checks:
            - expression: ref > 0
            - expression: ref > 1
            - expression: id < ref
          foreignKeys:
            - columns: [ref]
              references: {{table: {long_table}}}
          indexes:
            - columns: [ref]
            - columns: [ref]
            - columns: [{{expression: 'lower("Mixed Case")'}}]
    """)
    )
    table = load_paths([tmp_path]).catalog.tables[0]
    derived = sorted([(c.name,) for c in table.constraints()] + [(i.name,) for i in table.indexes])
    assert derived == live
