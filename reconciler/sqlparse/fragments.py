"""SQL fragments written by users (types, defaults, check expressions, index predicates, backfill
and `using` expressions), checked and made safe with PostgreSQL's own parser (pglast).

Why a parser and not a regular expression: a fragment is spliced into DDL, so it must be exactly
one expression (or one type name) and nothing else. We parse it inside a fixed probe statement,
require that the parse tree is the probe with one expression in it, and when composing DDL we
splice pglast's deparsed rendering of that tree, never the original text: a trailing `-- comment`
or an unbalanced quote therefore cannot swallow or inject the SQL around it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pglast import ast, parse_sql
from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS
from pglast.parser import ParseError
from pglast.stream import RawStream

_EXPRESSION_PROBE = "SELECT "
_TYPE_PROBE = "SELECT NULL::"
_COLLATION_PROBE = "SELECT NULL COLLATE "


class SqlTextError(ValueError):
    """A fragment is not exactly one expression / type / name."""


# pglast types every field of a parse tree as optional: a list field is None when empty, and a
# name the grammar always fills is still `str | None`. These two say which is meant.
def items(value: tuple[Any, ...] | None) -> tuple[Any, ...]:
    """A list field of a parse-tree node (None when the list is empty)."""
    return value or ()


def text_of(value: str | None) -> str:
    """A name the grammar always fills (an identifier part, a CTE name)."""
    if value is None:
        raise SqlTextError("unexpected parse tree: a name is missing")
    return value


@dataclass(frozen=True, slots=True)
class Expression:
    text: str  # as the user wrote it
    node: ast.Node

    @property
    def sql(self) -> str:
        """The canonical, comment-free rendering that is safe to splice into DDL."""
        return RawStream()(self.node)


@lru_cache(maxsize=1)
def _empty_select() -> ast.SelectStmt:
    stmt = parse_sql("SELECT 1")[0].stmt
    assert isinstance(stmt, ast.SelectStmt)
    return stmt


@lru_cache(maxsize=65536)
def _single_target(probe: str, text: str, what: str) -> ast.Node:
    """Parse `probe + text` and return the one target expression, or raise SqlTextError."""
    if not text.strip():
        raise SqlTextError(f"{what} is empty")
    try:
        statements = parse_sql(probe + text)
    except ParseError as exc:
        raise SqlTextError(f"{what} does not parse: {_parse_message(exc, len(probe))}") from None
    if len(statements) != 1 or not isinstance(statements[0].stmt, ast.SelectStmt):
        raise SqlTextError(f"{what} must be a single SQL expression, not several statements")
    stmt = statements[0].stmt
    template = _empty_select()
    for attr in stmt:  # every field but the target list must be as in a bare `SELECT x`
        if attr != "targetList" and getattr(stmt, attr) != getattr(template, attr):
            raise SqlTextError(f"{what} must be a single SQL expression (found more than an expression)")
    targets = stmt.targetList or ()
    if len(targets) != 1:
        raise SqlTextError(f"{what} must be a single SQL expression, found {len(targets)}")
    target = targets[0]
    if target.name is not None:
        raise SqlTextError(
            f"{what} must be a single SQL expression; it ends in what reads as an alias ({target.name!r}): is it "
            "incomplete?"
        )
    if target.indirection or not isinstance(target.val, ast.Node):
        raise SqlTextError(f"{what} must be a single SQL expression")
    return target.val  # cached: callers must not modify the tree


def _parse_message(exc: ParseError, probe_length: int) -> str:
    message = str(exc.args[0]) if exc.args else str(exc)
    location = exc.args[1] if len(exc.args) > 1 else None
    if isinstance(location, int) and location >= probe_length:
        return f"{message} (at character {location - probe_length + 1})"
    return message


def parse_expression(text: str, what: str = "expression") -> Expression:
    node = _single_target(_EXPRESSION_PROBE, text, what)
    if isinstance(node, ast.ColumnRef) and any(isinstance(f, ast.A_Star) for f in items(node.fields)):
        raise SqlTextError(f"{what} must be a single SQL expression, not '*'")
    return Expression(text, node)


def parse_type(text: str) -> Expression:
    """Check that `text` is exactly one type name; the Expression's node is the TypeName."""
    node = _single_target(_TYPE_PROBE, text, "type")
    if not isinstance(node, ast.TypeCast) or not _is_null_constant(node.arg) or node.typeName is None:
        raise SqlTextError(f"type {text!r} is not a single type name")
    return Expression(text, node.typeName)


def parse_name(text: str, what: str = "name") -> tuple[str, ...]:
    """The parts of a possibly schema-qualified SQL name written as in SQL, e.g.
    `"C"` -> ('C',), `public.gin_trgm_ops` -> ('public', 'gin_trgm_ops'). Used for collations and
    operator classes, whose names follow the same grammar."""
    node = _single_target(_COLLATION_PROBE, text, what)
    if not isinstance(node, ast.CollateClause) or not _is_null_constant(node.arg):
        raise SqlTextError(f"{what} {text!r} is not a single name")
    return tuple(text_of(part.sval) for part in items(node.collname))


