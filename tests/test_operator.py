"""The operator end to end: a real kube-apiserver with etcd, a real PostgreSQL, and the operator
running as its own process (`reconciler operator run`), driven with kubectl as a user would.

The story follows a team's day: the example schema is applied as resources and converges; data
arrives; version 2 is applied; its plan appears; expand and backfill run while the contract phase
waits; the operator is killed in the middle of the backfill and a new one resumes it; a wrong
digest approves nothing; the right one lets the contract run; a hand-made change is reported as
drift; deleting a resource drops nothing. Separately: a bad password and an invalid resource give
clear Failed conditions, and recover when fixed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from support.kubeharness import KubeServer

from reconciler.demo import SAMPLE_DATA
from reconciler.pg import dsn as dsnlib

REPO = Path(__file__).resolve().parent.parent
CRDS = REPO / "crds"
V1 = REPO / "schemas" / "shop"
V2 = REPO / "schemas" / "shop-v2"
_namespaces = iter(range(1, 10_000))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """kubectl in one namespace of the test API server, with the operator's CRDs installed."""

    def __init__(self, kube: KubeServer, namespace: str) -> None:
        self.kube = kube
        self.namespace = namespace

    def run(self, *args: str, input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:  # noqa: A002  (as subprocess.run)
        result = self.kube.kubectl("-n", self.namespace, *args, input=input)
        if check and result.returncode != 0:
            raise AssertionError(f"kubectl {' '.join(args)} failed: {result.stderr.strip()}")
        return result

    def get(self, kind: str, name: str) -> dict[str, Any]:
        return json.loads(self.run("get", kind, name, "-o", "json").stdout)

    def items(self, kind: str) -> list[dict[str, Any]]:
        return list(json.loads(self.run("get", kind, "-o", "json").stdout)["items"])

    def apply(self, manifest: dict[str, Any] | str) -> None:
        self.run("apply", "-f", "-", input=manifest if isinstance(manifest, str) else json.dumps(manifest))

    def condition(self, name: str, kind: str) -> dict[str, Any]:
        status = self.get("database", name).get("status") or {}
        return next((c for c in status.get("conditions", []) if c["type"] == kind), {})

    def events(self) -> list[dict[str, Any]]:
        return self.items("events")


class Operator:
    """`reconciler operator run` as a separate process, killable like a pod."""

    def __init__(self, kube: KubeServer, namespace: str, workdir: Path, *extra: str, name: str = "operator") -> None:
        self.kube = kube
        self.namespace = namespace
        self.workdir = workdir
        self.extra = extra
        self.name = name
        self.metrics_port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = open(self.workdir / f"{self.name}-{self.starts}.log", "wb")  # noqa: SIM115  (kept open for the process)
        env = {**os.environ, "KUBECONFIG": str(self.kube.kubeconfig)}
        command = [
            sys.executable,
            "-m",
            "reconciler",
            "--log-format",
            "json",
            "operator",
            "run",
            "--namespace",
            self.namespace,
            "--metrics-port",
            str(self.metrics_port),
            "--retry-max-delay",
            "2",
            "--settle",
            "1",
            "--work-dir",
            str(self.workdir / "work"),
            *self.extra,
        ]
        self.process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as when a node dies."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-4000:] for p in sorted(self.workdir.glob(f"{self.name}-*.log")))

    def log_lines(self) -> list[str]:
        return [
            line
            for p in sorted(self.workdir.glob(f"{self.name}-*.log"))
            for line in p.read_text(errors="replace").splitlines()
        ]

    def metrics(self) -> str:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as response:
            return response.read().decode()


def wait_for(what: str, predicate: Callable[[], Any], operator: Operator, timeout: float = 120.0) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        if operator.process is not None and operator.process.poll() is not None:
            raise AssertionError(
                f"the operator exited ({operator.process.returncode}) while waiting for {what}:\n{operator.logs()}"
            )
        time.sleep(0.5)
    raise AssertionError(
        f"timed out after {timeout:.0f}s waiting for {what} (last: {last!r});\noperator log tail:\n{operator.logs()}"
    )


@pytest.fixture
def cluster(kube: KubeServer) -> Iterator[Cluster]:
    namespace = f"e2e-{os.getpid()}-{next(_namespaces)}"
    result = kube.kubectl("apply", "-f", str(CRDS))
    assert result.returncode == 0, result.stderr
    for crd in sorted(CRDS.glob("*.yaml")):
        name = crd.stem + ".reconciler.dev" if not crd.stem.startswith("kopf") else None
        if name:
            waited = kube.kubectl("wait", "--for=condition=Established", f"crd/{name}", "--timeout=60s")
            assert waited.returncode == 0, waited.stderr
    assert kube.kubectl("create", "namespace", namespace).returncode == 0
    yield Cluster(kube, namespace)
    kube.kubectl("delete", "namespace", namespace, "--wait=false")


@pytest.fixture
def operator(kube: KubeServer, cluster: Cluster, tmp_path: Path) -> Iterator[Operator]:
    runner = Operator(kube, cluster.namespace, tmp_path)
    yield runner
    runner.stop()


def _secret(name: str, url: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name},
        "type": "Opaque",
        "stringData": {"url": url},
    }


