"""Conversion of code documents (Function, Procedure, View, MaterializedView) and table triggers
into the model, with the cross-document checks only the whole directory can answer.

Stage: load. Called by the loader with its `assemble.Assembler`, whose registries (relation names
per schema, origins, problems) these functions share, so a view cannot take a table's name and
errors stay file:line.
"""

from __future__ import annotations

from typing import Any

from reconciler.load import codespec as cs
from reconciler.load import spec as s
from reconciler.load.assemble import Assembler, Entry
from reconciler.model import Function, FunctionArgument, MaterializedView, QualifiedName, ResultColumn, Trigger, View
from reconciler.model.code import RoutineKind, TriggerEvent
from reconciler.sqlparse.fragments import canonical_type, column_references, parse_expression, parse_name

ROUTINE_KINDS: dict[str, RoutineKind] = {"Function": "function", "Procedure": "procedure"}
_EVENTS: tuple[TriggerEvent, ...] = ("insert", "update", "delete", "truncate")


def functions(a: Assembler, declared: set[str]) -> list[Function]:
    registry: dict[tuple[str, ...], Entry[Any]] = {}
    out = []
    for kind, routine in ROUTINE_KINDS.items():
        for entry in a.entries.get(kind, []):
            function = _function(a, entry, routine)
            a.schema_declared(entry, function.schema, declared)
            key = (function.schema, function.name, *(canonical_type(t) for t in function.identity_types))
            if _unique_signature(a, entry, key, registry, function):
                out.append(function)
                a.origins[(routine, function.schema, function.name)] = entry.origin
    return out


def _unique_signature(
    a: Assembler,
    entry: Entry[Any],
    key: tuple[str, ...],
    registry: dict[tuple[str, ...], Entry[Any]],
    function: Function,
) -> bool:
    if key in registry:
        a.problem(
            entry.at(
                "name",
                message=f"{function} is already defined at {registry[key].origin} (same name and argument types)",
            )
        )
        return False
    registry[key] = entry
    return True


def _function(a: Assembler, entry: Entry[Any], kind: RoutineKind) -> Function:
    spec = entry.spec
    arguments = []
    for i, arg in enumerate(spec.arguments):
        if arg.default is not None and arg.mode == "out":
            a.problem(entry.at("arguments", i, "default", message="an OUT argument cannot have a default"))
        arguments.append(FunctionArgument(type=arg.type, name=arg.name, mode=arg.mode, default=arg.default))
    returns, setof, table = None, False, tuple[ResultColumn, ...]()
    if isinstance(spec, cs.FunctionSpec):
        if isinstance(spec.returns, str):
            returns = spec.returns
        elif spec.returns.setof is not None:
            returns, setof = spec.returns.setof, True
        else:
            returns, setof = "record", True
            table = tuple(ResultColumn(c.name, c.type) for c in spec.returns.table or ())
    extra: dict[str, Any] = {}
    if isinstance(spec, cs.FunctionSpec):
        extra = {"volatility": spec.volatility, "strict": spec.strict, "parallel": spec.parallel}
    return Function(
        schema=spec.schema_,
        name=entry.sql_name,
        kind=kind,
        arguments=tuple(arguments),
        returns=returns,
        setof=setof,
        table=table,
        language=spec.language,
        security_definer=spec.security_definer,
        search_path=tuple(spec.search_path) if spec.search_path is not None else None,
        body=spec.body,
        comment=spec.comment,
        **extra,
    )


def views(a: Assembler, declared: set[str]) -> list[View]:
    out = []
    for entry in a.entries.get("View", []):
        spec: cs.ViewSpec = entry.spec
        a.schema_declared(entry, spec.schema_, declared)
        if _register_relation(a, entry, "view"):
            out.append(
                View(
                    spec.schema_,
                    entry.sql_name,
                    spec.query,
                    tuple(spec.columns),
                    spec.check_option,
                    spec.security_barrier,
                    spec.security_invoker,
                    spec.comment,
                )
            )
    return out


