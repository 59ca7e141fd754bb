"""Read functions, procedures, views, materialized views, triggers and dependencies from the
catalog into the model.

Stage: introspect, called by `reader._read` inside its snapshot transaction. Definitions are
PostgreSQL's own renderings (pg_get_viewdef, pg_get_triggerdef, pg_get_function_arguments),
parsed with PostgreSQL's parser (pglast) where they need taking apart, so the desired side, read
back from the scratch database the same way, compares exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from pglast import ast, parse_sql
from pglast.stream import RawStream

from reconciler.model import (
    Function,
    FunctionArgument,
    Index,
    MaterializedView,
    QualifiedName,
    ResultColumn,
    Trigger,
    View,
)
from reconciler.model.code import (
    ArgumentMode,
    ParallelSafety,
    RoutineKind,
    TriggerEnabled,
    TriggerEvent,
    TriggerTiming,
    Volatility,
)
from reconciler.sqlparse.fragments import items, strip_outer_parentheses, text_of

_MODES: dict[str, ArgumentMode | Literal["table"]] = {
    "i": "in",
    "o": "out",
    "b": "inout",
    "v": "variadic",
    "t": "table",
}
_VOLATILITY: dict[str, Volatility] = {"i": "immutable", "s": "stable", "v": "volatile"}
_PARALLEL: dict[str, ParallelSafety] = {"s": "safe", "r": "restricted", "u": "unsafe"}
_ENABLED: dict[str, TriggerEnabled] = {"O": "origin", "A": "always", "R": "replica", "D": "disabled"}
# pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h)
_BEFORE, _INSERT, _DELETE, _UPDATE, _TRUNCATE, _INSTEAD = 2, 4, 8, 16, 32, 64
_EVENT_BITS: tuple[tuple[int, TriggerEvent], ...] = (
    (_INSERT, "insert"),
    (_UPDATE, "update"),
    (_DELETE, "delete"),
    (_TRUNCATE, "truncate"),
)


@dataclass(frozen=True, slots=True)
class Dependency:
    """`dependant` needs `referenced` (and, for a relation, its column `column`). Nodes are
    (kind, schema, name): kinds view, materialized view, trigger (name `table.trigger`),
    constraint (`table.constraint`), default (`table.column`), index; table, function."""

    dependant: tuple[str, str, str]
    referenced: tuple[str, str, str]
    column: str | None = None


def functions(rows: list[Any], warnings: list[str]) -> tuple[list[Function], list[tuple[str, str, str]]]:
    """Modeled routines, and (kind, schema, name) of those left unmanaged (SQL-standard bodies)."""
    out, unmanaged = [], []
    for row in rows:
        kind: RoutineKind = "procedure" if row.kind == "p" else "function"
        if row.language == "sql" and not (row.body or "").strip():
            unmanaged.append((f"{kind} (SQL-standard body)", row.schema, f"{row.name}({row.arguments})"))
            continue
        out.append(_function(row, kind, warnings))
    return out, unmanaged


def _function(row: Any, kind: RoutineKind, warnings: list[str]) -> Function:
    modes: list[ArgumentMode | Literal["table"]] = (
        [_MODES[m] for m in row.arg_modes] if row.arg_modes else ["in"] * len(row.arg_types)
    )
    names = list(row.arg_names or [None] * len(modes))
    defaults = _defaults(row.arguments)
    arguments: list[FunctionArgument] = []
    table: list[ResultColumn] = []
    for position, (mode, type_text) in enumerate(zip(modes, row.arg_types, strict=False)):
        name = names[position] or None if position < len(names) else None
        if mode == "table":
            table.append(ResultColumn(name or "", type_text))
        else:
            arguments.append(FunctionArgument(type_text, name, mode, defaults.get(len(arguments))))
    return Function(
        schema=row.schema,
        name=row.name,
        kind=kind,
        arguments=tuple(arguments),
        returns=None if kind == "procedure" else row.returns,
        setof=bool(row.setof) and kind == "function",
        table=tuple(table),
        language=row.language,
        volatility=_VOLATILITY[row.volatility] if kind == "function" else "volatile",
        strict=bool(row.strict) and kind == "function",
        security_definer=row.security_definer,
        parallel=_PARALLEL[row.parallel] if kind == "function" else "unsafe",
        search_path=_search_path(row, warnings),
        body=row.body,
        comment=row.comment,
    )


def _defaults(arguments: str) -> dict[int, str]:
    """Argument position (among non-TABLE arguments) -> default, from pg_get_function_arguments."""
    if "DEFAULT" not in arguments.upper():
        return {}
    statement = parse_sql(f"CREATE FUNCTION rc_probe({arguments}) RETURNS void LANGUAGE sql AS ''")[0].stmt
    assert isinstance(statement, ast.CreateFunctionStmt)
    out = {}
    for position, parameter in enumerate(statement.parameters or ()):
        if parameter.defexpr is not None:
            out[position] = RawStream()(parameter.defexpr)
    return out


def _search_path(row: Any, warnings: list[str]) -> tuple[str, ...] | None:
    found = None
    for setting in row.config or ():
        name, _, value = setting.partition("=")
        if name == "search_path":
            found = split_search_path(value)
        else:
            warnings.append(
                f"{row.schema}.{row.name}: setting {name} of the routine is not modeled and will not be compared"
            )
    return found


def split_search_path(value: str) -> tuple[str, ...]:
    """`shop, "My Schema", pg_catalog` -> ('shop', 'My Schema', 'pg_catalog'); `""` -> ().
    PostgreSQL stores the list quoted as quote_ident does: unquoted spaces only pad separators."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    i = 0
    while i < len(value):
        ch = value[i]
        if quoted and ch == '"' and value[i + 1 : i + 2] == '"':
            current.append('"')
            i += 1
        elif ch == '"':
            quoted = not quoted
        elif quoted or ch not in ", ":
            current.append(ch)
        elif ch == ",":
            parts.append("".join(current))
            current = []
        i += 1
    parts.append("".join(current))
    return tuple(p for p in parts if p)