def _database(name: str, secret: str, **policy: Any) -> dict[str, Any]:
    return {
        "apiVersion": "reconciler.dev/v1alpha1",
        "kind": "Database",
        "metadata": {"name": name},
        "spec": {
            "environment": "e2e",
            "connection": {"secretRef": {"name": secret}},
            "policy": {"driftInterval": "2s", **policy},
        },
    }


def _plan_of(cluster: Cluster, database: str, digest: str | None = None) -> dict[str, Any] | None:
    name = (cluster.get("database", database).get("status") or {}).get("plan", {}).get("name")
    if not name:
        return None
    plan = cluster.get("schemaplan", name)
    return plan if digest is None or plan["spec"]["digest"] != digest else None


def _journal_step(dsn: str, step_id: str) -> str | None:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT state FROM reconciler.steps WHERE step_id = %s ORDER BY started_at DESC NULLS LAST LIMIT 1",
            (step_id,),
        ).fetchone()
        return str(row[0]) if row else None


def test_gitops_story(cluster: Cluster, operator: Operator, database: str) -> None:
    # --- version 1 arrives from git: everything is additive, so it converges without approval
    cluster.apply(_secret("shop-db", database))
    cluster.apply(
        _database(
            "shop",
            "shop-db",
            backfill={"batchSize": 200, "maxBatchSize": 200, "pause": "150ms", "targetBatchTime": "50ms"},
        )
    )
    cluster.run("apply", "-f", str(V1))
    operator.start()
    wait_for("Ready after version 1", lambda: cluster.condition("shop", "Ready").get("status") == "True", operator)
    first = _plan_of(cluster, "shop")
    assert first is not None and first["status"]["state"] == "Applied"
    assert all(step["phase"] == "expand" for step in first["spec"]["steps"])
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute(SAMPLE_DATA)

    # --- version 2: a plan with expand, backfill and contract is published
    cluster.run("apply", "-f", str(V2))
    v2 = wait_for("the version 2 plan", lambda: _plan_of(cluster, "shop", first["spec"]["digest"]), operator)
    phases = {step["phase"] for step in v2["spec"]["steps"]}
    assert phases == {"expand", "backfill", "contract"}, phases
    digest, plan_name = v2["spec"]["digest"], v2["metadata"]["name"]
    backfill_step = next(step["id"] for step in v2["spec"]["steps"] if step["phase"] == "backfill")

    # --- the backfill shows progress; the operator dies in the middle of it
    def backfilling() -> Any:
        status = cluster.get("schemaplan", plan_name).get("status") or {}
        progress = status.get("backfill") or {}
        return progress if progress.get("rowsDone", 0) > 0 and status.get("currentStep") == backfill_step else None

    progress = wait_for("backfill progress in the SchemaPlan status", backfilling, operator)
    assert progress["rowsPerSecond"] > 0 and "rowsEstimated" in progress
    operator.kill()
    assert _journal_step(database, backfill_step) != "done", "the backfill finished before the kill: make it slower"
    operator.start()

    # --- the new operator resumes; expand and backfill complete; contract waits for approval
    awaiting = wait_for(
        "AwaitingApproval",
        lambda: cluster.condition("shop", "AwaitingApproval").get("status") == "True" or None,
        operator,
        timeout=180,
    )
    assert awaiting
    assert _journal_step(database, backfill_step) == "done"
    plan_status = cluster.get("schemaplan", plan_name)["status"]
    assert plan_status["state"] == "AwaitingApproval" and plan_status["waitingStep"].startswith("contract/")
    assert digest in cluster.condition("shop", "AwaitingApproval")["message"]
    with psycopg.connect(database) as conn:
        unfilled = conn.execute(
            "SELECT count(*) FROM shop.orders o WHERE item_count <> (SELECT count(*) FROM shop.order_items i WHERE "
            "i.order_id = o.id)"
        ).fetchone()
        assert unfilled == (0,)
        assert conn.execute("SELECT count(*) FROM shop.users WHERE display_name IS NULL").fetchone() == (0,)

    # --- an approval of another digest approves nothing
    wrong = "sha256:" + "0" * 64
    cluster.run(
        "patch",
        "schemaplan",
        plan_name,
        "--type",
        "merge",
        "-p",
        json.dumps({"spec": {"approval": {"digest": wrong, "by": "mallory"}}}),
    )
    wait_for(
        "a warning about the mismatched digest",
        lambda: any(e.get("reason") == "ApprovalDigestMismatch" for e in cluster.events()),
        operator,
    )
    assert cluster.get("schemaplan", plan_name)["status"]["state"] == "AwaitingApproval"
    assert cluster.condition("shop", "AwaitingApproval")["status"] == "True"

    # --- the right digest lets the contract phase run
    cluster.run(
        "patch",
        "schemaplan",
        plan_name,
        "--type",
        "merge",
        "-p",
        json.dumps({"spec": {"approval": {"digest": digest, "by": "alice"}}}),
    )
    wait_for(
        "Ready after the contract phase", lambda: cluster.condition("shop", "Ready").get("status") == "True", operator
    )
    assert cluster.get("schemaplan", plan_name)["status"]["state"] == "Applied"
    with psycopg.connect(database) as conn:
        columns = {
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = 'shop' AND table_name = "
                "'users'"
            )
        }
    assert "display_name" in columns and "full_name" not in columns

    # --- a change made by hand is reported as drift within the interval
    with psycopg.connect(database, autocommit=True) as conn:
        conn.execute("ALTER TABLE shop.products ADD COLUMN hand_made text")
    drifted = wait_for(
        "Drifted", lambda: cluster.condition("shop", "Drifted").get("status") == "True" or None, operator, timeout=60
    )
    assert drifted
    assert "hand_made" in cluster.condition("shop", "Drifted")["message"]

    # --- events and metrics tell the same story
    reasons = {e.get("reason") for e in cluster.events()}
    assert {"Planned", "AwaitingApproval", "Applied"} <= reasons, reasons
    text = operator.metrics()
    assert 'reconciler_plans_total{database="shop"' in text
    assert "reconciler_backfill_rows_total" in text and "reconciler_drifted_objects" in text


