"""DDL of code objects: functions, procedures, views, materialized views and triggers.

Stage: ddl, same rules as the rest of it (composed with psycopg.sql, names as identifiers,
fragments in their parser-checked rendering). Routine bodies are passed as string literals
(`AS '...'`), so no body text is ever spliced into a statement; view queries are spliced as
pglast's rendering of their one SELECT (`sqlparse.queries.canonical_query`).
"""

from __future__ import annotations

from collections.abc import Iterator

from psycopg import sql

from reconciler.ddl.relations import create_index_on
from reconciler.ddl.statement import Statement, comment_on, expression_sql, qualified, type_sql
from reconciler.model import Function, FunctionArgument, Index, MaterializedView, QualifiedName, Table, Trigger, View
from reconciler.sqlparse.queries import canonical_query

_VOLATILITY = {"immutable": "IMMUTABLE", "stable": "STABLE", "volatile": "VOLATILE"}


_PARALLEL = {"unsafe": "UNSAFE", "restricted": "RESTRICTED", "safe": "SAFE"}


_ENABLE = {"always": "ENABLE ALWAYS", "replica": "ENABLE REPLICA", "disabled": "DISABLE", "origin": "ENABLE"}


# pg_dump's setting: bodies are checked when the routine runs (or by `validate_sql_functions`),
# so a function and the tables its SQL body reads can be created in either order.
CHECK_BODIES_OFF = Statement(sql.SQL("SET check_function_bodies = off"))


CHECK_BODIES_ON = Statement(sql.SQL("SET check_function_bodies = on"))


CHECK_BODIES_OFF_LOCAL = Statement(sql.SQL("SET LOCAL check_function_bodies = off"))


def _subject(kind: str, name: QualifiedName) -> tuple[str, str, str]:
    return (kind, name.schema, name.name)


# --- routines -----------------------------------------------------------------------------


def _argument(argument: FunctionArgument) -> sql.Composed:
    parts: list[sql.Composable] = []
    if argument.mode != "in":
        parts.append(sql.SQL(argument.mode.upper()))
    if argument.name is not None:
        parts.append(sql.Identifier(argument.name))
    parts.append(type_sql(argument.type))
    if argument.default is not None:
        parts.append(sql.SQL("DEFAULT {}").format(expression_sql(argument.default)))
    return sql.SQL(" ").join(parts)


def routine_target(function: Function) -> sql.Composed:
    """`FUNCTION "s"."f"(integer, text)`: the signature DROP, ALTER and COMMENT need."""
    types = sql.SQL(", ").join(type_sql(t) for t in function.identity_types)
    keyword = "PROCEDURE" if function.kind == "procedure" else "FUNCTION"
    return sql.SQL(keyword + " {}({})").format(qualified(function.qname), types)


def _returns(function: Function) -> sql.Composable:
    if function.table:
        columns = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(c.name), type_sql(c.type)) for c in function.table
        )
        return sql.SQL("RETURNS TABLE ({})").format(columns)
    keyword = "RETURNS SETOF {}" if function.setof else "RETURNS {}"
    return sql.SQL(keyword).format(type_sql(function.returns or "void"))


def _search_path(function: Function) -> list[sql.Composable]:
    if function.search_path is None:
        return []
    if not function.search_path:
        return [sql.SQL("SET search_path TO ''")]
    return [
        sql.SQL("SET search_path TO {}").format(sql.SQL(", ").join(sql.Identifier(s) for s in function.search_path))
    ]


