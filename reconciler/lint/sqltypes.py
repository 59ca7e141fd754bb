"""Type names as a reviewer reads them: `TIMESTAMP(3)`, `timestamp without time zone` and
`pg_catalog.timestamp` are one type, `int4` is `integer`, `character(3)` is `char(3)`.

Stage: lint. Types are parsed with PostgreSQL's own parser (`sqltext.parse_type`), so the YAML's
spelling and the catalog's (`format_type`) classify alike; nothing here talks to a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pglast import ast

from reconciler.sqlparse.fragments import SqlTextError, parse_type

# The parser's internal names of built-in types -> the name a reviewer knows them by.
_BUILTIN = {
    "int2": "smallint",
    "int4": "integer",
    "int": "integer",
    "int8": "bigint",
    "serial2": "smallserial",
    "serial4": "serial",
    "serial8": "bigserial",
    "float4": "real",
    "float8": "double precision",
    "bpchar": "char",
    "varchar": "varchar",
    "timestamp": "timestamp",
    "timestamptz": "timestamptz",
    "time": "time",
    "timetz": "timetz",
    "bool": "boolean",
    "numeric": "numeric",
    "money": "money",
    "text": "text",
}
SERIAL_TYPES = frozenset({"smallserial", "serial", "bigserial"})
INTEGER_MAX = {"smallint": 32767, "integer": 2147483647, "bigint": 9223372036854775807}
FLOAT_TYPES = frozenset({"real", "double precision"})


@dataclass(frozen=True, slots=True)
class TypeName:
    """A parsed type: `schema` is None for built-in types (and unqualified user types)."""

    schema: str | None
    name: str
    modifiers: tuple[int, ...] = ()
    array: bool = False

    @property
    def builtin(self) -> bool:
        return self.schema is None and self.name in _BUILTIN.values()

    def __str__(self) -> str:
        mods = f"({', '.join(map(str, self.modifiers))})" if self.modifiers else ""
        return f"{self.schema + '.' if self.schema else ''}{self.name}{mods}{'[]' if self.array else ''}"


@lru_cache(maxsize=4096)
def type_name(text: str) -> TypeName | None:
    """The type `text` names, or None when it does not parse as one (never raises)."""
    try:
        node = parse_type(text).node
    except SqlTextError:
        return None
    assert isinstance(node, ast.TypeName)
    parts = [part.sval for part in node.names or ()]
    modifiers = tuple(_modifier(m) for m in node.typmods or ())
    array = bool(node.arrayBounds)
    if len(parts) == 2 and parts[0] == "pg_catalog":
        parts = parts[1:]
    if len(parts) == 1 and parts[0] in _BUILTIN:
        name = _BUILTIN[parts[0]]
        if name == "char" and text.strip().lower() == "bpchar":
            modifiers = ()  # `bpchar` alone: blank-padded without a length
        return TypeName(None, name, modifiers, array)
    if len(parts) == 1:
        return TypeName(None, parts[0], modifiers, array)
    return TypeName(parts[-2], parts[-1], modifiers, array)


def _modifier(node: object) -> int:
    value = getattr(node, "val", None)
    return int(getattr(value, "ival", 0) or 0)
