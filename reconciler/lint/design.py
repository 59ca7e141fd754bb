"""The design rules: one function per rule, each reading the desired schema (`model.Catalog`).

Stage: lint. A check yields `Issue`s naming the object they are about; severity, location and
suppression are the engine's business. Partitions are skipped where their parent speaks for them
(keys, indexes and column types are the parent's). Types are judged on the object that spells
them: a column of a domain type is the domain's business, reported once, on the domain.

Live facts (`Usage`, read with --url) only sharpen `design/integer-key-near-limit`; every other
rule reads the YAML alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pglast import ast

from reconciler.introspect.usage import Usage
from reconciler.lint.findings import Issue
from reconciler.lint.settings import LintSettings
from reconciler.lint.sqltypes import FLOAT_TYPES, INTEGER_MAX, SERIAL_TYPES, TypeName, type_name
from reconciler.load.locations import ObjectKey
from reconciler.model import Catalog, Column, Domain, Index, PrimaryKey, QualifiedName, Table, UniqueConstraint
from reconciler.sqlparse.fragments import SqlTextError, canonical_expression, parse_expression, parse_name


@dataclass(frozen=True)
class DesignContext:
    catalog: Catalog
    settings: LintSettings
    usage: Usage | None = None  # live sequence positions (with --url)


Check = Callable[[DesignContext], Iterable[Issue]]
CHECKS: dict[str, Check] = {}


def check(rule: str) -> Callable[[Check], Check]:
    def register(function: Check) -> Check:
        CHECKS[rule] = function
        return function

    return register


def design_issues(ctx: DesignContext, rules: Iterable[str]) -> Iterator[Issue]:
    """Run the checks of `rules` (the ones not switched off)."""
    for rule in rules:
        yield from CHECKS[rule](ctx)


# --- helpers -----------------------------------------------------------------------------------


def _tables(catalog: Catalog) -> Iterator[Table]:
    """Tables that speak for themselves (partitions are their parent's business)."""
    return (t for t in catalog.tables if t.partition_of is None)


def _column_key(table: Table, column: str) -> ObjectKey:
    return ObjectKey("column", table.schema, table.name, column)


def _table_key(table: Table) -> ObjectKey:
    return ObjectKey("table", table.schema, table.name)


def _domain(catalog: Catalog, spelled: TypeName, schema: str) -> Domain | None:
    """The domain a type names, resolved like PostgreSQL would for the YAML: the object's own
    schema, then public."""
    if spelled.builtin:
        return None
    schemas = [spelled.schema] if spelled.schema else [schema, "public"]
    for candidate in schemas:
        found = next((d for d in catalog.domains if d.schema == candidate and d.name == spelled.name), None)
        if found is not None:
            return found
    return None


@dataclass(frozen=True, slots=True)
class _Typed:
    """Something that spells a type: a column, a domain's base type, a composite attribute."""

    subject: ObjectKey
    type: TypeName
    column: Column | None = None
    table: Table | None = None


def _typed(catalog: Catalog) -> Iterator[_Typed]:
    for table in _tables(catalog):
        for column in table.columns:
            spelled = type_name(column.type)
            if spelled is not None and _domain(catalog, spelled, table.schema) is None:
                yield _Typed(_column_key(table, column.name), spelled, column, table)
    for domain in catalog.domains:
        spelled = type_name(domain.type)
        if spelled is not None:
            yield _Typed(ObjectKey("domain", domain.schema, domain.name), spelled)
    for composite in catalog.composite_types:
        for attribute in composite.attributes:
            spelled = type_name(attribute.type)
            if spelled is not None and _domain(catalog, spelled, composite.schema) is None:
                yield _Typed(ObjectKey("attribute", composite.schema, composite.name, attribute.name), spelled)


def _spelled(thing: _Typed) -> str:
    return f"{thing.subject} is `{thing.type}`"


# --- keys and indexes ---------------------------------------------------------------------------


@check("design/table-without-primary-key")
def table_without_primary_key(ctx: DesignContext) -> Iterator[Issue]:
    for table in _tables(ctx.catalog):
        if table.primary_key is not None:
            continue
        message = f"{_table_key(table)} has no primary key"
        not_null = {c.name for c in table.columns if not c.nullable}
        candidate = next((u for u in table.uniques if set(u.columns) <= not_null), None)
        if candidate is not None:
            message += f" (its unique key {candidate.name} over NOT NULL columns could become one)"
        yield Issue("design/table-without-primary-key", _table_key(table), message)


@dataclass(frozen=True, slots=True)
class _Keyed:
    """An index, or the index behind a primary key or unique constraint, as comparable keys."""

    name: str
    what: str  # "index x", "primary key x", "unique constraint x"
    subject: ObjectKey
    keys: tuple[tuple[object, ...], ...]
    include: frozenset[str]
    unique: bool
    method: str
    where: str | None
    constraint: bool

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(str(k[0]) if k[0] is not None else f"({k[1]})" for k in self.keys)


def _element_key(
    column: str | None,
    expression: str | None,
    collation: str | None,
    opclass: str | None,
    order: str,
    nulls: str | None,
) -> tuple[object, ...]:
    default_nulls = "first" if order == "desc" else "last"
    return (column, _canonical(expression), collation, opclass, order, nulls or default_nulls)


def _canonical(expression: str | None) -> str | None:
    if expression is None:
        return None
    try:
        return canonical_expression(expression)
    except SqlTextError:
        return expression


def _keyed(table: Table) -> list[_Keyed]:
    found: list[_Keyed] = []
    constraints: list[PrimaryKey | UniqueConstraint] = [
        *([table.primary_key] if table.primary_key else []),
        *table.uniques,
    ]
    for constraint in constraints:
        what = "primary key" if isinstance(constraint, PrimaryKey) else "unique constraint"
        keys = tuple(_element_key(c, None, None, None, "asc", None) for c in constraint.columns)
        key = ObjectKey("constraint", table.schema, table.name, constraint.name)
        found.append(
            _Keyed(
                constraint.name,
                f"{what} {constraint.name}",
                key,
                keys,
                frozenset(constraint.include),
                True,
                "btree",
                None,
                True,
            )
        )
    for index in table.indexes:
        found.append(_keyed_index(table, index))
    return found


def _keyed_index(table: Table, index: Index) -> _Keyed:
    keys = tuple(_element_key(e.column, e.expression, e.collation, e.opclass, e.order, e.nulls) for e in index.elements)
    return _Keyed(
        index.name,
        f"index {index.name}",
        ObjectKey("index", table.schema, table.name, index.name),
        keys,
        frozenset(index.include),
        index.unique,
        index.method,
        _canonical(index.where),
        False,
    )


@check("design/foreign-key-without-index")
def foreign_key_without_index(ctx: DesignContext) -> Iterator[Issue]:
    for table in _tables(ctx.catalog):
        usable = [k for k in _keyed(table) if k.where is None and k.method == "btree"]
        for fk in table.foreign_keys:
            wanted = set(fk.columns)
            width = len(fk.columns)
            if any(_leading_columns(k, width) == wanted for k in usable):
                continue
            columns = ", ".join(fk.columns)
            message = (
                f"foreign key {fk.name} ({columns}) -> {fk.references} has no index on {table.qname} starting with "
                f"({columns}): deleting or updating a row of {fk.references} scans {table.qname}"
            )
            yield Issue(
                "design/foreign-key-without-index", ObjectKey("constraint", table.schema, table.name, fk.name), message
            )


def _leading_columns(keyed: _Keyed, width: int) -> set[str] | None:
    leading = keyed.keys[:width]
    if len(leading) < width or any(k[0] is None for k in leading):
        return None
    return {str(k[0]) for k in leading}


@check("design/duplicate-index")
def duplicate_index(ctx: DesignContext) -> Iterator[Issue]:
    for table in _tables(ctx.catalog):
        keyed = _keyed(table)
        reported: set[str] = set()
        for i, first in enumerate(keyed):
            for second in keyed[i + 1 :]:
                if (first.keys, first.method, first.where, first.include) != (
                    second.keys,
                    second.method,
                    second.where,
                    second.include,
                ):
                    continue
                extra = _which_is_extra(first, second)
                if extra is None or extra.name in reported:
                    continue
                kept = second if extra is first else first
                reported.add(extra.name)
                message = f"{extra.what} on {table.qname} ({', '.join(extra.columns)}) duplicates {kept.what}"
                yield Issue("design/duplicate-index", extra.subject, message)


def _which_is_extra(a: _Keyed, b: _Keyed) -> _Keyed | None:
    """Of two indexes with one definition, the one to remove: a plain index before a constraint,
    a non-unique one before a unique one, else the second."""
    if a.constraint != b.constraint:
        return b if a.constraint else a
    if a.unique != b.unique:
        return b if a.unique else a
    return b


@check("design/redundant-index")
def redundant_index(ctx: DesignContext) -> Iterator[Issue]:
    for table in _tables(ctx.catalog):
        keyed = [k for k in _keyed(table) if k.method == "btree"]
        for small in keyed:
            if small.unique or small.constraint:
                continue  # it enforces something
            for large in keyed:
                if large is small or large.where != small.where:
                    continue
                if _covers(large, small):
                    message = (
                        f"{small.what} on {table.qname} ({', '.join(small.columns)}) is served by {large.what} "
                        f"({', '.join(large.columns)})"
                    )
                    yield Issue("design/redundant-index", small.subject, message)
                    break


def _covers(large: _Keyed, small: _Keyed) -> bool:
    """`large` answers every query `small` does: `small`'s keys lead `large`'s, and what `small`
    carries for index-only scans is in `large` too. Equal definitions are duplicates instead."""
    if large.keys[: len(small.keys)] != small.keys:
        return False
    if len(large.keys) == len(small.keys):
        return small.include < large.include
    carried = {str(k[0]) for k in large.keys if k[0] is not None} | large.include
    return small.include <= carried


# --- types --------------------------------------------------------------------------------------


@check("design/timestamp-without-time-zone")
def timestamp_without_time_zone(ctx: DesignContext) -> Iterator[Issue]:
    for thing in _typed(ctx.catalog):
        if thing.type.builtin and thing.type.name == "timestamp":
            yield Issue(
                "design/timestamp-without-time-zone",
                thing.subject,
                f"{_spelled(thing)}: a wall-clock time without its time zone",
            )


@check("design/char-or-varchar")
def char_or_varchar(ctx: DesignContext) -> Iterator[Issue]:
    for thing in _typed(ctx.catalog):
        spelled = thing.type
        if not spelled.builtin:
            continue
        if spelled.name == "char":
            yield Issue("design/char-or-varchar", thing.subject, f"{_spelled(thing)}: blank-padded to its length")
        elif spelled.name == "varchar" and spelled.modifiers:
            yield Issue("design/char-or-varchar", thing.subject, f"{_spelled(thing)}: a length limit kept in the type")


@check("design/money-type")
def money_type(ctx: DesignContext) -> Iterator[Issue]:
    for thing in _typed(ctx.catalog):
        if thing.type.builtin and thing.type.name == "money":
            yield Issue("design/money-type", thing.subject, f"{_spelled(thing)}: its meaning depends on lc_monetary")


@check("design/float-for-amount")
def float_for_amount(ctx: DesignContext) -> Iterator[Issue]:
    pattern = re.compile(ctx.settings.amount_pattern, re.IGNORECASE)
    for thing in _typed(ctx.catalog):
        name = thing.subject.member or thing.subject.name
        if thing.type.builtin and thing.type.name in FLOAT_TYPES and pattern.search(name):
            yield Issue(
                "design/float-for-amount",
                thing.subject,
                f"{_spelled(thing)}, a binary fraction, for what its name says is an amount",
            )


@check("design/nullable-boolean")
def nullable_boolean(ctx: DesignContext) -> Iterator[Issue]:
    for thing in _typed(ctx.catalog):
        column = thing.column
        if column is None or column.generated is not None or not column.nullable:
            continue
        if thing.type.builtin and thing.type.name == "boolean" and not thing.type.array:
            yield Issue(
                "design/nullable-boolean", thing.subject, f"{thing.subject} is a nullable boolean: true, false or NULL"
            )


@check("design/serial-column")
def serial_column(ctx: DesignContext) -> Iterator[Issue]:
    for table in _tables(ctx.catalog):
        for column in table.columns:
            spelled = type_name(column.type)
            if spelled is not None and spelled.builtin and spelled.name in SERIAL_TYPES:
                yield Issue(
                    "design/serial-column",
                    _column_key(table, column.name),
                    f"{_column_key(table, column.name)} is `{spelled.name}`",
                )
                continue
            sequence = _nextval_sequence(column, table.schema)
            owned = ctx.catalog.sequence(sequence) if sequence else None
            if owned is not None and owned.owned_by == (table.qname, column.name):
                message = (
                    f"{_column_key(table, column.name)} takes its default from {owned.qname}, which it owns: a serial "
                    "column"
                )
                yield Issue("design/serial-column", _column_key(table, column.name), message)


def _nextval_sequence(column: Column, schema: str) -> QualifiedName | None:
    """The sequence of a `nextval('seq')` default (unqualified: in the table's schema)."""
    if column.default is None:
        return None
    try:
        node = parse_expression(column.default).node
    except SqlTextError:
        return None
    if not (
        isinstance(node, ast.FuncCall)
        and node.funcname
        and node.funcname[-1].sval == "nextval"
        and node.args
        and len(node.args) == 1
    ):
        return None
    argument = node.args[0]
    while isinstance(argument, ast.TypeCast):
        argument = argument.arg
    text = getattr(getattr(argument, "val", None), "sval", None)
    if not isinstance(text, str):
        return None
    try:
        parts = parse_name(text)
    except SqlTextError:
        return None
    if len(parts) == 1:
        return QualifiedName(schema, parts[0])
    return QualifiedName(parts[-2], parts[-1])


@check("design/integer-key-near-limit")
def integer_key_near_limit(ctx: DesignContext) -> Iterator[Issue]:
    for table in _tables(ctx.catalog):
        if table.primary_key is None:
            continue
        for name in table.primary_key.columns:
            column = table.column(name)
            spelled = type_name(column.type) if column is not None else None
            if column is None or spelled is None or not spelled.builtin:
                continue
            limit_type = {"smallserial": "smallint", "serial": "integer", "bigserial": "bigint"}.get(
                spelled.name, spelled.name
            )
            if limit_type not in INTEGER_MAX:
                continue
            position = _key_position(ctx, table, column, limit_type)
            if position is None:
                continue
            used, where = position
            if used >= ctx.settings.key_limit_ratio:
                message = f"{_column_key(table, name)} ({limit_type}) is a key whose {where} {used:.0%} of its range"
                yield Issue("design/integer-key-near-limit", _column_key(table, name), message)


def _key_position(ctx: DesignContext, table: Table, column: Column, type_name_: str) -> tuple[float, str] | None:
    """How much of its range the key's sequence has used, from the live database when it was
    read, else from the declared start value; None when no sequence feeds the column."""
    sequence = _nextval_sequence(column, table.schema)
    top = INTEGER_MAX[type_name_]
    if ctx.usage is not None:
        live = ctx.usage.for_column(table.qname, column.name) or (
            ctx.usage.for_sequence(sequence) if sequence else None
        )
        if live is not None and live.last_value is not None and live.increment > 0:
            top = min(live.max_value, top)
            if top > live.min_value:
                used = (live.last_value - live.min_value) / (top - live.min_value)
                return used, f"sequence {live.sequence} has counted to {live.last_value:,}, using"
    options = None
    owned = ctx.catalog.sequence(sequence) if sequence is not None else None
    if column.identity is not None:
        options = column.identity.options
    elif owned is not None:
        options = owned.options
    if options is None or options.start is None:
        return None
    top = min(options.max_value or top, top)
    low = options.min_value or 1
    if (options.increment or 1) < 0 or top <= low:
        return None
    return (options.start - low) / (top - low), f"sequence starts at {options.start:,}, using"


# --- documentation and names --------------------------------------------------------------------


@check("design/table-without-comment")
def table_without_comment(ctx: DesignContext) -> Iterator[Issue]:
    for table in _tables(ctx.catalog):
        if not table.comment:
            yield Issue("design/table-without-comment", _table_key(table), f"{_table_key(table)} has no comment")


@check("design/naming-convention")
def naming_convention(ctx: DesignContext) -> Iterator[Issue]:
    naming = ctx.settings.naming
    for kind, subject, name, table in _named(ctx.catalog):
        pattern = naming.pattern(kind)
        if pattern is None:
            continue
        if table is not None:
            pattern = pattern.replace("{table}", re.escape(table))
        if not re.fullmatch(pattern, name):
            setting = "schema" if kind == "schema" else kind
            message = f"{kind} name {name!r} does not match lint.naming.{setting} ({pattern})"
            yield Issue("design/naming-convention", subject, message)


def _named(catalog: Catalog) -> Iterator[tuple[str, ObjectKey, str, str | None]]:
    """(pattern kind, subject, name, table name for members) for every named object."""
    for schema in catalog.schemas:
        yield "schema", ObjectKey("schema", schema.name, schema.name), schema.name, None
    for table in catalog.tables:
        yield "table", _table_key(table), table.name, None
        if table.partition_of is None:
            for column in table.columns:
                yield "column", _column_key(table, column.name), column.name, table.name
            for constraint in table.constraints():
                yield (
                    "constraint",
                    ObjectKey("constraint", table.schema, table.name, constraint.name),
                    constraint.name,
                    table.name,
                )
            for index in table.indexes:
                yield "index", ObjectKey("index", table.schema, table.name, index.name), index.name, table.name
        for trigger in table.triggers:
            yield "trigger", ObjectKey("trigger", table.schema, table.name, trigger.name), trigger.name, table.name
    for sequence in catalog.sequences:
        yield "sequence", ObjectKey("sequence", sequence.schema, sequence.name), sequence.name, None
    for kind, group in (
        ("enum", catalog.enums),
        ("domain", catalog.domains),
        ("composite type", catalog.composite_types),
    ):
        for obj in group:
            yield "type", ObjectKey(kind, obj.schema, obj.name), obj.name, None
    for kind, views in (("view", catalog.views), ("materialized view", catalog.materialized_views)):
        for view in views:
            yield "view", ObjectKey(kind, view.schema, view.name), view.name, None
    for function in catalog.functions:
        yield "function", ObjectKey(function.kind, function.schema, function.name), function.name, None