def create_routine(function: Function) -> Statement:
    """CREATE OR REPLACE FUNCTION / PROCEDURE with every attribute spelled out."""
    arguments = sql.SQL(", ").join(_argument(a) for a in function.arguments)
    head = "CREATE OR REPLACE PROCEDURE {}({})" if function.kind == "procedure" else "CREATE OR REPLACE FUNCTION {}({})"
    parts: list[sql.Composable] = [sql.SQL(head).format(qualified(function.qname), arguments)]
    if function.kind == "function":
        parts.append(_returns(function))
    parts.append(sql.SQL("LANGUAGE {}").format(sql.Identifier(function.language)))
    if function.kind == "function":
        parts.append(sql.SQL(_VOLATILITY[function.volatility]))
        parts.append(sql.SQL("STRICT" if function.strict else "CALLED ON NULL INPUT"))
        parts.append(sql.SQL("PARALLEL " + _PARALLEL[function.parallel]))
    parts.append(sql.SQL("SECURITY DEFINER" if function.security_definer else "SECURITY INVOKER"))
    parts += _search_path(function)
    parts.append(sql.SQL("AS {}").format(sql.Literal(function.body)))
    return Statement(sql.SQL("\n  ").join(parts), function.schema, _subject(function.kind, function.qname))


def drop_routine(function: Function) -> Statement:
    return Statement(
        sql.SQL("DROP {}").format(routine_target(function)), function.schema, _subject(function.kind, function.qname)
    )


def comment_routine(function: Function) -> Statement:
    return comment_on(routine_target(function), function.comment, function.schema)


# --- views --------------------------------------------------------------------------------


def _columns(columns: tuple[str, ...]) -> sql.Composable:
    if not columns:
        return sql.SQL("")
    return sql.SQL(" ({})").format(sql.SQL(", ").join(sql.Identifier(c) for c in columns))


def create_view(view: View, *, replace: bool = False) -> Statement:
    options = [
        name
        for name, on in (("security_barrier", view.security_barrier), ("security_invoker", view.security_invoker))
        if on
    ]
    parts: list[sql.Composable] = [
        sql.SQL("CREATE OR REPLACE VIEW {}{}" if replace else "CREATE VIEW {}{}").format(
            qualified(view.qname), _columns(view.columns)
        )
    ]
    if options:
        parts.append(sql.SQL("WITH ({})").format(sql.SQL(", ").join(sql.SQL(o + " = true") for o in options)))
    parts.append(sql.SQL("AS {}").format(sql.SQL(canonical_query(view.query))))
    if view.check_option is not None:
        parts.append(sql.SQL("WITH " + view.check_option.upper() + " CHECK OPTION"))
    return Statement(sql.SQL(" ").join(parts), view.schema, _subject("view", view.qname))


def drop_view(view: QualifiedName) -> Statement:
    return Statement(sql.SQL("DROP VIEW {}").format(qualified(view)), view.schema, _subject("view", view))


def reset_view_options(view: QualifiedName, options: list[str]) -> Statement:
    """`options` are known option names (security_barrier, security_invoker, check_option)."""
    names = sql.SQL(", ").join(
        sql.SQL(o) for o in options if o in ("security_barrier", "security_invoker", "check_option")
    )
    return Statement(
        sql.SQL("ALTER VIEW {} RESET ({})").format(qualified(view), names), view.schema, _subject("view", view)
    )


def view_target(view: QualifiedName) -> sql.Composed:
    return sql.SQL("VIEW {}").format(qualified(view))


def create_materialized_view(view: MaterializedView, *, name: str | None = None, with_data: bool = True) -> Statement:
    target = QualifiedName(view.schema, name or view.name)
    statement = sql.SQL("CREATE MATERIALIZED VIEW {}{} AS {} WITH " + ("DATA" if with_data else "NO DATA")).format(
        qualified(target), _columns(view.columns), sql.SQL(canonical_query(view.query))
    )
    return Statement(statement, view.schema, _subject("materialized view", view.qname))


def materialized_view_indexes(
    view: MaterializedView, *, name: str | None = None, rename: dict[str, str] | None = None
) -> list[Statement]:
    """Plain (not CONCURRENTLY) index builds: the materialized view is new and nobody reads it yet."""
    target = QualifiedName(view.schema, name or view.name)
    rename = rename or {}
    return [
        create_index_on(target, _renamed_index(i, rename.get(i.name, i.name)), concurrently=False) for i in view.indexes
    ]


def _renamed_index(index: Index, name: str) -> Index:
    return Index(
        name,
        index.elements,
        index.unique,
        index.method,
        index.where,
        index.include,
        index.nulls_not_distinct,
        index.comment,
    )


