"""User-defined types beside enums: domains (a base type with constraints) and composite types
(a row type of named attributes).

Stage: model. Same conventions as `objects`: SQL text as written on the desired side, as
PostgreSQL prints it on the live side (normalization makes both PostgreSQL's spelling); every
domain check has a name (the loader derives PostgreSQL's default when the YAML gives none);
`renamed_from` is a hint, never compared.
"""

from __future__ import annotations

from dataclasses import dataclass

from reconciler.model.objects import QualifiedName, migration_hint


@dataclass(frozen=True, slots=True)
class DomainCheck:
    """`CONSTRAINT name CHECK (expression)` on a domain; the expression uses VALUE."""

    name: str
    expression: str
    not_valid: bool = False  # exists, but values already stored in columns were never checked


@dataclass(frozen=True, slots=True)
class Domain:
    schema: str
    name: str
    type: str  # the base type
    default: str | None = None
    nullable: bool = True  # False: the domain is NOT NULL
    collation: str | None = None  # None: the base type's collation
    checks: tuple[DomainCheck, ...] = ()
    comment: str | None = None
    renamed_from: QualifiedName | None = migration_hint()

    @property
    def qname(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class CompositeAttribute:
    name: str
    type: str
    collation: str | None = None


@dataclass(frozen=True, slots=True)
class CompositeType:
    schema: str
    name: str
    attributes: tuple[CompositeAttribute, ...] = ()  # in declared order: it is the row's order
    comment: str | None = None
    renamed_from: QualifiedName | None = migration_hint()

    @property
    def qname(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class Collation:
    """CREATE COLLATION: `locale` sets both lc_collate and lc_ctype (libc) or is the ICU/builtin
    locale; `lc_collate`/`lc_ctype` only for libc collations whose two differ."""

    schema: str
    name: str
    provider: str = "libc"  # libc | icu | builtin
    locale: str | None = None
    lc_collate: str | None = None
    lc_ctype: str | None = None
    deterministic: bool = True
    comment: str | None = None

    @property
    def qname(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)
