"""Typed changes between a live catalog and a desired one, and the registry of their kinds.

Stage: diff. A change says *what* differs, never *how* to get there: no SQL, no phases, no
locks. Planning rules (reconciler.plan.rules) turn changes into steps; a new zero-downtime
strategy is a new rule, not an edit of the differ.

Every concrete subclass of `Change` is a *change kind*, registered when its class is created
(`kinds()` lists them; the planner's rule table and drift's wording are tested against that list,
so a kind cannot be added without both). A kind declares which of its fields hold the object it is
about, as that object is live and as it is desired:

    class DropColumn(TableChange, live_object="column"): ...      # no desired side: it goes
    class RenameColumn(TableChange, live_object="old", desired_object="new"): ...

and from that declaration come `subject` (how people and step ids name the object) and
`live_object` / `desired_object` (what the planner checks against swaps and recreations). A kind
that declares nothing inherits its parent's declaration; `Change` itself declares the fields
`live` and `desired`.

Table-scoped changes carry the live and the desired table, so a rule knows both the name the
table has now (`live.qname`, before any rename) and the name it will have (`desired.qname`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from reconciler.model import (
    CheckConstraint,
    Collation,
    Column,
    CompositeType,
    Constraint,
    Domain,
    EnumType,
    Extension,
    ForeignKey,
    Function,
    GrantTarget,
    Index,
    MaterializedView,
    Policy,
    PrimaryKey,
    Schema,
    Sequence,
    Table,
    Trigger,
    UniqueConstraint,
    View,
)


class ColumnAlteration(StrEnum):
    TYPE = "type"
    NULLABILITY = "nullability"
    DEFAULT = "default"
    IDENTITY = "identity"
    GENERATED = "generated"
    COLLATION = "collation"
    COMMENT = "comment"


_KINDS: dict[str, type[Change]] = {}
_INHERITED = "<inherited>"  # a class argument not given (never a field name): the parent's declaration holds


@dataclass(frozen=True)
class Change:
    """Base of every change kind; `subject` names the object for people and for step ids."""

    # Names of the fields holding the object as it is live and as it is desired (None: no such side).
    live_field: ClassVar[str | None] = "live"
    desired_field: ClassVar[str | None] = "desired"

    def __init_subclass__(
        cls,
        *,
        abstract: bool = False,
        live_object: str | None = _INHERITED,
        desired_object: str | None = _INHERITED,
        **kwargs: Any,
    ) -> None:
        super().__init_subclass__(**kwargs)
        if live_object != _INHERITED or desired_object != _INHERITED:
            cls.live_field = None if live_object == _INHERITED else live_object
            cls.desired_field = None if desired_object == _INHERITED else desired_object
        if not abstract:
            if cls.__name__ in _KINDS:
                raise TypeError(f"change kind {cls.__name__} is defined twice")
            _KINDS[cls.__name__] = cls

    @property
    def live_object(self) -> object | None:
        """The object as it is live; None when the change creates it."""
        return None if self.live_field is None else getattr(self, self.live_field)

    @property
    def desired_object(self) -> object | None:
        """The object as it is desired; None when the change drops it."""
        return None if self.desired_field is None else getattr(self, self.desired_field)

    @property
    def subject(self) -> str:
        return spelled(self.desired_object if self.desired_field is not None else self.live_object)


def kinds() -> tuple[type[Change], ...]:
    """Every change kind defined so far (`reconciler.diff.change_kinds()` imports them all first)."""
    return tuple(_KINDS.values())


def spelled(obj: object) -> str:
    """How a subject names a top-level object: schema-qualified where it lives in a schema."""
    match obj:
        case Schema() | Extension():
            return obj.name
        case Function() | GrantTarget():  # a routine by its signature; a grant by its object's kind and name
            return str(obj)
        case EnumType() | Sequence() | Table() | Domain() | CompositeType() | Collation() | View() | MaterializedView():
            return str(obj.qname)
    raise TypeError(f"no subject for {type(obj).__name__}: teach diff.changes.spelled about it")


# --- database-level ------------------------------------------------------------------------


@dataclass(frozen=True)
class AddSchema(Change, desired_object="schema"):
    schema: Schema


@dataclass(frozen=True)
class AlterSchema(Change):
    live: Schema
    desired: Schema


@dataclass(frozen=True)
class AddExtension(Change, desired_object="extension"):
    extension: Extension


@dataclass(frozen=True)
class AlterExtension(Change):
    live: Extension
    desired: Extension


@dataclass(frozen=True)
class AddEnum(Change, desired_object="enum"):
    enum: EnumType


@dataclass(frozen=True)
class DropEnum(Change, live_object="enum"):
    enum: EnumType


@dataclass(frozen=True)
class RenameEnum(Change):
    live: EnumType
    desired: EnumType


@dataclass(frozen=True)
class AlterEnum(Change):
    """Values added (each with the neighbour it goes before/after), removed or reordered."""

    live: EnumType
    desired: EnumType
    added: tuple[tuple[str, str | None, bool], ...]  # (value, neighbour, before?)
    removed: tuple[str, ...]
    reordered: bool

    @property
    def needs_type_swap(self) -> bool:
        return bool(self.removed) or self.reordered


@dataclass(frozen=True)
class AddSequence(Change, desired_object="sequence"):
    sequence: Sequence


@dataclass(frozen=True)
class DropSequence(Change, live_object="sequence"):
    sequence: Sequence


@dataclass(frozen=True)
class RenameSequence(Change):
    live: Sequence
    desired: Sequence


@dataclass(frozen=True)
class AlterSequence(Change):
    live: Sequence
    desired: Sequence


# --- tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AddTable(Change, desired_object="table"):
    table: Table


@dataclass(frozen=True)
class DropTable(Change, live_object="table"):
    table: Table


@dataclass(frozen=True)
class TableChange(Change, abstract=True):
    """A change inside a table that exists on both sides; its object is the table itself unless
    the kind declares a column, constraint, index, trigger or policy field."""

    live: Table
    desired: Table

    @property
    def subject(self) -> str:
        """`schema.table.object`, or `schema.index` (index names are unique per schema); the
        table's live name for an object that goes, its desired name otherwise."""
        desired = self.desired_field is not None
        obj, table = (self.desired_object, self.desired) if desired else (self.live_object, self.live)
        match obj:
            case Table():
                return str(obj.qname)
            case Index():
                return f"{table.schema}.{obj.name}"
            case Column() | PrimaryKey() | UniqueConstraint() | CheckConstraint() | ForeignKey() | Trigger() | Policy():
                return f"{table.qname}.{obj.name}"
        raise TypeError(f"no subject for {type(obj).__name__}: teach diff.changes.TableChange.subject about it")


