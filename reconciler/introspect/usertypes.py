"""Introspection of domains, composite types and row-level security (one bulk query each,
queries/domains.sql, composite_types.sql, row_security.sql), run in the reader's snapshot.

Stage: introspect. `extend` takes the catalog the reader built and returns it with these kinds
added: domains and composite types on the catalog, RLS flags and policies on their tables.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from reconciler.model import (
    Catalog,
    Collation,
    CompositeAttribute,
    CompositeType,
    Domain,
    DomainCheck,
    Policy,
    QualifiedName,
    RowLevelSecurity,
)
from reconciler.model.security import PolicyCommand
from reconciler.sqlparse.fragments import sql_name, strip_outer_parentheses

Rows = Callable[..., list[Any]]
_COMMANDS: dict[str, PolicyCommand] = {"*": "all", "r": "select", "a": "insert", "w": "update", "d": "delete"}


def extend(rows: Rows, catalog: Catalog, scope: list[str]) -> Catalog:
    domains = tuple(_domain(r) for r in rows("domains", schemas=scope))
    composites = tuple(_composite(r) for r in rows("composite_types", schemas=scope))
    security = {QualifiedName(r.schema, r.table_name): r for r in rows("row_security", schemas=scope)}
    tables = tuple(_with_security(t, security.get(t.qname)) for t in catalog.tables)
    collations = tuple(_collation_object(r) for r in rows("collations", schemas=scope))
    return dataclasses.replace(
        catalog, domains=domains, composite_types=composites, tables=tables, collations=collations
    )


_PROVIDERS = {"c": "libc", "i": "icu", "b": "builtin", "d": "libc"}


def _collation_object(row: Any) -> Collation:
    locale, collate, ctype = row.locale, row.lc_collate, row.lc_ctype
    if locale is None and collate == ctype:
        locale, collate, ctype = collate, None, None
    return Collation(
        row.schema, row.name, _PROVIDERS[row.provider], locale, collate, ctype, row.deterministic, row.comment
    )


def _collation(schema: str | None, name: str | None) -> str | None:
    if name is None:
        return None
    return sql_name([name] if schema == "pg_catalog" else [schema or "", name])


def _domain(row: Any) -> Domain:
    checks = tuple(DomainCheck(name, strip_outer_parentheses(expr), not valid) for name, expr, valid in row.checks)
    return Domain(
        schema=row.schema,
        name=row.name,
        type=row.type,
        default=row.default_expr,
        nullable=not row.not_null,
        collation=_collation(row.collation_schema, row.collation_name),
        checks=checks,
        comment=row.comment,
    )


def _composite(row: Any) -> CompositeType:
    attributes = tuple(CompositeAttribute(name, type_, _collation(cs, cn)) for name, type_, cs, cn in row.attributes)
    return CompositeType(row.schema, row.name, attributes, row.comment)


def _with_security(table: Any, row: Any) -> Any:
    if row is None:
        return table
    policies = tuple(_policy(p) for p in row.policies)
    return dataclasses.replace(table, row_level_security=RowLevelSecurity(row.enabled, row.forced), policies=policies)


def _policy(item: list[Any]) -> Policy:
    name, command, permissive, roles, using, check = item
    return Policy(
        name=name,
        command=_COMMANDS[command],
        permissive=permissive,
        roles=tuple(roles or ("public",)),
        using=strip_outer_parentheses(using) if using is not None else None,
        with_check=strip_outer_parentheses(check) if check is not None else None,
    )
