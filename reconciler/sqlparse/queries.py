"""SQL text of code objects (view queries, routine bodies), checked with PostgreSQL's parser.

Like `fragments` for expressions: a view query is spliced into DDL as pglast's deparsed rendering of
its one SELECT, never as the text the user wrote, so a stray `;` or comment cannot smuggle another
statement in. A routine body is never spliced at all: it is passed as a string literal (`AS '...'`
via psycopg's quoting), and only checked here so that a syntax error points at the YAML file.

Also the reverse direction used by the dependency graph: which relations and functions a query or
expression refers to.
"""

from __future__ import annotations

from functools import lru_cache

from pglast import ast, parse_sql
from pglast.parser import ParseError
from pglast.stream import RawStream
from pglast.visitors import Visitor

from reconciler.sqlparse.fragments import items, text_of


class CodeTextError(ValueError):
    """A query or body does not parse, or is not what it must be."""


def _message(exc: ParseError) -> str:
    return str(exc.args[0]) if exc.args else str(exc)


@lru_cache(maxsize=4096)
def _select(text: str) -> ast.SelectStmt:
    if not text.strip():
        raise CodeTextError("query is empty")
    try:
        statements = parse_sql(text)
    except ParseError as exc:
        raise CodeTextError(f"query does not parse: {_message(exc)}") from None
    if len(statements) != 1 or not isinstance(statements[0].stmt, ast.SelectStmt):
        raise CodeTextError("query must be exactly one SELECT (or VALUES) statement")
    stmt = statements[0].stmt
    if stmt.intoClause is not None:
        raise CodeTextError("query may not use SELECT ... INTO")
    return stmt


def check_query(text: str) -> str:
    _select(text)
    return text


def canonical_query(text: str) -> str:
    """The parser-checked rendering of a view query, safe to splice into DDL."""
    return RawStream()(_select(text))


def check_body(body: str, language: str) -> str:
    """Check a routine body written in SQL; other languages (PL/pgSQL included: its parser also
    resolves variable names, which needs the routine's signature) are checked by PostgreSQL when the
    desired schema is rendered into the scratch database."""
    if not body.strip():
        raise CodeTextError("body is empty")
    if language == "sql":
        try:
            parse_sql(body)
        except ParseError as exc:
            raise CodeTextError(f"body does not parse as SQL: {_message(exc)}") from None
    return body


class _References(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.relations: set[tuple[str | None, str]] = set()
        self.functions: set[tuple[str | None, str]] = set()
        self.ctes: set[str] = set()

    def visit_RangeVar(self, ancestors: object, node: ast.RangeVar) -> None:
        self.relations.add((node.schemaname, text_of(node.relname)))

    def visit_CommonTableExpr(self, ancestors: object, node: ast.CommonTableExpr) -> None:
        self.ctes.add(text_of(node.ctename))

    def visit_FuncCall(self, ancestors: object, node: ast.FuncCall) -> None:
        parts = [text_of(p.sval) for p in items(node.funcname)]
        self.functions.add((parts[0], parts[1]) if len(parts) == 2 else (None, parts[-1]))


def references(text: str, *, query: bool) -> tuple[set[tuple[str | None, str]], set[tuple[str | None, str]]]:
    """(relations, functions) named in a query (or in an expression when `query` is False), each
    as (schema or None, name). CTE names are not relations."""
    try:
        tree = _select(text) if query else parse_sql("SELECT " + text)[0].stmt
    except (CodeTextError, ParseError):
        return set(), set()
    found = _References()
    if tree is not None:
        found(tree)
    relations = {r for r in found.relations if not (r[0] is None and r[1] in found.ctes)}
    return relations, found.functions


def output_names(text: str) -> tuple[str, ...] | None:
    """The column names a view query produces, as far as the parse tree tells (None for `*` or
    set operations: unknown without the catalog)."""
    try:
        stmt = _select(text)
    except CodeTextError:
        return None
    if stmt.targetList is None:
        return None
    names = []
    for target in stmt.targetList:
        if target.name is not None:
            names.append(target.name)
        elif isinstance(target.val, ast.ColumnRef) and isinstance(items(target.val.fields)[-1], ast.String):
            names.append(text_of(items(target.val.fields)[-1].sval))
        elif isinstance(target.val, ast.FuncCall):
            names.append(text_of(items(target.val.funcname)[-1].sval))
        else:
            return None
    return tuple(names)
