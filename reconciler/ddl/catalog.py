"""Whole catalogs: the statements that create a catalog in an empty database, in dependency order.

Stage: ddl, on top of its other modules (relations, types, security, code), which know nothing of
one another's kinds: this module alone decides the order in which they are created. Used to
build scratch databases (normalization, plan replay) and by the tests.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from psycopg import sql

from reconciler.ddl import code, relations, security, types
from reconciler.ddl.statement import Statement, comment_on, qualified
from reconciler.model import Catalog, CheckConstraint, ForeignKey, Function, MaterializedView, QualifiedName, View
from reconciler.sqlparse import graph


def create_catalog(catalog: Catalog) -> list[Statement]:
    """Statements that create `catalog` in an empty database, in dependency order.

    Used to build scratch databases (normalization, plan replay) and by tests. Indexes are built
    plainly here, not CONCURRENTLY: the tables are new and empty.
    """
    statements: list[Statement] = [types.create_schema(s) for s in catalog.schemas if s.name != "public"]
    statements += [types.create_extension(e) for e in catalog.extensions]
    statements += [types.create_enum(e) for e in catalog.enums]
    calling = graph.domains_calling(catalog)  # their defaults and checks follow the routines
    late = graph.late_routines(catalog)  # routines naming a table's row type follow the tables
    after_views = graph.late_routines(catalog, ("view", "materialized view"))  # a view's: the views
    statements += types_before_tables(catalog, frozenset(d.qname for d in calling))
    statements += [relations.create_sequence(s) for s in catalog.sequences]
    statements += create_routines(catalog, [f for f in catalog.functions if f not in late])
    statements += [s for d in calling for s in types.domain_calls(d)]
    statements += [relations.create_table(t) for t in relations.parents_first(catalog.tables)]
    statements += [relations.sequence_owned_by(s) for s in catalog.sequences if s.owned_by is not None]
    for table in catalog.tables:
        for constraint in table.constraints():
            if not relations.is_inline(constraint):
                statements.append(relations.add_constraint(table, constraint, not_valid=_is_not_valid(constraint)))
        statements += [relations.create_index(table, index) for index in table.indexes]
    statements += create_routines(catalog, [f for f in late if f not in after_views])
    statements += security_after_tables(catalog)
    statements += list(comments(catalog))
    statements += create_code(catalog, graph.view_order(catalog), after_views)
    return statements


def _is_not_valid(constraint: relations.Constraint) -> bool:
    return isinstance(constraint, CheckConstraint | ForeignKey) and constraint.not_valid


def comments(catalog: Catalog) -> Iterator[Statement]:
    """COMMENT statements for every commented object of the catalog."""
    for schema in catalog.schemas:
        if schema.comment is not None:
            yield comment_on(sql.SQL("SCHEMA {}").format(sql.Identifier(schema.name)), schema.comment)
    for enum in catalog.enums:
        if enum.comment is not None:
            yield comment_on(sql.SQL("TYPE {}").format(qualified(enum.qname)), enum.comment)
    for sequence in catalog.sequences:
        if sequence.comment is not None:
            yield comment_on(sql.SQL("SEQUENCE {}").format(qualified(sequence.qname)), sequence.comment)
    for table in catalog.tables:
        yield from relations.table_comments(table)


def types_before_tables(catalog: Catalog, calling: frozenset[QualifiedName] = frozenset()) -> list[Statement]:
    """Collations, domains, then composite types (which may use both), with comments and NOT VALID checks.
    The domains of `calling` are created without their default and checks (they call routines
    created later: `domain_calls`)."""
    statements = [types.create_collation(c) for c in catalog.collations]
    statements += [types.collation_comment(c.qname, c.comment) for c in catalog.collations if c.comment is not None]
    statements += [types.create_domain(types.bare_domain(d) if d.qname in calling else d) for d in catalog.domains]
    for domain in catalog.domains:
        if domain.qname not in calling:
            statements += [
                types.add_domain_check(domain.qname, c, not_valid=True) for c in domain.checks if c.not_valid
            ]
        if domain.comment is not None:
            statements.append(types.domain_comment(domain.qname, domain.comment))
    statements += [types.create_composite(t) for t in catalog.composite_types]
    statements += [types.type_comment(t.qname, t.comment) for t in catalog.composite_types if t.comment is not None]
    return statements


def security_after_tables(catalog: Catalog) -> list[Statement]:
    return [s for table in catalog.tables for s in security.table_security(table)]


def privileges_of(catalog: Catalog) -> list[Statement]:
    """GRANTs that give a copy of a schema the privileges `catalog` holds (plan replay copies
    the live schema without privileges, whose owners differ on the copy)."""
    statements = [
        s for object_grants in catalog.grants for s in security.restore(object_grants.target, object_grants.privileges)
    ]
    for defaults in catalog.default_privileges:
        statements += security.grant_defaults(defaults.schema, defaults.for_role, defaults.privileges)
    return statements


def create_routines(catalog: Catalog, functions: Sequence[Function] | None = None) -> list[Statement]:
    """Routines come before tables (checks and defaults call them), with body checks off; those
    whose signature names a table's row type are passed again after the tables (`functions`)."""
    functions = catalog.functions if functions is None else functions
    if not functions:
        return []
    # PL/pgSQL and other validators only check syntax: run them at once (bodies checked again);
    # SQL bodies name tables and are validated at the end of `create_code`
    again = [code.create_routine(f) for f in functions if f.language != "sql"]
    return [code.CHECK_BODIES_OFF, *(code.create_routine(f) for f in functions), code.CHECK_BODIES_ON, *again]


def create_code(
    catalog: Catalog, view_order: list[View | MaterializedView], after_views: Sequence[Function] = ()
) -> list[Statement]:
    """After tables, constraints and indexes: views in dependency order, triggers, the routines
    whose signature names a view's row type (`after_views`), comments, then SQL-language routines
    once more with body checks on (`create_routines` ended with them on), now that what they read
    exists: PostgreSQL's validator reports their errors here."""
    out: list[Statement] = []
    for view in view_order:
        if isinstance(view, View):
            out.append(code.create_view(view))
            if view.comment is not None:
                out.append(comment_on(code.view_target(view.qname), view.comment, view.schema))
        else:
            out.append(code.create_materialized_view(view))
            out += code.materialized_view_indexes(view)
            out += code.materialized_view_comments(view)
    for table in catalog.tables:
        for trigger in table.triggers:
            out += code.create_table_trigger(table.qname, trigger)
    out += create_routines(catalog, after_views)
    out += [code.comment_routine(f) for f in catalog.functions if f.comment is not None]
    out += [
        code.create_routine(f) for f in catalog.functions if f.language == "sql"
    ]  # validated now that their tables exist
    return out
