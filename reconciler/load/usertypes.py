"""Load Domain and CompositeType documents, and the row-level security of Table documents.

Stage: load. Called by the loader's assembler; conversion from validated specs to the model,
with the cross-document checks these kinds need (duplicates, schema declared, type names that
share pg_type with tables and enums). Problems are reported through the assembler, as file:line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pglast import ast

from reconciler.errors import Diagnostic
from reconciler.load import spec as s
from reconciler.load.assemble import Assembler
from reconciler.model import (
    Collation,
    CompositeAttribute,
    CompositeType,
    Domain,
    DomainCheck,
    Policy,
    QualifiedName,
    RowLevelSecurity,
)
from reconciler.model.names import choose_name
from reconciler.sqlparse.fragments import column_references, parse_expression

Problem = Callable[[Diagnostic], None]


def domains(entries: list[Any], declared: set[str], assembler: Assembler) -> list[Domain]:
    out = []
    for entry in entries:
        spec: s.DomainSpec = entry.spec
        assembler.schema_declared(entry, spec.schema_, declared)
        if not assembler.unique("type", (spec.schema_, entry.sql_name), entry, assembler.type_registry):
            continue
        assembler.origins[("domain", spec.schema_, entry.sql_name)] = entry.origin
        out.append(_domain(entry, spec, assembler.problem))
    return out


def _domain(entry: Any, spec: s.DomainSpec, problem: Problem) -> Domain:
    taken: set[str] = {c.name for c in spec.checks if c.name}
    checks = []
    seen: set[str] = set()
    for i, check in enumerate(spec.checks):
        refs = column_references(parse_expression(check.expression))
        if refs - {"value"}:
            name = sorted(refs - {"value"})[0]
            problem(entry.at("checks", i, "expression", message=f"a domain check can only use VALUE, not {name!r}"))
        name = check.name or choose_name(entry.sql_name, None, "check", taken)
        if name in seen:
            problem(entry.at("checks", i, "name", message=f"domain {entry.sql_name!r} has two checks named {name!r}"))
        seen.add(name)
        checks.append(DomainCheck(name, check.expression, check.not_valid))
    renamed = QualifiedName(spec.schema_, spec.renamed_from) if spec.renamed_from else None
    return Domain(
        schema=spec.schema_,
        name=entry.sql_name,
        type=spec.type,
        default=s.sql_text(spec.default) if spec.default is not None else None,
        nullable=spec.nullable,
        collation=spec.collation,
        checks=tuple(checks),
        comment=spec.comment,
        renamed_from=renamed,
    )


def composite_types(entries: list[Any], declared: set[str], assembler: Assembler) -> list[CompositeType]:
    out = []
    for entry in entries:
        spec: s.CompositeTypeSpec = entry.spec
        assembler.schema_declared(entry, spec.schema_, declared)
        if not assembler.unique("type", (spec.schema_, entry.sql_name), entry, assembler.type_registry):
            continue
        seen: set[str] = set()
        for i, attribute in enumerate(spec.attributes):
            if attribute.name in seen:
                assembler.problem(entry.at("attributes", i, "name", message=f"duplicate attribute {attribute.name!r}"))
            seen.add(attribute.name)
        assembler.origins[("composite type", spec.schema_, entry.sql_name)] = entry.origin
        renamed = QualifiedName(spec.schema_, spec.renamed_from) if spec.renamed_from else None
        attributes = tuple(CompositeAttribute(a.name, a.type, a.collation) for a in spec.attributes)
        out.append(CompositeType(spec.schema_, entry.sql_name, attributes, spec.comment, renamed_from=renamed))
    return out


def check_type_names(
    types: list[Domain | CompositeType], enums: list[Any], tables: dict[QualifiedName, Any], problem: Problem
) -> None:
    """Domains, composite types, enums and tables' row types share pg_type."""
    enum_names = {e.qname for e in enums}
    for entry in tables.values():
        qname = QualifiedName(entry.spec.schema_, entry.sql_name)
        if any(t.qname == qname for t in types):
            problem(
                entry.at(
                    "name",
                    message=f"table {str(qname)!r} has the same name as a type; PostgreSQL keeps both in one namespace",
                )
            )
    for t in types:
        if t.qname in enum_names:
            problem(
                Diagnostic("", 0, 0, f"type {str(t.qname)!r} is defined twice (as an enum and as a {type(t).__name__})")
            )


