"""DDL of row-level security and policies, grants, default privileges and roles.

Stage: ddl. Composed with the primitives of `ddl.statement`; privileges are keywords from a fixed
list, roles are identifiers (or the PUBLIC keyword), never user text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from psycopg import sql

from reconciler.ddl.statement import Statement, expression_sql, qualified, type_sql
from reconciler.model import DefaultPrivilege, GrantTarget, Policy, Privilege, QualifiedName, Table
from reconciler.model.grants import DEFAULT_GRANTS

# --- row-level security -------------------------------------------------------------------


def _table_statement(table: QualifiedName, template: str, *args: sql.Composable) -> Statement:
    return Statement(sql.SQL(template).format(*args), table.schema, ("table", table.schema, table.name))


def set_row_level_security(table: QualifiedName, enabled: bool) -> Statement:
    action = "ENABLE" if enabled else "DISABLE"
    return _table_statement(table, "ALTER TABLE {} " + action + " ROW LEVEL SECURITY", qualified(table))


def force_row_level_security(table: QualifiedName, forced: bool) -> Statement:
    action = "FORCE" if forced else "NO FORCE"
    return _table_statement(table, "ALTER TABLE {} " + action + " ROW LEVEL SECURITY", qualified(table))


def _roles(roles: Iterable[str]) -> sql.Composed:
    """Role names; `public` is the PUBLIC keyword, not a role called "public"."""
    return sql.SQL(", ").join(sql.SQL("PUBLIC") if r == "public" else sql.Identifier(r) for r in roles)


def _policy_clauses(policy: Policy) -> list[sql.Composable]:
    parts: list[sql.Composable] = [sql.SQL("TO {}").format(_roles(policy.roles))]
    if policy.using is not None:
        parts.append(sql.SQL("USING {}").format(expression_sql(policy.using)))
    if policy.with_check is not None:
        parts.append(sql.SQL("WITH CHECK {}").format(expression_sql(policy.with_check)))
    return parts


def create_policy(table: QualifiedName, policy: Policy) -> Statement:
    kind = "PERMISSIVE" if policy.permissive else "RESTRICTIVE"
    head = sql.SQL("CREATE POLICY {} ON {} AS " + kind + " FOR " + policy.command.upper()).format(
        sql.Identifier(policy.name), qualified(table)
    )
    return _table_statement(table, "{} {}", head, sql.SQL(" ").join(_policy_clauses(policy)))


def alter_policy(table: QualifiedName, policy: Policy) -> Statement:
    """ALTER POLICY can change roles, USING and WITH CHECK (not the command or kind). Clauses
    that are absent are left as they are, so a removed USING needs drop and create."""
    head = sql.SQL("ALTER POLICY {} ON {}").format(sql.Identifier(policy.name), qualified(table))
    return _table_statement(table, "{} {}", head, sql.SQL(" ").join(_policy_clauses(policy)))


def drop_policy(table: QualifiedName, name: str) -> Statement:
    return _table_statement(table, "DROP POLICY {} ON {}", sql.Identifier(name), qualified(table))


def rename_policy(table: QualifiedName, old: str, new: str) -> Statement:
    return _table_statement(
        table, "ALTER POLICY {} ON {} RENAME TO {}", sql.Identifier(old), qualified(table), sql.Identifier(new)
    )


def table_security(table: Table) -> list[Statement]:
    """Policies first, then ENABLE: there is never a moment with RLS on and no policy."""
    statements = [create_policy(table.qname, p) for p in table.policies]
    if table.row_level_security.enabled:
        statements.append(set_row_level_security(table.qname, True))
    if table.row_level_security.forced:
        statements.append(force_row_level_security(table.qname, True))
    return statements


# --- privileges ---------------------------------------------------------------------------


_KEYWORDS = frozenset(
    {"SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER", "USAGE", "CREATE", "EXECUTE"}
)


_DEFAULT_OBJECTS = {
    "tables": "TABLES",
    "sequences": "SEQUENCES",
    "functions": "FUNCTIONS",
    "types": "TYPES",
    "schemas": "SCHEMAS",
}


def _keyword(privilege: str) -> sql.SQL:
    """Privileges are keywords from a fixed list (checked by the loader): never user text."""
    if privilege not in _KEYWORDS:
        raise ValueError(f"not a privilege: {privilege!r}")
    return sql.SQL(privilege)


def grant_object(target: GrantTarget) -> sql.Composed:
    if target.kind == "schema":
        return sql.SQL("SCHEMA {}").format(sql.Identifier(target.name))
    if target.kind in ("table", "sequence"):
        return sql.SQL(target.kind.upper() + " {}").format(sql.Identifier(target.schema, target.name))
    if target.kind in ("view", "materialized view"):  # GRANT ... ON TABLE takes views too
        return sql.SQL("TABLE {}").format(sql.Identifier(target.schema, target.name))
    types = sql.SQL(", ").join(type_sql(t) for t in split_types(target.arguments or ""))
    return sql.SQL(target.kind.upper() + " {}({})").format(sql.Identifier(target.schema, target.name), types)


def split_types(arguments: str) -> list[str]:
    """`integer, numeric(10, 2)` -> its types: commas inside parentheses or quotes do not split.
    Each type is then re-rendered by the parser (`type_sql`), never spliced as written."""
    out, depth, quoted, current = [], 0, False, ""
    for char in arguments:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "([":
            depth += 1
        elif not quoted and char in ")]":
            depth -= 1
        elif char == "," and depth == 0 and not quoted:
            out.append(current.strip())
            current = ""
            continue
        current += char
    return [*out, current.strip()] if current.strip() else out


def _privilege_list(atoms: Iterable[Privilege]) -> sql.Composed:
    """`SELECT, UPDATE (a, b)`: table-level privileges, then each privilege's columns."""
    whole = sorted({a.privilege for a in atoms if a.column is None})
    columns: dict[str, list[str]] = {}
    for atom in atoms:
        if atom.column is not None:
            columns.setdefault(atom.privilege, []).append(atom.column)
    items: list[sql.Composable] = [_keyword(p) for p in whole]
    items += [
        sql.SQL("{} ({})").format(_keyword(p), sql.SQL(", ").join(sql.Identifier(c) for c in sorted(cols)))
        for p, cols in sorted(columns.items())
    ]
    return sql.SQL(", ").join(items)


