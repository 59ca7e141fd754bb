"""The acceptance harness: a case is a folder, run against real PostgreSQL.

    cases/<name>/
      before.sql      the live database before (schema and data)
      desired/        the desired YAML
      expected.yaml   what the plan must be and what must hold while it is applied:

        steps:            every step id, in order (phase/action/subject)
        hazards:          {step id: [hazard codes the step must carry]}
        locks:            {step id: [the step's table locks, e.g. "SHARE UPDATE EXCLUSIVE on public.t"]} (exactly)
        blocking_allowed: [hazard codes allowed although they block traffic] (default none)
        old_queries:      SQL the old application version runs; must work after expand and backfill
                          (each runs in a transaction that is rolled back)
        new_queries:      SQL the new application version runs; must work after contract (rolled back)
        writes:           {expand|backfill|contract: [SQL committed after that phase]}, e.g. rows the
                          old application writes while the migration is under way
        checks:           [{after: expand|backfill|contract, sql: ..., rows: [[...]]}]
        min_server:       lowest PostgreSQL major the case applies to (default 12)

The harness plans (which replays the plan on a scratch copy), checks the steps and hazards,
applies phase by phase with the plain runner, runs the old application's queries between phases,
and requires an empty diff at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import yaml

from reconciler.diff import diff
from reconciler.introspect import introspect
from reconciler.load import load_paths
from reconciler.normalize import desired_scope, normalize
from reconciler.plan.plain import run_step
from reconciler.plan.steps import HazardCode, Phase
from reconciler.service import plan

CASES = Path(__file__).parent / "cases"
BLOCKING = {HazardCode.TABLE_REWRITE.value, HazardCode.BLOCKING_SCAN.value}


@dataclass
class Case:
    name: str
    path: Path
    steps: list[str]
    hazards: dict[str, list[str]] = field(default_factory=dict)
    locks: dict[str, list[str]] = field(default_factory=dict)
    blocking_allowed: list[str] = field(default_factory=list)
    old_queries: list[str] = field(default_factory=list)
    writes: dict[str, list[str]] = field(default_factory=dict)
    new_queries: list[str] = field(default_factory=list)
    checks: list[dict[str, Any]] = field(default_factory=list)
    min_server: int = 12

    @classmethod
    def load(cls, path: Path) -> Case:
        expected = yaml.safe_load((path / "expected.yaml").read_text()) or {}
        unknown = set(expected) - set(cls.__dataclass_fields__) - {"description"}
        assert not unknown, f"{path.name}/expected.yaml: unknown keys {unknown}"
        expected.pop("description", None)
        return cls(name=path.name, path=path, **expected)


def all_cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "expected.yaml").exists())


class _Rollback(Exception):
    pass


def _run_queries(dsn: str, queries: list[str], when: str, *, keep: bool = False) -> None:
    for query in queries:
        with psycopg.connect(dsn, autocommit=True) as conn:
            try:
                with conn.transaction():
                    conn.execute(query)
                    if not keep:
                        raise _Rollback
            except _Rollback:
                pass
            except psycopg.Error as exc:
                raise AssertionError(f"after {when}: query failed: {query!r}: {exc}") from None


def _run_checks(dsn: str, checks: list[dict[str, Any]], when: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        for check in checks:
            if check["after"] != when:
                continue
            rows = [list(r) for r in conn.execute(check["sql"]).fetchall()]
            assert rows == check["rows"], f"after {when}: {check['sql']!r} gave {rows}, expected {check['rows']}"


def run_case(case: Case, dsn: str, server_major: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        before = (case.path / "before.sql").read_text()
        if before.strip():
            conn.execute(before)
        conn.execute("ANALYZE")
    desired_dir = case.path / "desired"
    outcome = plan([desired_dir], dsn)
    result = outcome.plan
    assert result.verified, "the plan was not verified by replay"
    ids = [s.id for s in result.steps]
    assert ids == case.steps, (
        "steps differ:\n  got:      "
        + "\n            ".join(ids)
        + "\n  expected: "
        + "\n            ".join(case.steps)
    )
    by_id = {s.id: s for s in result.steps}
    for step_id, codes in case.hazards.items():
        have = {h.code.value for h in by_id[step_id].hazards}
        assert set(codes) <= have, f"{step_id}: hazards {sorted(have)} lack {sorted(set(codes) - have)}"
    for step_id, locks in case.locks.items():
        assert [str(lock) for lock in by_id[step_id].locks] == locks, (
            f"{step_id}: locks {[str(lock) for lock in by_id[step_id].locks]}"
        )
    for step in result.steps:
        blocking = {h.code.value for h in step.hazards} & BLOCKING
        assert blocking <= set(case.blocking_allowed), (
            f"{step.id} uses a blocking form ({blocking}) the case does not allow"
        )
    with psycopg.connect(dsn, autocommit=True) as conn:
        for phase in Phase:
            for step in result.phase(phase):
                run_step(conn, step)
            if phase != Phase.CONTRACT:
                _run_queries(dsn, case.old_queries, phase.value)
            _run_queries(dsn, case.writes.get(phase.value, []), phase.value, keep=True)
            _run_checks(dsn, case.checks, phase.value)
    _run_queries(dsn, case.new_queries, "contract")
    loaded = load_paths([desired_dir])
    desired = normalize(loaded.catalog, dsn).catalog
    live = introspect(dsn, desired_scope(loaded.catalog))
    remaining = diff(live.catalog, desired)
    assert not remaining, "after applying every phase the schema still differs: " + ", ".join(
        f"{type(c).__name__} {c.subject}" for c in remaining
    )
