"""Read a live database into the schema model.

Stage: introspect. Contract: `read_catalog(conn, schemas)` returns a `LiveState`: the model of
the managed schemas plus facts the planner needs (server version, table sizes, invalid indexes)
and objects the model cannot represent yet (reported, never dropped).

How: one bulk query per object kind (queries/*.sql), never one per table, all in one
REPEATABLE READ, READ ONLY transaction so every query sees the same snapshot, with a statement
timeout. `search_path` is pg_catalog only, so PostgreSQL prints every name outside pg_catalog
schema-qualified: the text of types, defaults and expressions then does not depend on the
session, and the desired side (read back from a scratch database the same way) compares exactly.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import psycopg
from pglast.parser import parse_sql_json
from psycopg import sql
from psycopg.rows import namedtuple_row, tuple_row

from reconciler.ddl.statement import Query
from reconciler.errors import IntrospectionError
from reconciler.introspect import code, usertypes
from reconciler.introspect import grants as grant_reader
from reconciler.introspect.partitions import with_partitioning
from reconciler.model import (
    Catalog,
    CheckConstraint,
    Column,
    EnumType,
    Extension,
    ForeignKey,
    Generated,
    Identity,
    Index,
    IndexElement,
    PrimaryKey,
    QualifiedName,
    Schema,
    Sequence,
    SequenceOptions,
    Table,
    UniqueConstraint,
    normalized,
)
from reconciler.model.objects import FkAction, FkMatch, NullsOrder
from reconciler.pg.dsn import connect
from reconciler.sqlparse.fragments import sql_name, strip_outer_parentheses

BOOKKEEPING_SCHEMA = "reconciler"  # the journal lives here; never part of a user's schema
DEFAULT_STATEMENT_TIMEOUT_MS = 120_000

_FK_ACTIONS: dict[str, FkAction] = {
    "a": "no action",
    "r": "restrict",
    "c": "cascade",
    "n": "set null",
    "d": "set default",
}
_FK_MATCH: dict[str, FkMatch] = {"s": "simple", "f": "full"}  # MATCH PARTIAL: not implemented by PostgreSQL
_NULLS: dict[str, NullsOrder] = {"SORTBY_NULLS_FIRST": "first", "SORTBY_NULLS_LAST": "last"}
_NULLS_WORDS: dict[str, NullsOrder] = {"FIRST": "first", "LAST": "last"}


@dataclass(frozen=True, slots=True)
class TableStats:
    """The planner's estimates (pg_class.reltuples / relpages); -1 rows means never analyzed."""

    rows: float
    pages: int

    @property
    def bytes(self) -> int:
        return self.pages * 8192


@dataclass(frozen=True, slots=True)
class UnmanagedObject:
    kind: str
    schema: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind} {self.schema}.{self.name}"


@dataclass(frozen=True)
class LiveState:
    catalog: Catalog
    server_version: int  # server_version_num, e.g. 180001
    server_version_text: str
    database: str
    schemas_in_scope: tuple[str, ...]
    stats: dict[QualifiedName, TableStats] = field(default_factory=dict)
    invalid_indexes: tuple[tuple[QualifiedName, str], ...] = ()  # left by a failed CONCURRENTLY build
    unmanaged: tuple[UnmanagedObject, ...] = ()
    warnings: tuple[str, ...] = ()
    volatile_functions: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()  # every role of the cluster (grants must name existing ones)
    dependencies: tuple[code.Dependency, ...] = ()  # from pg_depend, see introspect.code

    @property
    def major_version(self) -> int:
        return self.server_version // 10000


# Catalog columns that only newer servers have: (first version, expression, stand-in before it).
# Choosing the expression by version costs nothing; reading the column through to_jsonb(row),
# which works on every version, made the constraints query a third slower on 10,000 tables.
_SINCE: dict[str, tuple[int, str, str]] = {
    "nulls_not_distinct": (150000, "i.indnullsnotdistinct", "false"),  # also in indexes.sql
    "delete_set_numbers": (150000, "con.confdelsetcols", "NULL::int2[]"),
    "trigger_is_clone": (130000, "t.tgparentid <> 0", "false"),  # clones are tgisinternal before 13
}
_VERSIONED_QUERIES = frozenset({"constraints", "indexes", "triggers"})


