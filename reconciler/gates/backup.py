"""Backup hooks: run before a step that could lose data, and the step does not run without them.

Two kinds, both configured per environment (`policy.backup`):
- a command of the user's, run with the step in RECONCILER_* variables and the connection in
  PG* variables (never on its command line, where `ps` would show the password);
- the built-in hook: `pg_dump --format=custom` of exactly the tables the step touches, into a
  directory, recorded in the journal with the command that restores it.
A step that deletes data always gets at least the built-in hook, unless backups are switched off,
in which case it is refused.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

from reconciler.ddl.statement import qualified
from reconciler.errors import HookFailed
from reconciler.pg.dsn import redact, target
from reconciler.pg.dump import connection_env, pg_dump_for
from reconciler.plan.artifact import Plan
from reconciler.plan.steps import DATA_LOSS, HazardCode, Step
from reconciler.policy import BackupPolicy, duration_ms

LOSES_DATA = frozenset({HazardCode.DELETES_DATA, HazardCode.TABLE_REWRITE})
DEFAULT_DIRECTORY = "reconciler-backups"


@dataclass(frozen=True)
class BackupRecord:
    file: str | None
    restore_command: str | None
    hook: str


def needs_backup(step: Step, policy: BackupPolicy) -> bool:
    data_loss = any(h.code in DATA_LOSS for h in step.hazards)
    if policy.when == "never":
        if data_loss:
            raise HookFailed(
                f"step {step.id} deletes data and backups are switched off (policy.backup.when: never); refusing to "
                "run it"
            )
        return False
    if policy.when == "always":
        return True
    # hazardous: steps that delete or rewrite rows, or irreversibly change a table's contents
    codes = {h.code for h in step.hazards}
    return bool(codes & LOSES_DATA) or (HazardCode.NOT_REVERSIBLE in codes and bool(step.tables))


def _step_env(step: Step, plan: Plan, dsn: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    return {
        **base,
        **connection_env(dsn),
        "RECONCILER_STEP_ID": step.id,
        "RECONCILER_PHASE": step.phase.value,
        "RECONCILER_TABLES": ",".join(f"{t.schema}.{t.name}" for t in step.tables),
        "RECONCILER_PLAN_DIGEST": plan.digest,
        "RECONCILER_DATABASE": target(dsn).dbname,
        "RECONCILER_STEP_DESCRIPTION": step.description,
    }


def run_command_hook(command: list[str], step: Step, plan: Plan, dsn: str, timeout_s: float) -> BackupRecord:
    try:
        result = subprocess.run(
            command, env=_step_env(step, plan, dsn), capture_output=True, text=True, timeout=timeout_s
        )
    except FileNotFoundError:
        raise HookFailed(f"backup hook {command[0]!r} not found; step {step.id} did not run") from None
    except subprocess.TimeoutExpired:
        raise HookFailed(
            f"backup hook {command[0]!r} did not finish within {timeout_s:.0f}s; step {step.id} did not run"
        ) from None
    if result.returncode != 0:
        tail = redact(
            (result.stderr or result.stdout).strip().splitlines()[-1]
            if (result.stderr or result.stdout).strip()
            else "no output"
        )
        raise HookFailed(
            f"backup hook {command[0]!r} failed (exit {result.returncode}: {tail}); step {step.id} did not run"
        )
    produced = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else None
    return BackupRecord(file=produced, restore_command=None, hook=shlex.join(command))


def run_pg_dump_hook(
    directory: Path, step: Step, plan: Plan, dsn: str, server_major: int, timeout_s: float
) -> BackupRecord:
    binaries = pg_dump_for(server_major)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    safe_id = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in step.id)[:80]
    path = (directory / f"{plan.digest.split(':', 1)[1][:12]}-{safe_id}-{stamp}.dump").resolve()
    command = [str(binaries.tool("pg_dump")), "--format=custom", f"--file={path}"]
    tables = [qualified(t).as_string(None) for t in step.tables]
    command += [f"--table={t}" for t in tables] if tables else ["--schema-only"]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PG")}, **connection_env(dsn)}
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        raise HookFailed(f"pg_dump backup did not finish within {timeout_s:.0f}s; step {step.id} did not run") from None
    if result.returncode != 0 or not path.exists():
        tail = redact(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "no output")
        raise HookFailed(f"pg_dump backup failed ({tail}); step {step.id} did not run")
    restore = shlex.join(
        [
            "pg_restore",
            "--dbname",
            target(dsn).dbname,
            "--clean",
            "--if-exists",
            *[f"--table={t.name}" for t in step.tables],
            str(path),
        ]
    )
    return BackupRecord(file=str(path), restore_command=restore, hook="pg_dump")


def take_backups(policy: BackupPolicy, step: Step, plan: Plan, dsn: str, server_major: int) -> list[BackupRecord]:
    """Run every configured hook for `step`; raises HookFailed (and the step must not run)."""
    if not needs_backup(step, policy):
        return []
    timeout_s = duration_ms(policy.timeout) / 1000
    records = []
    if policy.command:
        records.append(run_command_hook(policy.command, step, plan, dsn, timeout_s))
    if policy.pg_dump is not None or not policy.command:
        directory = Path(policy.pg_dump.directory if policy.pg_dump else DEFAULT_DIRECTORY)
        records.append(run_pg_dump_hook(directory, step, plan, dsn, server_major, timeout_s))
    return records