def materialized_views(a: Assembler, declared: set[str]) -> list[MaterializedView]:
    out = []
    for entry in a.entries.get("MaterializedView", []):
        spec: cs.MaterializedViewSpec = entry.spec
        a.schema_declared(entry, spec.schema_, declared)
        if _register_relation(a, entry, "materialized view"):
            out.append(_materialized_view(a, entry))
    return out


def _materialized_view(a: Assembler, entry: Entry[Any]) -> MaterializedView:
    spec: cs.MaterializedViewSpec = entry.spec
    # The query's columns are known only to PostgreSQL: every column an index names is taken as
    # known here, and the scratch database judges it.
    known = set(spec.columns) | {n for index in spec.indexes for n in _index_names(index)}
    indexes = tuple(a.index(entry, i, index, known) for i, index in enumerate(spec.indexes))
    if spec.refresh == "concurrently" and not any(
        i.unique and i.where is None and all(e.column for e in i.elements) for i in indexes
    ):
        a.problem(
            entry.at(
                "refresh",
                message="refresh: concurrently needs a unique index over plain columns without a WHERE clause",
            )
        )
    return MaterializedView(
        spec.schema_, entry.sql_name, spec.query, tuple(spec.columns), indexes, spec.comment, spec.refresh
    )


def _index_names(index: s.IndexSpec) -> set[str]:
    names = {c if isinstance(c, str) else c.column for c in index.columns}
    names |= set(index.include)
    if index.where is not None:
        names |= column_references(parse_expression(index.where))
    return {n for n in names if n is not None}


def _register_relation(a: Assembler, entry: Entry[Any], kind: str) -> bool:
    """Views share pg_class with tables, sequences and indexes: one name per schema."""
    schema = entry.spec.schema_
    if not a.unique("relation", (schema, entry.sql_name), entry, a.relation_registry):
        return False
    a.relations[schema].add(entry.sql_name)
    a.origins[(kind, schema, entry.sql_name)] = entry.origin
    return True


def triggers(
    a: Assembler, entry: Entry[s.TableSpec], known: set[str], routines: set[QualifiedName]
) -> tuple[Trigger, ...]:
    out = []
    seen: set[str] = set()
    for i, spec in enumerate(entry.spec.triggers):
        if spec.name in seen:
            a.problem(entry.at("triggers", i, "name", message=f"duplicate trigger name {spec.name!r}"))
        seen.add(spec.name)
        a.check_columns(entry, ("triggers", i, "columns"), spec.columns, known)
        if spec.columns and "update" not in spec.events:
            a.problem(entry.at("triggers", i, "columns", message="columns (UPDATE OF) need the `update` event"))
        if spec.timing == "instead of":
            a.problem(
                entry.at(
                    "triggers", i, "timing", message="INSTEAD OF triggers are for views; a table takes before or after"
                )
            )
        if "truncate" in spec.events and spec.for_each == "row":
            a.problem(entry.at("triggers", i, "events", message="a truncate trigger must be `forEach: statement`"))
        out.append(_trigger(spec, entry.spec.schema_, routines))
    return tuple(out)


def _trigger(spec: s.TriggerSpec, schema: str, routines: set[QualifiedName]) -> Trigger:
    return Trigger(
        name=spec.name,
        timing=spec.timing,
        events=tuple(e for e in _EVENTS if e in spec.events),
        function=resolve_function(parse_name(spec.function, "function"), schema, routines),
        update_columns=tuple(spec.columns),
        for_each=spec.for_each,
        when=spec.when,
        arguments=tuple(spec.arguments),
        enabled=spec.enabled,
        comment=spec.comment,
    )


def resolve_function(parts: tuple[str, ...], schema: str, routines: set[QualifiedName]) -> QualifiedName:
    """An unqualified function name resolves in the object's schema, then `public` (as types do)."""
    if len(parts) == 2:
        return QualifiedName(parts[0], parts[1])
    for candidate in (schema, "public"):
        if QualifiedName(candidate, parts[-1]) in routines:
            return QualifiedName(candidate, parts[-1])
    return QualifiedName(schema, parts[-1])
