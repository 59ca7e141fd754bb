"""DDL of tables, columns, constraints, indexes, sequences, partitions, and the sync triggers
of zero-downtime column swaps.

Stage: ddl. Composed with the primitives of `ddl.statement` (psycopg.sql, names as identifiers,
fragments in their parser-checked rendering).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from psycopg import sql

from reconciler.ddl.statement import (
    Query,
    Statement,
    Subject,
    comment_on,
    expression_sql,
    idents,
    name_sql,
    qualified,
    type_sql,
)
from reconciler.model import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    IndexElement,
    PrimaryKey,
    QualifiedName,
    Sequence,
    SequenceOptions,
    Table,
    UniqueConstraint,
)
from reconciler.model.partitions import PartitionBound, PartitionBy, PartitionKey
from reconciler.sqlparse.fragments import canonical_expression

Constraint = PrimaryKey | UniqueConstraint | CheckConstraint | ForeignKey


# --- definitions --------------------------------------------------------------------------


def _sequence_options(options: SequenceOptions, *, data_type: str | None = None) -> list[sql.Composable]:
    parts: list[sql.Composable] = []
    if data_type is not None:
        parts.append(sql.SQL("AS {}").format(type_sql(data_type)))
    for keyword, value in (
        ("INCREMENT BY", options.increment),
        ("MINVALUE", options.min_value),
        ("MAXVALUE", options.max_value),
        ("START WITH", options.start),
        ("CACHE", options.cache),
    ):
        if value is not None:
            parts.append(sql.SQL(keyword + " {}").format(sql.Literal(value)))
    parts.append(sql.SQL("CYCLE" if options.cycle else "NO CYCLE"))
    return parts


def column_definition(column: Column) -> sql.Composed:
    parts: list[sql.Composable] = [sql.Identifier(column.name), type_sql(column.type)]
    if column.collation is not None:
        parts.append(sql.SQL("COLLATE {}").format(name_sql(column.collation)))
    if column.identity is not None:
        keyword = "ALWAYS" if column.identity.generation == "always" else "BY DEFAULT"
        options = _sequence_options(column.identity.options)
        parts.append(sql.SQL("GENERATED " + keyword + " AS IDENTITY ({})").format(sql.SQL(" ").join(options)))
    if column.generated is not None:
        kind = "STORED" if column.generated.kind == "stored" else "VIRTUAL"
        parts.append(sql.SQL("GENERATED ALWAYS AS {} " + kind).format(expression_sql(column.generated.expression)))
    if column.default is not None:
        parts.append(sql.SQL("DEFAULT {}").format(expression_sql(column.default)))
    if not column.nullable:
        parts.append(sql.SQL("NOT NULL"))
    return sql.SQL(" ").join(parts)


def _deferrable(constraint: PrimaryKey | UniqueConstraint | ForeignKey) -> list[sql.Composable]:
    if not constraint.deferrable:
        return []
    return [sql.SQL("DEFERRABLE INITIALLY DEFERRED" if constraint.initially_deferred else "DEFERRABLE")]


def _include(columns: tuple[str, ...]) -> list[sql.Composable]:
    return [sql.SQL("INCLUDE ({})").format(idents(columns))] if columns else []


def constraint_body(constraint: Constraint) -> sql.Composed:
    """The constraint's definition after `CONSTRAINT name`, without NOT VALID."""
    parts: list[sql.Composable]
    if isinstance(constraint, PrimaryKey):
        parts = [sql.SQL("PRIMARY KEY ({})").format(idents(constraint.columns)), *_include(constraint.include)]
    elif isinstance(constraint, UniqueConstraint):
        nulls = " NULLS NOT DISTINCT" if constraint.nulls_not_distinct else ""
        parts = [sql.SQL("UNIQUE" + nulls + " ({})").format(idents(constraint.columns)), *_include(constraint.include)]
    elif isinstance(constraint, CheckConstraint):
        parts = [sql.SQL("CHECK {}").format(expression_sql(constraint.expression))]
        if constraint.no_inherit:
            parts.append(sql.SQL("NO INHERIT"))
        return sql.SQL(" ").join(parts)
    else:
        parts = [_foreign_key_body(constraint)]
    parts.extend(_deferrable(constraint))
    return sql.SQL(" ").join(parts)


