"""Load the `grants:` lists of Schema, Table, Sequence, Function and Procedure documents and the
`defaultPrivileges:` of Schema documents into `model.grants` values.

Stage: load. Privilege names are checked against the object's kind (upper-cased, `ALL`
expanded); column grants only for the privileges PostgreSQL allows on columns, and only on
columns the table declares. The roles a document's grants mention are the roles it manages on
that object.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from reconciler.errors import Diagnostic
from reconciler.load import spec as s
from reconciler.load.code import ROUTINE_KINDS
from reconciler.model import DefaultPrivilege, DefaultPrivileges, GrantTarget, ObjectGrants, Privilege
from reconciler.model.code import IDENTITY_MODES, RoutineKind
from reconciler.model.grants import COLUMN_PRIVILEGES, DEFAULT_PRIVILEGES, PRIVILEGES

Problem = Callable[[Diagnostic], None]


def collect(entries: dict[str, list[Any]], problem: Problem) -> tuple[list[ObjectGrants], list[DefaultPrivileges]]:
    grants: list[ObjectGrants] = []
    defaults: list[DefaultPrivileges] = []
    for entry in entries.get("Schema", []):
        target = GrantTarget("schema", entry.sql_name, entry.sql_name)
        grants += _object_grants(entry, target, problem)
        defaults += _defaults(entry, problem)
    for entry in entries.get("Table", []):
        columns = {c.name for c in entry.spec.columns}
        grants += _object_grants(entry, GrantTarget("table", entry.spec.schema_, entry.sql_name), problem, columns)
    for entry in entries.get("Sequence", []):
        grants += _object_grants(entry, GrantTarget("sequence", entry.spec.schema_, entry.sql_name), problem)
    for kind, routine in ROUTINE_KINDS.items():
        for entry in entries.get(kind, []):
            grants += _object_grants(entry, routine_target(entry, routine), problem)
    return grants, defaults


def routine_target(entry: Any, kind: RoutineKind) -> GrantTarget:
    """A routine by its signature as the YAML spells it; `normalize.normalize` respells the argument
    types as PostgreSQL prints them (`int` -> `integer`), as introspection reads them."""
    types = [a.type for a in entry.spec.arguments if a.mode in IDENTITY_MODES or kind == "procedure"]
    return GrantTarget(kind, entry.spec.schema_, entry.sql_name, ", ".join(types))


def _privileges(
    entry: Any, path: tuple[Any, ...], names: list[str], allowed: tuple[str, ...], problem: Problem
) -> list[str]:
    out: list[str] = []
    for j, name in enumerate(names):
        upper = name.upper()
        if upper in ("ALL", "ALL PRIVILEGES"):
            out += allowed
        elif upper in allowed:
            out.append(upper)
        else:
            problem(
                entry.at(
                    *path, j, message=f"{name!r} is not a privilege here; expected one of {', '.join(allowed)} or ALL"
                )
            )
    return out


def _object_grants(
    entry: Any, target: GrantTarget, problem: Problem, columns: set[str] | None = None
) -> list[ObjectGrants]:
    specs: list[s.GrantSpec] = entry.spec.grants
    if not specs:
        return []
    atoms: set[Privilege] = set()
    for i, grant in enumerate(specs):
        allowed = COLUMN_PRIVILEGES if grant.columns else PRIVILEGES[target.kind]
        if grant.columns and columns is None:
            problem(
                entry.at("grants", i, "columns", message=f"column grants exist only on tables, not on a {target.kind}")
            )
            continue
        for name in grant.columns:
            if columns is not None and name not in columns:
                problem(entry.at("grants", i, "columns", message=f"table {entry.sql_name!r} has no column {name!r}"))
        privileges = _privileges(entry, ("grants", i, "privileges"), grant.privileges, allowed, problem)
        granted_on: list[str | None] = [*grant.columns] or [None]  # None: the whole table
        for column in granted_on:
            atoms.update(Privilege(grant.to, p, column, grant.with_grant_option) for p in privileges)
    atoms = _strongest(atoms)
    managed = tuple(sorted({g.to for g in specs}))
    return [ObjectGrants(target, tuple(sorted(atoms)), managed)]


def _strongest(atoms: set[Privilege]) -> set[Privilege]:
    """A privilege listed with and without grant option is held with it (one ACL entry)."""
    grantable = {(a.grantee, a.privilege, a.column) for a in atoms if a.grantable}
    return {a for a in atoms if a.grantable or (a.grantee, a.privilege, a.column) not in grantable}


def _defaults(entry: Any, problem: Problem) -> list[DefaultPrivileges]:
    by_role: dict[str, set[DefaultPrivilege]] = {}
    for i, spec in enumerate(entry.spec.default_privileges):
        allowed = DEFAULT_PRIVILEGES[spec.on]
        atoms = by_role.setdefault(spec.for_role, set())
        for privilege in _privileges(entry, ("defaultPrivileges", i, "privileges"), spec.privileges, allowed, problem):
            atoms.add(DefaultPrivilege(spec.on, spec.to, privilege, spec.with_grant_option))
    return [
        DefaultPrivileges(entry.sql_name, role, tuple(sorted(_strongest_defaults(atoms))))
        for role, atoms in sorted(by_role.items())
    ]


def _strongest_defaults(atoms: set[DefaultPrivilege]) -> set[DefaultPrivilege]:
    grantable = {(d.objects, d.grantee, d.privilege) for d in atoms if d.grantable}
    return {d for d in atoms if d.grantable or (d.objects, d.grantee, d.privilege) not in grantable}
