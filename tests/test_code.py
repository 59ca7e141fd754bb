"""Functions, procedures, views, materialized views and triggers: load, introspect, normalize,
export and plan, against a real PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg

from reconciler.introspect import introspect
from reconciler.load import load_paths
from reconciler.model import QualifiedName
from reconciler.pg.runner import run_statements
from reconciler.scratch import desired_scope, normalize
from reconciler.service import export, plan
from reconciler.sqlgen import create_catalog

CODE = Path(__file__).parent / "fixtures" / "code"


def test_code_objects_survive_normalization(conn: psycopg.Connection[Any], database: str) -> None:
    loaded = load_paths([CODE])
    with conn.transaction():
        run_statements(conn, create_catalog(loaded.catalog))
    desired = normalize(loaded.catalog, database, origins=loaded.origins)
    live = introspect(database, desired_scope(loaded.catalog))
    assert desired.catalog.functions == live.catalog.functions
    assert desired.catalog.views == live.catalog.views
    assert desired.catalog.materialized_views == live.catalog.materialized_views
    items = live.catalog.table(QualifiedName("shop", "items"))
    assert items is not None and items.triggers == desired.catalog.table(items.qname).triggers
    print(live.catalog.functions, live.catalog.views, live.catalog.materialized_views, items.triggers, live.dependencies, live.unmanaged, sep="\n")


def test_export_then_plan_shows_nothing(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    loaded = load_paths([CODE])
    with conn.transaction():
        run_statements(conn, create_catalog(loaded.catalog))
    export(database, tmp_path / "export")
    files = sorted(str(p.relative_to(tmp_path / "export")) for p in (tmp_path / "export").rglob("*.yaml"))
    assert files == [
        "public/_schema.yaml",
        "shop/_schema.yaml",
        "shop/functions/is_positive.yaml",
        "shop/functions/set_updated_at.yaml",
        "shop/functions/top_items.yaml",
        "shop/items.yaml",
        "shop/materialized-views/item_totals.yaml",
        "shop/procedures/restock.yaml",
        "shop/views/big_items.yaml",
    ]
    outcome = plan([tmp_path / "export"], database)
    assert outcome.plan.steps == () and outcome.plan.changes == () and outcome.plan.unmanaged == ()