def _foreign_key_body(fk: ForeignKey) -> sql.Composed:
    parts: list[sql.Composable] = [
        sql.SQL("FOREIGN KEY ({}) REFERENCES {} ({})").format(
            idents(fk.columns), qualified(fk.references), idents(fk.referenced_columns)
        )
    ]
    if fk.match == "full":
        parts.append(sql.SQL("MATCH FULL"))
    on_delete: Query = sql.SQL("ON DELETE " + fk.on_delete.upper())
    if fk.on_delete_set_columns:
        on_delete = sql.SQL("{} ({})").format(on_delete, idents(fk.on_delete_set_columns))
    parts.append(on_delete)
    parts.append(sql.SQL("ON UPDATE " + fk.on_update.upper()))
    return sql.SQL(" ").join(parts)


def constraint_definition(constraint: Constraint) -> sql.Composed:
    return sql.SQL("CONSTRAINT {} {}").format(sql.Identifier(constraint.name), constraint_body(constraint))


def index_element(element: IndexElement) -> sql.Composed:
    if element.column is not None:
        parts: list[sql.Composable] = [sql.Identifier(element.column)]
    else:
        assert element.expression is not None
        parts = [expression_sql(element.expression)]
    if element.collation is not None:
        parts.append(sql.SQL("COLLATE {}").format(name_sql(element.collation)))
    if element.opclass is not None:
        parts.append(name_sql(element.opclass))
    if element.order == "desc":
        parts.append(sql.SQL("DESC"))
    if element.nulls is not None:
        parts.append(sql.SQL("NULLS FIRST" if element.nulls == "first" else "NULLS LAST"))
    return sql.SQL(" ").join(parts)


# --- creation -----------------------------------------------------------------------------


def create_sequence(sequence: Sequence) -> Statement:
    options = _sequence_options(sequence.options, data_type=sequence.type)
    statement = sql.SQL("CREATE SEQUENCE {} {}").format(qualified(sequence.qname), sql.SQL(" ").join(options))
    return Statement(statement, sequence.schema, ("sequence", sequence.schema, sequence.name))


def sequence_owned_by(sequence: Sequence) -> Statement:
    owner: Query = sql.SQL("NONE")
    if sequence.owned_by is not None:
        table, column = sequence.owned_by
        owner = sql.SQL("{}.{}").format(qualified(table), sql.Identifier(column))
    statement = sql.SQL("ALTER SEQUENCE {} OWNED BY {}").format(qualified(sequence.qname), owner)
    return Statement(statement, sequence.schema, ("sequence", sequence.schema, sequence.name))


def create_table(table: Table) -> Statement:
    """CREATE TABLE with columns and the constraints that need no other table (no FKs)."""
    if table.partition_of is not None:
        return create_partition(table)
    items = [column_definition(c) for c in table.columns]
    items += [constraint_definition(c) for c in table.constraints() if is_inline(c)]
    body = sql.SQL(",\n  ").join(items)
    statement = sql.SQL("CREATE TABLE {} (\n  {}\n)").format(qualified(table.qname), body)
    if table.partition_by is not None:
        statement = sql.SQL("{} {}").format(statement, partition_by_clause(table.partition_by))
    return Statement(statement, table.schema, table_subject(table))


def table_subject(table: Table) -> Subject:
    return ("table", table.schema, table.name)


def is_inline(constraint: Constraint) -> bool:
    """Constraints written inside CREATE TABLE. NOT VALID ones and FKs are added afterwards,
    because CREATE TABLE marks every constraint valid and FKs need their targets first."""
    if isinstance(constraint, ForeignKey):
        return False
    return not (isinstance(constraint, CheckConstraint) and constraint.not_valid)


def add_constraint(table: Table, constraint: Constraint, *, not_valid: bool = False) -> Statement:
    statement = sql.SQL("ALTER TABLE {} ADD {}").format(qualified(table.qname), constraint_definition(constraint))
    if not_valid:
        statement = sql.SQL("{} NOT VALID").format(statement)
    return Statement(statement, table.schema, table_subject(table))