def test_deleting_a_resource_never_drops_the_table(cluster: Cluster, operator: Operator, database: str) -> None:
    cluster.apply(_secret("shop-db", database))
    cluster.apply(_database("shop", "shop-db"))
    cluster.run("apply", "-f", str(V1))
    operator.start()
    wait_for("Ready", lambda: cluster.condition("shop", "Ready").get("status") == "True", operator)
    cluster.run("delete", "table", "inventory")
    time.sleep(3)  # longer than the settle time and the drift interval: the operator has looked
    wait_for("Ready", lambda: cluster.condition("shop", "Ready").get("status") == "True", operator)
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT to_regclass('shop.inventory') IS NOT NULL").fetchone() == (True,)


def test_bad_password_fails_clearly_and_recovers(cluster: Cluster, operator: Operator, database: str) -> None:
    password = dsnlib.password_of(database)
    assert password, "the test server must use password authentication"
    wrong = database.replace(password, "not-the-password")
    cluster.apply(_secret("shop-db", wrong))
    cluster.apply(_database("shop", "shop-db"))
    cluster.run("apply", "-f", str(V1))
    operator.start()
    failed = wait_for(
        "Failed: ConnectionFailed",
        lambda: (c := cluster.condition("shop", "Failed")).get("reason") == "ConnectionFailed" and c,
        operator,
    )
    assert failed["status"] == "True"
    assert "password authentication failed" in failed["message"]
    assert "not-the-password" not in json.dumps(cluster.get("database", "shop"))
    assert "not-the-password" not in operator.logs()
    cluster.apply(_secret("shop-db", database))
    wait_for(
        "Ready after the Secret is fixed", lambda: cluster.condition("shop", "Ready").get("status") == "True", operator
    )
    assert cluster.condition("shop", "Failed")["status"] == "False"


