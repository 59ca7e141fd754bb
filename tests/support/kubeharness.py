"""A real Kubernetes API server for the test session: etcd and kube-apiserver 1.20 on loopback.

Contract: `KubeServer.start()` returns a running, ready API server (``/readyz`` answers ``ok``) with
an admin kubeconfig, or raises `KubeHarnessError` saying what is missing and how to get it. The
binaries come from the tools cache that `tests/k8s/tools.sh` (`make k8s-tools`) fills:
``${RECONCILER_TOOLS_DIR:-~/.cache/reconciler-tools}/bin``. Everything the servers write lives in
one temporary directory that `stop()` removes.

What it is and is not: a real API server (schema validation, RBAC, status subresources, watches,
conflicts) without a kubelet or controllers, so nothing ever runs a Pod. There is no plain-HTTP
port in 1.20: clients speak TLS to a self-signed certificate (skip-verify) with a static token
that belongs to ``system:masters``.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

import yaml

KUBECTL = Path("/usr/bin/kubectl")
ADMIN_USER = "reconciler-test-admin"


class KubeHarnessError(RuntimeError):
    """The test API server could not be started; the message says what to do."""


def tools_dir() -> Path:
    """The cache `tests/k8s/tools.sh` fills (same default as the script)."""
    default = Path.home() / ".cache" / "reconciler-tools"
    return Path(os.environ.get("RECONCILER_TOOLS_DIR") or default)


def tool(name: str) -> Path:
    """Path of a tool from the cache (kube-apiserver, etcd, helm), or a clear error."""
    path = tools_dir() / "bin" / name
    if not os.access(path, os.X_OK):
        raise KubeHarnessError(f"{name} not found at {path}: run `make k8s-tools` (tests/k8s/tools.sh) first")
    return path


def kubectl_path() -> Path:
    if not os.access(KUBECTL, os.X_OK):
        raise KubeHarnessError(f"{KUBECTL} not found: run `make k8s-tools` (it installs kubectl)")
    return KUBECTL


def _free_port() -> int:
    # The port is free when we look; the server binds it a moment later. Good enough on loopback.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _write_rsa_key(path: Path) -> None:
    """A service-account signing key (the API server refuses to start without one)."""
    try:
        from cryptography.hazmat.primitives import serialization  # noqa: PLC0415  (only to make a certificate)
        from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: PLC0415  (only to make a certificate)
    except ImportError:
        try:
            subprocess.run(["openssl", "genrsa", "-out", str(path), "2048"], check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise KubeHarnessError(f"cannot generate the service-account key: install openssl ({exc})") from exc
        return
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


class KubeServer:
    """etcd + kube-apiserver in a temporary directory. Use `KubeServer.start()`."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.token = secrets.token_hex(16)
        self.etcd_port = _free_port()
        self.etcd_peer_port = _free_port()
        self.port = _free_port()
        self.url = f"https://127.0.0.1:{self.port}"
        self.kubeconfig = workdir / "kubeconfig"
        self._procs: list[tuple[str, subprocess.Popen[bytes], Path]] = []
        self._logs: list[IO[bytes]] = []

    @classmethod
    def start(cls, timeout: float = 120.0) -> KubeServer:
        etcd, apiserver = tool("etcd"), tool("kube-apiserver")
        kubectl_path()
        server = cls(Path(tempfile.mkdtemp(prefix="reconciler-kube-")))
        atexit.register(server.stop)
        try:
            server._start_etcd(etcd)
            server._start_apiserver(apiserver)
            server._wait_ready(timeout)
            server._write_kubeconfig()
        except BaseException:
            server.stop()
            raise
        return server

    # -- processes ---------------------------------------------------------------------------

    def _spawn(self, name: str, argv: list[str]) -> None:
        log_path = self.workdir / f"{name}.log"
        log = open(log_path, "wb")  # noqa: SIM115  (closed in stop())
        self._logs.append(log)
        # A session of its own: Ctrl-C in pytest reaches the fixture's teardown, not the servers.
        proc = subprocess.Popen(
            argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self._procs.append((name, proc, log_path))

    def _start_etcd(self, etcd: Path) -> None:
        peer = f"http://127.0.0.1:{self.etcd_peer_port}"
        client = f"http://127.0.0.1:{self.etcd_port}"
        self._spawn(
            "etcd",
            [
                str(etcd),
                "--name",
                "reconciler-test",
                "--data-dir",
                str(self.workdir / "etcd"),
                "--listen-client-urls",
                client,
                "--advertise-client-urls",
                client,
                "--listen-peer-urls",
                peer,
                "--initial-advertise-peer-urls",
                peer,
                "--initial-cluster",
                f"reconciler-test={peer}",
                "--unsafe-no-fsync",  # throwaway data: durability only costs time
            ],
        )

    def _start_apiserver(self, apiserver: Path) -> None:
        tokens = self.workdir / "tokens.csv"
        tokens.write_text(f'{self.token},{ADMIN_USER},{ADMIN_USER},"system:masters"\n')
        tokens.chmod(0o600)
        sa_key = self.workdir / "sa.key"
        _write_rsa_key(sa_key)
        self._spawn(
            "kube-apiserver",
            [
                str(apiserver),
                f"--etcd-servers=http://127.0.0.1:{self.etcd_port}",
                "--bind-address=127.0.0.1",
                "--advertise-address=127.0.0.1",
                f"--secure-port={self.port}",
                f"--cert-dir={self.workdir / 'certs'}",  # it generates a self-signed pair there
                f"--token-auth-file={tokens}",
                "--authorization-mode=RBAC",
                f"--service-account-key-file={sa_key}",
                f"--service-account-signing-key-file={sa_key}",
                "--service-account-issuer=https://kubernetes.default.svc",
                "--service-cluster-ip-range=10.0.0.0/24",
                # No controller-manager: nobody would maintain the `kubernetes` endpoints, nor create
                # the service-account tokens the ServiceAccount admission plugin waits for.
                "--endpoint-reconciler-type=none",
                "--disable-admission-plugins=ServiceAccount",
            ],
        )

    def _check_alive(self) -> None:
        for name, proc, log_path in self._procs:
            if proc.poll() is not None:
                raise KubeHarnessError(
                    f"{name} exited with code {proc.returncode}; last lines of {log_path}:\n" + _tail(log_path)
                )

    def _wait_ready(self, timeout: float) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the API server's own self-signed certificate
        request = urllib.request.Request(f"{self.url}/readyz", headers={"Authorization": f"Bearer {self.token}"})
        deadline = time.monotonic() + timeout
        last = "no answer yet"
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                with urllib.request.urlopen(request, timeout=5, context=context) as response:
                    if response.status == 200:
                        return
                    last = f"HTTP {response.status}"
            except urllib.error.HTTPError as exc:
                last = f"HTTP {exc.code}: {exc.read(300).decode(errors='replace')}"
            except (OSError, ssl.SSLError) as exc:
                last = str(exc)
            time.sleep(0.5)
        raise KubeHarnessError(
            f"kube-apiserver not ready after {timeout:.0f} s ({last}); last lines of its log:\n"
            + _tail(self.workdir / "kube-apiserver.log")
        )

    def _write_kubeconfig(self) -> None:
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [
                {
                    "name": "test",
                    "cluster": {
                        "server": self.url,
                        "insecure-skip-tls-verify": True,
                    },
                }
            ],
            "users": [{"name": "admin", "user": {"token": self.token}}],
            "contexts": [{"name": "test", "context": {"cluster": "test", "user": "admin"}}],
            "current-context": "test",
        }
        self.kubeconfig.write_text(yaml.safe_dump(config, sort_keys=False))
        self.kubeconfig.chmod(0o600)

    # -- helpers -----------------------------------------------------------------------------

    def kubectl(
        self,
        *args: str,
        input: str | None = None,  # noqa: A002  (named as subprocess.run names it)
        timeout: float = 60.0,
    ) -> subprocess.CompletedProcess[str]:
        """Run kubectl against this server; the caller checks returncode/stdout/stderr."""
        return subprocess.run(
            [str(kubectl_path()), f"--kubeconfig={self.kubeconfig}", *args],
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def stop(self) -> None:
        """Terminate kube-apiserver, then etcd, and remove the temporary directory. Idempotent."""
        for _name, proc, _log in reversed(self._procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(timeout=5)
        self._procs.clear()
        for log in self._logs:
            log.close()
        self._logs.clear()
        shutil.rmtree(self.workdir, ignore_errors=True)
