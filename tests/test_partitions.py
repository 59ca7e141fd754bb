"""Declarative partitioning: loader errors, introspection, export round trips and plans, on real
PostgreSQL."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import psycopg
import pytest

from reconciler.diff import diff
from reconciler.errors import LoadError
from reconciler.introspect import introspect
from reconciler.load import load_paths
from reconciler.model import QualifiedName, canonical_json, content_hash
from reconciler.model.partitions import PartitionBound
from reconciler.scratch import desired_scope, normalize
from reconciler.service import export

HEADER = "apiVersion: reconciler.dev/v1alpha1\n"

RANGE_SCHEMA = """
CREATE SCHEMA app;
CREATE TABLE app.customers (id bigint PRIMARY KEY);
CREATE TABLE app.events (
  id bigint NOT NULL,
  customer_id bigint REFERENCES app.customers (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  region text,
  payload jsonb,
  PRIMARY KEY (id, created_at),
  CONSTRAINT events_region_check CHECK (region <> '')
) PARTITION BY RANGE (created_at);
CREATE INDEX events_region_idx ON app.events (region);
CREATE TABLE app.events_old PARTITION OF app.events FOR VALUES FROM (MINVALUE) TO ('2024-01-01');
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE app.events_default PARTITION OF app.events DEFAULT;
CREATE INDEX events_old_payload_idx ON app.events_old USING gin (payload);
COMMENT ON TABLE app.events_2024 IS 'This year.';
CREATE TABLE app.regions (code text NOT NULL, name text) PARTITION BY LIST (lower(code));
CREATE TABLE app.regions_eu PARTITION OF app.regions FOR VALUES IN ('de', 'fr', 'it');
CREATE TABLE app.regions_other PARTITION OF app.regions (CONSTRAINT regions_other_name_check CHECK (name IS NOT NULL)) FOR VALUES IN ('us', NULL);
CREATE TABLE app.shards (id bigint NOT NULL, v int) PARTITION BY HASH (id);
CREATE TABLE app.shards_0 PARTITION OF app.shards FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE app.shards_1 PARTITION OF app.shards FOR VALUES WITH (MODULUS 2, REMAINDER 1) PARTITION BY RANGE (v);
CREATE TABLE app.shards_1_low PARTITION OF app.shards_1 FOR VALUES FROM (MINVALUE) TO (100);
CREATE TABLE app.shards_1_high PARTITION OF app.shards_1 FOR VALUES FROM (100) TO (MAXVALUE);
"""


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def errors_of(paths: list[Path]) -> list[str]:
    with pytest.raises(LoadError) as info:
        load_paths(paths)
    return [str(d) for d in info.value.diagnostics]


def assert_same(left: Any, right: Any) -> None:
    assert canonical_json(left) == canonical_json(right)
    assert content_hash(left) == content_hash(right)


# --- introspection and export ----------------------------------------------------------------


def test_partitioned_tables_and_partitions_are_read_into_the_model(conn: psycopg.Connection[Any], database: str) -> None:
    conn.execute(RANGE_SCHEMA)
    catalog = introspect(database, ["app"]).catalog
    events = catalog.table(QualifiedName("app", "events"))
    assert events is not None and events.partition_by is not None
    assert (events.partition_by.strategy, events.partition_by.keys[0].column) == ("range", "created_at")
    old = catalog.table(QualifiedName("app", "events_old"))
    assert old is not None and old.partition_of is not None
    assert old.partition_of.parent == QualifiedName("app", "events")
    assert old.partition_of.bound == PartitionBound(lower=("MINVALUE",), upper=("'2024-01-01 00:00:00+00'",))
    # the partition's own index is its own; its shares of the parent's key, index, check and
    # foreign key belong to the parent
    assert [i.name for i in old.indexes] == ["events_old_payload_idx"]
    assert (old.primary_key, old.checks, old.foreign_keys) == (None, (), ())
    regions = catalog.table(QualifiedName("app", "regions"))
    assert regions is not None and regions.partition_by is not None
    assert regions.partition_by.keys[0].expression == "lower(code)"
    other = catalog.table(QualifiedName("app", "regions_other"))
    assert other is not None and other.partition_of is not None
    assert other.partition_of.bound.values == ("'us'", "NULL")
    assert [c.name for c in other.checks] == ["regions_other_name_check"]
    sub = catalog.table(QualifiedName("app", "shards_1"))
    assert sub is not None and sub.partition_of is not None and sub.partition_by is not None
    assert sub.partition_of.bound == PartitionBound(modulus=2, remainder=1)
    assert not introspect(database, ["app"]).unmanaged


def test_partitioned_tables_round_trip(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute(RANGE_SCHEMA)
    out = tmp_path / "out"
    outcome = export(database, out)
    text = (out / "app" / "events_old.yaml").read_text()
    assert "\n  columns:" not in text and "partitionOf:" in text and "MINVALUE" in text
    loaded = load_paths([out])
    desired = normalize(loaded.catalog, database, origins=loaded.origins)
    live = introspect(database, desired_scope(loaded.catalog))
    assert_same(desired.catalog, live.catalog)
    assert_same(outcome.live.catalog, live.catalog)
    assert diff(live.catalog, desired.catalog) == []
