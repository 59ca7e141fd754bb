"""DDL of schemas, extensions, enums, domains, composite types and collations.

Stage: ddl. Composed with the primitives of `ddl.statement`: names are Identifiers, user
expressions and types are spliced only in their parser-checked rendering.
"""

from __future__ import annotations

import dataclasses

from psycopg import sql

from reconciler.ddl.statement import Statement, comment_on, expression_sql, name_sql, qualified, type_sql
from reconciler.model import (
    Collation,
    CompositeAttribute,
    CompositeType,
    Domain,
    DomainCheck,
    EnumType,
    Extension,
    QualifiedName,
    Schema,
)

# --- schemas and extensions ---------------------------------------------------------------


def create_schema(schema: Schema) -> Statement:
    return Statement(
        sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema.name)), subject=("schema", schema.name, schema.name)
    )


def drop_schema(name: str) -> Statement:
    return Statement(sql.SQL("DROP SCHEMA {}").format(sql.Identifier(name)))


def create_extension(extension: Extension) -> Statement:
    parts: list[sql.Composable] = [sql.SQL("CREATE EXTENSION {}").format(sql.Identifier(extension.name))]
    if extension.schema is not None:
        parts.append(sql.SQL("SCHEMA {}").format(sql.Identifier(extension.schema)))
    if extension.version is not None:
        parts.append(sql.SQL("VERSION {}").format(sql.Literal(extension.version)))
    return Statement(sql.SQL(" ").join(parts), subject=("extension", extension.schema or "", extension.name))


def alter_extension(extension: Extension, *, version: str | None = None, schema: str | None = None) -> Statement:
    if version is not None:
        statement = sql.SQL("ALTER EXTENSION {} UPDATE TO {}").format(
            sql.Identifier(extension.name), sql.Literal(version)
        )
    else:
        statement = sql.SQL("ALTER EXTENSION {} SET SCHEMA {}").format(
            sql.Identifier(extension.name), sql.Identifier(schema or "public")
        )
    return Statement(statement, subject=("extension", extension.schema or "", extension.name))


# --- enums --------------------------------------------------------------------------------


def drop_extension(name: str) -> Statement:
    return Statement(sql.SQL("DROP EXTENSION {}").format(sql.Identifier(name)))


def create_enum(enum: EnumType) -> Statement:
    values = sql.SQL(", ").join(sql.Literal(v) for v in enum.values)
    statement = sql.SQL("CREATE TYPE {} AS ENUM ({})").format(qualified(enum.qname), values)
    return Statement(statement, enum.schema, ("enum", enum.schema, enum.name))


def add_enum_value(enum: QualifiedName, value: str, neighbour: str | None, before: bool) -> Statement:
    statement = sql.SQL("ALTER TYPE {} ADD VALUE IF NOT EXISTS {}").format(qualified(enum), sql.Literal(value))
    if neighbour is not None:
        statement = sql.SQL("{} " + ("BEFORE" if before else "AFTER") + " {}").format(statement, sql.Literal(neighbour))
    return Statement(statement, enum.schema, ("enum", enum.schema, enum.name))


def drop_type(name: QualifiedName) -> Statement:
    return Statement(sql.SQL("DROP TYPE {}").format(qualified(name)), name.schema, ("enum", name.schema, name.name))


def rename_type(name: QualifiedName, new_name: str) -> Statement:
    return Statement(
        sql.SQL("ALTER TYPE {} RENAME TO {}").format(qualified(name), sql.Identifier(new_name)), name.schema
    )


# --- domains ------------------------------------------------------------------------------


def _domain_statement(domain: QualifiedName, template: str, *args: sql.Composable) -> Statement:
    return Statement(
        sql.SQL(template).format(qualified(domain), *args), domain.schema, ("domain", domain.schema, domain.name)
    )


def _type_statement(name: QualifiedName, template: str, *args: sql.Composable) -> Statement:
    return Statement(
        sql.SQL(template).format(qualified(name), *args), name.schema, ("composite type", name.schema, name.name)
    )


def domain_check_definition(check: DomainCheck) -> sql.Composed:
    return sql.SQL("CONSTRAINT {} CHECK {}").format(sql.Identifier(check.name), expression_sql(check.expression))


def create_domain(domain: Domain) -> Statement:
    """CREATE DOMAIN with its valid checks; NOT VALID ones are added afterwards (CREATE DOMAIN
    has no NOT VALID)."""
    parts: list[sql.Composable] = [
        sql.SQL("CREATE DOMAIN {} AS {}").format(qualified(domain.qname), type_sql(domain.type))
    ]
    if domain.collation is not None:
        parts.append(sql.SQL("COLLATE {}").format(name_sql(domain.collation)))
    if domain.default is not None:
        parts.append(sql.SQL("DEFAULT {}").format(expression_sql(domain.default)))
    if not domain.nullable:
        parts.append(sql.SQL("NOT NULL"))
    parts += [domain_check_definition(c) for c in domain.checks if not c.not_valid]
    return Statement(sql.SQL(" ").join(parts), domain.schema, ("domain", domain.schema, domain.name))


def add_domain_check(domain: QualifiedName, check: DomainCheck, *, not_valid: bool) -> Statement:
    suffix = " NOT VALID" if not_valid else ""
    return _domain_statement(domain, "ALTER DOMAIN {} ADD {}" + suffix, domain_check_definition(check))


