"""Creation order across object kinds, and routines following renamed types.

Each test applies the plan to a real database and checks what a user sees: the objects work,
planning again shows nothing, and no live routine is reported unmanaged.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import psycopg
import pytest

from reconciler.ddl.catalog import create_catalog
from reconciler.ddl.statement import run_statements
from reconciler.load import load_paths
from reconciler.plan.plain import run_step
from reconciler.service import plan


def _write(directory: Path, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "schema.yaml").write_text(textwrap.dedent(text).lstrip())
    return directory


def _apply(database: str, directory: Path) -> list[str]:
    """Plan, apply every step, and require that planning again shows nothing."""
    outcome = plan([directory], database)
    assert outcome.plan.verified
    with psycopg.connect(database, autocommit=True) as conn:
        for step in outcome.plan.steps:
            run_step(conn, step)
    again = plan([directory], database).plan
    assert [s.id for s in again.steps] == []
    assert not again.unmanaged
    return [s.id for s in outcome.plan.steps]


ROWTYPE = """
    apiVersion: reconciler.dev/v1alpha1
    kind: Table
    metadata: {name: t}
    spec:
      columns: [{name: id, type: int}]
    ---
    apiVersion: reconciler.dev/v1alpha1
    kind: Function
    metadata: {name: f}
    spec:
      name: f
      returns: {setof: public.t}
      body: SELECT * FROM public.t
"""


def test_function_returning_a_new_tables_rows_is_created_after_it(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    steps = _apply(database, _write(tmp_path / "a", ROWTYPE))
    assert steps.index("expand/create-table/public.t") < steps.index("expand/create-function/public.f()")
    conn.execute("INSERT INTO public.t VALUES (1), (2)")
    assert conn.execute("SELECT id FROM public.f() ORDER BY id").fetchall() == [(1,), (2,)]


def test_function_taking_a_new_tables_rows_in_an_argument(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    directory = _write(
        tmp_path / "a",
        """
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata: {name: t}
        spec:
          columns: [{name: id, type: int}]
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {name: ident}
        spec:
          name: ident
          arguments: [{name: r, type: t}]
          returns: integer
          body: SELECT r.id
    """,
    )
    _apply(database, directory)
    assert conn.execute("SELECT public.ident(ROW(7)::public.t)").fetchone() == (7,)


def test_function_returning_a_new_views_rows_is_created_after_it(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    directory = _write(
        tmp_path / "v",
        ROWTYPE.replace(
            "public.t}\n      body: SELECT * FROM public.t", "public.v}\n      body: SELECT * FROM public.v"
        )
        + """
    ---
    apiVersion: reconciler.dev/v1alpha1
    kind: View
    metadata: {name: v}
    spec:
      name: v
      query: SELECT id FROM public.t WHERE id > 1
    """,
    )
    steps = _apply(database, directory)
    assert steps.index("expand/create-view/public.v") < steps.index("expand/create-function/public.f()")
    conn.execute("INSERT INTO public.t VALUES (1), (2)")
    assert conn.execute("SELECT id FROM public.f()").fetchall() == [(2,)]


DOMAIN_CALLS = """
    apiVersion: reconciler.dev/v1alpha1
    kind: Function
    metadata: {name: ok}
    spec:
      name: ok
      arguments: [{name: n, type: integer}]
      returns: boolean
      volatility: immutable
      body: SELECT n > 0
    ---
    apiVersion: reconciler.dev/v1alpha1
    kind: Domain
    metadata: {name: qty}
    spec:
      name: qty
      type: integer
      default: "1"
      checks: [{name: qty_ok, expression: "public.ok(VALUE)"}]
    ---
    apiVersion: reconciler.dev/v1alpha1
    kind: Table
    metadata: {name: lines}
    spec:
      columns: [{name: id, type: int}, {name: n, type: qty}]
