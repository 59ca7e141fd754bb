"""Where each desired object was written, and what the YAML says about linting it.

Stage: load. The loader records, for every object and member it builds (tables and their columns,
constraints and indexes, sequences, types, routines, views...), the file:line:col of its YAML
mapping, and the `lint.ignore` entries written on it. Neither is part of the model: they do not
describe the schema, so they take no part in equality, the content hash or the diff.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from reconciler.load.yamlsrc import Document, PathKey


class ObjectKey(NamedTuple):
    """An object of the desired schema: `("table", "shop", "orders", "")`,
    `("column", "shop", "orders", "placed_at")`, `("schema", "shop", "shop", "")`.

    Members of a table (column, constraint, index, trigger, policy) carry the table's name and
    their own as `member`; the attribute of a composite type likewise."""

    kind: str
    schema: str
    name: str
    member: str = ""

    def __str__(self) -> str:
        if self.kind == "schema":
            return f"schema {self.name}"
        if not self.schema:
            return f"{self.kind} {self.name}"
        return f"{self.kind} {self.schema}.{self.name}" + (f".{self.member}" if self.member else "")

    @property
    def qualified(self) -> str:
        """The dotted name without the kind: `shop.orders.placed_at`."""
        if self.kind == "schema":
            return self.name
        parts = [self.schema, self.name] if self.schema else [self.name]
        return ".".join(parts + ([self.member] if self.member else []))

    def parent(self) -> ObjectKey | None:
        """The object this one is declared in: a member's table (or type), an object's schema."""
        if self.member:
            return ObjectKey(MEMBER_OWNERS.get(self.kind, "table"), self.schema, self.name)
        if self.kind == "schema" or not self.schema:
            return None
        return ObjectKey("schema", self.schema, self.schema)

    def lineage(self) -> list[ObjectKey]:
        """This key and its ancestors, nearest first."""
        found: list[ObjectKey] = []
        key: ObjectKey | None = self
        while key is not None:
            found.append(key)
            key = key.parent()
        return found


# Member kinds whose owner is not a table.
MEMBER_OWNERS = {"attribute": "composite type", "view index": "materialized view"}


@dataclass(frozen=True, slots=True)
class SourceLocation:
    file: str
    line: int  # 1-based; 0 when the document did not come from a file (a custom resource)
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file


@dataclass(frozen=True, slots=True)
class Suppression:
    """A `lint.ignore` entry: the rule is not reported for the object it is written on (nor for
    the objects declared inside it), for the stated reason."""

    rule: str
    reason: str
    location: SourceLocation


class Locator:
    """Collects locations and suppressions while the loader assembles the catalog."""

    def __init__(self) -> None:
        self.locations: dict[ObjectKey, SourceLocation] = {}
        self.suppressions: dict[ObjectKey, tuple[Suppression, ...]] = {}

    def record(self, document: Document, path: PathKey, key: ObjectKey, spec: Any) -> None:
        """`key` was written at `path` (under the document's `spec`) by `spec`, a spec model."""
        base = ("spec", *path)
        where: PathKey = (*base, "name")  # falls back to the mapping when it has no name
        if not path and where not in document.values:  # a document without spec.name
            where = ("metadata", "name")
        self.locations.setdefault(key, _location(document, where))
        lint = getattr(spec, "lint", None)
        if lint is None or not lint.ignore:
            return
        entries = tuple(
            Suppression(item.rule, item.reason, _location(document, (*base, "lint", "ignore", j, "rule")))
            for j, item in enumerate(lint.ignore)
        )
        self.suppressions[key] = self.suppressions.get(key, ()) + entries


def _location(document: Document, path: PathKey) -> SourceLocation:
    if not document.located:
        return SourceLocation(document.file, 0, 0)
    position = document.locate(path)
    return SourceLocation(document.file, position.line, position.column)
