"""The schema model: one set of frozen types for the desired state (from YAML) and the live state
(from the catalog).

Stage: model. Everything upstream (load, introspect) produces these values; everything downstream
(diff, plan, report) consumes them. Nothing here talks to a database or reads a file.

Conventions that make "equal" mean equal:
- SQL text (types, defaults, expressions) is held as written on the desired side and as
  PostgreSQL prints it on the live side; normalization (`reconciler.normalize`) renders the
  desired side into a scratch database and reads it back, so both end up in PostgreSQL's own
  spelling before they are compared.
- Every constraint and index has a name: the loader derives PostgreSQL's default name when the
  YAML gives none, and generated DDL always names objects explicitly.
- Migration hints (`renamed_from`, `backfill`, `using`) describe how to get somewhere, not where;
  they are excluded from equality and from the content hash (`field(compare=False)`).
- New object kinds (views, functions, triggers, policies, grants, domains...) are added as new
  tuples on `Catalog` or `Table`; existing types do not change shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal

from reconciler.model.security import Policy, RowLevelSecurity  # a Table's default is a value

if TYPE_CHECKING:  # the modules below build on this one
    from reconciler.model.code import Function, MaterializedView, Trigger, View
    from reconciler.model.grants import DefaultPrivileges, ObjectGrants
    from reconciler.model.partitions import PartitionBy, PartitionOf
    from reconciler.model.usertypes import Collation, CompositeType, Domain

FkAction = Literal["no action", "restrict", "cascade", "set null", "set default"]
FkMatch = Literal["simple", "full"]
SortOrder = Literal["asc", "desc"]
NullsOrder = Literal["first", "last"]
IdentityGeneration = Literal["always", "by default"]
GeneratedKind = Literal["stored", "virtual"]


def migration_hint() -> Any:
    """A migration hint: carried along, never compared or hashed (a dataclass field spec, typed
    as its default is, as `dataclasses.field` is)."""
    return field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class QualifiedName:
    """A schema-qualified object name."""

    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class SequenceOptions:
    """Options shared by sequences and identity columns. None means PostgreSQL's default."""

    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cache: int | None = None
    cycle: bool = False


@dataclass(frozen=True, slots=True)
class Identity:
    generation: IdentityGeneration
    options: SequenceOptions = SequenceOptions()


@dataclass(frozen=True, slots=True)
class Generated:
    """A generated column: `GENERATED ALWAYS AS (expression) STORED|VIRTUAL`."""

    expression: str
    kind: GeneratedKind = "stored"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str
    nullable: bool = True
    default: str | None = None
    identity: Identity | None = None
    generated: Generated | None = None
    collation: str | None = None  # None: the type's default collation
    comment: str | None = None
    renamed_from: str | None = migration_hint()
    backfill: str | None = migration_hint()  # SQL expression for existing rows
    using: str | None = migration_hint()  # SQL expression for a type change


@dataclass(frozen=True, slots=True)
class PrimaryKey:
    name: str
    columns: tuple[str, ...]
    include: tuple[str, ...] = ()
    deferrable: bool = False
    initially_deferred: bool = False
    comment: str | None = None
    renamed_from: str | None = migration_hint()


@dataclass(frozen=True, slots=True)
class UniqueConstraint:
    name: str
    columns: tuple[str, ...]
    include: tuple[str, ...] = ()
    nulls_not_distinct: bool = False
    deferrable: bool = False
    initially_deferred: bool = False
    comment: str | None = None
    renamed_from: str | None = migration_hint()


@dataclass(frozen=True, slots=True)
class CheckConstraint:
    name: str
    expression: str
    no_inherit: bool = False
    not_valid: bool = False  # exists but existing rows were never checked
    comment: str | None = None
    renamed_from: str | None = migration_hint()


@dataclass(frozen=True, slots=True)
class ForeignKey:
    name: str
    columns: tuple[str, ...]
    references: QualifiedName
    referenced_columns: tuple[str, ...]
    on_delete: FkAction = "no action"
    on_update: FkAction = "no action"
    on_delete_set_columns: tuple[str, ...] = ()  # ON DELETE SET NULL|DEFAULT (cols), PG 15+
    match: FkMatch = "simple"
    deferrable: bool = False
    initially_deferred: bool = False
    not_valid: bool = False
    comment: str | None = None
    renamed_from: str | None = migration_hint()


Constraint = PrimaryKey | UniqueConstraint | CheckConstraint | ForeignKey


@dataclass(frozen=True, slots=True)
class IndexElement:
    """One key of an index: a column or an expression, with its ordering options."""

    column: str | None = None
    expression: str | None = None
    collation: str | None = None
    opclass: str | None = None
    order: SortOrder = "asc"
    nulls: NullsOrder | None = None  # None: the default for the order (last for asc, first for desc)


@dataclass(frozen=True, slots=True)
class Index:
    name: str
    elements: tuple[IndexElement, ...]
    unique: bool = False
    method: str = "btree"
    where: str | None = None
    include: tuple[str, ...] = ()
    nulls_not_distinct: bool = False
    comment: str | None = None
    renamed_from: str | None = migration_hint()


