"""Connection strings and connections, with secrets kept out of every message.

A DSN may carry a password (`postgresql://u:secret@h/db` or `password=secret`). It is needed to
connect and must never be printed: `redact` is applied to every DSN we show, and connection
errors are reduced to one line that names the server without the password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import conninfo

from reconciler.errors import ConnectionFailed, InputError

APPLICATION_NAME = "reconciler"
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<secret>[^@\s]*)(?P<tail>@)", re.IGNORECASE)
_KV_PASSWORD = re.compile(r"(?P<head>\bpassword\s*=\s*)(?P<secret>'(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)


def redact(text: str) -> str:
    """`text` with any password in a URL or key=value DSN replaced by `***`."""
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + "***" + m.group("tail"), text)
    return _KV_PASSWORD.sub(lambda m: m.group("head") + "***", text)


@dataclass(frozen=True)
class Target:
    """Where a DSN points, for messages: never the password."""

    host: str
    port: str
    dbname: str
    user: str

    def __str__(self) -> str:
        return f"database {self.dbname!r} on {self.host}:{self.port} as {self.user!r}"


def parse(dsn: str) -> dict[str, Any]:
    try:
        return conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise InputError(f"invalid connection string {redact(dsn)!r}: {redact(_first_line(exc))}") from None


def target(dsn: str) -> Target:
    params = parse(dsn)
    return Target(
        host=str(params.get("host") or params.get("hostaddr") or "localhost"),
        port=str(params.get("port") or "5432"),
        dbname=str(params.get("dbname") or params.get("user") or "postgres"),
        user=str(params.get("user") or "(default user)"),
    )


def with_database(dsn: str, dbname: str) -> str:
    """The same connection parameters, pointing at another database."""
    params = parse(dsn)
    params["dbname"] = dbname
    return conninfo.make_conninfo(**params)


def password_of(dsn: str) -> str | None:
    value = parse(dsn).get("password")
    return str(value) if value else None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _reason(exc: psycopg.Error, dsn: str) -> str:
    """The useful line of a libpq connection error, without a password."""
    text = str(exc)
    secret = password_of(dsn)
    if secret:
        text = text.replace(secret, "***")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in lines:
        if "FATAL:" in line:
            return line.split("FATAL:", 1)[1].strip()
    reason = lines[0] if lines else type(exc).__name__
    reason = re.sub(r"^connection failed:\s*", "", reason)
    reason = re.sub(r'^connection to server at "[^"]*"(?: \([^)]*\))?, port \d+ failed:\s*', "", reason)
    reason = re.sub(r'^connection to server on socket "[^"]*" failed:\s*', "", reason)
    return redact(reason)


def connect(dsn: str, *, autocommit: bool = False, connect_timeout: int = 10, **kwargs: Any) -> psycopg.Connection[Any]:
    """Connect, or raise ConnectionFailed with one clear line and no password."""
    params = parse(dsn)
    params.setdefault("application_name", APPLICATION_NAME)
    params.setdefault("connect_timeout", connect_timeout)
    try:
        return psycopg.connect(conninfo.make_conninfo(**params), autocommit=autocommit, **kwargs)
    except psycopg.Error as exc:
        raise ConnectionFailed(f"cannot connect to {target(dsn)}: {_reason(exc, dsn)}") from None