def views(
    rows: list[Any], indexes: Callable[[int, QualifiedName], list[Index]]
) -> tuple[list[View], list[MaterializedView]]:
    plain, materialized = [], []
    for row in rows:
        query = _query_text(row.query)
        options = dict(o.partition("=")[::2] for o in row.options or ())
        if row.kind == "v":
            check = options.get("check_option")
            plain.append(
                View(
                    row.schema,
                    row.name,
                    query,
                    (),
                    check,
                    options.get("security_barrier") == "true",
                    options.get("security_invoker") == "true",
                    row.comment,
                )
            )
        else:
            qname = QualifiedName(row.schema, row.name)
            materialized.append(
                MaterializedView(row.schema, row.name, query, (), tuple(indexes(row.oid, qname)), row.comment)
            )
    return plain, materialized


def _query_text(text: str) -> str:
    """pg_get_viewdef's text without its leading blank and trailing semicolon."""
    text = text.strip()
    return text[:-1].rstrip() if text.endswith(";") else text


def trigger(row: Any) -> Trigger:
    statement = parse_sql(row.definition)[0].stmt
    assert isinstance(statement, ast.CreateTrigStmt)
    bits, kinds = statement.timing or 0, statement.events or 0
    timing: TriggerTiming = "before" if bits & _BEFORE else "instead of" if bits & _INSTEAD else "after"
    events = tuple(e for bit, e in _EVENT_BITS if kinds & bit)
    function = [text_of(p.sval) for p in items(statement.funcname)]
    when = strip_outer_parentheses(RawStream()(statement.whenClause)) if statement.whenClause is not None else None
    return Trigger(
        name=row.name,
        timing=timing,
        events=events,
        function=QualifiedName(function[0], function[1])
        if len(function) == 2
        else QualifiedName("public", function[0]),
        update_columns=tuple(c.sval for c in statement.columns or ()),
        for_each="row" if statement.row else "statement",
        when=when,
        arguments=tuple(a.sval for a in statement.args or ()),
        enabled=_ENABLED[row.enabled],
        comment=row.comment,
    )


def dependencies(rows: list[Any]) -> tuple[Dependency, ...]:
    return tuple(
        Dependency((r.kind, r.schema, r.name), (r.ref_kind, r.ref_schema, r.ref_name), r.ref_column) for r in rows
    )