"""


def test_domain_check_calling_a_new_function(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    steps = _apply(database, _write(tmp_path / "b", DOMAIN_CALLS))
    assert (
        steps.index("expand/create-function/public.ok(integer)")
        < steps.index("expand/domain-checks/public.qty")
        < steps.index("expand/create-table/public.lines")
    )
    conn.execute("INSERT INTO public.lines (id) VALUES (1)")
    assert conn.execute("SELECT n FROM public.lines").fetchone() == (1,)
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("INSERT INTO public.lines VALUES (2, -5)")


def test_domain_check_calling_a_function_of_the_domain(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    """The function takes the domain, the domain's check calls the function: only ALTER DOMAIN
    after both exist can express it."""
    directory = _write(
        tmp_path / "c",
        """
        apiVersion: reconciler.dev/v1alpha1
        kind: Domain
        metadata: {name: even}
        spec:
          name: even
          type: integer
          checks: [{name: even_ok, expression: "public.is_even(VALUE::integer)"}]
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {name: is-even}
        spec:
          name: is_even
          arguments: [{name: n, type: integer}]
          returns: boolean
          volatility: immutable
          body: SELECT n % 2 = 0
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {name: half}
        spec:
          name: half
          arguments: [{name: n, type: even}]
          returns: integer
          volatility: immutable
          body: SELECT n / 2
    """,
    )
    _apply(database, directory)
    assert conn.execute("SELECT public.half(8)").fetchone() == (4,)
    with pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("SELECT 3::public.even")


def test_scratch_catalog_renders_in_dependency_order(conn: psycopg.Connection[Any], tmp_path: Path) -> None:
    """create_catalog (what normalization runs) accepts both orders on an empty database."""
    catalog = load_paths([_write(tmp_path / "a", ROWTYPE), _write(tmp_path / "b", DOMAIN_CALLS)]).catalog
    with conn.transaction():
        run_statements(conn, create_catalog(catalog))
    assert conn.execute("SELECT count(*) FROM public.f()").fetchone() == (0,)
    assert conn.execute("SELECT 2::public.qty").fetchone() == (2,)


def test_function_follows_a_domain_rename(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute(
        "CREATE DOMAIN public.old_dom AS integer; CREATE FUNCTION public.f(x public.old_dom) RETURNS integer LANGUAGE "
        "sql AS 'SELECT 1';"
    )
    directory = _write(
        tmp_path / "r",
        """
        apiVersion: reconciler.dev/v1alpha1
        kind: Domain
        metadata: {name: new-dom}
        spec:
          name: new_dom
          type: integer
          renamedFrom: old_dom
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {name: f}
        spec:
          name: f
          arguments: [{name: x, type: public.new_dom}]
          returns: integer
          body: SELECT 1
    """,
    )
    assert _apply(database, directory) == ["contract/rename-domain/public.new_dom"]
    assert conn.execute("SELECT public.f(5::public.new_dom)").fetchone() == (1,)


def test_function_body_change_with_a_composite_rename(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    """The new body is installed in expand under the type's old name; the rename follows."""
    conn.execute(
        "CREATE TYPE public.old_pair AS (a int, b int); CREATE FUNCTION public.total(p public.old_pair) RETURNS "
        "integer LANGUAGE sql AS 'SELECT p.a + p.b';"
    )
    directory = _write(
        tmp_path / "p",
        """
        apiVersion: reconciler.dev/v1alpha1
        kind: CompositeType
        metadata: {name: pair}
        spec:
          name: pair
          attributes: [{name: a, type: integer}, {name: b, type: integer}]
          renamedFrom: old_pair
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Function
        metadata: {name: total}
        spec:
          name: total
          arguments: [{name: p, type: pair}]
          returns: integer
          body: SELECT p.a * p.b
    """,
    )
    steps = _apply(database, directory)
    assert steps == ["expand/replace-function/public.total(public.old_pair)", "contract/rename-type/public.pair"]
    assert conn.execute("SELECT public.total(ROW(3, 4)::public.pair)").fetchone() == (12,)


def test_enum_rename_under_a_column(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute(
        "CREATE TYPE public.old_e AS ENUM ('a', 'b'); CREATE TABLE public.t (id int, e public.old_e); INSERT INTO "
        "public.t VALUES (1, 'b');"
    )
    directory = _write(
        tmp_path / "e",
        """
        apiVersion: reconciler.dev/v1alpha1
        kind: Enum
        metadata: {name: new-e}
        spec:
          name: new_e
          values: [a, b]
          renamedFrom: old_e
        ---
        apiVersion: reconciler.dev/v1alpha1
        kind: Table
        metadata: {name: t}
        spec:
          columns: [{name: id, type: int}, {name: e, type: public.new_e}]
    """,
    )
    assert _apply(database, directory) == ["contract/rename-enum/public.new_e"]
    assert conn.execute("SELECT e::text, pg_typeof(e)::text FROM public.t").fetchone() == ("b", "new_e")