def create_index(table: Table, index: Index, *, concurrently: bool = False, only: bool = False) -> Statement:
    parts: list[sql.Composable] = [sql.SQL("CREATE UNIQUE INDEX" if index.unique else "CREATE INDEX")]
    if concurrently:
        parts.append(sql.SQL("CONCURRENTLY"))
    parts.append(
        sql.SQL("{} ON " + ("ONLY " if only else "") + "{} USING {} ({})").format(
            sql.Identifier(index.name),
            qualified(table.qname),
            sql.Identifier(index.method),
            sql.SQL(", ").join(index_element(e) for e in index.elements),
        )
    )
    parts.extend(_include(index.include))
    if index.nulls_not_distinct:
        parts.append(sql.SQL("NULLS NOT DISTINCT"))
    if index.where is not None:
        parts.append(sql.SQL("WHERE {}").format(expression_sql(index.where)))
    return Statement(sql.SQL(" ").join(parts), table.schema, table_subject(table))


def table_comments(table: Table) -> Iterator[Statement]:
    if table.comment is not None:
        yield comment_on(sql.SQL("TABLE {}").format(qualified(table.qname)), table.comment)
    for column in table.columns:
        if column.comment is not None:
            yield comment_on(column_target(table, column.name), column.comment)
    for constraint in table.constraints():
        if constraint.comment is not None:
            yield comment_on(constraint_target(table, constraint.name), constraint.comment)
    for index in table.indexes:
        if index.comment is not None:
            yield comment_on(index_target(table, index.name), index.comment)


def column_target(table: Table, column: str) -> sql.Composed:
    return sql.SQL("COLUMN {}.{}").format(qualified(table.qname), sql.Identifier(column))


def constraint_target(table: Table, name: str) -> sql.Composed:
    return sql.SQL("CONSTRAINT {} ON {}").format(sql.Identifier(name), qualified(table.qname))


def index_target(table: Table, name: str) -> sql.Composed:
    return sql.SQL("INDEX {}").format(sql.Identifier(table.schema, name))


# --- alterations (used by the planner) ----------------------------------------------------


def _table_statement(
    table: QualifiedName, template: str, *args: sql.Composable, schema: str | None = None
) -> Statement:
    statement = sql.SQL(template).format(qualified(table), *args)
    return Statement(statement, schema or table.schema, ("table", table.schema, table.name))


def add_column(table: QualifiedName, column: Column) -> Statement:
    return _table_statement(table, "ALTER TABLE {} ADD COLUMN {}", column_definition(column))


def drop_column(table: QualifiedName, column: str) -> Statement:
    return _table_statement(table, "ALTER TABLE {} DROP COLUMN {}", sql.Identifier(column))


def rename_column(table: QualifiedName, old: str, new: str) -> Statement:
    return _table_statement(table, "ALTER TABLE {} RENAME COLUMN {} TO {}", sql.Identifier(old), sql.Identifier(new))


def alter_column_type(
    table: QualifiedName, column: str, type_text: str, collation: str | None = None, using: str | None = None
) -> Statement:
    parts: list[sql.Composable] = [type_sql(type_text)]
    if collation is not None:
        parts.append(sql.SQL("COLLATE {}").format(name_sql(collation)))
    if using is not None:
        parts.append(sql.SQL("USING {}").format(expression_sql(using)))
    return _table_statement(
        table, "ALTER TABLE {} ALTER COLUMN {} TYPE {}", sql.Identifier(column), sql.SQL(" ").join(parts)
    )


def set_default(table: QualifiedName, column: str, default: str | None) -> Statement:
    if default is None:
        return _table_statement(table, "ALTER TABLE {} ALTER COLUMN {} DROP DEFAULT", sql.Identifier(column))
    return _table_statement(
        table, "ALTER TABLE {} ALTER COLUMN {} SET DEFAULT {}", sql.Identifier(column), expression_sql(default)
    )


def set_not_null(table: QualifiedName, column: str, not_null: bool) -> Statement:
    action = "SET NOT NULL" if not_null else "DROP NOT NULL"
    return _table_statement(table, "ALTER TABLE {} ALTER COLUMN {} " + action, sql.Identifier(column))