# --- row-level security ----------------------------------------------------------------------

_COMMANDS_WITHOUT_USING = ("insert",)
_COMMANDS_WITHOUT_CHECK = ("select", "delete")


def _unknown_columns(text: str, known: set[str]) -> list[str]:
    """Columns of the table a policy expression names but the table lacks. Expressions with a
    subquery name other tables' columns too: PostgreSQL judges those when normalizing."""
    expression = parse_expression(text)
    if _has_subquery(expression.node):
        return []
    return sorted(column_references(expression) - known)


def _has_subquery(node: object) -> bool:
    if isinstance(node, ast.SubLink):
        return True
    if isinstance(node, ast.Node):
        return any(_has_subquery(getattr(node, attr)) for attr in node)
    if isinstance(node, tuple | list):
        return any(_has_subquery(item) for item in node)
    return False


def row_level_security(spec: s.TableSpec) -> RowLevelSecurity:
    rls = spec.row_level_security
    return RowLevelSecurity(rls.enabled, rls.forced) if rls is not None else RowLevelSecurity()


def policies(entry: Any, known_columns: set[str], problem: Problem) -> tuple[Policy, ...]:
    out = []
    seen: set[str] = set()
    for i, spec in enumerate(entry.spec.policies):
        if spec.name in seen:
            problem(
                entry.at(
                    "policies", i, "name", message=f"table {entry.sql_name!r} has two policies named {spec.name!r}"
                )
            )
        seen.add(spec.name)
        if spec.using is not None and spec.command in _COMMANDS_WITHOUT_USING:
            problem(entry.at("policies", i, "using", message="an INSERT policy has no USING expression; use withCheck"))
        if spec.with_check is not None and spec.command in _COMMANDS_WITHOUT_CHECK:
            problem(
                entry.at(
                    "policies",
                    i,
                    "withCheck",
                    message=f"a {spec.command.upper()} policy has no WITH CHECK expression; use using",
                )
            )
        for field, text in (("using", spec.using), ("withCheck", spec.with_check)):
            unknown = _unknown_columns(text, known_columns) if text is not None else []
            if unknown:
                problem(entry.at("policies", i, field, message=f"policy refers to unknown column {unknown[0]!r}"))
        roles = tuple(sorted(set(spec.roles)))
        if "public" in roles and len(roles) > 1:
            problem(
                entry.at(
                    "policies",
                    i,
                    "roles",
                    message="`public` already means every role; list either public or named roles",
                )
            )
        out.append(Policy(spec.name, spec.command, spec.kind == "permissive", roles, spec.using, spec.with_check))
    return tuple(out)


def collations(entries: list[Any], declared: set[str], assembler: Assembler) -> list[Collation]:
    registry: dict[tuple[str, ...], Any] = {}
    out = []
    for entry in entries:
        spec: s.CollationSpec = entry.spec
        assembler.schema_declared(entry, spec.schema_, declared)
        if not assembler.unique("collation", (spec.schema_, entry.sql_name), entry, registry):
            continue
        if spec.locale is None and (spec.lc_collate is None or spec.lc_ctype is None):
            assembler.problem(entry.at(message="a collation needs `locale`, or both `lcCollate` and `lcCtype`"))
            continue
        if spec.provider != "libc" and (spec.lc_collate or spec.lc_ctype):
            assembler.problem(
                entry.at(
                    "lcCollate" if spec.lc_collate else "lcCtype",
                    message="lcCollate/lcCtype are for libc collations; use `locale`",
                )
            )
        assembler.origins[("collation", spec.schema_, entry.sql_name)] = entry.origin
        locale, collate, ctype = spec.locale, spec.lc_collate, spec.lc_ctype
        if locale is None and collate == ctype:
            locale, collate, ctype = collate, None, None
        out.append(
            Collation(
                spec.schema_, entry.sql_name, spec.provider, locale, collate, ctype, spec.deterministic, spec.comment
            )
        )
    return out
