"""Export a live schema as desired-state YAML, to adopt an existing database: file layout,
documents of tables, enums and sequences, and the YAML itself.

Stage: export, the inverse of load. Contract: the files `export_catalog` writes load back (with
`reconciler.load`) into a catalog equal to the live one, so a freshly exported directory
plans to nothing. Output is deterministic (same database, same bytes) and readable: one file per
table grouped by schema, fields at their defaults left out, and constraint and index names left
out wherever the loader would derive the same name.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from reconciler.errors import ConfigError
from reconciler.export import code, usertypes
from reconciler.export.partitions import add_partitioning
from reconciler.export.values import put, sql_value
from reconciler.load import load_paths
from reconciler.load.spec import API_VERSION_V1ALPHA1
from reconciler.model import (
    Catalog,
    CheckConstraint,
    Column,
    EnumType,
    ForeignKey,
    Index,
    IndexElement,
    PrimaryKey,
    Sequence,
    SequenceOptions,
    Table,
    UniqueConstraint,
)
from reconciler.model.defaults import sequence_defaults

_MAX_NAME_PASSES = 4


@dataclass(frozen=True)
class ExportResult:
    files: list[Path]
    tables: int


# --- names -----------------------------------------------------------------------------------


def kubernetes_name(*parts: str) -> str:
    """A valid Kubernetes object name derived from SQL names (`shop`, `Order Items` ->
    `shop.order-items`)."""
    slugs = []
    for part in parts:
        slug = re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-")
        slugs.append(slug or "x")
    return ".".join(slugs)[:253].strip("-.") or "x"


def file_name(name: str) -> str:
    """A file-system-safe name that keeps the SQL name readable."""
    safe = re.sub(r"[/\\\x00-\x1f]", "_", name)
    return "_" + safe if safe.startswith(".") or not safe else safe


class _Names:
    """Hands out unique metadata.names per kind and unique file paths."""

    def __init__(self) -> None:
        self.used: dict[str, set[str]] = {}
        self.paths: set[str] = set()

    def metadata(self, kind: str, *parts: str) -> str:
        base = kubernetes_name(*parts)
        used = self.used.setdefault(kind, set())
        name, n = base, 1
        while name in used:
            n += 1
            name = f"{base[:248]}-{n}"
        used.add(name)
        return name

    def path(self, *parts: str) -> str:
        base = "/".join(file_name(p) for p in parts)
        candidate, n = base + ".yaml", 1
        while candidate.lower() in self.paths:
            n += 1
            candidate = f"{base}-{n}.yaml"
        self.paths.add(candidate.lower())
        return candidate


# --- documents -------------------------------------------------------------------------------


def _document(kind: str, metadata_name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API_VERSION_V1ALPHA1, "kind": kind, "metadata": {"name": metadata_name}, "spec": spec}


def _named(spec: dict[str, Any], sql_name: str, metadata_name: str) -> dict[str, Any]:
    if sql_name != metadata_name:
        spec["name"] = sql_name
    return spec


def _sequence_options(options: SequenceOptions, type_name: str) -> dict[str, Any]:
    """Only the options that differ from what the loader fills in (PostgreSQL's defaults, see
    model.defaults): the start follows the lower bound going up and the upper bound going down."""
    step = options.increment if options.increment is not None else 1
    base = sequence_defaults(type_name, step)
    implied_start = options.min_value if step > 0 else options.max_value
    out: dict[str, Any] = {}
    for key, value, default in (
        ("start", options.start, implied_start),
        ("increment", options.increment, 1),
        ("minValue", options.min_value, base.min_value),
        ("maxValue", options.max_value, base.max_value),
        ("cache", options.cache, 1),
    ):
        if value is not None and value != default:
            out[key] = value
    if options.cycle:
        out["cycle"] = True
    return out


def _column(column: Column, implied_not_null: bool) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": column.name, "type": column.type}
    if not column.nullable and not implied_not_null:
        spec["nullable"] = False
    if column.default is not None:
        spec["default"] = sql_value(column.default)
    if column.identity is not None:
        options = _sequence_options(column.identity.options, column.type)
        spec["identity"] = (
            {"generation": column.identity.generation, **options} if options else column.identity.generation
        )
    if column.generated is not None:
        generated = column.generated
        spec["generated"] = (
            generated.expression
            if generated.kind == "stored"
            else {"expression": generated.expression, "kind": generated.kind}
        )
    put(spec, "collation", column.collation)
    put(spec, "comment", column.comment)
    return spec


def _deferrable(spec: dict[str, Any], constraint: PrimaryKey | UniqueConstraint | ForeignKey) -> None:
    put(spec, "deferrable", constraint.deferrable, False)
    put(spec, "initiallyDeferred", constraint.initially_deferred, False)


def _primary_key(pk: PrimaryKey, explicit: set[str]) -> Any:
    spec: dict[str, Any] = {}
    if pk.name in explicit:
        spec["name"] = pk.name
    spec["columns"] = list(pk.columns)
    put(spec, "include", pk.include)
    _deferrable(spec, pk)
    put(spec, "comment", pk.comment)
    return spec["columns"] if list(spec) == ["columns"] else spec


def _unique(u: UniqueConstraint, explicit: set[str]) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": u.name} if u.name in explicit else {}
    spec["columns"] = list(u.columns)
    put(spec, "include", u.include)
    put(spec, "nullsNotDistinct", u.nulls_not_distinct, False)
    _deferrable(spec, u)
    put(spec, "comment", u.comment)
    return spec


def _check(c: CheckConstraint, explicit: set[str]) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": c.name} if c.name in explicit else {}
    spec["expression"] = c.expression
    put(spec, "noInherit", c.no_inherit, False)
    put(spec, "notValid", c.not_valid, False)
    put(spec, "comment", c.comment)
    return spec


def _foreign_key(fk: ForeignKey, table: Table, catalog: Catalog, explicit: set[str]) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": fk.name} if fk.name in explicit else {}
    spec["columns"] = list(fk.columns)
    reference: dict[str, Any] = {"table": fk.references.name}
    if fk.references.schema != table.schema:
        reference["schema"] = fk.references.schema
    target = catalog.table(fk.references)
    target_pk = target.primary_key.columns if target is not None and target.primary_key is not None else None
    if fk.referenced_columns != target_pk:
        reference["columns"] = list(fk.referenced_columns)
    spec["references"] = reference
    put(spec, "onDelete", fk.on_delete, "no action")
    put(spec, "onUpdate", fk.on_update, "no action")
    put(spec, "onDeleteSetColumns", fk.on_delete_set_columns)
    put(spec, "match", fk.match, "simple")
    _deferrable(spec, fk)
    put(spec, "notValid", fk.not_valid, False)
    put(spec, "comment", fk.comment)
    return spec


def _index_element(element: IndexElement) -> Any:
    plain = element.expression is None and element == IndexElement(column=element.column)
    if plain:
        return element.column
    spec: dict[str, Any] = {}
    put(spec, "column", element.column)
    put(spec, "expression", element.expression)
    put(spec, "order", element.order, "asc")
    put(spec, "nulls", element.nulls)
    put(spec, "opclass", element.opclass)
    put(spec, "collation", element.collation)
    return spec


def _index(index: Index, explicit: set[str]) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": index.name} if index.name in explicit else {}
    spec["columns"] = [_index_element(e) for e in index.elements]
    put(spec, "unique", index.unique, False)
    put(spec, "method", index.method, "btree")
    put(spec, "where", index.where)
    put(spec, "include", index.include)
    put(spec, "nullsNotDistinct", index.nulls_not_distinct, False)
    put(spec, "comment", index.comment)
    return spec


def _table_spec(table: Table, catalog: Catalog, metadata_name: str, explicit: set[str]) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if table.schema != "public":
        spec["schema"] = table.schema
    _named(spec, table.name, metadata_name)
    put(spec, "comment", table.comment)
    pk_columns = set(table.primary_key.columns) if table.primary_key else set()
    spec["columns"] = [_column(c, c.name in pk_columns or c.identity is not None) for c in table.columns]
    if table.primary_key is not None:
        spec["primaryKey"] = _primary_key(table.primary_key, explicit)
    put(spec, "uniques", [_unique(u, explicit) for u in table.uniques])
    put(spec, "checks", [_check(c, explicit) for c in table.checks])
    put(spec, "foreignKeys", [_foreign_key(f, table, catalog, explicit) for f in table.foreign_keys])
    put(spec, "indexes", [_index(i, explicit) for i in table.indexes])
    put(spec, "triggers", code.table_triggers(table))
    usertypes.table_security(spec, table)
    usertypes.add_grants(spec, catalog, "table", table.schema, table.name)
    return add_partitioning(spec, table)


def _enum_spec(enum: EnumType, metadata_name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if enum.schema != "public":
        spec["schema"] = enum.schema
    _named(spec, enum.name, metadata_name)
    spec["values"] = list(enum.values)
    put(spec, "comment", enum.comment)
    return spec


def _sequence_spec(sequence: Sequence, metadata_name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    if sequence.schema != "public":
        spec["schema"] = sequence.schema
    _named(spec, sequence.name, metadata_name)
    put(spec, "type", sequence.type, "bigint")
    spec.update(_sequence_options(sequence.options, sequence.type))
    if sequence.owned_by is not None:
        spec["ownedBy"] = {"table": sequence.owned_by[0].name, "column": sequence.owned_by[1]}
    put(spec, "comment", sequence.comment)
    return spec


# --- files -----------------------------------------------------------------------------------


def render_files(catalog: Catalog, explicit: set[str]) -> dict[str, list[dict[str, Any]]]:
    """Relative path -> documents. `explicit` holds the constraint/index names to write out."""
    names = _Names()
    files: dict[str, list[dict[str, Any]]] = {}
    if catalog.extensions:
        docs = []
        for ext in catalog.extensions:
            meta = names.metadata("Extension", ext.name)
            spec = _named({}, ext.name, meta)
            put(spec, "schema", ext.schema)
            put(spec, "version", ext.version)
            docs.append(_document("Extension", meta, spec))
        files[names.path("extensions")] = docs
    for schema in sorted(catalog.schema_names()):
        declared = next((s for s in catalog.schemas if s.name == schema), None)
        header: list[dict[str, Any]] = []
        if declared is not None or schema != "public":
            meta = names.metadata("Schema", schema)
            spec = _named({}, schema, meta)
            put(spec, "comment", declared.comment if declared else None)
            usertypes.add_grants(spec, catalog, "schema", schema, schema)
            header.append(_document("Schema", meta, spec))
        for enum in (e for e in catalog.enums if e.schema == schema):
            meta = names.metadata("Enum", *_scoped(schema, enum.name))
            header.append(_document("Enum", meta, _enum_spec(enum, meta)))
        for collation in (c for c in catalog.collations if c.schema == schema):
            meta = names.metadata("Collation", *_scoped(schema, collation.name))
            header.append(_document("Collation", meta, usertypes.collation_spec(collation, meta)))
        for domain in (d for d in catalog.domains if d.schema == schema):
            meta = names.metadata("Domain", *_scoped(schema, domain.name))
            header.append(_document("Domain", meta, usertypes.domain_spec(domain, meta)))
        for composite in (t for t in catalog.composite_types if t.schema == schema):
            meta = names.metadata("CompositeType", *_scoped(schema, composite.name))
            header.append(_document("CompositeType", meta, usertypes.composite_spec(composite, meta)))
        for sequence in (s for s in catalog.sequences if s.schema == schema):
            meta = names.metadata("Sequence", *_scoped(schema, sequence.name))
            sequence_spec = _sequence_spec(sequence, meta)
            usertypes.add_grants(sequence_spec, catalog, "sequence", schema, sequence.name)
            header.append(_document("Sequence", meta, sequence_spec))
        if header:
            files[names.path(schema, "_schema")] = header
        for table in (t for t in catalog.tables if t.schema == schema):
            meta = names.metadata("Table", *_scoped(schema, table.name))
            files[names.path(schema, table.name)] = [
                _document("Table", meta, _table_spec(table, catalog, meta, explicit))
            ]
        files.update(code.code_files(catalog, schema, names.metadata, names.path, _document, _index))
    return files


def _scoped(schema: str, name: str) -> tuple[str, ...]:
    return (name,) if schema == "public" else (schema, name)


if TYPE_CHECKING:
    _BASE_DUMPER = yaml.SafeDumper
else:
    _BASE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter when PyYAML has it


class _Dumper(_BASE_DUMPER):
    """Readable YAML: short lists of names inline, SQL with quotes in double-quoted strings."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = '"' if "'" in value and '"' not in value and "\n" not in value else "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    inline = (
        all(isinstance(v, str | int) and not isinstance(v, bool) for v in value)
        and sum(len(str(v)) for v in value) < 80
    )
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=inline)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(list, _represent_list)


