"""`reconciler apply` on a real PostgreSQL, as a user runs it (the CLI in a subprocess)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

from reconciler.execute.journal import LOCK_KEY

RECONCILER = str(Path(sys.executable).parent / "reconciler")

BEFORE = """
CREATE TABLE public.orders (id bigint PRIMARY KEY, amount integer NOT NULL, note text, legacy text);
INSERT INTO public.orders SELECT g, g %% 1000, 'n' || g, 'old' FROM generate_series(1, %(rows)s) g;
ANALYZE public.orders;
"""

DESIRED = """
apiVersion: reconciler.dev/v1alpha1
kind: Table
metadata: {name: orders}
spec:
  columns:
    - {name: id, type: bigint}
    - {name: amount, type: bigint, nullable: false}
    - {name: note, type: text}
    - {name: amount_eur, type: "numeric(12,2)", nullable: false, backfill: "amount / 100.0"}
  primaryKey: [id]
  indexes:
    - name: orders_amount_idx
      columns: [amount]
"""


def project(tmp_path: Path, policy: str = "") -> Path:
    (tmp_path / "schemas").mkdir(exist_ok=True)
    (tmp_path / "schemas" / "orders.yaml").write_text(textwrap.dedent(DESIRED).lstrip())
    config = f"""
        apiVersion: reconciler.dev/v1alpha1
        kind: Project
        schemas: [schemas]
        environments:
          test:
            connection: {{env: TEST_DATABASE_URL}}
            policy:
              lockTimeout: 300ms
              retries: {{maxAttempts: 100, baseDelay: 50ms, maxDelay: 300ms}}
              backfill: {{batchSize: 500, pause: 5ms}}
        {textwrap.indent(textwrap.dedent(policy), "      ").strip()}
    """
    (tmp_path / "reconciler.yaml").write_text(textwrap.dedent(config).lstrip())
    return tmp_path


def reconciler(cwd: Path, dsn: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TEST_DATABASE_URL": dsn}
    return subprocess.run([RECONCILER, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def seed(conn: psycopg.Connection[Any], rows: int = 2000) -> None:
    conn.execute(BEFORE % {"rows": rows})


def fingerprint(conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT count(*), sum(id), sum(amount), md5(string_agg(note, ',' ORDER BY id)) FROM public.orders"
    ).fetchone()
    assert row is not None
    return tuple(row)


def digest_from(output: str) -> str:
    return next(line.split()[-1] for line in output.splitlines() if line.startswith("plan digest:"))


def test_gate_waits_then_approval_by_digest_lets_contract_run(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    seed(conn)
    before = fingerprint(conn)
    root = project(tmp_path)
    first = reconciler(root, database, "apply", "--env", "test")
    assert first.returncode == 3, first.stderr
    assert "waiting for approval before step contract/" in first.stderr
    digest = digest_from(first.stderr)
    assert f"--approve {digest}:contract" in first.stderr
    wrong = reconciler(root, database, "apply", "--env", "test", "--approve", "sha256:" + "0" * 64)
    assert wrong.returncode == 3
    approved = reconciler(root, database, "approve", "--digest", digest, "--phase", "contract", "--by", "alice")
    assert approved.returncode == 0 and "approved" in approved.stdout
    files = list((root / "approvals").glob("*-contract.yaml"))
    assert len(files) == 1 and "by: alice" in files[0].read_text()
    done = reconciler(root, database, "apply", "--env", "test")
    assert done.returncode == 0, done.stderr
    assert f"plan {digest} applied" in done.stdout
    again = reconciler(root, database, "plan", "--url", database, "schemas")
    assert again.returncode == 0 and again.stdout.startswith("No changes")
    after = conn.execute(
        "SELECT count(*), sum(id), sum(amount), md5(string_agg(note, ',' ORDER BY id)) FROM public.orders"
    ).fetchone()
    assert tuple(after) == before
    assert conn.execute("SELECT count(*) FROM public.orders WHERE amount_eur <> amount / 100.0").fetchone() == (0,)


def test_stale_and_tampered_plans_are_refused(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    seed(conn, 100)
    root = project(tmp_path)
    planned = reconciler(root, database, "plan", "schemas", "--url", database, "--out", "plan.json", "--format", "json")
    assert planned.returncode == 2, planned.stderr
    plan = json.loads((root / "plan.json").read_text())
    tampered = dict(
        plan,
        steps=[
            dict(plan["steps"][0], sql=[{"sql": "DROP TABLE public.orders", "schema": "public"}]),
            *plan["steps"][1:],
        ],
    )
    (root / "tampered.json").write_text(json.dumps(tampered))
    refused = reconciler(root, database, "apply", "--env", "test", "--plan", "tampered.json", "--auto-approve")
    assert refused.returncode == 1
    assert "does not match its content" in refused.stderr and "modified" in refused.stderr
    conn.execute("ALTER TABLE public.orders ADD COLUMN sneaky int")
    stale = reconciler(root, database, "apply", "--env", "test", "--plan", "plan.json", "--auto-approve")
    assert stale.returncode == 1
    assert "stale plan" in stale.stderr
    assert conn.execute("SELECT to_regclass('public.orders') IS NOT NULL").fetchone() == (True,)


def test_data_loss_needs_approval_and_a_successful_backup(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    seed(conn, 500)
    root = project(tmp_path, "")
    auto = reconciler(root, database, "apply", "--env", "test", "--auto-approve")
    assert auto.returncode == 3
    assert "hazard deletes-data" in auto.stderr and "legacy" in auto.stderr
    # a failing backup hook stops the step before it runs
    config = (
        (root / "reconciler.yaml")
        .read_text()
        .replace(
            "backfill: {batchSize: 500, pause: 5ms}",
            "backfill: {batchSize: 500, pause: 5ms}\n      backup: {command: [sh, -c, 'echo disk full >&2; exit 7']}",
        )
    )
    (root / "reconciler.yaml").write_text(config)
    failed = reconciler(root, database, "apply", "--env", "test", "--auto-approve", "--allow-data-loss")
    assert failed.returncode == 1
    assert "backup hook 'sh' failed (exit 7: disk full)" in failed.stderr
    assert conn.execute(
        "SELECT count(*) FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'legacy'"
    ).fetchone() == (1,)
    # a working hook: the command gets the step and the connection in its environment
    hook = root / "hook.sh"
    hook.write_text(
        '#!/bin/sh\necho "$RECONCILER_STEP_ID $RECONCILER_TABLES $PGDATABASE $RECONCILER_PLAN_DIGEST" >> '
        "hook.log\necho saved\n"
    )
    hook.chmod(0o755)
    (root / "reconciler.yaml").write_text(
        config.replace(
            "command: [sh, -c, 'echo disk full >&2; exit 7']", "command: [./hook.sh], pgDump: {directory: dumps}"
        )
    )
    ok = reconciler(root, database, "apply", "--env", "test", "--auto-approve", "--allow-data-loss")
    assert ok.returncode == 0, ok.stderr
    log = (root / "hook.log").read_text()
    assert "contract/drop-column/public.orders.legacy public.orders" in log
    assert "password" not in log.lower()
    history = json.loads(reconciler(root, database, "history", "--env", "test", "--format", "json").stdout)
    dropped = next(s for s in history[0]["steps"] if s["id"] == "contract/drop-column/public.orders.legacy")
    assert dropped["backupFile"] and Path(dropped["backupFile"]).exists()
    assert "pg_restore" in dropped["restoreCommand"]


def test_a_second_applier_is_turned_away(conn: psycopg.Connection[Any], database: str, tmp_path: Path) -> None:
    seed(conn, 100)
    root = project(tmp_path)
    with psycopg.connect(database, autocommit=True, application_name="other-applier") as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (LOCK_KEY,))
        busy = reconciler(root, database, "apply", "--env", "test", "--auto-approve")
    assert busy.returncode == 4
    assert "another applier is working on this database" in busy.stderr and "other-applier" in busy.stderr


def test_ddl_backs_off_while_a_lock_is_held_and_never_stalls_other_queries(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    seed(conn, 200)
    root = project(tmp_path)
    holder = psycopg.connect(database)
    holder.execute("SELECT count(*) FROM public.orders")  # ACCESS SHARE held until rollback: blocks ACCESS EXCLUSIVE
    latencies: list[float] = []
    stop = threading.Event()

    def probe() -> None:
        with psycopg.connect(database, autocommit=True) as reader:
            while not stop.is_set():
                started = time.monotonic()
                # prepare=False: this probe measures lock waits; a prepared plan would fail once when
                # the swap changes the column's type (the plan says so in a hazard)
                reader.execute("SELECT amount FROM public.orders WHERE id = 7", prepare=False)
                latencies.append(time.monotonic() - started)
                time.sleep(0.02)

    thread = threading.Thread(target=probe)
    thread.start()
    process = subprocess.Popen(
        [RECONCILER, "apply", "--env", "test", "--auto-approve", "--allow-data-loss"],
        cwd=root,
        env={**os.environ, "TEST_DATABASE_URL": database},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # wait for apply to meet the lock (a machine under load may take seconds just to start it)
    assert _lock_retry_recorded(database, process, timeout=120), "apply never recorded backing off from the lock"
    assert process.poll() is None, "apply should still be backing off while the lock is held"
    holder.rollback()
    holder.close()
    _out, err = process.communicate(timeout=120)
    stop.set()
    thread.join()
    assert process.returncode == 0, err
    assert '"kind": "lock"' in err or "will be retried" in err
    assert max(latencies) < 0.3 + 0.5, f"a reader waited {max(latencies):.2f}s: DDL queued it behind its lock"


def _lock_retry_recorded(dsn: str, process: subprocess.Popen[str], *, timeout: float) -> bool:
    """True once the journal holds a retry caused by a lock (apply backing off), False if apply
    ended or `timeout` passed first."""
    query = "SELECT count(*) FROM reconciler.events WHERE kind = 'retry' AND detail->>'kind' = 'lock'"
    deadline = time.monotonic() + timeout
    with psycopg.connect(dsn, autocommit=True) as watcher:
        while time.monotonic() < deadline and process.poll() is None:
            if watcher.execute("SELECT to_regclass('reconciler.events')").fetchone() != (None,):
                row = watcher.execute(query).fetchone()
                if row is not None and row[0] > 0:
                    return True
            time.sleep(0.1)
    return False


def _done_steps(dsn: str) -> int:
    with psycopg.connect(dsn, autocommit=True) as conn:
        if conn.execute("SELECT to_regclass('reconciler.steps')").fetchone() == (None,):
            return 0
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE state = 'done'), coalesce(max(rows_done), 0) FROM reconciler.steps"
        ).fetchone()
        assert row is not None
        return int(row[0])


def test_killed_at_every_step_resumes_and_loses_nothing(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    seed(conn, 3000)
    before = fingerprint(conn)
    root = project(tmp_path)
    args = [RECONCILER, "apply", "--env", "test", "--auto-approve", "--allow-data-loss"]
    env = {**os.environ, "TEST_DATABASE_URL": database}
    kills = 0
    for target in range(1, 40):
        process = subprocess.Popen(args, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while process.poll() is None and _done_steps(database) < target:
            time.sleep(0.005)
        if process.poll() is not None:
            break
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    assert kills >= 5, "the plan should have had several step boundaries to be killed at"
    final = reconciler(root, database, "apply", "--env", "test", "--auto-approve", "--allow-data-loss")
    assert final.returncode == 0, final.stderr
    assert reconciler(root, database, "plan", "schemas", "--url", database).returncode == 0
    assert fingerprint(conn) == before
    assert conn.execute(
        "SELECT count(*) FROM public.orders WHERE amount_eur IS DISTINCT FROM amount / 100.0"
    ).fetchone() == (0,)


def test_killed_in_the_middle_of_a_backfill_resumes_from_its_checkpoint(
    conn: psycopg.Connection[Any], database: str, tmp_path: Path
) -> None:
    seed(conn, 60000)
    before = fingerprint(conn)
    root = project(tmp_path)
    config = (
        (root / "reconciler.yaml")
        .read_text()
        .replace("backfill: {batchSize: 500, pause: 5ms}", "backfill: {batchSize: 200, maxBatchSize: 200, pause: 10ms}")
    )
    (root / "reconciler.yaml").write_text(config)
    env = {**os.environ, "TEST_DATABASE_URL": database}
    process = subprocess.Popen(
        [RECONCILER, "apply", "--env", "test", "--phase", "backfill"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    rows = 0
    while time.monotonic() < deadline and process.poll() is None:
        with psycopg.connect(database, autocommit=True) as watcher:
            found = watcher.execute("SELECT to_regclass('reconciler.steps') IS NOT NULL").fetchone()
            if found and found[0]:
                got = watcher.execute(
                    "SELECT coalesce(sum(rows_done), 0) FROM reconciler.steps WHERE step_id LIKE 'backfill/%'"
                ).fetchone()
                rows = int(got[0]) if got else 0
        if rows > 10000:
            break
        time.sleep(0.05)
    assert process.poll() is None, "the backfill finished before it could be interrupted"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert 10000 < rows < 120000
    resumed = reconciler(root, database, "apply", "--env", "test", "--phase", "backfill")
    assert resumed.returncode == 0, resumed.stderr
    history = json.loads(reconciler(root, database, "history", "--env", "test", "--format", "json").stdout)
    backfills = [s for s in history[0]["steps"] if s["id"].startswith("backfill/")]
    assert all(s["state"] == "done" for s in backfills)
    assert sum(s["rowsDone"] for s in backfills) == 60000 * len(backfills)  # every row exactly once, none twice
    assert fingerprint(conn) == before
    assert conn.execute(
        "SELECT count(*) FROM public.orders WHERE amount_eur IS DISTINCT FROM amount / 100.0"
    ).fetchone() == (0,)
