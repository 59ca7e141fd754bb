"""The Helm chart charts/reconciler-operator: lints, renders valid Kubernetes 1.20 manifests,
installs on the real test API server, and grants least privilege.

Helm comes from the tools cache (`make k8s-tools`); without it these tests fail, never skip.
Nothing runs Pods on the test server, so the Deployment is created but never becomes ready: the
tests check what the API server accepted and what the service account may do.
"""

from __future__ import annotations

import filecmp
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from support.kubeharness import KubeHarnessError, KubeServer, tool

REPO = Path(__file__).resolve().parent.parent
CHART = REPO / "charts" / "reconciler-operator"
KUBE_VERSION = "1.20.0"
FULLNAME = "reconciler-operator"  # releases are named like the chart, so no prefix is added
CLUSTER_WIDE = ["--set", "rbac.clusterWide=true"]
VALUE_SETS = {
    "default": [],
    "cluster-wide": CLUSTER_WIDE,
    "two-namespaces": ["--set", "watch.namespaces={team-a,team-b}", "--set", "logFormat=console"],
}


@pytest.fixture(scope="module")
def helm_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Helm's cache/config/data in a temporary directory: the tests leave $HOME alone."""
    home = tmp_path_factory.mktemp("helm")
    env = dict(os.environ)
    for name in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
        env[name] = str(home / name.lower())
    return env


