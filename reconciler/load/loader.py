"""Load a directory of YAML documents into the schema model.

Stage: load. Contract: `load_paths` returns a `Catalog` or raises `LoadError` carrying every
problem found in every file (never only the first), each as file:line:col. It reads files only;
it never talks to a database. What only PostgreSQL can judge (does this type exist, does this
check expression type-check) is judged later by normalization in a scratch database.

Order of work:
1. read every file into located documents (yamlsrc);
2. validate each document against its kind's strict model (spec), all problems collected;
3. cross-document checks (duplicates, references, schemas declared) and conversion to the
   model, deriving PostgreSQL's default names for unnamed constraints and indexes.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from reconciler.errors import Diagnostic, LoadError
from reconciler.load import code, usertypes
from reconciler.load import grants as load_grants
from reconciler.load import partitions as lp
from reconciler.load import spec as s
from reconciler.load.assemble import Assembler, Entry
from reconciler.load.documents import DOCUMENT_KINDS
from reconciler.load.locations import Locator, ObjectKey, SourceLocation, Suppression
from reconciler.load.validation import diagnostics_from
from reconciler.load.yamlsrc import Document, read_documents
from reconciler.model import (
    Catalog,
    CheckConstraint,
    Column,
    EnumType,
    Extension,
    ForeignKey,
    Generated,
    Identity,
    PrimaryKey,
    QualifiedName,
    Schema,
    Sequence,
    SequenceOptions,
    Table,
    UniqueConstraint,
    normalized,
)
from reconciler.model.defaults import completed
from reconciler.model.names import choose_name, name_addition
from reconciler.model.objects import IdentityGeneration
from reconciler.sqlparse.fragments import canonical_type, column_references, parse_expression

YAML_SUFFIXES = (".yaml", ".yml")
# Kinds that live in the same folders but are not desired schema objects (the operator's kinds).
NON_SCHEMA_KINDS = frozenset({"Database", "SchemaPlan", "Project", "Approval"})
ALWAYS_INSTALLED_EXTENSIONS = frozenset({"plpgsql"})
IMPLICIT_SCHEMAS = frozenset({"public"})


@dataclass
class LoadResult:
    catalog: Catalog
    files: list[str]
    origins: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (kind, schema, name) -> file:line
    # file:line:col of every object and member, and the `lint.ignore` entries written on them
    locations: dict[ObjectKey, SourceLocation] = field(default_factory=dict)
    suppressions: dict[ObjectKey, tuple[Suppression, ...]] = field(default_factory=dict)


def find_yaml_files(paths: list[Path]) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.suffix in YAML_SUFFIXES
                    and p.is_file()
                    and not any(part.startswith(".") for part in p.relative_to(path).parts)
                )
            )
        else:
            found.append(path)
    return found


def load_paths(paths: list[Path]) -> LoadResult:
    """Load and check every YAML file under `paths` (files or directories)."""
    problems: list[Diagnostic] = []
    for path in paths:
        if not path.exists():
            problems.append(Diagnostic(str(path), 0, 0, "no such file or directory"))
    files = find_yaml_files([p for p in paths if p.exists()])
    if not files and not problems:
        problems.append(Diagnostic(", ".join(map(str, paths)), 0, 0, "no YAML files found (*.yaml, *.yml)"))
    documents: list[Document] = []
    for file in files:
        read, read_problems = read_documents(file, str(file))
        problems.extend(read_problems)
        documents.extend(read)
    return load_documents(documents, files=[str(f) for f in files], problems=problems)


def load_documents(
    documents: list[Document], *, files: list[str] | None = None, problems: list[Diagnostic] | None = None
) -> LoadResult:
    """Check documents already read (from files, or custom resources read by the operator)."""
    problems = list(problems or [])
    entries: dict[str, list[Entry[Any]]] = defaultdict(list)
    for document in documents:
        entry, doc_problems = _validate_document(document)
        problems.extend(doc_problems)
        if entry is not None:
            entries[entry[0]].append(entry[1])
    # A document that failed to load may be what others refer to: then "not defined" would be noise.
    assembler = _CatalogAssembler(entries, complete=not problems)
    catalog = assembler.assemble()
    problems.extend(assembler.problems)
    if problems:
        raise LoadError(problems)
    _locate_documents(entries, assembler.locator)
    return LoadResult(
        catalog=catalog,
        files=files or [d.file for d in documents],
        origins=assembler.origins,
        locations=assembler.locator.locations,
        suppressions=assembler.locator.suppressions,
    )


# Kinds of document -> the kind of object they declare (as `ObjectKey.kind`).
OBJECT_KINDS = {
    "Schema": "schema",
    "Extension": "extension",
    "Enum": "enum",
    "Sequence": "sequence",
    "Table": "table",
    "Domain": "domain",
    "CompositeType": "composite type",
    "Collation": "collation",
    "Function": "function",
    "Procedure": "procedure",
    "View": "view",
    "MaterializedView": "materialized view",
}


def _locate_documents(entries: dict[str, list[Entry[Any]]], locator: Locator) -> None:
    """Where every document's object and its named members were written (constraints and indexes,
    whose names may be derived, are located as the tables are assembled)."""
    for kind, group in entries.items():
        for entry in group:
            spec, name, document = entry.spec, entry.sql_name, entry.document
            schema = name if kind == "Schema" else (getattr(spec, "schema_", None) or "")
            locator.record(document, (), ObjectKey(OBJECT_KINDS[kind], schema, name), spec)
            if kind == "CompositeType":
                for i, attribute in enumerate(spec.attributes):
                    locator.record(
                        document, ("attributes", i), ObjectKey("attribute", schema, name, attribute.name), attribute
                    )
            if kind == "Table":
                members = [
                    ("columns", "column", spec.columns),
                    ("triggers", "trigger", spec.triggers),
                    ("policies", "policy", spec.policies),
                ]
                for field_name, member_kind, items in members:
                    for i, item in enumerate(items):
                        locator.record(document, (field_name, i), ObjectKey(member_kind, schema, name, item.name), item)


def _validate_document(document: Document) -> tuple[tuple[str, Entry[Any]] | None, list[Diagnostic]]:
    data = document.data
    if not isinstance(data, dict):
        return None, [document.diagnostic((), "a document must be a mapping with apiVersion, kind, metadata and spec")]
    api_version = data.get("apiVersion")
    kind = data.get("kind")
    if api_version not in s.API_VERSIONS:
        supported = ", ".join(s.API_VERSIONS)
        return None, [document.diagnostic(("apiVersion",), f"apiVersion must be {supported}, got {api_version!r}")]
    if kind in NON_SCHEMA_KINDS:
        return None, []
    if not isinstance(kind, str) or kind not in DOCUMENT_KINDS:
        kinds = ", ".join(sorted(DOCUMENT_KINDS))
        return None, [document.diagnostic(("kind",), f"unknown kind {kind!r}; expected one of {kinds}")]
    model = DOCUMENT_KINDS[kind]
    try:
        parsed: Any = model.model_validate(data)  # a DocumentModel subclass: each declares its `spec`
    except ValidationError as exc:
        return None, diagnostics_from(exc, document, model)
    sql_name, problems = _sql_name(document, parsed)
    if sql_name is None:
        return None, problems
    return (kind, Entry(document, parsed.spec, sql_name)), problems


def _sql_name(document: Document, parsed: Any) -> tuple[str | None, list[Diagnostic]]:
    """spec.name, or metadata.name when it can stand for the SQL name."""
    if parsed.spec.name is not None:
        return parsed.spec.name, []
    meta_name = parsed.metadata.name
    if "." in meta_name:
        message = f"metadata.name {meta_name!r} contains '.', so it cannot be the SQL name: set spec.name"
        return None, [document.diagnostic(("metadata", "name"), message)]
    return meta_name, []


class _CatalogAssembler(Assembler):
    """Cross-document checks and conversion of validated specs into the model: the documents
    in order of dependency, then the tables."""

    def assemble(self) -> Catalog:
        self._check_kubernetes_names()
        schemas = self._schemas()
        declared = {schema.name for schema in schemas} | IMPLICIT_SCHEMAS
        extensions = self._extensions(declared)
        enums = self._enums(declared)
        domains = usertypes.domains(self.entries.get("Domain", []), declared, self)
        composites = usertypes.composite_types(self.entries.get("CompositeType", []), declared, self)
        collations = usertypes.collations(self.entries.get("Collation", []), declared, self)
        self._register_tables(declared)
        self._register_sequences(declared)
        functions = code.functions(self, declared)
        self.routines = {f.qname for f in functions}
        tables = lp.with_parent_columns([self._table(entry) for entry in self.tables.values()])
        views = code.views(self, declared)
        materialized_views = code.materialized_views(self, declared)
        sequences = self._sequences()
        self._check_type_names(enums)
        usertypes.check_type_names([*domains, *composites], enums, self.tables, self.problem)
        grants, default_privileges = load_grants.collect(self.entries, self.problem)
        return normalized(
            Catalog(
                extensions=tuple(extensions),
                schemas=tuple(schemas),
                enums=tuple(enums),
                sequences=tuple(sequences),
                tables=tuple(tables),
                domains=tuple(domains),
                composite_types=tuple(composites),
                grants=tuple(grants),
                default_privileges=tuple(default_privileges),
                collations=tuple(collations),
                functions=tuple(functions),
                views=tuple(views),
                materialized_views=tuple(materialized_views),
            )
        )

    # --- documents -------------------------------------------------------------------------

    def _check_kubernetes_names(self) -> None:
        """Two documents of one kind with one metadata.name would overwrite each other in a cluster."""
        for kind, entries in self.entries.items():
            seen: dict[str, Entry[Any]] = {}
            for entry in entries:
                name = entry.document.data["metadata"]["name"]
                if name in seen:
                    first = seen[name].origin
                    message = f"another {kind} document already has metadata.name {name!r} ({first})"
                    self.problem(entry.document.diagnostic(("metadata", "name"), message))
                else:
                    seen[name] = entry

    def _schemas(self) -> list[Schema]:
        registry: dict[tuple[str, ...], Entry[Any]] = {}
        out = []
        for entry in self.entries.get("Schema", []):
            if self.unique("schema", (entry.sql_name,), entry, registry):
                out.append(Schema(name=entry.sql_name, comment=entry.spec.comment))
                self.origins[("schema", entry.sql_name, entry.sql_name)] = entry.origin
        return out

    def _extensions(self, declared: set[str]) -> list[Extension]:
        registry: dict[tuple[str, ...], Entry[Any]] = {}
        out = []
        for entry in self.entries.get("Extension", []):
            spec: s.ExtensionSpec = entry.spec
            if entry.sql_name in ALWAYS_INSTALLED_EXTENSIONS:
                self.problem(
                    entry.at("name", message=f"extension {entry.sql_name!r} is always installed; remove this document")
                )
                continue
            if spec.schema_ is not None:
                self.schema_declared(entry, spec.schema_, declared)
            if self.unique("extension", (entry.sql_name,), entry, registry):
                out.append(Extension(name=entry.sql_name, schema=spec.schema_, version=spec.version))
                self.origins[("extension", spec.schema_ or "", entry.sql_name)] = entry.origin
        return out

    def _enums(self, declared: set[str]) -> list[EnumType]:
        registry: dict[tuple[str, ...], Entry[Any]] = {}
        out = []
        for entry in self.entries.get("Enum", []):
            spec: s.EnumSpec = entry.spec
            self.schema_declared(entry, spec.schema_, declared)
            seen: set[str] = set()
            for i, value in enumerate(spec.values):
                if value in seen:
                    self.problem(entry.at("values", i, message=f"duplicate enum value {value!r}"))
                seen.add(value)
            if self.unique("enum", (spec.schema_, entry.sql_name), entry, registry):
                renamed = QualifiedName(spec.schema_, spec.renamed_from) if spec.renamed_from else None
                out.append(
                    EnumType(spec.schema_, entry.sql_name, tuple(spec.values), spec.comment, renamed_from=renamed)
                )
                self.origins[("enum", spec.schema_, entry.sql_name)] = entry.origin
        return out

    def _check_type_names(self, enums: list[EnumType]) -> None:
        """A table's row type and an enum share pg_type: they cannot have the same name."""
        for enum in enums:
            table = self.tables.get(enum.qname)
            if table is not None:
                message = (
                    f"table {str(enum.qname)!r} has the same name as an enum type; PostgreSQL keeps both in one "
                    "namespace"
                )
                self.problem(table.at("name", message=message))

    def _register_tables(self, declared: set[str]) -> None:
        registry: dict[tuple[str, ...], Entry[Any]] = {}
        for entry in self.entries.get("Table", []):
            spec: s.TableSpec = entry.spec
            self.schema_declared(entry, spec.schema_, declared)
            if self.unique("relation", (spec.schema_, entry.sql_name), entry, registry):
                self.tables[QualifiedName(spec.schema_, entry.sql_name)] = entry
                self.relations[spec.schema_].add(entry.sql_name)
                self.origins[("table", spec.schema_, entry.sql_name)] = entry.origin
        self.relation_registry = registry

    def _register_sequences(self, declared: set[str]) -> None:
        for entry in self.entries.get("Sequence", []):
            spec: s.SequenceSpec = entry.spec
            self.schema_declared(entry, spec.schema_, declared)
            if self.unique("relation", (spec.schema_, entry.sql_name), entry, self.relation_registry):
                self.relations[spec.schema_].add(entry.sql_name)
                self.origins[("sequence", spec.schema_, entry.sql_name)] = entry.origin

    def _sequences(self) -> list[Sequence]:
        out = []
        for entry in self.entries.get("Sequence", []):
            spec: s.SequenceSpec = entry.spec
            owned_by = None
            if spec.owned_by is not None:
                owner = QualifiedName(spec.schema_, spec.owned_by.table)
                table = self.tables.get(owner)
                if table is None:
                    if self.complete:
                        self.problem(
                            entry.at(
                                "ownedBy",
                                "table",
                                message=f"table {str(owner)!r} (same schema as the sequence) is not defined",
                            )
                        )
                elif spec.owned_by.column not in {c.name for c in table.spec.columns}:
                    self.problem(
                        entry.at(
                            "ownedBy", "column", message=f"table {str(owner)!r} has no column {spec.owned_by.column!r}"
                        )
                    )
                owned_by = (owner, spec.owned_by.column)
            renamed = QualifiedName(spec.schema_, spec.renamed_from) if spec.renamed_from else None
            out.append(
                Sequence(
                    schema=spec.schema_,
                    name=entry.sql_name,
                    type=spec.type,
                    options=_sequence_options(spec, spec.type),
                    owned_by=owned_by,
                    comment=spec.comment,
                    renamed_from=renamed,
                )
            )
        return out

    # --- tables ----------------------------------------------------------------------------

    def _table(self, entry: Entry[s.TableSpec]) -> Table:
        spec = entry.spec
        qname = QualifiedName(spec.schema_, entry.sql_name)
        self._reserve_explicit_names(entry)
        pk = self._primary_key(entry)
        pk_columns = set(pk.columns) if pk else set()
        columns = tuple(self._column(entry, i, c, pk_columns) for i, c in enumerate(spec.columns))
        known = {c.name for c in columns} | lp.inherited_columns(self.tables, entry)
        self._check_duplicate_columns(entry)
        uniques = tuple(self._unique_constraint(entry, i, u, known) for i, u in enumerate(spec.uniques))
        checks = tuple(self._check(entry, i, c) for i, c in enumerate(spec.checks))
        fks = tuple(self._foreign_key(entry, i, f, known) for i, f in enumerate(spec.foreign_keys))
        indexes = tuple(self.index(entry, i, x, known) for i, x in enumerate(spec.indexes))
        if pk is not None:
            self.check_columns(entry, ("primaryKey",), list(pk.columns) + list(pk.include), known)
        self._check_constraint_names(entry, pk, uniques, checks, fks)
        self._locate_members(entry, pk, uniques, checks, fks, indexes)
        return Table(
            schema=qname.schema,
            name=qname.name,
            columns=columns,
            primary_key=pk,
            uniques=uniques,
            checks=checks,
            foreign_keys=fks,
            indexes=indexes,
            comment=spec.comment,
            renamed_from=QualifiedName(qname.schema, spec.renamed_from) if spec.renamed_from else None,
            row_level_security=usertypes.row_level_security(spec),
            policies=usertypes.policies(entry, known, self.problem),
            partition_by=lp.partition_by(self, entry, known),
            partition_of=lp.partition_of(self, entry),
            triggers=code.triggers(self, entry, known, self.routines),
        )

    def _locate_members(self, entry: Entry[s.TableSpec], pk: PrimaryKey | None, *groups: tuple[Any, ...]) -> None:
        """Record where each constraint and index was written, under the name it was given."""
        spec, table = entry.spec, QualifiedName(entry.spec.schema_, entry.sql_name)
        if pk is not None:
            pk_spec = spec.primary_key if isinstance(spec.primary_key, s.PrimaryKeySpec) else None
            key = ObjectKey("constraint", table.schema, table.name, pk.name)
            self.locator.record(entry.document, ("primaryKey",), key, pk_spec)
        uniques, checks, fks, indexes = groups
        fields = (
            ("uniques", spec.uniques, uniques),
            ("checks", spec.checks, checks),
            ("foreignKeys", spec.foreign_keys, fks),
        )
        for field_name, specs, built in fields:
            for i, (item, made) in enumerate(zip(specs, built, strict=False)):
                key = ObjectKey("constraint", table.schema, table.name, made.name)
                self.locator.record(entry.document, (field_name, i), key, item)
        for i, (index_spec, made) in enumerate(zip(spec.indexes, indexes, strict=False)):
            self.locator.record(
                entry.document, ("indexes", i), ObjectKey("index", table.schema, table.name, made.name), index_spec
            )

    def _reserve_explicit_names(self, entry: Entry[s.TableSpec]) -> None:
        spec = entry.spec
        schema = spec.schema_
        pk = spec.primary_key
        if isinstance(pk, s.PrimaryKeySpec) and pk.name:
            self.relations[schema].add(pk.name)
            self.constraint_names[schema].add(pk.name)
        for unique in spec.uniques:
            if unique.name:
                self.relations[schema].add(unique.name)
                self.constraint_names[schema].add(unique.name)
        for constraint in [*spec.checks, *spec.foreign_keys]:
            if constraint.name:
                self.constraint_names[schema].add(constraint.name)
        for index in spec.indexes:
            if index.name:
                self._check_index_name_free(entry, index)
                self.relations[schema].add(index.name)

    def _check_index_name_free(self, entry: Entry[s.TableSpec], index: s.IndexSpec) -> None:
        schema = entry.spec.schema_
        assert index.name is not None
        if QualifiedName(schema, index.name) in self.tables:
            i = entry.spec.indexes.index(index)
            self.problem(
                entry.at(
                    "indexes",
                    i,
                    "name",
                    message=f"index name {index.name!r} is already used by a table in schema {schema!r}",
                )
            )

    def _check_duplicate_columns(self, entry: Entry[s.TableSpec]) -> None:
        seen: set[str] = set()
        for i, column in enumerate(entry.spec.columns):
            if column.name in seen:
                self.problem(entry.at("columns", i, "name", message=f"duplicate column {column.name!r}"))
            seen.add(column.name)

    def _check_constraint_names(
        self, entry: Entry[s.TableSpec], pk: PrimaryKey | None, *groups: tuple[Any, ...]
    ) -> None:
        seen: set[str] = set()
        for constraint in ([pk] if pk else []) + [c for group in groups for c in group]:
            if constraint.name in seen:
                self.problem(
                    entry.at("name", message=f"table {entry.sql_name!r} has two constraints named {constraint.name!r}")
                )
            seen.add(constraint.name)

    def _column(self, entry: Entry[s.TableSpec], i: int, spec: s.ColumnSpec, pk_columns: set[str]) -> Column:
        identity = _identity(spec.identity, _integer_type(spec.type))
        generated = _generated(spec.generated)
        explicit_nullable = "nullable" in spec.model_fields_set
        nullable = spec.nullable
        if identity is not None or spec.name in pk_columns:
            why = "an identity column" if identity is not None else "a primary-key column"
            if explicit_nullable and spec.nullable:
                self.problem(entry.at("columns", i, "nullable", message=f"{why} cannot be nullable"))
            nullable = False
        if spec.default is not None and (identity is not None or generated is not None):
            self.problem(
                entry.at(
                    "columns", i, "default", message="a column with identity or generated cannot also have a default"
                )
            )
        if identity is not None and generated is not None:
            self.problem(entry.at("columns", i, "generated", message="a column cannot be both identity and generated"))
        default = s.sql_text(spec.default) if spec.default is not None else None
        if default is not None:
            self._check_default(entry, i, default)
        return Column(
            name=spec.name,
            type=spec.type,
            nullable=nullable,
            default=default,
            identity=identity,
            generated=generated,
            collation=spec.collation,
            comment=spec.comment,
            renamed_from=spec.renamed_from,
            backfill=s.sql_text(spec.backfill) if spec.backfill is not None else None,
            using=spec.using,
        )

    def _check_default(self, entry: Entry[s.TableSpec], i: int, default: str) -> None:
        refs = column_references(parse_expression(default))
        if refs:
            name = sorted(refs)[0]
            message = (
                f"default refers to column {name!r}, but a default cannot use columns; "
                f"for the string {name!r} write the SQL literal: \"'{name}'\""
            )
            self.problem(entry.at("columns", i, "default", message=message))

    def _primary_key(self, entry: Entry[s.TableSpec]) -> PrimaryKey | None:
        spec = entry.spec.primary_key
        if spec is None:
            return None
        if isinstance(spec, list):
            spec = s.PrimaryKeySpec.model_validate({"columns": spec})
        schema = entry.spec.schema_
        name = spec.name or choose_name(entry.sql_name, None, "pkey", self.relations[schema])
        self.constraint_names[schema].add(name)
        return PrimaryKey(
            name=name,
            columns=tuple(spec.columns),
            include=tuple(spec.include),
            deferrable=spec.deferrable,
            initially_deferred=spec.initially_deferred,
            comment=spec.comment,
            renamed_from=spec.renamed_from,
        )

    def _unique_constraint(
        self, entry: Entry[s.TableSpec], i: int, spec: s.UniqueSpec, known: set[str]
    ) -> UniqueConstraint:
        self.check_columns(entry, ("uniques", i, "columns"), spec.columns + spec.include, known)
        schema = entry.spec.schema_
        name = spec.name or choose_name(
            entry.sql_name, name_addition(spec.columns + spec.include), "key", self.relations[schema]
        )
        self.constraint_names[schema].add(name)
        return UniqueConstraint(
            name=name,
            columns=tuple(spec.columns),
            include=tuple(spec.include),
            nulls_not_distinct=spec.nulls_not_distinct,
            deferrable=spec.deferrable,
            initially_deferred=spec.initially_deferred,
            comment=spec.comment,
            renamed_from=spec.renamed_from,
        )

    def _check(self, entry: Entry[s.TableSpec], i: int, spec: s.CheckSpec) -> CheckConstraint:
        refs = column_references(parse_expression(spec.expression))
        known = {c.name for c in entry.spec.columns} | lp.inherited_columns(self.tables, entry)
        missing = sorted(refs - known)
        if missing:
            self.problem(entry.at("checks", i, "expression", message=f"check refers to unknown column {missing[0]!r}"))
        column = next(iter(refs)) if len(refs) == 1 else None
        schema = entry.spec.schema_
        name = spec.name or choose_name(entry.sql_name, column, "check", self.constraint_names[schema])
        return CheckConstraint(
            name=name,
            expression=spec.expression,
            no_inherit=spec.no_inherit,
            not_valid=spec.not_valid,
            comment=spec.comment,
            renamed_from=spec.renamed_from,
        )

    def _foreign_key(self, entry: Entry[s.TableSpec], i: int, spec: s.ForeignKeySpec, known: set[str]) -> ForeignKey:
        self.check_columns(entry, ("foreignKeys", i, "columns"), spec.columns, known)
        self.check_columns(
            entry, ("foreignKeys", i, "onDeleteSetColumns"), spec.on_delete_set_columns, set(spec.columns)
        )
        if spec.on_delete_set_columns and spec.on_delete not in ("set null", "set default"):
            self.problem(
                entry.at(
                    "foreignKeys",
                    i,
                    "onDeleteSetColumns",
                    message="only allowed with onDelete 'set null' or 'set default'",
                )
            )
        ref_schema = spec.references.schema_ or entry.spec.schema_
        target = QualifiedName(ref_schema, spec.references.table)
        ref_columns = self._referenced_columns(entry, i, spec, target)
        schema = entry.spec.schema_
        name = spec.name or choose_name(
            entry.sql_name, name_addition(spec.columns), "fkey", self.constraint_names[schema]
        )
        return ForeignKey(
            name=name,
            columns=tuple(spec.columns),
            references=target,
            referenced_columns=tuple(ref_columns),
            on_delete=spec.on_delete,
            on_update=spec.on_update,
            on_delete_set_columns=tuple(spec.on_delete_set_columns),
            match=spec.match,
            deferrable=spec.deferrable,
            initially_deferred=spec.initially_deferred,
            not_valid=spec.not_valid,
            comment=spec.comment,
            renamed_from=spec.renamed_from,
        )

    def _referenced_columns(
        self, entry: Entry[s.TableSpec], i: int, spec: s.ForeignKeySpec, target: QualifiedName
    ) -> list[str]:
        path = ("foreignKeys", i, "references")
        target_entry = self.tables.get(target)
        if target_entry is None:
            if self.complete:
                self.problem(entry.at(*path, "table", message=f"referenced table {str(target)!r} is not defined"))
            return list(spec.references.columns or [])
        target_spec = target_entry.spec
        pk = target_spec.primary_key
        pk_columns = (pk if isinstance(pk, list) else pk.columns) if pk is not None else None
        columns = spec.references.columns or pk_columns
        if columns is None:
            self.problem(
                entry.at(
                    *path, message=f"referenced table {str(target)!r} has no primary key: list the referenced columns"
                )
            )
            return []
        target_known = {c.name for c in target_spec.columns}
        unknown = [name for name in columns if name not in target_known]
        for name in unknown:
            self.problem(entry.at(*path, "columns", message=f"referenced table {str(target)!r} has no column {name!r}"))
        if unknown:
            pass
        elif len(columns) != len(spec.columns):
            self.problem(entry.at(*path, message=f"{len(spec.columns)} column(s) reference {len(columns)} column(s)"))
        elif not _has_unique_key(target_spec, columns):
            message = (
                f"referenced columns {columns} of {str(target)!r} are not covered by its primary key, a unique "
                "constraint or a unique index"
            )
            self.problem(entry.at(*path, message=message))
        return list(columns)


