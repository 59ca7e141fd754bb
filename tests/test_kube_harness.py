"""Smoke test of the Kubernetes harness: the `kube` fixture is a real API server, not a stand-in.

It answers with its version, installs a CustomResourceDefinition, and rejects a custom resource
that breaks the CRD's schema with HTTP 422 from server-side validation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import kubernetes
import pytest
from support.kubeharness import KubeServer

GROUP = "smoke.reconciler.dev"
CRD_NAME = f"gadgets.{GROUP}"
CRD = {
    "apiVersion": "apiextensions.k8s.io/v1",
    "kind": "CustomResourceDefinition",
    "metadata": {"name": CRD_NAME},
    "spec": {
        "group": GROUP,
        "scope": "Namespaced",
        "names": {"plural": "gadgets", "singular": "gadget", "kind": "Gadget"},
        "versions": [
            {
                "name": "v1",
                "served": True,
                "storage": True,
                "schema": {
                    "openAPIV3Schema": {
                        "type": "object",
                        "properties": {
                            "spec": {
                                "type": "object",
                                "required": ["size"],
                                "properties": {"size": {"type": "integer", "minimum": 1}},
                            }
                        },
                    }
                },
            }
        ],
    },
}


def _gadget(name: str, size: object) -> dict[str, object]:
    return {
        "apiVersion": f"{GROUP}/v1",
        "kind": "Gadget",
        "metadata": {"name": name},
        "spec": {"size": size},
    }


@pytest.fixture
def gadget_crd(kube: KubeServer) -> Iterator[None]:
    created = kube.kubectl("apply", "-f", "-", input=json.dumps(CRD))
    assert created.returncode == 0, created.stderr
    established = kube.kubectl("wait", "--for=condition=Established", f"crd/{CRD_NAME}", "--timeout=60s")
    assert established.returncode == 0, established.stderr
    yield
    kube.kubectl("delete", "crd", CRD_NAME, "--wait=false")


def test_api_server_answers(kube: KubeServer) -> None:
    raw = kube.kubectl("get", "--raw", "/version")
    assert raw.returncode == 0, raw.stderr
    assert json.loads(raw.stdout)["gitVersion"].startswith("v1.20.")
    # The fixture also configured the Python client (it read KUBECONFIG before the fixture ran).
    assert kubernetes.client.VersionApi().get_code().git_version.startswith("v1.20.")


def test_schema_validation_rejects_bad_custom_resource(kube: KubeServer, gadget_crd: None) -> None:
    api = kubernetes.client.CustomObjectsApi()
    api.create_namespaced_custom_object(GROUP, "v1", "default", "gadgets", _gadget("good", 3))
    try:
        with pytest.raises(kubernetes.client.ApiException) as rejected:
            api.create_namespaced_custom_object(GROUP, "v1", "default", "gadgets", _gadget("bad", "three"))
        assert rejected.value.status == 422
        assert "spec.size" in rejected.value.body

        by_kubectl = kube.kubectl("apply", "-f", "-", input=json.dumps(_gadget("worse", 0)))
        assert by_kubectl.returncode != 0
        assert "is invalid" in by_kubectl.stderr and "spec.size" in by_kubectl.stderr
    finally:
        api.delete_namespaced_custom_object(GROUP, "v1", "default", "gadgets", "good")
