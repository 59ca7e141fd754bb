"""Scratch databases: empty databases like a target's, made for a moment and always dropped.

Stage: normalize (plan replay uses them too). Where the scratch database lives:
1. a temporary database on the target's own server (same version, same extensions available),
   when the role may create databases;
2. otherwise a throwaway local server of the same major version (`reconciler.pg.localserver`).
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from reconciler.errors import NormalizationError, ServerUnavailable
from reconciler.pg import dsn as dsnlib
from reconciler.pg.localserver import LocalServer, find_binaries

SCRATCH_PREFIX = "reconciler_scratch_"


def _can_create_databases(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute(
        "SELECT rolcreatedb OR rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user"
    ).fetchone()
    return bool(row and row[0])


def _create_database_sql(conn: psycopg.Connection[Any], name: str) -> sql.Composed:
    """CREATE DATABASE matching the current database's encoding and locale, so that collations
    and text comparisons behave as on the target."""
    row = conn.execute(
        "SELECT pg_catalog.pg_encoding_to_char(encoding), datcollate, datctype, pg_catalog.to_jsonb(d) "
        "FROM pg_catalog.pg_database d WHERE datname = current_database()"
    ).fetchone()
    assert row is not None
    encoding, collate, ctype, extra = row
    parts: list[sql.Composable] = [
        sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING {} LC_COLLATE {} LC_CTYPE {}").format(
            sql.Identifier(name), sql.Literal(encoding), sql.Literal(collate), sql.Literal(ctype)
        )
    ]
    provider = extra.get("datlocprovider")
    locale = extra.get("datlocale") or extra.get("daticulocale")
    if provider == "i" and locale:
        parts.append(sql.SQL("LOCALE_PROVIDER icu ICU_LOCALE {}").format(sql.Literal(locale)))
    elif provider == "b" and locale:
        parts.append(sql.SQL("LOCALE_PROVIDER builtin BUILTIN_LOCALE {}").format(sql.Literal(locale)))
    return sql.SQL(" ").join(parts)


@contextlib.contextmanager
def scratch_database(dsn: str) -> Iterator[str]:
    """A new empty database like the one at `dsn`; yields its DSN and drops it afterwards."""
    name = SCRATCH_PREFIX + secrets.token_hex(6)
    with dsnlib.connect(dsn, autocommit=True) as conn:
        major = int(conn.info.server_version) // 10000
        if _can_create_databases(conn):
            conn.execute(_create_database_sql(conn, name))
            try:
                yield dsnlib.with_database(dsn, name)
            finally:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            return
    yield from _local_scratch(major)


def _local_scratch(major: int) -> Iterator[str]:
    try:
        binaries = find_binaries(major)
    except ServerUnavailable as exc:
        raise NormalizationError(
            "the target role may not create a scratch database (CREATEDB), and no local PostgreSQL "
            f"{major} is available to host one: {exc}"
        ) from None
    with LocalServer(binaries) as server:
        yield server.dsn()