def add_identity(table: QualifiedName, column: str, generation: str, options: SequenceOptions) -> Statement:
    keyword = "ALWAYS" if generation == "always" else "BY DEFAULT"
    parts = sql.SQL(" ").join(_sequence_options(options))
    return _table_statement(
        table,
        "ALTER TABLE {} ALTER COLUMN {} ADD GENERATED " + keyword + " AS IDENTITY ({})",
        sql.Identifier(column),
        parts,
    )


def drop_identity(table: QualifiedName, column: str) -> Statement:
    return _table_statement(table, "ALTER TABLE {} ALTER COLUMN {} DROP IDENTITY", sql.Identifier(column))


def alter_identity(table: QualifiedName, column: str, generation: str, options: SequenceOptions) -> Statement:
    keyword = "ALWAYS" if generation == "always" else "BY DEFAULT"
    parts: list[sql.Composable] = [sql.SQL("SET GENERATED " + keyword)]
    for keyword_sql, value in (
        ("SET INCREMENT BY", options.increment),
        ("SET MINVALUE", options.min_value),
        ("SET MAXVALUE", options.max_value),
        ("SET START WITH", options.start),
        ("SET CACHE", options.cache),
    ):
        if value is not None:
            parts.append(sql.SQL(keyword_sql + " {}").format(sql.Literal(value)))
    parts.append(sql.SQL("SET CYCLE" if options.cycle else "SET NO CYCLE"))
    return _table_statement(
        table, "ALTER TABLE {} ALTER COLUMN {} {}", sql.Identifier(column), sql.SQL(" ").join(parts)
    )


def continue_identity(table: QualifiedName, column: str, previous_column: str | None = None) -> Statement:
    """Advance a column's identity sequence past the values already in the table (and past the
    previous column's sequence position, when the column replaces another)."""
    current = sql.SQL("(SELECT max({}) FROM {})").format(sql.Identifier(column), qualified(table))
    candidates: list[sql.Composable] = [current]
    table_text = sql.Literal(qualified(table).as_string(None))
    if previous_column is not None:
        candidates.append(
            sql.SQL("pg_catalog.pg_sequence_last_value(pg_catalog.pg_get_serial_sequence({}, {})::regclass)").format(
                table_text, sql.Literal(previous_column)
            )
        )
    statement = sql.SQL("SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence({}, {}), GREATEST({}, 1))").format(
        table_text, sql.Literal(column), sql.SQL(", ").join(candidates)
    )
    return Statement(statement, table.schema, ("table", table.schema, table.name))


def drop_expression(table: QualifiedName, column: str) -> Statement:
    return _table_statement(table, "ALTER TABLE {} ALTER COLUMN {} DROP EXPRESSION", sql.Identifier(column))


def set_expression(table: QualifiedName, column: str, expression: str) -> Statement:
    return _table_statement(
        table, "ALTER TABLE {} ALTER COLUMN {} SET EXPRESSION AS {}", sql.Identifier(column), expression_sql(expression)
    )


def validate_constraint(table: QualifiedName, name: str) -> Statement:
    return _table_statement(table, "ALTER TABLE {} VALIDATE CONSTRAINT {}", sql.Identifier(name))


def drop_constraint(table: QualifiedName, name: str) -> Statement:
    return _table_statement(table, "ALTER TABLE {} DROP CONSTRAINT {}", sql.Identifier(name))


def rename_constraint(table: QualifiedName, old: str, new: str) -> Statement:
    return _table_statement(
        table, "ALTER TABLE {} RENAME CONSTRAINT {} TO {}", sql.Identifier(old), sql.Identifier(new)
    )


def add_constraint_to(table: QualifiedName, constraint: Constraint, *, not_valid: bool = False) -> Statement:
    statement = sql.SQL("ALTER TABLE {} ADD {}").format(qualified(table), constraint_definition(constraint))
    if not_valid:
        statement = sql.SQL("{} NOT VALID").format(statement)
    return Statement(statement, table.schema, ("table", table.schema, table.name))


