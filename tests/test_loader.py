"""The strict loader: valid input becomes the model; every invalid input is reported with
file:line:col, all problems at once, never a traceback."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import EXAMPLES

from reconciler.errors import LoadError
from reconciler.load import load_paths
from reconciler.model import QualifiedName, content_hash

HEADER = "apiVersion: reconciler.dev/v1alpha1\n"


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def errors_of(paths: list[Path]) -> list[str]:
    with pytest.raises(LoadError) as info:
        load_paths(paths)
    return [str(d) for d in info.value.diagnostics]


def table(name: str = "t", body: str = "") -> str:
    return (
        HEADER
        + f"kind: Table\nmetadata:\n  name: {name}\nspec:\n"
        + textwrap.indent(textwrap.dedent(body).strip("\n"), "  ")
        + "\n"
    )


# --- the example schema --------------------------------------------------------------------


def test_example_schema_loads_into_the_model() -> None:
    result = load_paths([EXAMPLES])
    catalog = result.catalog
    assert [t.name for t in catalog.tables] == ["inventory", "order_items", "orders", "products", "users"]
    assert [s.name for s in catalog.schemas] == ["shop"]
    assert [e.name for e in catalog.extensions] == ["citext", "pg_trgm"]
    orders = catalog.table(QualifiedName("shop", "orders"))
    assert orders is not None
    fk = orders.foreign_keys[0]
    assert (fk.name, fk.references, fk.referenced_columns, fk.on_delete) == (
        "orders_user_id_fkey",
        QualifiedName("shop", "users"),
        ("id",),
        "restrict",
    )
    items = catalog.table(QualifiedName("shop", "order_items"))
    assert items is not None
    assert [c.name for c in items.checks] == ["order_items_quantity_check", "order_items_unit_price_cents_check"]
    assert items.primary_key is not None and items.primary_key.name == "order_items_pkey"
    assert [c.nullable for c in items.columns[:2]] == [False, False]  # primary-key columns are NOT NULL


def test_content_hash_is_stable_and_ignores_file_layout(tmp_path: Path) -> None:
    first = content_hash(load_paths([EXAMPLES]).catalog)
    # the same documents, all in one file and in reverse order
    texts = [p.read_text() for p in sorted(EXAMPLES.glob("*.yaml"))]
    write(tmp_path, "all.yaml", "\n---\n".join(reversed(texts)))
    assert content_hash(load_paths([tmp_path]).catalog) == first
    assert first == content_hash(load_paths([EXAMPLES]).catalog)


def test_content_hash_ignores_migration_hints_but_not_state(tmp_path: Path) -> None:
    write(tmp_path, "t.yaml", table(body="columns:\n  - {name: a, type: int}\n"))
    plain = content_hash(load_paths([tmp_path]).catalog)
    write(tmp_path, "t.yaml", table(body="columns:\n  - {name: a, type: int, renamedFrom: b, backfill: 0}\n"))
    assert content_hash(load_paths([tmp_path]).catalog) == plain
    write(tmp_path, "t.yaml", table(body="columns:\n  - {name: a, type: int, nullable: false}\n"))
    assert content_hash(load_paths([tmp_path]).catalog) != plain


# --- structure errors ----------------------------------------------------------------------


def test_unknown_field_is_located_with_a_suggestion(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.yaml",
        table(
            body="""
        columns:
          - name: a
            type: int
            nulable: false
    """
        ),
    )
    assert errors_of([path]) == [f"{path}:9:7: unknown field 'nulable' in spec.columns[0] (did you mean 'nullable'?)"]


def test_wrong_types_are_not_coerced(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.yaml",
        table(
            body="""
        columns:
          - name: a
            type: int
            nullable: "no"
          - name: 5
            type: int
    """
        ),
    )
    assert errors_of([path]) == [
        f"{path}:9:17: spec.columns[0].nullable: Input should be a valid boolean",
        f"{path}:10:13: spec.columns[1].name: Input should be a valid string",
    ]


def test_missing_required_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", table(body="columns:\n  - name: a\n"))
    assert errors_of([path]) == [f"{path}:7:7: spec.columns[0]: missing required field 'type'"]


def test_yaml_syntax_error_points_at_the_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", table(body="columns:\n  - name: a\n    type: [int\n"))
    (message,) = errors_of([path])
    assert message.startswith(f"{path}:9:1: invalid YAML")


def test_duplicate_yaml_keys_are_errors(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", table(body="columns:\n  - name: a\n    type: int\n    type: text\n"))
    assert errors_of([path]) == [f"{path}:9:7: duplicate key 'type' (first written at line 8)"]


def test_yes_and_on_stay_strings(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", table(body="columns:\n  - {name: on, type: int}\n  - {name: yes, type: text}\n"))
    t = load_paths([path]).catalog.tables[0]
    assert [c.name for c in t.columns] == ["on", "yes"]


def test_unknown_kind_and_api_version(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "x.yaml",
        """
        apiVersion: reconciler.dev/v9
        kind: Table
        metadata: {name: t}
        spec: {}
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Tabel
        metadata: {name: t}
        spec: {}
    """,
    )
    assert errors_of([path]) == [
        f"{path}:1:13: apiVersion must be reconciler.dev/v1alpha1, got 'reconciler.dev/v9'",
        f"{path}:7:7: unknown kind 'Tabel'; expected one of Collation, CompositeType, Domain, Enum, Extension, "
        "Function, MaterializedView, Procedure, Schema, Sequence, Table, View",
    ]


def test_kubernetes_name_rules(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", table(name="order_items", body="columns: []"))
    (message,) = errors_of([path])
    assert message.startswith(f"{path}:4:9: metadata.name: 'order_items' is not a valid Kubernetes object name")
    path = write(tmp_path, "t.yaml", table(name="shop.orders", body="columns: []"))
    assert errors_of([path]) == [
        f"{path}:4:9: metadata.name 'shop.orders' contains '.', so it cannot be the SQL name: set spec.name"
    ]


# --- semantic errors -----------------------------------------------------------------------


def test_duplicates_across_files(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", table(name="t1", body="name: t\ncolumns: [{name: a, type: int}, {name: a, type: int}]"))
    write(tmp_path, "b.yaml", table(name="t2", body="name: t\ncolumns: []"))
    errors = errors_of([tmp_path])
    assert f"{tmp_path}/a.yaml:7:42: duplicate column 'a'" in errors
    assert f"{tmp_path}/b.yaml:6:9: relation 'public.t' is already defined at {tmp_path}/a.yaml:1" in errors


def test_references_to_missing_tables_and_columns(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", table(name="parent", body="columns: [{name: id, type: int}]\nprimaryKey: [id]"))
    path = write(
        tmp_path,
        "b.yaml",
        table(
            name="child",
            body="""
        columns:
          - {name: id, type: int}
          - {name: parent_id, type: int}
        primaryKey: [idd]
        foreignKeys:
          - columns: [parent_id]
            references: {table: parent, columns: [nope]}
          - columns: [parent_id]
            references: {table: ghost}
        indexes:
          - columns: [missing]
        uniques:
          - columns: [id, zz]
        checks:
          - expression: quantity > 0
    """,
        ),
    )
    assert errors_of([tmp_path]) == [
        f"{path}:9:15: table 'child' has no column 'idd'",
        f"{path}:12:44: referenced table 'public.parent' has no column 'nope'",
        f"{path}:14:27: referenced table 'public.ghost' is not defined",
        f"{path}:16:17: table 'child' has no column 'missing'",
        f"{path}:18:16: table 'child' has no column 'zz'",
        f"{path}:20:19: check refers to unknown column 'quantity'",
    ]


def test_foreign_key_needs_a_unique_target(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        table(name="parent", body="columns: [{name: id, type: int}, {name: code, type: text}]\nprimaryKey: [id]"),
    )
    path = write(
        tmp_path,
        "b.yaml",
        table(
            name="child",
            body="""
        columns: [{name: code, type: text}]
        foreignKeys:
          - columns: [code]
            references: {table: parent, columns: [code]}
    """,
        ),
    )
    (message,) = errors_of([tmp_path])
    assert message.startswith(f"{path}:9:19: referenced columns ['code'] of 'public.parent' are not covered")


def test_identifier_longer_than_63_bytes(tmp_path: Path) -> None:
    long_name = "é" * 32  # 64 bytes in UTF-8, 32 characters
    path = write(tmp_path, "t.yaml", table(body=f"columns: [{{name: {long_name}, type: int}}]"))
    (message,) = errors_of([path])
    assert message.startswith(f"{path}:6:20: spec.columns[0].name: name 'éééé")
    assert "is 64 bytes long; PostgreSQL's limit is 63 and it would silently truncate it" in message


def test_sql_fragments_must_be_exactly_one_expression(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.yaml",
        table(
            body="""
        columns:
          - {name: a, type: int, default: "1; DROP TABLE users"}
          - {name: b, type: "int; DROP TABLE users"}
          - {name: c, type: int, backfill: "1 FROM users"}
          - {name: d, type: int, using: "d::text) --"}
        checks:
          - expression: "a > 0 OR"
        indexes:
          - columns: [a]
            where: "a, b"
    """
        ),
    )
    assert errors_of([path]) == [
        f"{path}:7:37: spec.columns[0].default: expression must be a single SQL expression, not several statements",
        f"{path}:8:23: spec.columns[1].type: type must be a single SQL expression, not several statements",
        f"{path}:9:38: spec.columns[2].backfill: expression must be a single SQL expression (found more than an "
        "expression)",
        f'{path}:10:35: spec.columns[3].using: expression does not parse: syntax error at or near ")" (at character 8)',
        f"{path}:12:19: spec.checks[0].expression: expression must be a single SQL expression; "
        "it ends in what reads as an alias ('or'): is it incomplete?",
        f"{path}:15:14: spec.indexes[0].where: expression must be a single SQL expression, found 2",
    ]


def test_string_default_without_quotes_gets_a_hint(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", table(body="columns: [{name: s, type: text, default: pending}]"))
    assert errors_of([path]) == [
        f"{path}:6:44: default refers to column 'pending', but a default cannot use columns; "
        "for the string 'pending' write the SQL literal: \"'pending'\""
    ]


def test_schema_must_be_declared(tmp_path: Path) -> None:
    path = write(tmp_path, "t.yaml", table(body="schema: sales\ncolumns: []"))
    assert errors_of([path]) == [f"{path}:6:11: schema 'sales' is not declared: add a document of kind Schema for it"]


def test_conflicting_column_options(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "t.yaml",
        table(
            body="""
        columns:
          - {name: a, type: int, identity: always, default: 1}
          - {name: b, type: int, identity: always, nullable: true}
          - {name: c, type: int, generated: a + 1, identity: always}
    """
        ),
    )
    assert errors_of([path]) == [
        f"{path}:7:55: a column with identity or generated cannot also have a default",
        f"{path}:8:56: an identity column cannot be nullable",
        f"{path}:9:39: a column cannot be both identity and generated",
    ]


def test_every_error_is_reported_at_once(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", table(name="a", body="columns: [{name: x, type: int, typo: 1}]"))
    write(tmp_path, "b.yaml", table(name="b", body="columns: [{name: y, type: 'int('}]"))
    write(tmp_path, "c.yaml", "kind: [\n")
    errors = errors_of([tmp_path])
    assert len(errors) == 3
    assert {e.split(":")[0] for e in errors} == {f"{tmp_path}/a.yaml", f"{tmp_path}/b.yaml", f"{tmp_path}/c.yaml"}


def test_missing_path_and_empty_directory(tmp_path: Path) -> None:
    assert errors_of([tmp_path / "nope"]) == [f"{tmp_path}/nope: no such file or directory"]
    assert errors_of([tmp_path]) == [f"{tmp_path}: no YAML files found (*.yaml, *.yml)"]


# --- names PostgreSQL would choose ---------------------------------------------------------


def test_default_names_follow_postgresql(tmp_path: Path) -> None:
    write(
        tmp_path,
        "t.yaml",
        table(
            name="t",
            body="""
        columns:
          - {name: a, type: int}
          - {name: b, type: int}
          - {name: email, type: text}
        primaryKey: [a]
        uniques:
          - columns: [a, b]
          - columns: [b]
            include: [email]
        checks:
          - expression: a > 0
          - expression: a > b
          - expression: a < 100
        indexes:
          - columns: [b]
          - columns: [b]
          - columns: [{expression: lower(email)}]
    """,
        ),
    )
    t = load_paths([tmp_path]).catalog.tables[0]
    assert t.primary_key is not None and t.primary_key.name == "t_pkey"
    assert sorted(u.name for u in t.uniques) == ["t_a_b_key", "t_b_email_key"]
    assert sorted(c.name for c in t.checks) == ["t_a_check", "t_a_check1", "t_check"]
    assert sorted(i.name for i in t.indexes) == ["t_b_idx", "t_b_idx1", "t_lower_idx"]