@cache
def _query(name: str, version: int = 0) -> Query:
    """A constant template shipped with the package; parameters are bound, never formatted in."""
    text = sql.SQL(resources.files("reconciler.introspect").joinpath("queries", f"{name}.sql").read_text())
    if name not in _VERSIONED_QUERIES:
        return text
    return text.format(**{key: sql.SQL(new if version >= since else old) for key, (since, new, old) in _SINCE.items()})


def _rows(conn: psycopg.Connection[Any], name: str, **params: Any) -> list[Any]:
    if name in _TUPLE_QUERIES:
        return _tuple_rows(conn, name, params)
    version = conn.info.server_version if name in _VERSIONED_QUERIES else 0
    with conn.cursor(row_factory=namedtuple_row) as cur:
        cur.execute(_query(name, version), params)
        return cur.fetchall()


# The columns query returns one row per column of every table (90,000 rows for 10,000 tables):
# plain tuples, read by position, cost half as much to fetch as named tuples.
_COLUMN_FIELDS = (
    "table_oid",
    "number",
    "name",
    "type",
    "not_null",
    "default_expr",
    "identity",
    "generated",
    "collation_schema",
    "collation_name",
    "comment",
    "id_start",
    "id_increment",
    "id_min",
    "id_max",
    "id_cache",
    "id_cycle",
)
_TUPLE_QUERIES = {"columns": _COLUMN_FIELDS}
(
    C_TABLE,
    C_NUMBER,
    C_NAME,
    C_TYPE,
    C_NOT_NULL,
    C_DEFAULT,
    C_IDENTITY,
    C_GENERATED,
    C_COLL_SCHEMA,
    C_COLL_NAME,
    C_COMMENT,
    C_ID_START,
    C_ID_INCREMENT,
    C_ID_MIN,
    C_ID_MAX,
    C_ID_CACHE,
    C_ID_CYCLE,
) = range(len(_COLUMN_FIELDS))