def helm(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    try:
        binary = tool("helm")
    except KubeHarnessError as exc:
        pytest.fail(str(exc), pytrace=False)
    return subprocess.run([str(binary), *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def render(env: dict[str, str], *values: str) -> list[dict[str, Any]]:
    result = helm(
        env,
        "template",
        FULLNAME,
        str(CHART),
        "--namespace",
        "ops",
        "--include-crds",
        "--kube-version",
        KUBE_VERSION,
        *values,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def chart_crds() -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in sorted((CHART / "crds").glob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


# -- the chart's files ------------------------------------------------------------------------


def test_chart_crds_match_repository_crds() -> None:
    source = sorted(p.name for p in (REPO / "crds").glob("*.yaml"))
    shipped = sorted(p.name for p in (CHART / "crds").glob("*.yaml"))
    _, mismatch, errors = filecmp.cmpfiles(REPO / "crds", CHART / "crds", source, shallow=False)
    assert source == shipped and not mismatch and not errors, (
        f"charts/reconciler-operator/crds/ differs from crds/ (only in crds/: "
        f"{sorted(set(source) - set(shipped))}, only in the chart: "
        f"{sorted(set(shipped) - set(source))}, different: {mismatch + errors}): run `make chart-crds`"
    )
    assert "kopf-peering.yaml" in shipped


def test_kopf_peering_crds() -> None:
    crds = {doc["metadata"]["name"]: doc for doc in chart_crds()}
    for name, scope in (("kopfpeerings.kopf.dev", "Namespaced"), ("clusterkopfpeerings.kopf.dev", "Cluster")):
        spec = crds[name]["spec"]
        assert crds[name]["apiVersion"] == "apiextensions.k8s.io/v1"
        assert spec["scope"] == scope
        (version,) = spec["versions"]
        status = version["schema"]["openAPIV3Schema"]["properties"]["status"]
        assert status["x-kubernetes-preserve-unknown-fields"] is True
        # kopf patches status through the main resource: a status subresource would drop it.
        assert "subresources" not in version


@pytest.mark.parametrize("values", [[], CLUSTER_WIDE], ids=["default", "cluster-wide"])
def test_helm_lint_strict(helm_env: dict[str, str], values: list[str]) -> None:
    result = helm(helm_env, "lint", "--strict", str(CHART), *values)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("values", list(VALUE_SETS.values()), ids=list(VALUE_SETS))
def test_rendered_manifests_are_valid_for_kubernetes_1_20(helm_env: dict[str, str], values: list[str]) -> None:
    custom = {
        (f"{crd['spec']['group']}/{version['name']}", crd["spec"]["names"]["kind"]): version["schema"][
            "openAPIV3Schema"
        ]
        for crd in chart_crds()
        for version in crd["spec"]["versions"]
    }
    docs = render(helm_env, *values)
    assert {doc["kind"] for doc in docs} >= {
        "CustomResourceDefinition",
        "ServiceAccount",
        "Deployment",
        "Service",
        "ClusterRole",
        "ClusterRoleBinding",
    }
    for doc in docs:
        key = (doc["apiVersion"], doc["kind"])
        if key in custom:
            # kubernetes-validate knows built-in kinds only; custom resources (the KopfPeering
            # objects) are checked against their CRD's schema instead.
            jsonschema.validate(doc, custom[key])
        else:
            with warnings.catch_warnings():
                # kubernetes-validate 1.28 uses jsonschema APIs that are deprecated since 4.18.
                warnings.simplefilter("ignore", DeprecationWarning)
                kubernetes_validate.validate(doc, KUBE_VERSION, strict=True)


def test_deployment_runs_the_operator_locked_down(helm_env: dict[str, str]) -> None:
    docs = render(helm_env, *VALUE_SETS["two-namespaces"], "--set", "metrics.port=9102")
    (deployment,) = [doc for doc in docs if doc["kind"] == "Deployment"]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["reconciler", "--log-format", "console", "operator", "run"]
    assert container["args"] == [
        "--namespace",
        "team-a",
        "--namespace",
        "team-b",
        "--metrics-port",
        "9102",
        "--peering",
        "reconciler",
    ]
    assert {"name": "RECONCILER_LOG_FORMAT", "value": "console"} in container["env"]
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert container["ports"] == [{"name": "metrics", "containerPort": 9102, "protocol": "TCP"}]
    security = container["securityContext"]
    assert security["runAsNonRoot"] and security["readOnlyRootFilesystem"]
    assert security["capabilities"] == {"drop": ["ALL"]}
    (service,) = [doc for doc in docs if doc["kind"] == "Service"]
    assert service["spec"]["ports"][0]["name"] == "metrics"
    assert service["spec"]["ports"][0]["port"] == 9102
    roles = sorted(doc["metadata"]["namespace"] for doc in docs if doc["kind"] == "Role")
    assert roles == ["team-a", "team-b"]

    cluster = render(helm_env, *CLUSTER_WIDE)
    (deployment,) = [doc for doc in cluster if doc["kind"] == "Deployment"]
    assert deployment["spec"]["template"]["spec"]["containers"][0]["args"][0] == "--all-namespaces"
    assert not [doc for doc in cluster if doc["kind"] in ("Role", "RoleBinding")]


# -- installed on the real API server ---------------------------------------------------------


class Installed:
    """A release installed with helm on the test API server; `can` asks RBAC as its account."""

    def __init__(self, kube: KubeServer, env: dict[str, str], namespace: str) -> None:
        self.kube, self.env, self.namespace = kube, env, namespace
        self.account = f"system:serviceaccount:{namespace}:{FULLNAME}"

    def install(self, *values: str) -> None:
        result = helm(
            self.env,
            "install",
            FULLNAME,
            str(CHART),
            "--namespace",
            self.namespace,
            "--create-namespace",
            f"--kubeconfig={self.kube.kubeconfig}",
            "--set",
            "image.pullPolicy=Never",
            *values,
        )
        assert result.returncode == 0, result.stdout + result.stderr

    def uninstall(self) -> None:
        helm(self.env, "uninstall", FULLNAME, "--namespace", self.namespace, f"--kubeconfig={self.kube.kubeconfig}")

    def can(self, verb: str, resource: str, *scope: str) -> bool:
        result = self.kube.kubectl("auth", "can-i", verb, resource, f"--as={self.account}", *scope)
        answer = result.stdout.strip()
        assert answer in ("yes", "no"), result.stderr
        return answer == "yes"


def _namespace(kube: KubeServer, name: str) -> str:
    result = kube.kubectl("create", "namespace", name)
    assert result.returncode == 0 or "AlreadyExists" in result.stderr, result.stderr
    return name


@pytest.fixture
def namespaced_release(kube: KubeServer, helm_env: dict[str, str]) -> Iterator[Installed]:
    _namespace(kube, "chart-elsewhere")
    release = Installed(kube, helm_env, "chart-ops")
    release.install()
    yield release
    release.uninstall()


@pytest.fixture
def cluster_wide_release(kube: KubeServer, helm_env: dict[str, str]) -> Iterator[Installed]:
    _namespace(kube, "chart-elsewhere")
    release = Installed(kube, helm_env, "chart-cluster-ops")
    release.install(*CLUSTER_WIDE)
    yield release
    release.uninstall()


def test_install_creates_crds_and_objects(kube: KubeServer, namespaced_release: Installed) -> None:
    ns = namespaced_release.namespace
    for crd in chart_crds():
        name = crd["metadata"]["name"]
        established = kube.kubectl("wait", "--for=condition=Established", f"crd/{name}", "--timeout=60s")
        assert established.returncode == 0, f"{name}: {established.stderr}"
    for kind in ("deployment", "serviceaccount", "service", "role", "rolebinding", "kopfpeering"):
        listed = kube.kubectl("get", kind, "-n", ns, "-o", "name")
        assert listed.returncode == 0 and listed.stdout.strip(), f"no {kind} in {ns}: {listed.stderr}"
    peering = kube.kubectl("get", "kopfpeering", "reconciler", "-n", ns)
    assert peering.returncode == 0, peering.stderr


def test_namespaced_rbac_is_least_privilege(namespaced_release: Installed) -> None:
    can, ns = namespaced_release.can, ["-n", namespaced_release.namespace]
    elsewhere = ["-n", "chart-elsewhere"]
    assert can("list", "databases.reconciler.dev", *ns)
    assert can("watch", "schemaplans.reconciler.dev", *ns)
    assert can("patch", "schemaplans.reconciler.dev", "--subresource=status", *ns)
    assert can("update", "databases.reconciler.dev", "--subresource=status", *ns)
    assert can("get", "secrets", *ns)
    assert can("create", "events", *ns)
    assert can("create", "events.events.k8s.io", *ns)
    assert can("patch", "kopfpeerings.kopf.dev", *ns)
    assert can("list", "customresourcedefinitions.apiextensions.k8s.io")

    assert not can("get", "secrets", *elsewhere)
    assert not can("list", "databases.reconciler.dev", *elsewhere)
    assert not can("list", "databases.reconciler.dev", "--all-namespaces")
    assert not can("create", "secrets", *ns)
    assert not can("delete", "secrets", *ns)
    assert not can("delete", "deployments", *ns)
    assert not can("create", "pods", *ns)
    assert can("watch", "namespaces")  # kopf's scanning, read-only
    assert not can("get", "namespaces")
    assert not can("delete", "namespaces")
    assert not can("delete", "customresourcedefinitions.apiextensions.k8s.io")
    assert not can("patch", "clusterkopfpeerings.kopf.dev")


def test_cluster_wide_rbac(kube: KubeServer, cluster_wide_release: Installed) -> None:
    can = cluster_wide_release.can
    assert can("list", "databases.reconciler.dev", "-n", "chart-elsewhere")
    assert can("list", "databases.reconciler.dev", "--all-namespaces")
    assert can("patch", "schemaplans.reconciler.dev", "--subresource=status", "-n", "chart-elsewhere")
    assert can("get", "secrets", "-n", "chart-elsewhere")
    assert can("watch", "namespaces")
    assert can("patch", "clusterkopfpeerings.kopf.dev")

    assert not can("delete", "deployments", "-n", "chart-elsewhere")
    assert not can("create", "secrets", "-n", "chart-elsewhere")
    assert not can("delete", "namespaces")
    peering = kube.kubectl("get", "clusterkopfpeering", "reconciler")
    assert peering.returncode == 0, peering.stderr


def _service_account_kubeconfig(kube: KubeServer, namespace: str, path: Path) -> Path:
    """A kubeconfig that authenticates as the chart's service account (a TokenRequest token)."""
    token = kube.kubectl("create", "token", FULLNAME, "-n", namespace, "--duration=1h")
    assert token.returncode == 0, token.stderr
    config = yaml.safe_load(kube.kubeconfig.read_text())
    config["users"][0]["user"] = {"token": token.stdout.strip()}
    path.write_text(yaml.safe_dump(config))
    return path


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return bool(response.status == 200)
    except (OSError, urllib.error.URLError):
        return False


def test_operator_runs_with_the_chart_permissions(
    kube: KubeServer, namespaced_release: Installed, tmp_path: Path
) -> None:
    """Least privilege is also enough: the real operator, authenticated as the chart's service
    account and started with the chart's flags, comes up healthy, joins its kopf peering, and is
    never refused by the API server."""
    ns = namespaced_release.namespace
    kubeconfig = _service_account_kubeconfig(kube, ns, tmp_path / "kubeconfig")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log_path = tmp_path / "operator.log"
    command = [
        sys.executable,
        "-m",
        "reconciler",
        "--log-format",
        "json",
        "operator",
        "run",
        "--namespace",
        ns,
        "--metrics-port",
        str(port),
        "--peering",
        "reconciler",
        "--work-dir",
        str(tmp_path / "work"),
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            env={**os.environ, "KUBECONFIG": str(kubeconfig)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            peers: dict[str, Any] = {}
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and process.poll() is None:
                peering = kube.kubectl("get", "kopfpeering", "reconciler", "-n", ns, "-o", "json")
                peers = json.loads(peering.stdout).get("status") or {} if peering.stdout else {}
                if peers and _healthy(port):
                    break
                time.sleep(1)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
    output = log_path.read_text(errors="replace")
    assert peers, f"the operator never joined the peering KopfPeering {ns}/reconciler:\n{output[-3000:]}"
    assert "forbidden" not in output.lower(), output[-3000:]


# -- the image the chart runs -----------------------------------------------------------------

DOCKER_INSTRUCTIONS = {
    "FROM",
    "RUN",
    "CMD",
    "LABEL",
    "EXPOSE",
    "ENV",
    "ADD",
    "COPY",
    "ENTRYPOINT",
    "VOLUME",
    "USER",
    "WORKDIR",
    "ARG",
    "ONBUILD",
    "STOPSIGNAL",
    "HEALTHCHECK",
    "SHELL",
}


def _dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    logical, current = [], ""
    for line in (REPO / "Dockerfile").read_text().splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        current += line.rstrip().removesuffix("\\") + " "
        if not line.rstrip().endswith("\\"):
            logical.append(current.strip())
            current = ""
    assert not current, "Dockerfile ends inside a continued line"
    return [(text.split(None, 1)[0], text.split(None, 1)[1]) for text in logical]


def test_dockerfile_builds_a_non_root_operator_image() -> None:
    instructions = _dockerfile_instructions()
    assert all(name in DOCKER_INSTRUCTIONS for name, _ in instructions), instructions
    assert instructions[0] == ("FROM", "python:3.11-slim")
    last = dict(instructions)
    assert yaml.safe_load(last["ENTRYPOINT"]) == ["reconciler"]
    assert yaml.safe_load(last["CMD"]) == ["operator", "run"]
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    uid = values["podSecurityContext"]["runAsUser"]
    assert last["USER"].split(":")[0] == str(uid) != "0"
    # Everything the image copies exists and is not excluded by .dockerignore.
    ignored = [
        line.strip()
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for name, args in instructions:
        if name == "COPY":
            for source in args.split()[:-1]:
                assert (REPO / source).exists() and source not in ignored, source
