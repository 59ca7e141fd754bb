"""The committed CRDs are exactly what the format's models generate, and the API server accepts
them as structural schemas (applied for real in tests/test_operator.py)."""

from __future__ import annotations

from pathlib import Path

import yaml

from reconciler.load import documents
from reconciler.operator import crds

REPO = Path(__file__).resolve().parent.parent


def test_committed_crds_match_the_models() -> None:
    generated = crds.generate()
    for name, crd in generated.items():
        path = REPO / "crds" / name
        assert path.exists(), f"crds/{name} is missing: run `reconciler operator crds --out crds`"
        assert yaml.safe_load(path.read_text()) == crd, (
            f"crds/{name} is stale: run `reconciler operator crds --out crds`"
        )


def test_every_desired_kind_has_a_crd() -> None:
    kinds = {crd["spec"]["names"]["kind"] for crd in crds.generate().values()}
    assert set(documents.DOCUMENT_KINDS) | {"Database", "SchemaPlan"} == kinds


def test_schemas_are_structural() -> None:
    """Every node has a type, or says explicitly that it accepts anything; no $ref, no unions."""

    def walk(node: dict, path: str) -> None:
        assert "$ref" not in node and "anyOf" not in node and "oneOf" not in node, path
        typed = (
            "type" in node or node.get("x-kubernetes-preserve-unknown-fields") or node.get("x-kubernetes-int-or-string")
        )
        assert typed, f"{path} has no type"
        for name, child in (node.get("properties") or {}).items():
            walk(child, f"{path}.{name}")
        if isinstance(node.get("items"), dict):
            walk(node["items"], f"{path}[]")
        if isinstance(node.get("additionalProperties"), dict):
            walk(node["additionalProperties"], f"{path}{{}}")

    for name, crd in crds.generate().items():
        walk(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"], name)
