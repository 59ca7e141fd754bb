"""Model types for code objects: functions, procedures, views, materialized views and triggers.

Stage: model. Same conventions as `objects`: frozen values, SQL text held as PostgreSQL prints it
after normalization, migration hints (`refresh`) excluded from equality and hashing.

Identity:
- a function or procedure is identified by its signature (schema, name, input argument types),
  so overloads are separate objects;
- a view or materialized view by its qualified name (views share pg_class with tables);
- a trigger by its name within its table (it lives on `Table.triggers`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from reconciler.model.objects import Index, QualifiedName

ArgumentMode = Literal["in", "out", "inout", "variadic"]
Volatility = Literal["immutable", "stable", "volatile"]
ParallelSafety = Literal["unsafe", "restricted", "safe"]
RoutineKind = Literal["function", "procedure"]
TriggerTiming = Literal["before", "after", "instead of"]
TriggerEvent = Literal["insert", "update", "delete", "truncate"]
TriggerLevel = Literal["row", "statement"]
TriggerEnabled = Literal["origin", "always", "replica", "disabled"]
CheckOption = Literal["local", "cascaded"]
RefreshStrategy = Literal["concurrently", "blocking", "none"]

# Arguments that are part of a function's identity (PostgreSQL ignores OUT arguments of functions).
IDENTITY_MODES = frozenset({"in", "inout", "variadic"})


@dataclass(frozen=True, slots=True)
class FunctionArgument:
    type: str
    name: str | None = None
    mode: ArgumentMode = "in"
    default: str | None = None


@dataclass(frozen=True, slots=True)
class ResultColumn:
    """A column of `RETURNS TABLE (...)`."""

    name: str
    type: str


@dataclass(frozen=True, slots=True)
class Function:
    """A function (`kind="function"`) or procedure (`kind="procedure"`).

    `returns` is the result type as PostgreSQL prints it (`integer`, `trigger`, `void`, `record`
    for RETURNS TABLE); `setof` marks set-returning functions; `table` holds RETURNS TABLE columns.
    Procedures have no result (`returns` None)."""

    schema: str
    name: str
    kind: RoutineKind = "function"
    arguments: tuple[FunctionArgument, ...] = ()
    returns: str | None = None
    setof: bool = False
    table: tuple[ResultColumn, ...] = ()
    language: str = "sql"
    volatility: Volatility = "volatile"
    strict: bool = False
    security_definer: bool = False
    parallel: ParallelSafety = "unsafe"
    search_path: tuple[str, ...] | None = None  # None: no SET search_path on the routine
    body: str = ""
    comment: str | None = None

    @property
    def qname(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)

    @property
    def identity_types(self) -> tuple[str, ...]:
        """Argument types that identify the routine: OUT arguments do not for functions, they do
        for procedures (PostgreSQL 14+, where procedures have them)."""
        return tuple(a.type for a in self.arguments if a.mode in IDENTITY_MODES or self.kind == "procedure")

    @property
    def signature(self) -> tuple[str, str, tuple[str, ...]]:
        return (self.schema, self.name, self.identity_types)

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}({', '.join(self.identity_types)})"


@dataclass(frozen=True, slots=True)
class View:
    schema: str
    name: str
    query: str
    columns: tuple[str, ...] = ()  # declared column names; the normalized query carries them as aliases
    check_option: CheckOption | None = None
    security_barrier: bool = False
    security_invoker: bool = False  # PostgreSQL 15+
    comment: str | None = None

    @property
    def qname(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)


@dataclass(frozen=True, slots=True)
class MaterializedView:
    schema: str
    name: str
    query: str
    columns: tuple[str, ...] = ()
    indexes: tuple[Index, ...] = ()
    comment: str | None = None
    refresh: RefreshStrategy = field(default="blocking", compare=False)  # a planning hint, not state

    @property
    def qname(self) -> QualifiedName:
        return QualifiedName(self.schema, self.name)

    def unique_index(self) -> Index | None:
        """A unique index over plain columns without predicate: what REFRESH ... CONCURRENTLY needs."""
        return next(
            (i for i in self.indexes if i.unique and i.where is None and all(e.column is not None for e in i.elements)),
            None,
        )


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    timing: TriggerTiming
    events: tuple[TriggerEvent, ...]
    function: QualifiedName
    update_columns: tuple[str, ...] = ()  # UPDATE OF ...
    for_each: TriggerLevel = "row"
    when: str | None = None
    arguments: tuple[str, ...] = ()
    enabled: TriggerEnabled = "origin"
    comment: str | None = None