def drop_materialized_view(view: QualifiedName) -> Statement:
    return Statement(
        sql.SQL("DROP MATERIALIZED VIEW {}").format(qualified(view)), view.schema, _subject("materialized view", view)
    )


def rename_materialized_view(view: QualifiedName, new_name: str) -> Statement:
    statement = sql.SQL("ALTER MATERIALIZED VIEW {} RENAME TO {}").format(qualified(view), sql.Identifier(new_name))
    return Statement(statement, view.schema)


def refresh_materialized_view(view: QualifiedName, *, concurrently: bool) -> Statement:
    keyword = "REFRESH MATERIALIZED VIEW CONCURRENTLY {}" if concurrently else "REFRESH MATERIALIZED VIEW {}"
    return Statement(sql.SQL(keyword).format(qualified(view)), view.schema, _subject("materialized view", view))


def materialized_view_target(view: QualifiedName) -> sql.Composed:
    return sql.SQL("MATERIALIZED VIEW {}").format(qualified(view))


def materialized_view_comments(view: MaterializedView, *, name: str | None = None) -> list[Statement]:
    target = QualifiedName(view.schema, name or view.name)
    out = [comment_on(materialized_view_target(target), view.comment, view.schema)] if view.comment is not None else []
    for index in view.indexes:
        if index.comment is not None:
            out.append(
                comment_on(
                    sql.SQL("INDEX {}").format(sql.Identifier(view.schema, index.name)), index.comment, view.schema
                )
            )
    return out


def reindex_concurrently(index: QualifiedName) -> Statement:
    return Statement(sql.SQL("REINDEX INDEX CONCURRENTLY {}").format(qualified(index)), index.schema)


# --- triggers -----------------------------------------------------------------------------


def create_table_trigger(table: QualifiedName, trigger: Trigger) -> list[Statement]:
    """CREATE TRIGGER (and its enabled state and comment when not the defaults)."""
    events: list[sql.Composable] = []
    for event in trigger.events:
        if event == "update" and trigger.update_columns:
            events.append(
                sql.SQL("UPDATE OF {}").format(sql.SQL(", ").join(sql.Identifier(c) for c in trigger.update_columns))
            )
        else:
            events.append(sql.SQL(event.upper()))
    parts: list[sql.Composable] = [
        sql.SQL("CREATE TRIGGER {} " + trigger.timing.upper()).format(sql.Identifier(trigger.name)),
        sql.SQL(" OR ").join(events),
        sql.SQL("ON {} FOR EACH " + trigger.for_each.upper()).format(qualified(table)),
    ]
    if trigger.when is not None:
        parts.append(sql.SQL("WHEN {}").format(expression_sql(trigger.when)))
    arguments = sql.SQL(", ").join(sql.Literal(a) for a in trigger.arguments)
    parts.append(sql.SQL("EXECUTE FUNCTION {}({})").format(qualified(trigger.function), arguments))
    out = [Statement(sql.SQL(" ").join(parts), table.schema, ("table", table.schema, table.name))]
    if trigger.enabled != "origin":
        out.append(enable_trigger(table, trigger))
    if trigger.comment is not None:
        out.append(comment_on(trigger_target(table, trigger.name), trigger.comment, table.schema))
    return out


def enable_trigger(table: QualifiedName, trigger: Trigger) -> Statement:
    statement = sql.SQL("ALTER TABLE {} " + _ENABLE[trigger.enabled] + " TRIGGER {}").format(
        qualified(table), sql.Identifier(trigger.name)
    )
    return Statement(statement, table.schema, ("table", table.schema, table.name))


def drop_table_trigger(table: QualifiedName, name: str) -> Statement:
    return Statement(sql.SQL("DROP TRIGGER {} ON {}").format(sql.Identifier(name), qualified(table)), table.schema)


def trigger_target(table: QualifiedName, name: str) -> sql.Composed:
    return sql.SQL("TRIGGER {} ON {}").format(sql.Identifier(name), qualified(table))


def table_triggers(table: Table) -> Iterator[Statement]:
    for trigger in table.triggers:
        yield from create_table_trigger(table.qname, trigger)
