"""The registries and checks every part of the loader shares while it assembles a catalog.

Stage: load. The loader (`loader`) validates each document, then assembles the catalog from all of
them; the kinds assembled in their own modules (`code`, `partitions`, `usertypes`) receive the same
`Assembler`, whose registries (relation and constraint names per schema, origins, problems) they
share, so that a view cannot take a table's name and every error stays file:line.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from reconciler.errors import Diagnostic
from reconciler.load import spec as s
from reconciler.load.locations import Locator
from reconciler.load.yamlsrc import Document, PathKey
from reconciler.model import Index, IndexElement, QualifiedName
from reconciler.model.names import choose_name, name_addition
from reconciler.sqlparse.fragments import column_references, index_column_label, parse_expression

SpecT = TypeVar("SpecT")


@dataclass(frozen=True)
class Entry(Generic[SpecT]):
    """A validated document's spec and where it came from."""

    document: Document
    spec: SpecT
    sql_name: str

    def at(self, *path: str | int, key: bool = False, message: str) -> Diagnostic:
        return self.document.diagnostic(("spec", *path), message, key=key)

    @property
    def origin(self) -> str:
        if not self.document.located:
            return self.document.file
        pos = self.document.locate(())
        return f"{self.document.file}:{pos.line}"


class Assembler:
    """Registries and checks shared by every kind's assembly."""

    def __init__(self, entries: dict[str, list[Entry[Any]]], *, complete: bool) -> None:
        self.entries = entries
        self.complete = complete
        self.problems: list[Diagnostic] = []
        self.origins: dict[tuple[str, str, str], str] = {}
        self.relations: dict[str, set[str]] = defaultdict(set)  # names in pg_class, per schema
        self.constraint_names: dict[str, set[str]] = defaultdict(set)  # names in pg_constraint, per schema
        self.tables: dict[QualifiedName, Entry[s.TableSpec]] = {}
        self.relation_registry: dict[tuple[str, ...], Entry[Any]] = {}  # tables and sequences
        self.type_registry: dict[tuple[str, ...], Entry[Any]] = {}  # domains and composite types
        self.locator = Locator()  # where each object was written, and its lint suppressions

    def problem(self, diagnostic: Diagnostic) -> None:
        self.problems.append(diagnostic)

    def unique(
        self, kind: str, key: tuple[str, ...], entry: Entry[Any], registry: dict[tuple[str, ...], Entry[Any]]
    ) -> bool:
        if key in registry:
            shown = ".".join(key)
            self.problem(entry.at("name", message=f"{kind} {shown!r} is already defined at {registry[key].origin}"))
            return False
        registry[key] = entry
        return True

    def schema_declared(
        self, entry: Entry[Any], schema: str, declared: set[str], path: tuple[str, ...] = ("schema",)
    ) -> None:
        if schema not in declared and self.complete:
            message = f"schema {schema!r} is not declared: add a document of kind Schema for it"
            self.problem(entry.at(*path, message=message))

    def check_columns(self, entry: Entry[Any], path: PathKey, names: list[str], known: set[str]) -> None:
        for name in names:
            if name not in known:
                self.problem(entry.at(*path, message=f"table {entry.sql_name!r} has no column {name!r}"))

    def index(self, entry: Entry[s.TableSpec], i: int, spec: s.IndexSpec, known: set[str]) -> Index:
        elements = []
        labels = []
        for j, item in enumerate(spec.columns):
            element = s.IndexElementSpec.model_validate({"column": item}) if isinstance(item, str) else item
            if element.column is not None:
                self.check_columns(entry, ("indexes", i, "columns", j), [element.column], known)
                labels.append(element.column)
            else:
                assert element.expression is not None
                labels.append(index_column_label(parse_expression(element.expression)))
            elements.append(
                IndexElement(
                    column=element.column,
                    expression=element.expression,
                    collation=element.collation,
                    opclass=element.opclass,
                    order=element.order,
                    nulls=element.nulls,
                )
            )
        self.check_columns(entry, ("indexes", i, "include"), spec.include, known)
        if spec.where is not None:
            missing = sorted(column_references(parse_expression(spec.where)) - known)
            if missing:
                self.problem(
                    entry.at("indexes", i, "where", message=f"index predicate refers to unknown column {missing[0]!r}")
                )
        schema = entry.spec.schema_
        name = spec.name or choose_name(
            entry.sql_name, name_addition(labels + spec.include), "idx", self.relations[schema]
        )
        return Index(
            name=name,
            elements=tuple(elements),
            unique=spec.unique,
            method=spec.method,
            where=spec.where,
            include=tuple(spec.include),
            nulls_not_distinct=spec.nulls_not_distinct,
            comment=spec.comment,
            renamed_from=spec.renamed_from,
        )