def add_constraint_using_index(
    table: QualifiedName, constraint: PrimaryKey | UniqueConstraint, index: str
) -> Statement:
    kind = sql.SQL("PRIMARY KEY" if isinstance(constraint, PrimaryKey) else "UNIQUE")
    parts: list[sql.Composable] = [
        sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {} USING INDEX {}").format(
            qualified(table), sql.Identifier(constraint.name), kind, sql.Identifier(index)
        )
    ]
    parts.extend(_deferrable(constraint))
    return Statement(sql.SQL(" ").join(parts), table.schema, ("table", table.schema, table.name))


def create_index_on(table: QualifiedName, index: Index, *, concurrently: bool) -> Statement:
    return create_index(Table(schema=table.schema, name=table.name), index, concurrently=concurrently)


def drop_index(schema: str, name: str, *, concurrently: bool) -> Statement:
    keyword = "DROP INDEX CONCURRENTLY IF EXISTS {}" if concurrently else "DROP INDEX {}"
    return Statement(sql.SQL(keyword).format(sql.Identifier(schema, name)), schema)


def rename_index(schema: str, old: str, new: str) -> Statement:
    return Statement(
        sql.SQL("ALTER INDEX {} RENAME TO {}").format(sql.Identifier(schema, old), sql.Identifier(new)), schema
    )


def drop_table(table: QualifiedName) -> Statement:
    return _table_statement(table, "DROP TABLE {}")


def rename_table(table: QualifiedName, new_name: str) -> Statement:
    return _table_statement(table, "ALTER TABLE {} RENAME TO {}", sql.Identifier(new_name))


def create_compat_view(view: QualifiedName, table: QualifiedName) -> Statement:
    """A view under a table's new name, so the new application version can use that name while
    the old one keeps using the table. Simple views are updatable."""
    statement = sql.SQL("CREATE VIEW {} AS SELECT * FROM {}").format(qualified(view), qualified(table))
    return Statement(statement, table.schema, ("table", table.schema, table.name))


def drop_view(view: QualifiedName) -> Statement:
    return Statement(sql.SQL("DROP VIEW IF EXISTS {}").format(qualified(view)), view.schema)


def alter_sequence(sequence: Sequence) -> Statement:
    options = _sequence_options(sequence.options, data_type=sequence.type)
    statement = sql.SQL("ALTER SEQUENCE {} {}").format(qualified(sequence.qname), sql.SQL(" ").join(options))
    return Statement(statement, sequence.schema, ("sequence", sequence.schema, sequence.name))


def drop_sequence(name: QualifiedName) -> Statement:
    return Statement(
        sql.SQL("DROP SEQUENCE {}").format(qualified(name)), name.schema, ("sequence", name.schema, name.name)
    )


def rename_sequence(name: QualifiedName, new_name: str) -> Statement:
    return Statement(
        sql.SQL("ALTER SEQUENCE {} RENAME TO {}").format(qualified(name), sql.Identifier(new_name)), name.schema
    )


def sequence_owner(name: QualifiedName, owner: tuple[QualifiedName, str] | None) -> Statement:
    return sequence_owned_by(Sequence(schema=name.schema, name=name.name, owned_by=owner))


def sync_trigger_function(function: QualifiedName, body: sql.Composable) -> Statement:
    """A PL/pgSQL trigger function; `body` is composed SQL, passed as a string literal."""
    source = body.as_string(None)
    statement = sql.SQL("CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS {}").format(
        qualified(function), sql.Literal(source)
    )
    return Statement(statement, function.schema)


def create_trigger(table: QualifiedName, trigger: str, function: QualifiedName) -> Statement:
    statement = sql.SQL("CREATE TRIGGER {} BEFORE INSERT OR UPDATE ON {} FOR EACH ROW EXECUTE FUNCTION {}()").format(
        sql.Identifier(trigger), qualified(table), qualified(function)
    )
    return Statement(statement, table.schema, ("table", table.schema, table.name))


def drop_trigger(table: QualifiedName, trigger: str) -> Statement:
    return Statement(
        sql.SQL("DROP TRIGGER IF EXISTS {} ON {}").format(sql.Identifier(trigger), qualified(table)), table.schema
    )


def drop_function(function: QualifiedName) -> Statement:
    return Statement(sql.SQL("DROP FUNCTION IF EXISTS {}()").format(qualified(function)), function.schema)


