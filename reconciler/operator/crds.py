"""CustomResourceDefinitions generated from the same pydantic models that define the YAML format.

Stage: shell. `reconciler operator crds --out crds/` writes one file per kind; a test keeps the
committed files equal to what this module generates, so the format and the CRDs cannot drift.

Kubernetes wants *structural* OpenAPI schemas (every node typed, no `$ref`, no type unions), so
pydantic's JSON Schema is translated:
- `$ref` is inlined; `X | None` becomes `X` with `nullable: true`;
- a union of different shapes (a string or an object, a number or a string) becomes a node that
  accepts any value (`x-kubernetes-preserve-unknown-fields`), checked by the operator's strict
  loader instead;
- defaults are dropped (the API server would otherwise write them into the stored objects, and
  resources should stay as people wrote them), and so are regex patterns (Go's RE2 and Python's
  dialects differ);
- objects keep unknown fields (`x-kubernetes-preserve-unknown-fields`) instead of having them
  pruned: the API server would silently drop a misspelt field, whereas the operator reports it,
  with a did-you-mean, in the Database's Failed condition.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from reconciler.load.documents import DOCUMENT_KINDS
from reconciler.operator.resources import (
    DATABASE_PLURAL,
    GROUP,
    PLAN_PLURAL,
    VERSION,
    DatabaseDocument,
    SchemaPlanDocument,
)

CATEGORY = "reconciler"
_DROPPED = frozenset({"title", "default", "pattern", "additionalProperties", "examples", "discriminator"})


def plural_of(kind: str) -> str:
    lower = kind.lower()
    return lower + ("es" if lower.endswith(("s", "x", "ch", "sh")) else "s")


def desired_kinds() -> dict[str, str]:
    """Kind -> plural for every desired-object kind of the YAML format."""
    return {kind: plural_of(kind) for kind in DOCUMENT_KINDS}


def structural(schema: dict[str, Any], defs: dict[str, Any], *, keep_unknown: bool) -> dict[str, Any]:
    """Translate one pydantic JSON Schema node into a structural OpenAPI v3 node."""
    if "$ref" in schema:
        target = defs[schema["$ref"].rsplit("/", 1)[1]]
        merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
        return structural(merged, defs, keep_unknown=keep_unknown)
    if "allOf" in schema and len(schema["allOf"]) == 1:
        merged = {**schema["allOf"][0], **{k: v for k, v in schema.items() if k != "allOf"}}
        return structural(merged, defs, keep_unknown=keep_unknown)
    union = schema.get("anyOf") or schema.get("oneOf")
    if union is not None:
        return _union(schema, union, defs, keep_unknown=keep_unknown)
    node: dict[str, Any] = {
        k: v for k, v in schema.items() if k not in _DROPPED and k not in ("properties", "items", "required", "const")
    }
    if "const" in schema:
        node["enum"] = [schema["const"]]
    kind = schema.get("type")
    if kind == "object":
        properties = schema.get("properties")
        extra = schema.get("additionalProperties")
        if properties:
            node["properties"] = {
                name: structural(sub, defs, keep_unknown=keep_unknown) for name, sub in properties.items()
            }
            if schema.get("required"):
                node["required"] = list(schema["required"])
            if keep_unknown:
                node["x-kubernetes-preserve-unknown-fields"] = True
        elif isinstance(extra, dict):
            node["additionalProperties"] = structural(extra, defs, keep_unknown=keep_unknown)
        else:
            node["x-kubernetes-preserve-unknown-fields"] = True
    elif kind == "array":
        items = schema.get("items")
        node["items"] = structural(items, defs, keep_unknown=keep_unknown) if isinstance(items, dict) else _anything()
    elif kind is None:
        return {**_anything(), **({"description": schema["description"]} if "description" in schema else {})}
    return node


def _anything() -> dict[str, Any]:
    return {"x-kubernetes-preserve-unknown-fields": True}


def _union(
    schema: dict[str, Any], union: list[dict[str, Any]], defs: dict[str, Any], *, keep_unknown: bool
) -> dict[str, Any]:
    options = [option for option in union if option.get("type") != "null"]
    nullable = len(options) != len(union)
    if len(options) == 1:
        outer = {k: v for k, v in schema.items() if k not in ("anyOf", "oneOf")}
        node = structural({**options[0], **outer}, defs, keep_unknown=keep_unknown)
        if nullable:
            node["nullable"] = True
        return node
    types = {option.get("type") for option in options}
    node = {"x-kubernetes-int-or-string": True} if types == {"string", "integer"} else _anything()
    if nullable:
        node["nullable"] = True
    if "description" in schema:
        node["description"] = schema["description"]
    return node


def _spec_schema(model: type[BaseModel], *, keep_unknown: bool) -> dict[str, Any]:
    full = model.model_json_schema(by_alias=True)
    defs = full.get("$defs", {})
    return structural(full["properties"]["spec"], defs, keep_unknown=keep_unknown)


def _crd(
    kind: str,
    plural: str,
    spec_schema: dict[str, Any],
    *,
    description: str,
    columns: list[dict[str, Any]],
    short_names: list[str] | None = None,
) -> dict[str, Any]:
    names: dict[str, Any] = {
        "kind": kind,
        "listKind": f"{kind}List",
        "plural": plural,
        "singular": kind.lower(),
        "categories": [CATEGORY],
    }
    if short_names:
        names["shortNames"] = short_names
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"{plural}.{GROUP}"},
        "spec": {
            "group": GROUP,
            "scope": "Namespaced",
            "names": names,
            "versions": [
                {
                    "name": VERSION,
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "additionalPrinterColumns": [
                        *columns,
                        {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"},
                    ],
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "description": description,
                            "required": ["spec"],
                            "properties": {
                                "spec": spec_schema,
                                "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
                            },
                        }
                    },
                }
            ],
        },
    }


def _condition(kind: str) -> str:
    return f'.status.conditions[?(@.type=="{kind}")].status'


def generate() -> dict[str, dict[str, Any]]:
    """File name -> CRD object, for every kind the operator serves."""
    out: dict[str, dict[str, Any]] = {}
    for kind, plural in desired_kinds().items():
        model = DOCUMENT_KINDS[kind]
        columns = [{"name": "SQL Name", "type": "string", "jsonPath": ".spec.name"}]
        spec_model = model.model_fields["spec"].annotation
        assert isinstance(spec_model, type) and issubclass(spec_model, BaseModel)
        spec_fields = spec_model.model_fields
        if any((f.alias or name) == "schema" for name, f in spec_fields.items()):
            columns.append({"name": "Schema", "type": "string", "jsonPath": ".spec.schema"})
        out[f"{plural}.yaml"] = _crd(
            kind,
            plural,
            _spec_schema(model, keep_unknown=True),
            description=(model.__doc__ or kind).strip(),
            columns=columns,
        )
    out[f"{DATABASE_PLURAL}.yaml"] = _crd(
        "Database",
        DATABASE_PLURAL,
        _spec_schema(DatabaseDocument, keep_unknown=False),
        description=(DatabaseDocument.__doc__ or "").strip(),
        columns=[
            {"name": "Environment", "type": "string", "jsonPath": ".spec.environment"},
            {"name": "Ready", "type": "string", "jsonPath": _condition("Ready")},
            {"name": "Drifted", "type": "string", "jsonPath": _condition("Drifted")},
            {"name": "Reason", "type": "string", "jsonPath": '.status.conditions[?(@.type=="Ready")].reason'},
            {"name": "Plan", "type": "string", "jsonPath": ".status.plan.name"},
        ],
        short_names=["rdb"],
    )
    out[f"{PLAN_PLURAL}.yaml"] = _crd(
        "SchemaPlan",
        PLAN_PLURAL,
        _spec_schema(SchemaPlanDocument, keep_unknown=False),
        description=(SchemaPlanDocument.__doc__ or "").strip(),
        columns=[
            {"name": "Database", "type": "string", "jsonPath": ".spec.database"},
            {"name": "State", "type": "string", "jsonPath": ".status.state"},
            {"name": "Done", "type": "integer", "jsonPath": ".status.stepsDone"},
            {"name": "Steps", "type": "integer", "jsonPath": ".status.stepsTotal"},
            {"name": "Digest", "type": "string", "jsonPath": ".spec.digest", "priority": 1},
        ],
        short_names=["splan"],
    )
    return out


def render(crd: dict[str, Any]) -> str:
    header = "# Generated by `reconciler operator crds` from reconciler's models: do not edit by hand.\n"
    return header + yaml.safe_dump(crd, sort_keys=False, allow_unicode=True, width=1000)


def write(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, crd in generate().items():
        path = out / name
        path.write_text(render(crd))
        written.append(path)
    return written