def _grantee(role: str) -> sql.Composable:
    return sql.SQL("PUBLIC") if role == "public" else sql.Identifier(role)


def _by_grantee(atoms: Iterable[Any]) -> dict[tuple[str, bool], list[Any]]:
    grouped: dict[tuple[str, bool], list[Any]] = {}
    for atom in atoms:
        grouped.setdefault((atom.grantee, atom.grantable), []).append(atom)
    return dict(sorted(grouped.items()))


def grant(target: GrantTarget, atoms: Iterable[Privilege]) -> list[Statement]:
    out = []
    for (grantee, grantable), group in _by_grantee(atoms).items():
        template = "GRANT {} ON {} TO {}" + (" WITH GRANT OPTION" if grantable else "")
        out.append(
            Statement(
                sql.SQL(template).format(_privilege_list(group), grant_object(target), _grantee(grantee)), target.schema
            )
        )
    return out


def revoke(target: GrantTarget, atoms: Iterable[Privilege], *, option_only: bool = False) -> list[Statement]:
    out = []
    head = "REVOKE GRANT OPTION FOR " if option_only else "REVOKE "
    for (grantee, _), group in _by_grantee(dataclasses.replace(a, grantable=False) for a in atoms).items():
        out.append(
            Statement(
                sql.SQL(head + "{} ON {} FROM {}").format(
                    _privilege_list(group), grant_object(target), _grantee(grantee)
                ),
                target.schema,
            )
        )
    return out


def _defaults_head(schema: str, for_role: str) -> sql.Composed:
    return sql.SQL("ALTER DEFAULT PRIVILEGES FOR ROLE {} IN SCHEMA {}").format(
        sql.Identifier(for_role), sql.Identifier(schema)
    )


def grant_defaults(
    schema: str,
    for_role: str,
    atoms: Iterable[DefaultPrivilege],
    *,
    revoke_them: bool = False,
    option_only: bool = False,
) -> list[Statement]:
    grouped: dict[tuple[str, str, bool], list[str]] = {}
    for atom in atoms:
        grouped.setdefault((atom.objects, atom.grantee, atom.grantable and not revoke_them), []).append(atom.privilege)
    out = []
    for (objects, grantee, grantable), privileges in sorted(grouped.items()):
        privilege_list = sql.SQL(", ").join(_keyword(p) for p in sorted(privileges))
        if revoke_them:
            template = (
                "{} REVOKE "
                + ("GRANT OPTION FOR " if option_only else "")
                + "{} ON "
                + _DEFAULT_OBJECTS[objects]
                + " FROM {}"
            )
        else:
            template = (
                "{} GRANT {} ON " + _DEFAULT_OBJECTS[objects] + " TO {}" + (" WITH GRANT OPTION" if grantable else "")
            )
        out.append(
            Statement(
                sql.SQL(template).format(_defaults_head(schema, for_role), privilege_list, _grantee(grantee)), schema
            )
        )
    return out


def create_role_if_missing(role: str) -> Statement:
    """CREATE ROLE ... NOLOGIN unless it exists: roles are cluster-wide, so another database (or
    the replay of this plan on a scratch database of the same server) may have created it."""
    create = sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)).as_string(None)
    body = sql.SQL(
        "BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {}) THEN EXECUTE {}; END IF; END"
    ).format(sql.Literal(role), sql.Literal(create))
    return Statement(sql.SQL("DO {}").format(sql.Literal(body.as_string(None))))


def restore(target: GrantTarget, atoms: Iterable[Privilege]) -> list[Statement]:
    """Statements giving a just-created object exactly the privileges `atoms` (besides its
    owner's): PostgreSQL's defaults (PUBLIC's EXECUTE on a routine) revoked when absent, the rest
    granted. Used where an object is re-created, and to copy privileges onto a replay copy."""
    atoms = list(atoms)
    defaults = DEFAULT_GRANTS.get(target.kind, ())
    out = revoke(
        target, [d for d in defaults if not any(a.grantee == d.grantee and a.privilege == d.privilege for a in atoms)]
    )
    return out + grant(target, [a for a in atoms if a not in defaults])
