"""Schema-only dumps with pg_dump: the most faithful copy of a live schema, including objects
reconciler does not model, used to build the scratch database a plan is replayed on."""

from __future__ import annotations

import os
import subprocess

from reconciler.errors import ServerUnavailable
from reconciler.pg.dsn import parse, redact
from reconciler.pg.localserver import Binaries, embedded_binaries, path_binaries

_ENV = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
}


def connection_env(dsn: str) -> dict[str, str]:
    """libpq environment variables for a DSN: how we hand a connection to a child process without
    putting the password on its command line."""
    params = parse(dsn)
    env = {var: str(params[key]) for key, var in _ENV.items() if params.get(key) not in (None, "")}
    env.setdefault("PGCONNECT_TIMEOUT", str(params.get("connect_timeout") or 10))
    return env


def pg_dump_for(server_major: int) -> Binaries:
    """pg_dump must be at least as new as the server it dumps."""
    for finder in (embedded_binaries, path_binaries):
        found = finder()
        if found is not None and found.major >= server_major and (found.bindir / "pg_dump").exists():
            return found
    raise ServerUnavailable(f"no pg_dump of version {server_major} or newer found")


def schema_dump(dsn: str, server_major: int, exclude_schemas: tuple[str, ...] = ()) -> str:
    binaries = pg_dump_for(server_major)
    command = [str(binaries.tool("pg_dump")), "--schema-only", "--no-owner", "--no-privileges"]
    command += [f"--exclude-schema={name}" for name in exclude_schemas]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("PG")}, **connection_env(dsn)}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    if result.returncode != 0:
        raise ServerUnavailable(
            "pg_dump failed: "
            f"{redact(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else 'no message')}"
        )
    # pg_dump 15.14+ and 16.10+ wrap the script in \\restrict ... \\unrestrict psql meta-commands
    return "\n".join(line for line in result.stdout.splitlines() if not line.startswith(("\\restrict", "\\unrestrict")))
