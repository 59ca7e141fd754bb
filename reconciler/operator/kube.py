"""The few Kubernetes API calls the controller makes, over the official client.

Stage: shell. Kept apart from the reconcile logic so that logic reads as decisions, and so that
every call the operator makes (and so every RBAC rule the chart must grant) is listed here.
Calls are synchronous: the controller runs a reconcile in a worker thread.
"""

from __future__ import annotations

import base64
from typing import Any

from kubernetes import client
from kubernetes.client.exceptions import ApiException

from reconciler.errors import ConfigError
from reconciler.load import Document
from reconciler.operator.crds import desired_kinds
from reconciler.operator.resources import API_VERSION, DATABASE_PLURAL, GROUP, PLAN_PLURAL, VERSION

DATABASE_LABEL = f"{GROUP}/database"
_METADATA_KEYS = ("name", "namespace", "labels", "annotations")


class SecretUnavailable(ConfigError):
    """The Database's connection Secret (or its key) cannot be read."""


class Kube:
    def __init__(self, api_client: client.ApiClient | None = None) -> None:
        self.custom = client.CustomObjectsApi(api_client)
        self.core = client.CoreV1Api(api_client)

    # --- inputs --------------------------------------------------------------------------

    def connection_url(self, namespace: str, name: str, key: str) -> str:
        try:
            secret = self.core.read_namespaced_secret(name, namespace)
        except ApiException as exc:
            if exc.status == 404:
                raise SecretUnavailable(f"Secret {namespace}/{name} does not exist") from None
            raise SecretUnavailable(f"cannot read Secret {namespace}/{name}: {exc.reason}") from None
        data = secret.data or {}
        if key not in data:
            present = ", ".join(sorted(data)) or "none"
            raise SecretUnavailable(f"Secret {namespace}/{name} has no key {key!r} (keys: {present})")
        return base64.b64decode(data[key]).decode("utf-8").strip()

    def desired_documents(self, namespace: str, match_labels: dict[str, str]) -> list[Document]:
        """Every desired-object resource of the namespace carrying `match_labels`, as loader documents."""
        selector = ",".join(f"{k}={v}" for k, v in sorted(match_labels.items())) or None
        documents = []
        for kind, plural in desired_kinds().items():
            listed = _json(
                self.custom.list_namespaced_custom_object(GROUP, VERSION, namespace, plural, label_selector=selector)
            )
            for item in listed.get("items", []):
                documents.append(_document(kind, item))
        return documents

    # --- Database ------------------------------------------------------------------------

    def database(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self._get(namespace, DATABASE_PLURAL, name)

    def patch_database_status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        self.custom.patch_namespaced_custom_object_status(
            GROUP, VERSION, namespace, DATABASE_PLURAL, name, {"status": status}
        )

    # --- SchemaPlan ----------------------------------------------------------------------

    def plan(self, namespace: str, name: str) -> dict[str, Any] | None:
        return self._get(namespace, PLAN_PLURAL, name)

    def plans_of(self, namespace: str, database: str) -> list[dict[str, Any]]:
        listed = _json(
            self.custom.list_namespaced_custom_object(
                GROUP, VERSION, namespace, PLAN_PLURAL, label_selector=f"{DATABASE_LABEL}={database}"
            )
        )
        return list(listed.get("items", []))

    def create_plan(self, namespace: str, body: dict[str, Any]) -> dict[str, Any]:
        body = {"apiVersion": API_VERSION, "kind": "SchemaPlan", **body}
        try:
            return _json(self.custom.create_namespaced_custom_object(GROUP, VERSION, namespace, PLAN_PLURAL, body))
        except ApiException as exc:
            if exc.status == 409:  # created by an earlier run that stopped before recording it
                existing = self.plan(namespace, body["metadata"]["name"])
                if existing is not None:
                    return existing
            raise

    def patch_plan_status(self, namespace: str, name: str, status: dict[str, Any]) -> None:
        try:
            self.custom.patch_namespaced_custom_object_status(
                GROUP, VERSION, namespace, PLAN_PLURAL, name, {"status": status}
            )
        except ApiException as exc:
            if exc.status != 404:  # deleted by someone meanwhile: nothing to report progress on
                raise

    def _get(self, namespace: str, plural: str, name: str) -> dict[str, Any] | None:
        """One of our resources, or None when it does not exist (any more)."""
        try:
            return _json(self.custom.get_namespaced_custom_object(GROUP, VERSION, namespace, plural, name))
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise


def _document(kind: str, item: dict[str, Any]) -> Document:
    metadata = {key: value for key, value in (item.get("metadata") or {}).items() if key in _METADATA_KEYS}
    namespace = metadata.get("namespace", "")
    data = {"apiVersion": item.get("apiVersion"), "kind": kind, "metadata": metadata, "spec": item.get("spec")}
    return Document.from_object(f"{kind} {namespace}/{metadata.get('name', '?')}", data)


def _json(value: object) -> dict[str, Any]:
    """The custom objects API answers with the resource (or list) as its JSON object."""
    assert isinstance(value, dict)
    return value