@dataclass(frozen=True)
class RenameTable(TableChange):
    pass


@dataclass(frozen=True)
class AlterTableComment(TableChange):
    pass


@dataclass(frozen=True)
class AddColumn(TableChange, desired_object="column"):
    column: Column
    looks_like_rename_of: str | None = None


@dataclass(frozen=True)
class DropColumn(TableChange, live_object="column"):
    column: Column
    looks_like_rename_to: str | None = None


@dataclass(frozen=True)
class RenameColumn(TableChange, live_object="old", desired_object="new"):
    """Renamed by a `renamedFrom` hint; `old` and `new` may also differ in other attributes."""

    old: Column
    new: Column


@dataclass(frozen=True)
class AlterColumn(TableChange, live_object="old", desired_object="new"):
    old: Column
    new: Column
    kinds: frozenset[ColumnAlteration]


@dataclass(frozen=True)
class AddConstraint(TableChange, desired_object="constraint"):
    constraint: Constraint


@dataclass(frozen=True)
class DropConstraint(TableChange, live_object="constraint"):
    constraint: Constraint


@dataclass(frozen=True)
class RenameConstraint(TableChange, live_object="old", desired_object="new"):
    old: Constraint
    new: Constraint


@dataclass(frozen=True)
class ReplaceConstraint(TableChange, live_object="old", desired_object="new"):
    """Same name, another definition."""

    old: Constraint
    new: Constraint


@dataclass(frozen=True)
class ValidateConstraint(TableChange, desired_object="constraint"):  # validated as desired, where it stands
    constraint: Constraint


@dataclass(frozen=True)
class AlterConstraintComment(TableChange, live_object="old", desired_object="new"):
    old: Constraint
    new: Constraint


@dataclass(frozen=True)
class AddIndex(TableChange, desired_object="index"):
    index: Index


@dataclass(frozen=True)
class DropIndex(TableChange, live_object="index"):
    index: Index


@dataclass(frozen=True)
class RenameIndex(TableChange, live_object="old", desired_object="new"):
    old: Index
    new: Index


@dataclass(frozen=True)
class ReplaceIndex(TableChange, live_object="old", desired_object="new"):
    old: Index
    new: Index


@dataclass(frozen=True)
class AlterIndexComment(TableChange, live_object="old", desired_object="new"):
    old: Index
    new: Index
