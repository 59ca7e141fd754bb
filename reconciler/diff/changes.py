"""Typed changes between a live catalog and a desired one.

Stage: diff. A change says *what* differs, never *how* to get there: no SQL, no phases, no
locks. Planning rules (reconciler.plan.rules) turn changes into steps; a new zero-downtime
strategy is a new rule, not an edit of the differ.

Table-scoped changes carry the live and the desired table, so a rule knows both the name the
table has now (`live.qname`, before any rename) and the name it will have (`desired.qname`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from reconciler.model import (
    Column,
    Constraint,
    EnumType,
    Extension,
    Index,
    Schema,
    Sequence,
    Table,
)


class ColumnAlteration(StrEnum):
    TYPE = "type"
    NULLABILITY = "nullability"
    DEFAULT = "default"
    IDENTITY = "identity"
    GENERATED = "generated"
    COLLATION = "collation"
    COMMENT = "comment"


@dataclass(frozen=True)
class Change:
    """Base of every change; `subject` names the object for people and for step ids."""

    @property
    def subject(self) -> str:
        raise NotImplementedError


# --- database-level ------------------------------------------------------------------------


@dataclass(frozen=True)
class AddSchema(Change):
    schema: Schema

    @property
    def subject(self) -> str:
        return self.schema.name


@dataclass(frozen=True)
class AlterSchema(Change):
    live: Schema
    desired: Schema

    @property
    def subject(self) -> str:
        return self.desired.name


@dataclass(frozen=True)
class AddExtension(Change):
    extension: Extension

    @property
    def subject(self) -> str:
        return self.extension.name


@dataclass(frozen=True)
class AlterExtension(Change):
    live: Extension
    desired: Extension

    @property
    def subject(self) -> str:
        return self.desired.name


@dataclass(frozen=True)
class AddEnum(Change):
    enum: EnumType

    @property
    def subject(self) -> str:
        return str(self.enum.qname)


@dataclass(frozen=True)
class DropEnum(Change):
    enum: EnumType

    @property
    def subject(self) -> str:
        return str(self.enum.qname)


@dataclass(frozen=True)
class RenameEnum(Change):
    live: EnumType
    desired: EnumType

    @property
    def subject(self) -> str:
        return str(self.desired.qname)


@dataclass(frozen=True)
class AlterEnum(Change):
    """Values added (each with the neighbour it goes before/after), removed or reordered."""

    live: EnumType
    desired: EnumType
    added: tuple[tuple[str, str | None, bool], ...]  # (value, neighbour, before?)
    removed: tuple[str, ...]
    reordered: bool

    @property
    def subject(self) -> str:
        return str(self.desired.qname)

    @property
    def needs_type_swap(self) -> bool:
        return bool(self.removed) or self.reordered


@dataclass(frozen=True)
class AddSequence(Change):
    sequence: Sequence

    @property
    def subject(self) -> str:
        return str(self.sequence.qname)


@dataclass(frozen=True)
class DropSequence(Change):
    sequence: Sequence

    @property
    def subject(self) -> str:
        return str(self.sequence.qname)


@dataclass(frozen=True)
class RenameSequence(Change):
    live: Sequence
    desired: Sequence

    @property
    def subject(self) -> str:
        return str(self.desired.qname)


@dataclass(frozen=True)
class AlterSequence(Change):
    live: Sequence
    desired: Sequence

    @property
    def subject(self) -> str:
        return str(self.desired.qname)


# --- tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddTable(Change):
    table: Table

    @property
    def subject(self) -> str:
        return str(self.table.qname)


@dataclass(frozen=True)
class DropTable(Change):
    table: Table

    @property
    def subject(self) -> str:
        return str(self.table.qname)


@dataclass(frozen=True)
class TableChange(Change):
    """A change inside a table that exists on both sides."""

    live: Table
    desired: Table

    @property
    def subject(self) -> str:
        return str(self.desired.qname)


@dataclass(frozen=True)
class RenameTable(TableChange):
    pass


@dataclass(frozen=True)
class AlterTableComment(TableChange):
    pass


@dataclass(frozen=True)
class AddColumn(TableChange):
    column: Column
    looks_like_rename_of: str | None = None

    @property
    def subject(self) -> str:
        return f"{self.desired.qname}.{self.column.name}"


@dataclass(frozen=True)
class DropColumn(TableChange):
    column: Column
    looks_like_rename_to: str | None = None

    @property
    def subject(self) -> str:
        return f"{self.live.qname}.{self.column.name}"


@dataclass(frozen=True)
class RenameColumn(TableChange):
    """Renamed by a `renamedFrom` hint; `old` and `new` may also differ in other attributes."""

    old: Column
    new: Column

    @property
    def subject(self) -> str:
        return f"{self.desired.qname}.{self.new.name}"


@dataclass(frozen=True)
class AlterColumn(TableChange):
    old: Column
    new: Column
    kinds: frozenset[ColumnAlteration]

    @property
    def subject(self) -> str:
        return f"{self.desired.qname}.{self.new.name}"


@dataclass(frozen=True)
class AddConstraint(TableChange):
    constraint: Constraint

    @property
    def subject(self) -> str:
        return f"{self.desired.qname}.{self.constraint.name}"


@dataclass(frozen=True)
class DropConstraint(TableChange):
    constraint: Constraint

    @property
    def subject(self) -> str:
        return f"{self.live.qname}.{self.constraint.name}"


@dataclass(frozen=True)
class RenameConstraint(TableChange):
    old: Constraint
    new: Constraint

    @property
    def subject(self) -> str:
        return f"{self.desired.qname}.{self.new.name}"


@dataclass(frozen=True)
class ReplaceConstraint(TableChange):
    """Same name, another definition."""

    old: Constraint
    new: Constraint

    @property
    def subject(self) -> str:
        return f"{self.desired.qname}.{self.new.name}"


@dataclass(frozen=True)
class ValidateConstraint(TableChange):
    constraint: Constraint

    @property
    def subject(self) -> str:
        return f"{self.desired.qname}.{self.constraint.name}"


@dataclass(frozen=True)
class AlterConstraintComment(TableChange):
    old: Constraint
    new: Constraint

    @property
    def subject(self) -> str:
        return f"{self.desired.qname}.{self.new.name}"


@dataclass(frozen=True)
class AddIndex(TableChange):
    index: Index

    @property
    def subject(self) -> str:
        return f"{self.desired.schema}.{self.index.name}"


@dataclass(frozen=True)
class DropIndex(TableChange):
    index: Index

    @property
    def subject(self) -> str:
        return f"{self.live.schema}.{self.index.name}"


@dataclass(frozen=True)
class RenameIndex(TableChange):
    old: Index
    new: Index

    @property
    def subject(self) -> str:
        return f"{self.desired.schema}.{self.new.name}"


@dataclass(frozen=True)
class ReplaceIndex(TableChange):
    old: Index
    new: Index

    @property
    def subject(self) -> str:
        return f"{self.desired.schema}.{self.new.name}"


@dataclass(frozen=True)
class AlterIndexComment(TableChange):
    old: Index
    new: Index

    @property
    def subject(self) -> str:
        return f"{self.desired.schema}.{self.new.name}"