def _tuple_rows(conn: psycopg.Connection[Any], name: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with conn.cursor(row_factory=tuple_row) as cur:
        cur.execute(_query(name), params)
        returned = tuple(column.name for column in cur.description or ())
        if returned != _TUPLE_QUERIES[name]:  # the .sql file and the positions below must agree
            raise IntrospectionError(
                f"queries/{name}.sql returns {returned}, the reader expects {_TUPLE_QUERIES[name]}"
            )
        return cur.fetchall()


def _session(conn: psycopg.Connection[Any], statement_timeout_ms: int) -> None:
    conn.execute("SET LOCAL search_path = pg_catalog")
    # catalog-wide sorts and hashes of a large schema spill to disk at the default 4MB
    conn.execute("SET LOCAL work_mem = '64MB'")
    # the large queries already run side by side on their own connections; parallel workers on
    # top only add the cost of funnelling wide rows through a Gather (a quarter of the columns query)
    conn.execute("SET LOCAL max_parallel_workers_per_gather = 0")
    conn.execute(sql.SQL("SET LOCAL statement_timeout = {}").format(sql.Literal(statement_timeout_ms)))


@contextlib.contextmanager
def _snapshot_transaction(
    conn: psycopg.Connection[Any], statement_timeout_ms: int, snapshot: str | None = None
) -> Iterator[None]:
    """A REPEATABLE READ, READ ONLY transaction, optionally on an exported snapshot."""
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    try:
        with conn.transaction():
            if snapshot is not None:
                conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
            _session(conn, statement_timeout_ms)
            yield
    finally:
        conn.read_only = False
        conn.isolation_level = None


def read_catalog(
    conn: psycopg.Connection[Any],
    schemas: Iterable[str] | None = None,
    *,
    dsn: str | None = None,
    statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS,
) -> LiveState:
    """Introspect `schemas` (default: every user schema) of the connected database.

    Given the connection's `dsn`, the three large queries run on parallel connections that
    import this transaction's snapshot (as `pg_dump -j` does), so they see exactly the same
    catalog state while the server works on them concurrently.
    """
    try:
        with _snapshot_transaction(conn, statement_timeout_ms):
            fetch = _parallel_fetcher(conn, dsn, statement_timeout_ms) if dsn else _serial_fetcher(conn)
            return _read(conn, schemas, fetch)
    except psycopg.errors.QueryCanceled:
        raise IntrospectionError(
            f"reading the catalog took longer than the statement timeout ({statement_timeout_ms} ms)"
        ) from None
    except psycopg.Error as exc:
        raise IntrospectionError(f"reading the catalog failed: {str(exc).strip().splitlines()[0]}") from None


# Starts the three large per-table queries and returns the function that waits for their rows.
Fetcher = Callable[[list[int]], Callable[[], dict[str, list[Any]]]]
_PER_TABLE_QUERIES = ("columns", "constraints", "indexes")


def _serial_fetcher(conn: psycopg.Connection[Any]) -> Fetcher:
    return lambda oids: lambda: {name: _rows(conn, name, oids=oids) for name in _PER_TABLE_QUERIES}


def _parallel_fetcher(conn: psycopg.Connection[Any], dsn: str, statement_timeout_ms: int) -> Fetcher:
    row = conn.execute("SELECT pg_catalog.pg_export_snapshot()").fetchone()
    assert row is not None
    snapshot = str(row[0])

    def one(name: str, oids: list[int]) -> list[Any]:
        with connect(dsn) as other, _snapshot_transaction(other, statement_timeout_ms, snapshot):
            return _rows(other, name, oids=oids)

    def fetch(oids: list[int]) -> Callable[[], dict[str, list[Any]]]:
        pool = ThreadPoolExecutor(len(_PER_TABLE_QUERIES), thread_name_prefix="introspect")
        futures = {name: pool.submit(one, name, oids) for name in _PER_TABLE_QUERIES}
        pool.shutdown(wait=False)  # the threads end with their query

        def wait() -> dict[str, list[Any]]:
            return {name: future.result() for name, future in futures.items()}

        return wait

    return fetch


Rows = Callable[..., list[Any]]


def _read_ahead(conn: psycopg.Connection[Any], scope: list[str], oids: list[int]) -> Rows:
    """Run the small queries now, while the large ones run on their own connections, and serve
    their rows to whoever asks for them later; anything not read ahead is queried when asked."""
    by_schema, by_table = {"schemas": scope}, {"oids": oids}
    requests: list[tuple[str, dict[str, Any]]] = [
        ("extensions", {}),
        ("volatile", {}),
        ("roles", {}),
        ("partitions", by_table),
        ("triggers", by_table),
        *(
            (name, by_schema)
            for name in (
                "enums",
                "sequences",
                "unmanaged",
                "functions",
                "views",
                "dependencies",
                "domains",
                "composite_types",
                "row_security",
                "collations",
                "grants",
                "function_grants",
                "default_privileges",
            )
        ),
    ]
    ahead = {_request_key(name, params): _rows(conn, name, **params) for name, params in requests}

    def rows(name: str, **params: Any) -> list[Any]:
        found = ahead.pop(_request_key(name, params), None)
        return found if found is not None else _rows(conn, name, **params)

    return rows


def _request_key(name: str, params: dict[str, Any]) -> tuple[Any, ...]:
    return (name, *sorted((key, tuple(value) if isinstance(value, list) else value) for key, value in params.items()))


def _read(conn: psycopg.Connection[Any], schemas: Iterable[str] | None, fetch: Fetcher) -> LiveState:
    server = _rows(conn, "server")[0]
    all_schemas = _rows(conn, "schemas", bookkeeping=BOOKKEEPING_SCHEMA)
    wanted = set(schemas) if schemas is not None else {s.name for s in all_schemas}
    wanted.discard(BOOKKEEPING_SCHEMA)
    scope = sorted(wanted)
    table_rows = _rows(conn, "tables", schemas=scope)
    oids = [r.oid for r in table_rows]
    wait = fetch(oids)
    rows = _read_ahead(conn, scope, oids)
    per_table = wait()
    schema_objects = tuple(Schema(r.name, r.comment) for r in all_schemas if r.name in wanted)
    extensions = tuple(Extension(r.name, r.schema, r.version) for r in rows("extensions"))
    enums = tuple(EnumType(r.schema, r.name, tuple(r.labels), r.comment) for r in rows("enums", schemas=scope))
    sequences = tuple(_sequence(r) for r in rows("sequences", schemas=scope))
    unmanaged = tuple(UnmanagedObject(r.kind, r.schema, r.name) for r in rows("unmanaged", schemas=scope))
    volatile = frozenset(r.name for r in rows("volatile"))
    columns = _group(per_table["columns"], C_TABLE)
    constraints = _group(per_table["constraints"])
    indexes = _group(per_table["indexes"])
    warnings: list[str] = []
    invalid: list[tuple[QualifiedName, str]] = []
    tables = []
    stats: dict[QualifiedName, TableStats] = {}
    for row in table_rows:
        qname = QualifiedName(row.schema, row.name)
        table_indexes = []
        for index_row in indexes.get(row.oid, []):
            if not index_row.valid:
                invalid.append((qname, index_row.name))
                continue
            table_indexes.append(_index(index_row, qname, warnings))
        tables.append(_table(row, columns.get(row.oid, []), constraints.get(row.oid, []), table_indexes))
        stats[qname] = TableStats(rows=row.reltuples, pages=row.relpages)
    tables = with_partitioning(tables, oids, rows("partitions", oids=oids))
    catalog = Catalog(
        extensions=extensions, schemas=schema_objects, enums=enums, sequences=sequences, tables=tuple(tables)
    )
    catalog = usertypes.extend(rows, catalog, scope)
    catalog, code_unmanaged, dependencies = _code(rows, catalog, table_rows, scope, warnings)
    catalog = grant_reader.extend(rows, catalog, scope)  # after _code: routines and views have privileges
    unmanaged += code_unmanaged
    return LiveState(
        catalog=normalized(catalog),
        server_version=server.version_num,
        server_version_text=server.version,
        database=server.database,
        schemas_in_scope=tuple(scope),
        stats=stats,
        invalid_indexes=tuple(invalid),
        unmanaged=unmanaged,
        warnings=tuple(warnings),
        volatile_functions=volatile,
        roles=grant_reader.roles(rows),
        dependencies=dependencies,
    )


def _code(
    rows: Rows, catalog: Catalog, table_rows: list[Any], scope: list[str], warnings: list[str]
) -> tuple[Catalog, tuple[UnmanagedObject, ...], tuple[code.Dependency, ...]]:
    """Functions, procedures, views, materialized views and triggers (see introspect.code)."""
    functions, unmanaged = code.functions(rows("functions", schemas=scope), warnings)
    view_rows = rows("views", schemas=scope)
    matview_indexes = _group(rows("indexes", oids=[r.oid for r in view_rows if r.kind == "m"]))
    views, materialized = code.views(
        view_rows, lambda oid, qname: [_index(r, qname, warnings) for r in matview_indexes.get(oid, [])]
    )
    triggers = _group(rows("triggers", oids=[r.oid for r in table_rows]))
    by_name = {
        QualifiedName(r.schema, r.name): tuple(code.trigger(t) for t in triggers.get(r.oid, [])) for r in table_rows
    }
    tables = tuple(
        dataclasses.replace(t, triggers=by_name[t.qname]) if by_name.get(t.qname) else t for t in catalog.tables
    )
    catalog = dataclasses.replace(
        catalog, tables=tables, functions=tuple(functions), views=tuple(views), materialized_views=tuple(materialized)
    )
    dependencies = code.dependencies(rows("dependencies", schemas=scope))
    return catalog, tuple(UnmanagedObject(*u) for u in unmanaged), dependencies


def _group(rows: list[Any], position: int | None = None) -> dict[int, list[Any]]:
    grouped: dict[int, list[Any]] = defaultdict(list)
    if position is not None:
        for row in rows:
            grouped[row[position]].append(row)
        return grouped
    for row in rows:
        grouped[row.table_oid].append(row)
    return grouped


def _sequence(row: Any) -> Sequence:
    owned_by = None
    if row.owner_table is not None:
        owned_by = (QualifiedName(row.owner_schema, row.owner_table), row.owner_column)
    options = SequenceOptions(row.start, row.increment, row.min_value, row.max_value, row.cache, row.cycle)
    return Sequence(row.schema, row.name, row.type, options, owned_by, row.comment)


def _table(row: Any, columns: list[Any], constraints: list[Any], indexes: list[Index]) -> Table:
    names = {c[C_NUMBER]: c[C_NAME] for c in columns}

    def named(numbers: list[int] | None) -> tuple[str, ...]:
        return tuple(map(names.__getitem__, numbers)) if numbers else ()

    pk = None
    uniques, checks, fks = [], [], []
    for con in constraints:
        keys, include = named(con.column_numbers), named(con.include_numbers)
        if con.type == "p":
            pk = PrimaryKey(con.name, keys, include, con.deferrable, con.deferred, con.comment)
        elif con.type == "u":
            uniques.append(
                UniqueConstraint(
                    con.name, keys, include, con.nulls_not_distinct, con.deferrable, con.deferred, con.comment
                )
            )
        elif con.type == "c":
            checks.append(
                CheckConstraint(
                    con.name, strip_outer_parentheses(con.check_expr), con.no_inherit, not con.validated, con.comment
                )
            )
        elif con.type == "f":
            fks.append(_foreign_key(con, keys, named(con.delete_set_numbers)))
    return Table(
        schema=row.schema,
        name=row.name,
        columns=tuple(_column(c) for c in columns),
        primary_key=pk,
        uniques=tuple(uniques),
        checks=tuple(checks),
        foreign_keys=tuple(fks),
        indexes=tuple(indexes),
        comment=row.comment,
    )


def _column(row: tuple[Any, ...]) -> Column:
    if not row[C_IDENTITY] and not row[C_GENERATED] and row[C_COLL_NAME] is None:  # nearly every column
        return Column(row[C_NAME], row[C_TYPE], not row[C_NOT_NULL], row[C_DEFAULT], None, None, None, row[C_COMMENT])
    identity = None
    if row[C_IDENTITY]:
        options = SequenceOptions(
            row[C_ID_START], row[C_ID_INCREMENT], row[C_ID_MIN], row[C_ID_MAX], row[C_ID_CACHE], bool(row[C_ID_CYCLE])
        )
        identity = Identity("always" if row[C_IDENTITY] == "a" else "by default", options)
    generated = None
    default = row[C_DEFAULT]
    if row[C_GENERATED]:
        generated = Generated(strip_outer_parentheses(default), "stored" if row[C_GENERATED] == "s" else "virtual")
        default = None
    collation = None
    if row[C_COLL_NAME] is not None:
        parts = [row[C_COLL_NAME]] if row[C_COLL_SCHEMA] == "pg_catalog" else [row[C_COLL_SCHEMA], row[C_COLL_NAME]]
        collation = sql_name(parts)
    return Column(
        name=row[C_NAME],
        type=row[C_TYPE],
        nullable=not row[C_NOT_NULL],
        default=default,
        identity=identity,
        generated=generated,
        collation=collation,
        comment=row[C_COMMENT],
    )


def _foreign_key(con: Any, columns: tuple[str, ...], delete_set_columns: tuple[str, ...]) -> ForeignKey:
    return ForeignKey(
        name=con.name,
        columns=columns,
        references=QualifiedName(con.ref_schema, con.ref_table),
        referenced_columns=tuple(con.ref_columns),
        on_delete=_FK_ACTIONS[con.on_delete],
        on_update=_FK_ACTIONS[con.on_update],
        on_delete_set_columns=delete_set_columns,
        match=_FK_MATCH[con.match],
        deferrable=con.deferrable,
        initially_deferred=con.deferred,
        not_valid=not con.validated,
        comment=con.comment,
    )


# The index options PostgreSQL keeps per key column (pg_index.indoption).
_INDOPTION_DESC = 1
_INDOPTION_NULLS_FIRST = 2


def _plain_index(row: Any) -> Index:
    """An index the catalog query found to be on plain columns only (see queries/indexes.sql).

    NULLS is kept only where it is not the default for the order, as PostgreSQL prints it."""
    elements = []
    for column, options in zip(row.key_columns, row.key_options, strict=False):
        desc = bool(options & _INDOPTION_DESC)
        nulls_first = bool(options & _INDOPTION_NULLS_FIRST)
        nulls: NullsOrder | None = None if nulls_first == desc else ("first" if nulls_first else "last")
        elements.append(IndexElement(column=column, order="desc" if desc else "asc", nulls=nulls))
    where = strip_outer_parentheses(row.predicate) if row.predicate is not None else None
    return Index(row.name, tuple(elements), row.is_unique, row.method, where, (), False, row.comment)


# pg_get_indexdef of an index on plain columns: CREATE [UNIQUE] INDEX name ON table USING method
# (a, b DESC, ...) [WHERE ...]. Names that need quotes, expressions, operator classes, collations,
# INCLUDE, NULLS NOT DISTINCT and storage parameters never match, and go to the parser. It catches
# plain indexes the catalog test leaves out (a varchar column under text_ops, an enum column).
_SIMPLE_INDEX = re.compile(
    r"^CREATE (UNIQUE )?INDEX [a-z_][a-z0-9_]* ON (?:ONLY )?[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]* USING ([a-z_]+) "
    r'\(([^()"]*)\)(?: WHERE .*)?$',
    re.S,
)
_SIMPLE_ELEMENT = re.compile(r"^([a-z_][a-z0-9_]*)( DESC)?(?: NULLS (FIRST|LAST))?$")


def _simple_index(row: Any) -> Index | None:
    """The common case without the parser (about ten times faster); None when not that simple."""
    match = _SIMPLE_INDEX.match(row.definition)
    if match is None or (" WHERE " in row.definition) != (row.predicate is not None):
        return None
    elements = []
    for text in match.group(3).split(", "):
        element = _SIMPLE_ELEMENT.match(text)
        if element is None or element.group(1) in _INDEX_WORDS:
            return None
        nulls = _NULLS_WORDS[element.group(3)] if element.group(3) else None
        elements.append(IndexElement(column=element.group(1), order="desc" if element.group(2) else "asc", nulls=nulls))
    where = strip_outer_parentheses(row.predicate) if row.predicate is not None else None
    return Index(row.name, tuple(elements), bool(match.group(1)), match.group(2), where, (), False, row.comment)


_INDEX_WORDS = frozenset({"desc", "asc", "nulls", "first", "last", "collate", "include", "where", "using"})


def _index(row: Any, table: QualifiedName, warnings: list[str]) -> Index:
    """Build an Index the cheapest way that reads it exactly: from the catalog, by pattern, or parsed."""
    if row.key_columns is not None:
        return _plain_index(row)
    return _simple_index(row) or _parse_index(row, table, warnings)


def _parse_index(row: Any, table: QualifiedName, warnings: list[str]) -> Index:
    """Build an Index from PostgreSQL's own definition, parsed by PostgreSQL's parser.

    We take pglast's JSON parse tree rather than its Python node objects: same parser, about six
    times faster on catalogs with tens of thousands of indexes."""
    statement = json.loads(parse_sql_json(row.definition))["stmts"][0]["stmt"]["IndexStmt"]
    elements = []
    for position, wrapped in enumerate(statement["indexParams"]):
        param = wrapped["IndexElem"]
        if param.get("opclassopts"):
            warnings.append(
                f"index {table.schema}.{row.name}: operator class parameters are not modeled and will not be compared"
            )
        elements.append(_index_element(param, row.keys[position] if row.keys else None))
    include = tuple(p["IndexElem"]["name"] for p in statement.get("indexIncludingParams", ()))
    where = strip_outer_parentheses(row.predicate) if row.predicate is not None else None
    return Index(
        name=row.name,
        elements=tuple(elements),
        unique=bool(statement.get("unique")),
        method=statement["accessMethod"],
        where=where,
        include=include,
        nulls_not_distinct=bool(statement.get("nulls_not_distinct")),
        comment=row.comment,
    )


def _names(nodes: list[dict[str, Any]] | None) -> str | None:
    if not nodes:
        return None
    parts = [n["String"]["sval"] for n in nodes]
    if len(parts) == 2 and parts[0] == "pg_catalog":
        parts = parts[1:]
    return sql_name(parts)


def _index_element(param: dict[str, Any], key_text: str | None) -> IndexElement:
    column = param.get("name")
    return IndexElement(
        column=column,
        expression=None if column is not None or key_text is None else strip_outer_parentheses(key_text),
        collation=_names(param.get("collation")),
        opclass=_names(param.get("opclass")),
        order="desc" if param.get("ordering") == "SORTBY_DESC" else "asc",
        nulls=_NULLS.get(param.get("nulls_ordering", "")),
    )
