"""Draft an expected.yaml for a case: plans it on a throwaway server and prints the steps and
their hazards. A draft, never a verdict: read every step before committing it, and fix the
planner, not the expectation, when a step is wrong.

    .venv/bin/python tests/acceptance/record.py tests/acceptance/cases/<name> [--sql]
"""

from __future__ import annotations

import sys
from pathlib import Path

import psycopg
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reconciler.pg.localserver import LocalServer
from reconciler.plan.render import render_sql, render_text
from reconciler.service import plan


def main(case: Path, show_sql: bool) -> None:
    with LocalServer() as server:
        with psycopg.connect(server.dsn(), autocommit=True) as conn:
            conn.execute("CREATE DATABASE recording")
        dsn = server.dsn("recording")
        with psycopg.connect(dsn, autocommit=True) as conn:
            before = (case / "before.sql").read_text()
            if before.strip():
                conn.execute(before)
            conn.execute("ANALYZE")
        result = plan([case / "desired"], dsn).plan
    print(render_text(result), file=sys.stderr)
    if show_sql:
        print(render_sql(result), file=sys.stderr)
    draft = {
        "steps": [s.id for s in result.steps],
        "hazards": {s.id: sorted({h.code.value for h in s.hazards}) for s in result.steps if s.hazards},
    }
    print(yaml.safe_dump(draft, sort_keys=False, width=200))


if __name__ == "__main__":
    main(Path(sys.argv[1]), "--sql" in sys.argv[2:])
