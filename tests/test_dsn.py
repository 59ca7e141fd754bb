"""Connection strings: passwords never appear in messages; failures are one clear line."""

from __future__ import annotations

import io
import json
import socket

import pytest
from psycopg import conninfo, sql
from support.pgharness import PgServer

from reconciler import log
from reconciler.errors import ConnectionFailed
from reconciler.pg.dsn import connect, redact, with_database


@pytest.mark.parametrize(
    ("dsn", "shown"),
    [
        ("postgresql://app:s3cr%40t@db.internal:5432/shop", "postgresql://app:***@db.internal:5432/shop"),
        ("postgres://app:pw@h/db?sslmode=require", "postgres://app:***@h/db?sslmode=require"),
        ("host=h user=app password=s3cret dbname=shop", "host=h user=app password=*** dbname=shop"),
        ("host=h password='with space' dbname=x", "host=h password=*** dbname=x"),
        ("postgresql://app@h/db", "postgresql://app@h/db"),
    ],
)
def test_redact(dsn: str, shown: str) -> None:
    assert redact(dsn) == shown


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_server_is_one_line_without_password() -> None:
    dsn = f"postgresql://app:topsecret@127.0.0.1:{_closed_port()}/shop"
    with pytest.raises(ConnectionFailed) as info:
        connect(dsn, connect_timeout=3)
    message = str(info.value)
    assert "\n" not in message and "topsecret" not in message
    assert message.startswith("cannot connect to database 'shop' on 127.0.0.1:")
    assert "Connection refused" in message


def test_bad_password_and_missing_database(pg_server: PgServer) -> None:
    with pg_server.admin() as admin:
        admin.execute("DROP ROLE IF EXISTS reconciler_pw_test")
        admin.execute(sql.SQL("CREATE ROLE reconciler_pw_test LOGIN PASSWORD {}").format(sql.Literal("right-one")))
    params = conninfo.conninfo_to_dict(pg_server.admin_dsn)
    params.update(user="reconciler_pw_test", password="wrong-Secret-42")
    with pytest.raises(ConnectionFailed) as info:
        connect(conninfo.make_conninfo(**params))
    assert str(info.value).endswith('password authentication failed for user "reconciler_pw_test"')
    assert "wrong-Secret-42" not in str(info.value)
    with pytest.raises(ConnectionFailed) as info:
        connect(with_database(pg_server.admin_dsn, "no_such_db"))
    assert str(info.value).endswith('database "no_such_db" does not exist')


def test_log_lines_never_carry_passwords() -> None:
    stream = io.StringIO()
    log.configure(fmt="json", stream=stream)
    log.get_logger().info("connecting", url="postgresql://u:hunter2@h/db", detail="password=hunter2 host=h")
    line = json.loads(stream.getvalue())
    assert "hunter2" not in stream.getvalue()
    assert line["url"] == "postgresql://u:***@h/db"