# --- partitions ---------------------------------------------------------------------------


def parents_first(tables: Iterable[Table]) -> list[Table]:
    """Tables in their order, except that a partition comes after its parent (recursively)."""
    pending = list(tables)
    names = {t.qname for t in pending}
    done: set[QualifiedName] = set()
    out: list[Table] = []
    while pending:
        ready = [
            t
            for t in pending
            if t.partition_of is None or t.partition_of.parent in done or t.partition_of.parent not in names
        ]
        if not ready:  # a cycle of partitions: PostgreSQL will say what is wrong
            ready = pending[:1]
        for table in ready:
            out.append(table)
            done.add(table.qname)
            pending.remove(table)
    return out


def partition_by_clause(partition_by: PartitionBy) -> sql.Composed:
    keys = [
        sql.Identifier(k.column) if k.column is not None else expression_sql(k.expression or "")
        for k in partition_by.keys
    ]
    return sql.SQL("PARTITION BY " + partition_by.strategy.upper() + " ({})").format(sql.SQL(", ").join(keys))


def _bound_value(text: str) -> sql.SQL:
    """A bound value: a constant checked by the parser when loaded, or MINVALUE/MAXVALUE."""
    if text.upper() in ("MINVALUE", "MAXVALUE"):
        return sql.SQL(text.upper())
    return sql.SQL(canonical_expression(text))


def partition_bound(bound: PartitionBound) -> sql.Composed:
    if bound.default:
        return sql.Composed([sql.SQL("DEFAULT")])
    if bound.modulus is not None:
        return sql.SQL("FOR VALUES WITH (MODULUS {}, REMAINDER {})").format(
            sql.Literal(bound.modulus), sql.Literal(bound.remainder)
        )
    if bound.values:
        return sql.SQL("FOR VALUES IN ({})").format(sql.SQL(", ").join(_bound_value(v) for v in bound.values))
    return sql.SQL("FOR VALUES FROM ({}) TO ({})").format(
        sql.SQL(", ").join(_bound_value(v) for v in bound.lower),
        sql.SQL(", ").join(_bound_value(v) for v in bound.upper),
    )


def create_partition(table: Table) -> Statement:
    """CREATE TABLE ... PARTITION OF: columns, checks, keys and indexes come from the parent; the
    partition's own constraints (not foreign keys) are added inline."""
    assert table.partition_of is not None
    items = [constraint_definition(c) for c in table.constraints() if is_inline(c)]
    body = sql.SQL(" (\n  {}\n)").format(sql.SQL(",\n  ").join(items)) if items else sql.SQL("")
    statement = sql.SQL("CREATE TABLE {} PARTITION OF {}{} {}").format(
        qualified(table.qname), qualified(table.partition_of.parent), body, partition_bound(table.partition_of.bound)
    )
    if table.partition_by is not None:
        statement = sql.SQL("{} {}").format(statement, partition_by_clause(table.partition_by))
    return Statement(statement, table.schema, table_subject(table))


def create_table_like(
    table: QualifiedName, parent: QualifiedName, partition_by: PartitionBy | None = None
) -> Statement:
    """A standalone table shaped like a partitioned parent, to be attached as a partition.
    Identity is not copied (PostgreSQL refuses to attach a table with an identity column); the
    parent's checks and indexes are, so ATTACH finds them and adopts them instead of building."""
    template = (
        "CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES "
        "INCLUDING GENERATED INCLUDING STORAGE INCLUDING COMPRESSION INCLUDING STATISTICS)"
    )
    statement = sql.SQL(template).format(qualified(table), qualified(parent))
    if partition_by is not None:
        statement = sql.SQL("{} {}").format(statement, partition_by_clause(partition_by))
    return Statement(statement, table.schema, ("table", table.schema, table.name))


def attach_partition(parent: QualifiedName, table: QualifiedName, bound: PartitionBound) -> Statement:
    return _table_statement(parent, "ALTER TABLE {} ATTACH PARTITION {} {}", qualified(table), partition_bound(bound))


def detach_partition(parent: QualifiedName, table: QualifiedName, *, concurrently: bool) -> Statement:
    template = (
        "ALTER TABLE {} DETACH PARTITION {} CONCURRENTLY" if concurrently else "ALTER TABLE {} DETACH PARTITION {}"
    )
    return _table_statement(parent, template, qualified(table))