def validate_domain_check(domain: QualifiedName, name: str) -> Statement:
    return _domain_statement(domain, "ALTER DOMAIN {} VALIDATE CONSTRAINT {}", sql.Identifier(name))


def drop_domain_check(domain: QualifiedName, name: str) -> Statement:
    return _domain_statement(domain, "ALTER DOMAIN {} DROP CONSTRAINT {}", sql.Identifier(name))


def rename_domain_check(domain: QualifiedName, old: str, new: str) -> Statement:
    return _domain_statement(
        domain, "ALTER DOMAIN {} RENAME CONSTRAINT {} TO {}", sql.Identifier(old), sql.Identifier(new)
    )


def set_domain_default(domain: QualifiedName, default: str | None) -> Statement:
    if default is None:
        return _domain_statement(domain, "ALTER DOMAIN {} DROP DEFAULT")
    return _domain_statement(domain, "ALTER DOMAIN {} SET DEFAULT {}", expression_sql(default))


def set_domain_not_null(domain: QualifiedName, not_null: bool) -> Statement:
    return _domain_statement(domain, "ALTER DOMAIN {} " + ("SET NOT NULL" if not_null else "DROP NOT NULL"))


def rename_domain(domain: QualifiedName, new_name: str) -> Statement:
    return _domain_statement(domain, "ALTER DOMAIN {} RENAME TO {}", sql.Identifier(new_name))


def drop_domain(domain: QualifiedName) -> Statement:
    return _domain_statement(domain, "DROP DOMAIN {}")


def domain_comment(domain: QualifiedName, comment: str | None) -> Statement:
    return comment_on(sql.SQL("DOMAIN {}").format(qualified(domain)), comment, domain.schema)


def bare_domain(domain: Domain) -> Domain:
    """A domain without the parts that may call routines (default and checks)."""
    return dataclasses.replace(domain, default=None, checks=())


def domain_calls(domain: Domain) -> list[Statement]:
    """The default and checks `bare_domain` left out, added once the routines they call exist."""
    statements = [set_domain_default(domain.qname, domain.default)] if domain.default is not None else []
    return statements + [add_domain_check(domain.qname, c, not_valid=c.not_valid) for c in domain.checks]


# --- collations ---------------------------------------------------------------------------


def create_collation(collation: Collation) -> Statement:
    options: list[sql.Composable] = [
        sql.SQL("provider = " + {"libc": "libc", "icu": "icu", "builtin": "builtin"}[collation.provider])
    ]
    for keyword, value in (
        ("locale", collation.locale),
        ("lc_collate", collation.lc_collate),
        ("lc_ctype", collation.lc_ctype),
    ):
        if value is not None:
            options.append(sql.SQL(keyword + " = {}").format(sql.Literal(value)))
    if not collation.deterministic:
        options.append(sql.SQL("deterministic = false"))
    statement = sql.SQL("CREATE COLLATION {} ({})").format(qualified(collation.qname), sql.SQL(", ").join(options))
    return Statement(statement, collation.schema, ("collation", collation.schema, collation.name))


def drop_collation(name: QualifiedName) -> Statement:
    return Statement(
        sql.SQL("DROP COLLATION {}").format(qualified(name)), name.schema, ("collation", name.schema, name.name)
    )


def collation_comment(name: QualifiedName, comment: str | None) -> Statement:
    return comment_on(sql.SQL("COLLATION {}").format(qualified(name)), comment, name.schema)


# --- composite types ----------------------------------------------------------------------


def attribute_definition(attribute: CompositeAttribute) -> sql.Composed:
    parts: list[sql.Composable] = [sql.Identifier(attribute.name), type_sql(attribute.type)]
    if attribute.collation is not None:
        parts.append(sql.SQL("COLLATE {}").format(name_sql(attribute.collation)))
    return sql.SQL(" ").join(parts)


def create_composite(composite: CompositeType) -> Statement:
    body = sql.SQL(", ").join(attribute_definition(a) for a in composite.attributes)
    return _type_statement(composite.qname, "CREATE TYPE {} AS ({})", body)


def add_attribute(name: QualifiedName, attribute: CompositeAttribute) -> Statement:
    return _type_statement(name, "ALTER TYPE {} ADD ATTRIBUTE {}", attribute_definition(attribute))


def drop_attribute(name: QualifiedName, attribute: str) -> Statement:
    return _type_statement(name, "ALTER TYPE {} DROP ATTRIBUTE {}", sql.Identifier(attribute))


def alter_attribute_type(name: QualifiedName, attribute: CompositeAttribute) -> Statement:
    parts: list[sql.Composable] = [type_sql(attribute.type)]
    if attribute.collation is not None:
        parts.append(sql.SQL("COLLATE {}").format(name_sql(attribute.collation)))
    return _type_statement(
        name, "ALTER TYPE {} ALTER ATTRIBUTE {} TYPE {}", sql.Identifier(attribute.name), sql.SQL(" ").join(parts)
    )


def rename_composite(name: QualifiedName, new_name: str) -> Statement:
    return _type_statement(name, "ALTER TYPE {} RENAME TO {}", sql.Identifier(new_name))


def drop_composite(name: QualifiedName) -> Statement:
    return _type_statement(name, "DROP TYPE {}")


def type_comment(name: QualifiedName, comment: str | None) -> Statement:
    return comment_on(sql.SQL("TYPE {}").format(qualified(name)), comment, name.schema)