def test_invalid_resources_are_rejected_or_reported(cluster: Cluster, operator: Operator, database: str) -> None:
    # a wrong type is refused by the API server itself (the CRD's schema)
    bad_type = {
        "apiVersion": "reconciler.dev/v1alpha1",
        "kind": "Table",
        "metadata": {"name": "broken"},
        "spec": {"columns": [{"name": "id", "type": "bigint", "nullable": "no"}]},
    }
    refused = cluster.run("apply", "-f", "-", input=json.dumps(bad_type), check=False)
    assert refused.returncode != 0 and "nullable" in refused.stderr
    # a misspelt field is kept by the API server and reported by the operator, with a suggestion
    cluster.apply(_secret("shop-db", database))
    cluster.apply(_database("shop", "shop-db"))
    misspelt = {
        "apiVersion": "reconciler.dev/v1alpha1",
        "kind": "Table",
        "metadata": {"name": "notes"},
        "spec": {"columns": [{"name": "id", "type": "bigint", "nulable": False}]},
    }
    cluster.apply(misspelt)
    operator.start()
    failed = wait_for(
        "Failed: InvalidSpec",
        lambda: (c := cluster.condition("shop", "Failed")).get("reason") == "InvalidSpec" and c,
        operator,
    )
    assert "Table " + cluster.namespace + "/notes" in failed["message"] and "nullable" in failed["message"]
    misspelt["spec"]["columns"][0] = {"name": "id", "type": "bigint", "nullable": False}
    cluster.apply(misspelt)
    wait_for(
        "Ready after the resource is fixed",
        lambda: cluster.condition("shop", "Ready").get("status") == "True",
        operator,
    )
    with psycopg.connect(database) as conn:
        assert conn.execute("SELECT to_regclass('public.notes') IS NOT NULL").fetchone() == (True,)


def test_two_replicas_never_work_at_once(cluster: Cluster, kube: KubeServer, tmp_path: Path, database: str) -> None:
    """Replicas sharing a peering name: the one with the lower priority pauses, the other works."""
    cluster.apply({"apiVersion": "kopf.dev/v1", "kind": "KopfPeering", "metadata": {"name": "reconciler"}})
    low = Operator(kube, cluster.namespace, tmp_path, "--peering", "reconciler", "--priority", "100", name="low")
    high = Operator(kube, cluster.namespace, tmp_path, "--peering", "reconciler", "--priority", "200", name="high")
    try:
        low.start()
        wait_for(
            "the first replica in the peering",
            lambda: cluster.get("kopfpeering", "reconciler").get("status") or None,
            low,
        )
        high.start()
        wait_for(
            "the first replica to pause", lambda: any("Pausing operations" in line for line in low.log_lines()), low
        )
        cluster.apply(_secret("shop-db", database))
        cluster.apply(_database("shop", "shop-db"))
        cluster.run("apply", "-f", str(V1))
        wait_for("Ready", lambda: cluster.condition("shop", "Ready").get("status") == "True", high)
        assert any('"step started"' in line for line in high.log_lines())
        assert not any('"step started"' in line or '"worker started"' in line for line in low.log_lines())
    finally:
        low.stop()
        high.stop()