def _dump(documents: list[dict[str, Any]]) -> str:
    return yaml.dump_all(
        documents, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=120
    )


def _write(files: dict[str, list[dict[str, Any]]], out: Path) -> list[Path]:
    written = []
    for relative, documents in sorted(files.items()):
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_dump(documents), encoding="utf-8")
        written.append(path)
    return written


def _names_needing_spelling_out(catalog: Catalog, files: dict[str, list[dict[str, Any]]]) -> set[str]:
    """Constraint and index names the loader would derive differently from the live ones."""
    with tempfile.TemporaryDirectory(prefix="reconciler-export-") as scratch:
        _write(files, Path(scratch))
        loaded = load_paths([Path(scratch)]).catalog
    wrong: set[str] = set()
    for table in catalog.tables:
        twin = loaded.table(table.qname)
        assert twin is not None
        derived = _names_by_definition(twin)
        for definition, names in _names_by_definition(table).items():
            wrong.update(names - derived.get(definition, set()))
    return wrong


def _names_by_definition(table: Table) -> dict[Any, set[str]]:
    """Constraint and index names grouped by their definition without the name."""
    grouped: dict[Any, set[str]] = {}
    for obj in [*table.constraints(), *table.indexes]:
        grouped.setdefault(dataclasses.replace(obj, name=""), set()).add(obj.name)
    return grouped


def export_catalog(catalog: Catalog, out: Path, *, force: bool = False) -> ExportResult:
    """Write `catalog` as YAML under `out` (which must be empty or absent unless `force`)."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"{out} exists and is not a directory")
    if out.exists() and any(out.iterdir()) and not force:
        raise ConfigError(f"{out} is not empty; choose an empty directory or pass --force to overwrite files in it")
    explicit: set[str] = set()
    for _ in range(_MAX_NAME_PASSES):
        files = render_files(catalog, explicit)
        wrong = _names_needing_spelling_out(catalog, files)
        if not wrong - explicit:
            break
        explicit |= wrong
    out.mkdir(parents=True, exist_ok=True)
    return ExportResult(files=_write(files, out), tables=len(catalog.tables))
