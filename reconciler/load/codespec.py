"""The YAML format of code objects: `Function`, `Procedure`, `View` and `MaterializedView`.

Stage: load. Listed in `documents.DOCUMENT_KINDS` (so the JSON Schema and the CRDs include them);
the `triggers` field of a table is `spec.TriggerSpec`. Queries must parse as exactly one SELECT;
SQL-language bodies must parse as SQL; other bodies are judged by PostgreSQL in the scratch database.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from reconciler.load.spec import (
    DocumentModel,
    GrantSpec,
    IndexSpec,
    Name,
    SchemaObjectSpec,
    SpecModel,
    SqlType,
    SqlValue,
)
from reconciler.sqlparse.queries import CodeTextError, check_body, check_query


def _query(value: str) -> str:
    try:
        return check_query(value)
    except CodeTextError as exc:
        raise ValueError(str(exc)) from None


SqlQuery = Annotated[str, AfterValidator(_query)]


class ArgumentSpec(SpecModel):
    name: Name | None = None
    """Argument name (optional for input arguments)."""
    type: SqlType
    mode: Literal["in", "out", "inout", "variadic"] = "in"
    default: SqlValue | None = None
    """Default value as an SQL expression (input arguments only)."""


class ResultColumnSpec(SpecModel):
    name: Name
    type: SqlType


class ReturnsSpec(SpecModel):
    setof: SqlType | None = None
    """`RETURNS SETOF type`."""
    table: list[ResultColumnSpec] | None = None
    """`RETURNS TABLE (name type, ...)`."""

    @model_validator(mode="after")
    def _one(self) -> ReturnsSpec:
        if (self.setof is None) == (self.table is None):
            raise ValueError("returns needs exactly one of `setof` or `table` (or write the type as a string)")
        if self.table is not None and not self.table:
            raise ValueError("returns.table needs at least one column")
        return self


class _RoutineSpec(SchemaObjectSpec):
    arguments: list[ArgumentSpec] = []
    language: Name = "sql"
    """`sql`, `plpgsql`, or another installed procedural language."""
    security_definer: bool = False
    """Run with the privileges of the owner (then set `searchPath`)."""
    search_path: list[Annotated[str, Field(min_length=0)]] | None = None
    """`SET search_path` for the routine, e.g. `[shop, pg_catalog]`; `[]` sets it empty."""
    body: str
    """The routine's source (`AS '...'`); passed to PostgreSQL as a string literal."""
    grants: list[GrantSpec] = []
    """EXECUTE granted to roles (`privileges: [EXECUTE]` or `[ALL]`). PostgreSQL grants EXECUTE to
    `public` by default: `{to: public, privileges: []}` revokes it; unnamed, public is left alone."""

    @field_validator("body")
    @classmethod
    def _body(cls, body: str, info: ValidationInfo) -> str:
        try:
            return check_body(body, info.data.get("language", "sql"))
        except CodeTextError as exc:
            raise ValueError(str(exc)) from None


class FunctionSpec(_RoutineSpec):
    returns: SqlType | ReturnsSpec
    """Result type (`integer`, `trigger`, `void`...), or `{setof: type}`, or `{table: [{name, type}]}`."""
    volatility: Literal["immutable", "stable", "volatile"] = "volatile"
    strict: bool = False
    """`STRICT`: returns NULL on NULL input without being called."""
    parallel: Literal["unsafe", "restricted", "safe"] = "unsafe"


class ProcedureSpec(_RoutineSpec):
    pass


class ViewSpec(SchemaObjectSpec):
    query: SqlQuery
    """The SELECT (one statement, no trailing `;` needed)."""
    columns: list[Name] = []
    """Column names (default: the query's output names)."""
    check_option: Literal["local", "cascaded"] | None = None
    security_barrier: bool = False
    security_invoker: bool = False
    """Check permissions as the querying user (PostgreSQL 15+)."""


class MaterializedViewSpec(SchemaObjectSpec):
    query: SqlQuery
    columns: list[Name] = []
    indexes: list[IndexSpec] = []
    refresh: Literal["concurrently", "blocking", "none"] = "blocking"
    """Planning hint, how a changed definition is put in place: `concurrently` (built beside the old
    one, swapped in, then `REFRESH ... CONCURRENTLY`; needs a unique index), `blocking` (dropped and
    re-created with data in one transaction) or `none` (re-created empty; the application refreshes)."""


class FunctionDocument(DocumentModel):
    """A function (identified by schema, name and argument types)."""

    kind: Literal["Function"]
    spec: FunctionSpec


class ProcedureDocument(DocumentModel):
    """A procedure (identified by schema, name and argument types)."""

    kind: Literal["Procedure"]
    spec: ProcedureSpec


class ViewDocument(DocumentModel):
    """A view."""

    kind: Literal["View"]
    spec: ViewSpec


class MaterializedViewDocument(DocumentModel):
    """A materialized view with its indexes."""

    kind: Literal["MaterializedView"]
    spec: MaterializedViewSpec