def _is_null_constant(node: ast.Node | None) -> bool:
    return isinstance(node, ast.A_Const) and bool(node.isnull)


_KEYWORDS = frozenset(RESERVED_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS | COL_NAME_KEYWORDS)
_PLAIN_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_$]*$")


def quote_name(part: str) -> str:
    """One identifier with the quoting PostgreSQL's quote_ident would give it (display only;
    statements are composed with psycopg.sql)."""
    if _PLAIN_IDENTIFIER.match(part) and part not in _KEYWORDS:
        return part
    return '"' + part.replace('"', '""') + '"'


def sql_name(parts: tuple[str, ...] | list[str]) -> str:
    return ".".join(quote_name(p) for p in parts)


def _closing_paren(text: str) -> int:
    """Index of the parenthesis closing the one at text[0], skipping quoted literals and
    identifiers; -1 if unbalanced. Meant for PostgreSQL's own output (pg_get_expr and friends),
    which has no comments or dollar quotes."""
    depth = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char in "'\"":
            escapes = char == "'" and i > 0 and text[i - 1] in "eE"
            i += 1
            while i < len(text):
                if escapes and text[i] == "\\":
                    i += 2
                    continue
                if text[i] == char:
                    if i + 1 < len(text) and text[i + 1] == char:  # doubled quote inside
                        i += 2
                        continue
                    break
                i += 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def strip_outer_parentheses(text: str) -> str:
    """`((a > 0))` -> `a > 0`: drop parentheses that enclose a whole expression printed by
    PostgreSQL (they carry no meaning there, and removing them keeps exported YAML readable)."""
    while text.startswith("(") and _closing_paren(text) == len(text) - 1:
        text = text[1:-1]
    return text


@lru_cache(maxsize=65536)
def canonical_expression(text: str) -> str:
    """The parser-checked rendering of an expression (what is spliced into DDL)."""
    return parse_expression(text).sql


@lru_cache(maxsize=16384)
def canonical_type(text: str) -> str:
    """The parser-checked rendering of a type name."""
    return parse_type(text).sql


def column_references(expression: Expression) -> set[str]:
    """Unqualified and qualified column names an expression mentions (last name part)."""
    found: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, ast.ColumnRef):
            names = [text_of(f.sval) for f in items(node.fields) if isinstance(f, ast.String)]
            if names:
                found.add(names[-1])
        if isinstance(node, ast.Node):
            for attr in node:
                visit(getattr(node, attr))
        elif isinstance(node, tuple | list):
            for item in node:
                visit(item)

    visit(expression.node)
    return found


def index_column_label(expression: Expression) -> str:
    """The name PostgreSQL gives an index expression column when it names an index
    (FigureIndexColname): the function's name for a function call, else 'expr'."""
    node: ast.Node | None = expression.node
    while isinstance(node, ast.TypeCast):
        node = node.arg
    if isinstance(node, ast.FuncCall):
        return text_of(items(node.funcname)[-1].sval)
    if isinstance(node, ast.ColumnRef):
        last = items(node.fields)[-1]
        if isinstance(last, ast.String):
            return text_of(last.sval)
    return "expr"


def _fresh_expression(text: str) -> ast.Node:
    """An uncached parse tree of an expression, safe to modify."""
    stmt = parse_sql(_EXPRESSION_PROBE + text)[0].stmt
    assert isinstance(stmt, ast.SelectStmt)  # the probe is a SELECT
    value = items(stmt.targetList)[0].val
    assert isinstance(value, ast.Node)
    return value


def _rewrite_column_refs(text: str, rewrite: Callable[[str], tuple[str, ...] | None]) -> str:
    root = _fresh_expression(text)

    def visit(node: object) -> None:
        if isinstance(node, ast.ColumnRef):
            names = [text_of(f.sval) for f in items(node.fields) if isinstance(f, ast.String)]
            if len(names) == 1 and len(items(node.fields)) == 1:
                replacement = rewrite(names[0])
                if replacement is not None:
                    node.fields = tuple(ast.String(sval=part) for part in replacement)
        if isinstance(node, ast.Node):
            for attr in node:
                visit(getattr(node, attr))
        elif isinstance(node, tuple | list):
            for item in node:
                visit(item)

    visit(root)
    return RawStream()(root)


def rename_columns(text: str, mapping: dict[str, str]) -> str:
    """The expression with unqualified column references renamed per `mapping`."""
    return _rewrite_column_refs(text, lambda name: (mapping[name],) if name in mapping else None)


def qualify_columns(text: str, qualifier: str) -> str:
    """The expression with every unqualified column reference qualified, e.g. `a + 1` ->
    `new.a + 1` (for PL/pgSQL trigger bodies)."""
    return _rewrite_column_refs(text, lambda name: (qualifier, name))