def detach_partition_finalize(parent: QualifiedName, table: QualifiedName) -> Statement:
    """Finish an interrupted DETACH CONCURRENTLY; a plain DETACH when it is no longer pending
    (as on a scratch copy made by pg_dump, which restores the partition attached)."""
    finalize = detach_partition_finalize_only(parent, table).text()
    detach = detach_partition(parent, table, concurrently=False).text()
    body = sql.SQL(
        "BEGIN IF EXISTS (SELECT 1 FROM pg_catalog.pg_inherits WHERE inhrelid = {}::pg_catalog.regclass AND "
        "inhdetachpending) THEN EXECUTE {}; ELSE EXECUTE {}; END IF; END"
    ).format(sql.Literal(qualified(table).as_string(None)), sql.Literal(finalize), sql.Literal(detach))
    return Statement(
        sql.SQL("DO {}").format(sql.Literal(body.as_string(None))), parent.schema, ("table", parent.schema, parent.name)
    )


def detach_partition_finalize_only(parent: QualifiedName, table: QualifiedName) -> Statement:
    return _table_statement(parent, "ALTER TABLE {} DETACH PARTITION {} FINALIZE", qualified(table))


def add_check_text(table: QualifiedName, name: str, expression: sql.Composable, *, not_valid: bool) -> Statement:
    """A helper check whose expression reconciler composed itself (partition bounds)."""
    statement = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} CHECK ({})").format(
        qualified(table), sql.Identifier(name), expression
    )
    if not_valid:
        statement = sql.SQL("{} NOT VALID").format(statement)
    return Statement(statement, table.schema, ("table", table.schema, table.name))


def create_index_only(table: QualifiedName, index: Index) -> Statement:
    """CREATE INDEX ON ONLY a partitioned table: catalog only, invalid until every partition's
    index is attached."""
    return create_index(Table(schema=table.schema, name=table.name), index, only=True)


def attach_index(schema: str, parent_index: str, child_index: str) -> Statement:
    return Statement(
        sql.SQL("ALTER INDEX {} ATTACH PARTITION {}").format(
            sql.Identifier(schema, parent_index), sql.Identifier(schema, child_index)
        ),
        schema,
    )


def partition_constraint(key: PartitionKey, bound: PartitionBound) -> sql.Composable | None:
    """The rows `bound` admits, as a CHECK expression over a single-key partitioning, written the
    way PostgreSQL writes its own partition constraint so ATTACH can prove it and skip its scan.
    None where a CHECK cannot say it simply (hash, several keys, DEFAULT)."""
    column: sql.Composable = (
        sql.Identifier(key.column) if key.column is not None else expression_sql(key.expression or "")
    )
    if bound.default or bound.modulus is not None or len(bound.lower) > 1:
        return None
    if bound.values:
        values = [v for v in bound.values if v.upper() != "NULL"]
        listed = sql.SQL("{} = ANY (ARRAY[{}])").format(column, sql.SQL(", ").join(_bound_value(v) for v in values))
        if len(values) < len(bound.values):
            return (
                sql.SQL("({} IS NULL OR {})").format(column, listed) if values else sql.SQL("{} IS NULL").format(column)
            )
        return sql.SQL("({} IS NOT NULL AND {})").format(column, listed)
    parts: list[sql.Composable] = [sql.SQL("{} IS NOT NULL").format(column)]
    if bound.lower[0].upper() not in ("MINVALUE", "MAXVALUE"):
        parts.append(sql.SQL("{} >= {}").format(column, _bound_value(bound.lower[0])))
    if bound.upper[0].upper() not in ("MINVALUE", "MAXVALUE"):
        parts.append(sql.SQL("{} < {}").format(column, _bound_value(bound.upper[0])))
    return sql.SQL("({})").format(sql.SQL(" AND ").join(parts))


def drop_constraint_if_exists(table: QualifiedName, name: str) -> Statement:
    return _table_statement(table, "ALTER TABLE {} DROP CONSTRAINT IF EXISTS {}", sql.Identifier(name))
