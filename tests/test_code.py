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