@dataclass(frozen=True, slots=True)
class Table:
    schema: str
    name: str
    columns: tuple[Column, ...] = ()
    primary_key: PrimaryKey | None = None
    uniques: tuple[UniqueConstraint, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[Index, ...] = ()
    comment: str | None = None
    renamed_from: QualifiedName | None = migration_hint()
    row_level_security: RowLevelSecurity = RowLevelSecurity()
    policies: tuple[Policy, ...] = ()
    partition_by: PartitionBy | None = None  # a partitioned table (model.partitions)
    partition_of: PartitionOf | None = None  # a partition of another table
    triggers: tuple[Trigger, ...] = ()

    @property
    def qname(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)

    def constraints(self) -> Iterator[Constraint]:
        """Every constraint of the table, primary key first."""
        if self.primary_key is not None:
            yield self.primary_key
        yield from self.uniques
        yield from self.checks
        yield from self.foreign_keys


@dataclass(frozen=True, slots=True)
class EnumType:
    schema: str
    name: str
    values: tuple[str, ...]
    comment: str | None = None
    renamed_from: QualifiedName | None = migration_hint()

    @property
    def qname(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Sequence:
    schema: str
    name: str
    type: str = "bigint"
    options: SequenceOptions = SequenceOptions()
    owned_by: tuple[QualifiedName, str] | None = None  # (table, column)
    comment: str | None = None
    renamed_from: QualifiedName | None = migration_hint()

    @property
    def qname(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class Extension:
    name: str
    schema: str | None = None  # None: wherever the extension installs by default
    version: str | None = None  # None: any version is acceptable


@dataclass(frozen=True)
class Catalog:
    """A whole database's managed schema. Collections are sorted by name (see `normalized`)."""

    extensions: tuple[Extension, ...] = ()
    schemas: tuple[Schema, ...] = ()
    enums: tuple[EnumType, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    tables: tuple[Table, ...] = ()
    domains: tuple[Domain, ...] = ()
    composite_types: tuple[CompositeType, ...] = ()
    grants: tuple[ObjectGrants, ...] = ()  # see model.grants: per object, sorted by target
    default_privileges: tuple[DefaultPrivileges, ...] = ()  # per (schema, role), sorted
    collations: tuple[Collation, ...] = ()
    functions: tuple[Function, ...] = ()  # functions and procedures
    views: tuple[View, ...] = ()
    materialized_views: tuple[MaterializedView, ...] = ()

    @cached_property
    def _tables(self) -> dict[QualifiedName, Table]:
        return {t.qname: t for t in self.tables}

    @cached_property
    def _enums(self) -> dict[QualifiedName, EnumType]:
        return {e.qname: e for e in self.enums}

    @cached_property
    def _sequences(self) -> dict[QualifiedName, Sequence]:
        return {s.qname: s for s in self.sequences}

    def table(self, qname: QualifiedName) -> Table | None:
        return self._tables.get(qname)

    def enum(self, qname: QualifiedName) -> EnumType | None:
        return self._enums.get(qname)

    def sequence(self, qname: QualifiedName) -> Sequence | None:
        return self._sequences.get(qname)

    def schema_names(self) -> set[str]:
        """Schemas the catalog uses, declared or not."""
        names = {s.name for s in self.schemas}
        for group in (
            self.enums,
            self.sequences,
            self.tables,
            self.functions,
            self.views,
            self.materialized_views,
            self.domains,
            self.composite_types,
            self.collations,
        ):
            names.update(obj.schema for obj in group)
        return names


def normalized(catalog: Catalog) -> Catalog:
    """Return `catalog` with every collection in a canonical order.

    Column order is kept as declared (PostgreSQL cannot reorder columns, and export should show
    them as the table has them); the content hash ignores it (see `hashing`).
    """
    return Catalog(
        extensions=tuple(sorted(catalog.extensions, key=lambda e: e.name)),
        schemas=tuple(sorted(catalog.schemas, key=lambda s: s.name)),
        enums=tuple(sorted(catalog.enums, key=lambda e: (e.schema, e.name))),
        sequences=tuple(sorted(catalog.sequences, key=lambda s: (s.schema, s.name))),
        tables=tuple(_normalized_table(t) for t in sorted(catalog.tables, key=lambda t: (t.schema, t.name))),
        domains=tuple(sorted(catalog.domains, key=lambda d: (d.schema, d.name))),
        composite_types=tuple(sorted(catalog.composite_types, key=lambda t: (t.schema, t.name))),
        grants=tuple(sorted(catalog.grants, key=lambda g: g.target)),
        default_privileges=tuple(sorted(catalog.default_privileges, key=lambda d: (d.schema, d.for_role))),
        collations=tuple(sorted(catalog.collations, key=lambda c: (c.schema, c.name))),
        functions=tuple(sorted(catalog.functions, key=lambda f: (f.schema, f.name, f.identity_types))),
        views=tuple(sorted(catalog.views, key=lambda v: (v.schema, v.name))),
        materialized_views=tuple(sorted(catalog.materialized_views, key=lambda v: (v.schema, v.name))),
    )


def _normalized_table(table: Table) -> Table:
    by_name = attrgetter("name")
    return Table(
        schema=table.schema,
        name=table.name,
        columns=table.columns,
        primary_key=table.primary_key,
        uniques=tuple(sorted(table.uniques, key=by_name)),
        checks=tuple(sorted(table.checks, key=by_name)),
        foreign_keys=tuple(sorted(table.foreign_keys, key=by_name)),
        indexes=tuple(sorted(table.indexes, key=by_name)),
        comment=table.comment,
        renamed_from=table.renamed_from,
        row_level_security=table.row_level_security,
        policies=tuple(sorted(table.policies, key=by_name)),
        partition_by=table.partition_by,
        partition_of=table.partition_of,
        triggers=tuple(sorted(table.triggers, key=by_name)),
    )
