"""Declarative partitioning: loader errors, introspection, export round trips and plans, on real
PostgreSQL."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import psycopg
import pytest

from reconciler.diff import diff
from reconciler.drift.findings import Status, top_level
from reconciler.errors import LoadError, PlanError
from reconciler.introspect import introspect
from reconciler.load import load_paths
from reconciler.model import QualifiedName, canonical_json, content_hash
from reconciler.model.partitions import PartitionBound
from reconciler.normalize import desired_scope, normalize
from reconciler.plan.plain import run_step
from reconciler.service import export, plan

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
CREATE TABLE app.regions_other PARTITION OF app.regions (CONSTRAINT regions_other_name_check CHECK (name IS NOT NULL))
    FOR VALUES IN ('us', NULL);
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


def test_partitioned_tables_and_partitions_are_read_into_the_model(
    conn: psycopg.Connection[Any], database: str
) -> None:
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


# --- loader errors -------------------------------------------------------------------------

PARENT = """
kind: Table
metadata: {name: events}
spec:
  columns:
    - {name: id, type: bigint}
    - {name: at, type: date}
  partitionBy: {strategy: range, columns: [at]}
"""


def doc(body: str) -> str:
    return HEADER + textwrap.dedent(body).lstrip()


def partition(name: str, partition_of: str, extra: str = "") -> str:
    return doc(f"kind: Table\nmetadata: {{name: {name}}}\nspec:\n  partitionOf: {partition_of}\n{extra}")


def test_partitions_load_with_their_parents_columns(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        doc(PARENT)
        + "---\n"
        + partition(
            "p1",
            "{table: events, bounds: {from: [MINVALUE], to: [\"'2025-01-01'\"]}}",
            "  indexes:\n    - columns: [id]\n",
        ),
    )
    catalog = load_paths([tmp_path]).catalog
    p1 = catalog.table(QualifiedName("public", "p1"))
    assert p1 is not None and p1.partition_of is not None
    assert [c.name for c in p1.columns] == ["id", "at"]
    assert p1.partition_of.bound == PartitionBound(lower=("MINVALUE",), upper=("'2025-01-01'",))
    assert [i.name for i in p1.indexes] == ["p1_id_idx"]


@pytest.mark.parametrize(
    ("partition_of", "extra", "message"),
    [
        ("{table: nowhere, default: true}", "", "parent table 'public.nowhere' is not defined"),
        ("{table: plain, default: true}", "", "parent table 'public.plain' is not partitioned: give it `partitionBy`"),
        (
            "{table: events, bounds: {in: [1]}}",
            "",
            "the parent is partitioned by range: bounds need exactly from, to, got in",
        ),
        ("{table: events, bounds: {from: [1, 2], to: [3, 4]}}", "", "2 value(s) for 1 partition key column(s)"),
        (
            "{table: events, bounds: {from: [1], to: [2]}, default: true}",
            "",
            "a partition needs exactly one of `bounds` or `default: true`",
        ),
        (
            "{table: events, bounds: {from: [today], to: [2]}}",
            "",
            "a bound is a constant, but this refers to column 'today'",
        ),
        (
            "{table: events, default: true}",
            "  columns:\n    - {name: id, type: bigint}\n",
            "a partition has its parent's columns",
        ),
        ("{table: events, default: true}", "  indexes:\n    - columns: [nope]\n", "table 'p' has no column 'nope'"),
    ],
)
def test_partition_errors_point_at_the_document(tmp_path: Path, partition_of: str, extra: str, message: str) -> None:
    plain = doc("kind: Table\nmetadata: {name: plain}\nspec:\n  columns: [{name: id, type: bigint}]\n")
    write(tmp_path, "a.yaml", doc(PARENT) + "---\n" + partition("p", partition_of, extra) + "---\n" + plain)
    errors = errors_of([tmp_path])
    assert any(re.search(r"a\.yaml:\d+:\d+: " + re.escape(message), e) for e in errors), errors


def test_partition_key_and_strategy_errors(tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        doc("""
        kind: Table
        metadata: {name: t}
        spec:
          columns: [{name: id, type: bigint}]
          partitionBy: {strategy: list, columns: [id, missing]}
        ---
        kind: Table
        metadata: {name: h}
        spec:
          columns: [{name: id, type: bigint}]
          partitionBy: {strategy: hash, columns: [{expression: "id + nope"}]}
        ---
        kind: Table
        metadata: {name: hd}
        spec:
          partitionOf: {table: h, default: true}
        ---
        kind: Table
        metadata: {name: s}
        spec:
          columns: [{name: id, type: bigint}]
          partitionBy: {strategy: sideways, columns: [id]}
        """).replace("\n---\n", "\n---\n" + HEADER),
    )
    errors = "\n".join(errors_of([tmp_path]))
    assert "partition key column 'missing' is not a column of table 't'" in errors
    assert "list partitioning takes exactly one key" in errors
    assert "partition key refers to unknown column 'nope'" in errors
    assert "a hash-partitioned table cannot have a default partition" in errors
    assert "spec.partitionBy.strategy: Input should be 'range', 'list' or 'hash'" in errors


def test_overlapping_bounds_are_reported_against_the_file(database: str, tmp_path: Path) -> None:
    write(
        tmp_path,
        "a.yaml",
        doc(PARENT)
        + "---\n"
        + partition("p1", "{table: events, bounds: {from: [\"'2024-01-01'\"], to: [\"'2025-01-01'\"]}}")
        + "---\n"
        + partition("p2", "{table: events, bounds: {from: [\"'2024-06-01'\"], to: [\"'2026-01-01'\"]}}"),
    )
    loaded = load_paths([tmp_path])
    with pytest.raises(Exception) as info:
        normalize(loaded.catalog, database, origins=loaded.origins)
    assert "a.yaml:" in str(info.value) and "table public.p2" in str(info.value) and "overlap" in str(info.value)


# --- planning ------------------------------------------------------------------------------

LIVE = """
CREATE TABLE public.events (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE public.events_2024 PARTITION OF public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE public.events_2025 PARTITION OF public.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO public.events SELECT g, date '2024-01-01' + (g % 700) FROM generate_series(1, 2000) g;
ANALYZE;
"""

EVENTS = """
kind: Table
metadata: {name: events}
spec:
  columns:
    - {name: id, type: bigint}
    - {name: at, type: date, nullable: false}
  primaryKey: [id, at]
  partitionBy: {strategy: range, columns: [at]}
"""


def year(name: str, start: str, end: str) -> str:
    bounds = f"{{table: events, bounds: {{from: [\"'{start}'\"], to: [\"'{end}'\"]}}}}"
    return partition(name.replace("_", "-"), bounds, f"  name: {name}\n")


def apply_plan(dsn: str, directory: Path) -> list[Any]:
    result = plan([directory], dsn).plan
    assert result.verified
    with psycopg.connect(dsn, autocommit=True) as conn:
        for step in result.steps:
            run_step(conn, step)
    loaded = load_paths([directory])
    desired = normalize(loaded.catalog, dsn).catalog
    assert diff(introspect(dsn, desired_scope(loaded.catalog)).catalog, desired) == []
    return list(result.steps)


def test_removed_partition_is_detached_then_dropped_with_approval(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(LIVE)
    write(tmp_path, "a.yaml", doc(EVENTS) + "---\n" + year("events_2025", "2025-01-01", "2026-01-01"))
    steps = apply_plan(database, tmp_path)
    assert [s.id for s in steps] == [
        "contract/detach-partition/public.events_2024",
        "contract/drop-table/public.events_2024",
    ]
    assert not steps[0].transactional and "CONCURRENTLY" in steps[0].statements[0].text()
    assert {h.code.value for h in steps[1].hazards} >= {"deletes-data", "not-reversible"}
    assert conn.execute("SELECT count(*) FROM public.events").fetchone() == (903,)


def test_changed_bounds_detach_and_attach_again(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute(LIVE)
    write(
        tmp_path,
        "a.yaml",
        doc(EVENTS)
        + "---\n"
        + year("events_2024", "2023-01-01", "2025-01-01")
        + "---\n"
        + year("events_2025", "2025-01-01", "2026-01-01"),
    )
    steps = apply_plan(database, tmp_path)
    assert [s.id for s in steps] == [
        "contract/detach-partition/public.events_2024",
        "contract/drop-detach-check/public.events_2024",
        "contract/add-partition-check/public.events_2024",
        "contract/validate-partition-check/public.events_2024",
        "contract/attach-partition/public.events_2024",
    ]
    assert "may-fail" in {h.code.value for h in steps[-1].hazards}
    assert conn.execute("SELECT count(*) FROM public.events").fetchone() == (2000,)


def test_a_standalone_table_is_attached_with_a_prevalidated_check(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(LIVE)
    conn.execute("CREATE TABLE public.events_2023 (id bigint NOT NULL, at date NOT NULL, PRIMARY KEY (id, at))")
    conn.execute(
        "INSERT INTO public.events_2023 SELECT g, date '2023-01-01' + (g % 365) FROM generate_series(100000, 100500) g"
    )
    write(
        tmp_path,
        "a.yaml",
        doc(EVENTS)
        + "---\n"
        + year("events_2023", "2023-01-01", "2024-01-01")
        + "---\n"
        + year("events_2024", "2024-01-01", "2025-01-01")
        + "---\n"
        + year("events_2025", "2025-01-01", "2026-01-01"),
    )
    steps = apply_plan(database, tmp_path)
    assert [s.id for s in steps] == [
        "expand/add-partition-check/public.events_2023",
        "expand/validate-partition-check/public.events_2023",
        "expand/attach-partition/public.events_2023",
    ]
    assert conn.execute("SELECT count(*) FROM public.events").fetchone() == (2501,)


def test_changing_the_partition_key_is_refused(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute(LIVE)
    write(tmp_path, "a.yaml", doc(EVENTS.replace("strategy: range, columns: [at]", "strategy: hash, columns: [id]")))
    with pytest.raises(
        PlanError,
        match=(
            r"table public.events: changing its partitioning \(PARTITION BY RANGE \(at\) -> PARTITION BY HASH "
            r"\(id\)\) has no online form"
        ),
    ):
        plan([tmp_path], database)


def test_an_interrupted_concurrent_detach_is_finalized(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(LIVE)
    with psycopg.connect(database) as reader:  # an open transaction that uses the parent
        reader.execute("SELECT count(*) FROM public.events")
        with pytest.raises(psycopg.errors.QueryCanceled):
            conn.execute("SET statement_timeout = '500ms'")
            conn.execute("ALTER TABLE public.events DETACH PARTITION public.events_2024 CONCURRENTLY")
    conn.execute("RESET statement_timeout")
    live = introspect(database, ["public"]).catalog
    pending = live.table(QualifiedName("public", "events_2024"))
    assert pending is not None and pending.partition_of is not None and pending.partition_of.detach_pending
    write(tmp_path, "a.yaml", doc(EVENTS) + "---\n" + year("events_2025", "2025-01-01", "2026-01-01"))
    steps = apply_plan(database, tmp_path)
    assert [s.id for s in steps] == [
        "contract/finalize-detach/public.events_2024",
        "contract/drop-table/public.events_2024",
    ]
    assert "FINALIZE" in steps[0].statements[0].text()


def test_drift_names_partition_differences(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute(LIVE)
    write(
        tmp_path,
        "a.yaml",
        doc(EVENTS)
        + "---\n"
        + year("events_2024", "2024-01-01", "2024-07-01")
        + "---\n"
        + year("events_2026", "2026-01-01", "2027-01-01"),
    )
    loaded = load_paths([tmp_path])
    desired = normalize(loaded.catalog, database).catalog
    found = {
        (str(key), status, detail)
        for key, status, detail in map(top_level, diff(introspect(database, ["public"]).catalog, desired))
    }
    assert found == {
        ("public.events_2026", Status.MISSING, None),
        ("public.events_2025", Status.UNEXPECTED, None),
        (
            "public.events_2024",
            Status.DIFFERENT,
            "partition of public.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01'), desired of public.events "
            "FOR VALUES FROM ('2024-01-01') TO ('2024-07-01')",
        ),
    }


def test_a_sub_partitioned_partition_is_added_to_a_live_table(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(LIVE)
    sub = partition(
        "events-2026",
        "{table: events, bounds: {from: [\"'2026-01-01'\"], to: [\"'2027-01-01'\"]}}",
        "  name: events_2026\n  partitionBy: {strategy: hash, columns: [id]}\n",
    )
    leaves = "".join(
        "---\n"
        + partition(
            f"events-2026-{r}",
            f"{{table: events_2026, bounds: {{modulus: 2, remainder: {r}}}}}",
            f"  name: events_2026_{r}\n",
        )
        for r in (0, 1)
    )
    write(
        tmp_path,
        "a.yaml",
        doc(EVENTS)
        + "---\n"
        + year("events_2024", "2024-01-01", "2025-01-01")
        + "---\n"
        + year("events_2025", "2025-01-01", "2026-01-01")
        + "---\n"
        + sub
        + leaves,
    )
    steps = apply_plan(database, tmp_path)
    assert [s.id for s in steps] == [
        "expand/create-partition-table/public.events_2026",
        "expand/create-partition/public.events_2026_0",
        "expand/create-partition/public.events_2026_1",
        "expand/validate-partition-check/public.events_2026",
        "expand/attach-partition/public.events_2026",
    ]
    conn.execute("INSERT INTO public.events SELECT g, date '2026-05-01' FROM generate_series(1, 20) g")
    assert conn.execute("SELECT count(DISTINCT tableoid) FROM public.events WHERE at >= '2026-01-01'").fetchone() == (
        2,
    )


def test_hostile_names_are_quoted_everywhere(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    conn.execute('''
        CREATE TABLE public."Ev""ents" ("At ""x""" date NOT NULL, v int) PARTITION BY RANGE ("At ""x""");
        CREATE TABLE public."p; DROP TABLE x" PARTITION OF public."Ev""ents" DEFAULT;
        INSERT INTO public."Ev""ents" VALUES ('2024-03-01', 1);
    ''')
    export(database, tmp_path / "out")
    write(
        tmp_path / "out" / "public",
        "new.yaml",
        partition(
            "new",
            "{table: 'Ev\"ents', bounds: {from: [\"'2025-01-01'\"], to: [\"'2026-01-01'\"]}}",
            '  name: "it\'s 2025"\n',
        ),
    )
    steps = apply_plan(database, tmp_path / "out")
    assert [s.id.split("/")[1] for s in steps] == [
        "create-partition-table",
        "validate-partition-check",
        "add-default-partition-check",
        "validate-default-partition-check",
        "attach-partition",
    ]
    assert conn.execute('SELECT count(*) FROM public."it\'s 2025"').fetchone() == (0,)


def test_indexes_of_partitioned_tables_are_replaced_and_dropped(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(LIVE)
    conn.execute("CREATE INDEX events_at_idx ON public.events (at); CREATE INDEX events_id_idx ON public.events (id)")
    replaced = EVENTS + "  indexes:\n    - {name: events_at_idx, columns: [{column: at, order: desc}]}\n"
    write(
        tmp_path,
        "a.yaml",
        doc(replaced)
        + "---\n"
        + year("events_2024", "2024-01-01", "2025-01-01")
        + "---\n"
        + year("events_2025", "2025-01-01", "2026-01-01"),
    )
    steps = apply_plan(database, tmp_path)
    assert [s.id for s in steps] == [
        "expand/create-index-on-only/public.events_at_idx__rc_new",
        "expand/create-index/public.events_2024_at_rc_idx",
        "expand/create-index/public.events_2025_at_rc_idx",
        "expand/attach-index/public.events_2024_at_rc_idx",
        "expand/attach-index/public.events_2025_at_rc_idx",
        "contract/drop-index/public.events_at_idx",
        "contract/drop-index/public.events_id_idx",
        "contract/rename-index/public.events_at_idx",
    ]
    assert "CONCURRENTLY" not in steps[-2].statements[0].text()
    assert {h.code.value for h in steps[-2].hazards} == {"access-exclusive-lock", "breaks-old-application"}


def test_a_default_partition_is_added_without_a_blocking_hazard(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(LIVE)
    write(
        tmp_path,
        "a.yaml",
        doc(EVENTS)
        + "---\n"
        + year("events_2024", "2024-01-01", "2025-01-01")
        + "---\n"
        + year("events_2025", "2025-01-01", "2026-01-01")
        + "---\n"
        + partition("events-other", "{table: events, default: true}", "  name: events_other\n"),
    )
    steps = apply_plan(database, tmp_path)
    assert [s.id for s in steps] == [
        "expand/create-partition-table/public.events_other",
        "expand/attach-partition/public.events_other",
    ]
    assert not steps[1].hazards
    conn.execute("INSERT INTO public.events VALUES (1, '2030-01-01')")
    assert conn.execute("SELECT count(*) FROM public.events_other").fetchone() == (1,)


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        (
            "    - {name: note, type: text, nullable: false, default: \"'x'\"}\n",
            ["expand/add-column/public.events.note"],
        ),
        (
            "    - {name: note, type: text, nullable: false, backfill: \"'x'\"}\n",
            [
                "expand/add-column/public.events.note",
                "backfill/backfill/public.events.note",
                "contract/not-null-check/public.events.note",
                "contract/backfill/public.events.note",
                "contract/not-null-validate/public.events.note",
                "contract/set-not-null/public.events.note",
            ],
        ),
        (
            "    - {name: n, type: text}\n",
            [
                "expand/add-column/public.events.n__new",
                "expand/sync-trigger/public.events.n__new",
                "backfill/backfill/public.events",
                "contract/swap-columns/public.events",
            ],
        ),
    ],
)
def test_column_changes_are_planned_once_on_the_parent(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path, column: str, expected: list[str]
) -> None:
    conn.execute(LIVE)
    conn.execute("ALTER TABLE public.events ADD COLUMN n int")
    at = "    - {name: at, type: date, nullable: false}\n"
    events = EVENTS.replace(at, at + ("    - {name: n, type: integer}\n" if "name: n," not in column else "") + column)
    write(
        tmp_path,
        "a.yaml",
        doc(events)
        + "---\n"
        + year("events_2024", "2024-01-01", "2025-01-01")
        + "---\n"
        + year("events_2025", "2025-01-01", "2026-01-01"),
    )
    assert [s.id for s in apply_plan(database, tmp_path)] == expected


def test_a_unique_constraint_is_added_partition_by_partition(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    conn.execute(LIVE)
    conn.execute("ALTER TABLE public.events ADD COLUMN code text")
    at = "    - {name: at, type: date, nullable: false}\n"
    events = (
        EVENTS.replace(at, at + "    - {name: code, type: text}\n")
        + "  uniques:\n    - {name: events_code_at_key, columns: [code, at]}\n"
    )
    write(
        tmp_path,
        "a.yaml",
        doc(events)
        + "---\n"
        + year("events_2024", "2024-01-01", "2025-01-01")
        + "---\n"
        + year("events_2025", "2025-01-01", "2026-01-01"),
    )
    steps = apply_plan(database, tmp_path)
    assert [s.id for s in steps] == [
        "expand/create-index/public.events_2024_code_at_key",
        "expand/create-index/public.events_2025_code_at_key",
        "expand/unique-using-index/public.events_2024.events_2024_code_at_key",
        "expand/unique-using-index/public.events_2025.events_2025_code_at_key",
        "expand/add-unique/public.events.events_code_at_key",
    ]
    with pytest.raises(psycopg.errors.UniqueViolation):
        conn.execute("INSERT INTO public.events VALUES (1, '2024-02-02', 'a'), (2, '2024-02-02', 'a')")


def test_a_partitioned_table_has_row_level_security_policies_and_grants(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    """RLS, policies and grants on a partitioned parent are applied, read back and exported."""
    conn.execute(
        "DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'parts_reader') THEN CREATE ROLE "
        "parts_reader; END IF; END$$"
    )
    write(
        tmp_path / "yaml",
        "events.yaml",
        doc(
            PARENT.strip()
            + """
  rowLevelSecurity: {enabled: true}
  policies: [{name: recent_only, command: select, roles: [parts_reader], using: "at > '2000-01-01'"}]
  grants: [{to: parts_reader, privileges: [SELECT]}]
"""
        )
        + "---\n"
        + year("events_2024", "2024-01-01", "2025-01-01"),
    )
    apply_plan(database, tmp_path / "yaml")
    row = conn.execute(
        "SELECT relrowsecurity, has_table_privilege('parts_reader', 'public.events', 'SELECT') FROM pg_class WHERE "
        "oid = 'public.events'::regclass"
    ).fetchone()
    assert row == (True, True)
    assert conn.execute("SELECT polname FROM pg_policy WHERE polrelid = 'public.events'::regclass").fetchall() == [
        ("recent_only",)
    ]
    out = tmp_path / "out"
    export(database, out)
    text = (out / "public" / "events.yaml").read_text()
    assert "rowLevelSecurity:" in text and "recent_only" in text and "parts_reader" in text
    loaded = load_paths([out])
    desired = normalize(loaded.catalog, database, origins=loaded.origins)
    assert diff(introspect(database, desired_scope(loaded.catalog)).catalog, desired.catalog) == []