def _integer_type(type_text: str) -> str:
    """The canonical name of an integer type as written in YAML (identity columns are integers)."""
    rendered = canonical_type(type_text)
    return {
        "smallint": "smallint",
        "integer": "integer",
        "bigint": "bigint",
        "int2": "smallint",
        "int4": "integer",
        "int8": "bigint",
    }.get(rendered, rendered)


def _has_unique_key(table: s.TableSpec, columns: list[str]) -> bool:
    wanted = set(columns)
    pk = table.primary_key
    keys: list[set[str]] = []
    if pk is not None:
        keys.append(set(pk if isinstance(pk, list) else pk.columns))
    keys.extend(set(u.columns) for u in table.uniques)
    for index in table.indexes:
        names: list[str | None] = [c if isinstance(c, str) else c.column for c in index.columns]
        if index.unique and index.where is None and all(names):
            keys.append({n for n in names if n})
    return any(key == wanted for key in keys)


def _sequence_options(spec: s.SequenceOptionsSpec, type_name: str) -> SequenceOptions:
    given = SequenceOptions(
        start=spec.start,
        increment=spec.increment,
        min_value=spec.min_value,
        max_value=spec.max_value,
        cache=spec.cache,
        cycle=spec.cycle,
    )
    return completed(given, type_name)


def _identity(spec: IdentityGeneration | s.IdentitySpec | None, type_name: str) -> Identity | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        return Identity(generation=spec, options=completed(SequenceOptions(), type_name))
    return Identity(generation=spec.generation, options=_sequence_options(spec, type_name))


def _generated(spec: str | s.GeneratedSpec | None) -> Generated | None:
    if spec is None:
        return None
    if isinstance(spec, str):
        return Generated(expression=spec)
    return Generated(expression=spec.expression, kind=spec.kind)
