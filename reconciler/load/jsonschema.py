"""JSON Schema of the YAML format, generated from the spec models (for editors and CI linters)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from reconciler.load.documents import AnyDocument
from reconciler.load.spec import API_VERSION_V1ALPHA1

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def document_json_schema() -> dict[str, Any]:
    adapter: TypeAdapter[Any] = TypeAdapter(Annotated[AnyDocument, Field(discriminator="kind")])
    schema = adapter.json_schema(by_alias=True, mode="validation")
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": f"reconciler desired-state document ({API_VERSION_V1ALPHA1})",
        "description": "One YAML document of a reconciler schema directory. Files may hold several documents.",
        **schema,
    }
