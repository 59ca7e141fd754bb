"""Introspection of privileges (queries/grants.sql, default_privileges.sql, roles.sql).

Stage: introspect. Grants are kept only for objects the catalog holds (identity sequences and
objects of extensions are not), as atoms: see `model.grants`. Views and materialized views have
no `grants:` in the YAML, but their live privileges are read so that a plan re-creating one
restores them; functions and procedures always have an entry (PUBLIC's default EXECUTE counts).
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from psycopg import sql

from reconciler.ddl.statement import qualified, search_path, type_sql
from reconciler.model import (
    Catalog,
    DefaultPrivilege,
    DefaultPrivileges,
    Function,
    GrantTarget,
    ObjectGrants,
    Privilege,
)
from reconciler.model.grants import DefaultObjects

Rows = Callable[..., list[Any]]
_DEFAULT_OBJECTS: dict[str, DefaultObjects] = {
    "r": "tables",
    "S": "sequences",
    "f": "functions",
    "T": "types",
    "n": "schemas",
}


def extend(rows: Rows, catalog: Catalog, scope: list[str]) -> Catalog:
    known = _targets(catalog)
    atoms: dict[GrantTarget, set[Privilege]] = defaultdict(set)
    for r in rows("grants", schemas=scope):
        target = GrantTarget(r.kind, r.schema, r.name)
        if target in known:
            atoms[target].add(Privilege(r.grantee, r.privilege, r.column_name, r.grantable))
    for r in rows("function_grants", schemas=scope):
        target = GrantTarget(r.kind, r.schema, r.name, r.arguments)
        if target in known:
            found = atoms[target]  # every routine gets an entry: none means not even PUBLIC may execute it
            if r.grantee is not None:
                found.add(Privilege(r.grantee, r.privilege, None, r.grantable))
    grants = tuple(ObjectGrants(t, tuple(sorted(_strongest(a)))) for t, a in sorted(atoms.items()))
    by_role: dict[tuple[str, str], set[DefaultPrivilege]] = defaultdict(set)
    for r in rows("default_privileges", schemas=scope):
        by_role[(r.schema, r.for_role)].add(
            DefaultPrivilege(_DEFAULT_OBJECTS[r.objtype], r.grantee, r.privilege, r.grantable)
        )
    defaults = tuple(
        DefaultPrivileges(schema, role, tuple(sorted(atoms))) for (schema, role), atoms in sorted(by_role.items())
    )
    return dataclasses.replace(catalog, grants=grants, default_privileges=defaults)


def roles(rows: Rows) -> frozenset[str]:
    return frozenset(r.name for r in rows("roles"))


def _targets(catalog: Catalog) -> set[GrantTarget]:
    found = {GrantTarget("schema", s.name, s.name) for s in catalog.schemas}
    found |= {GrantTarget("table", t.schema, t.name) for t in catalog.tables}
    found |= {GrantTarget("sequence", s.schema, s.name) for s in catalog.sequences}
    found |= {GrantTarget("view", v.schema, v.name) for v in catalog.views}
    found |= {GrantTarget("materialized view", v.schema, v.name) for v in catalog.materialized_views}
    found |= {routine(f) for f in catalog.functions}
    return found


def routine(function: Function) -> GrantTarget:
    """The grant target of a function or procedure: its signature as introspection prints it."""
    return GrantTarget(function.kind, function.schema, function.name, ", ".join(function.identity_types))


def _strongest(atoms: set[Privilege]) -> set[Privilege]:
    """Granted by two grantors, once with grant option: held with it."""
    grantable = {(a.grantee, a.privilege, a.column) for a in atoms if a.grantable}
    return {a for a in atoms if a.grantable or (a.grantee, a.privilege, a.column) not in grantable}


_IDENTITY = """
SELECT ARRAY(SELECT pg_catalog.format_type(t.oid, NULL)
             FROM unnest(COALESCE(p.proallargtypes, p.proargtypes::oid[])) WITH ORDINALITY AS t(oid, i)
             ORDER BY t.i) AS arg_types,
       p.proargmodes::text[] AS arg_modes
FROM pg_catalog.pg_proc p WHERE p.oid = %s
"""


def respell_routine_targets(conn: Any, desired: Catalog) -> Catalog:
    """Function grant targets with their argument types as PostgreSQL prints them (what
    introspection reads), looked up in the scratch database `conn` where `desired` is rendered:
    the YAML may say `int` or `varchar(20)` where the catalog says `integer`, `character varying`."""
    routines: dict[tuple[str, str, str, str], Function] = {
        (f.kind, f.schema, f.name, ", ".join(f.identity_types)): f for f in desired.functions
    }
    grants = []
    for object_grants in desired.grants:
        target = object_grants.target
        function = routines.get((target.kind, target.schema, target.name, target.arguments or ""))
        if function is not None:
            spelled = _identity(conn, function)
            if spelled is not None:
                object_grants = dataclasses.replace(
                    object_grants, target=dataclasses.replace(target, arguments=spelled)
                )
        grants.append(object_grants)
    return dataclasses.replace(desired, grants=tuple(grants))


def _identity(conn: Any, function: Function) -> str | None:
    signature = sql.SQL("{}({})").format(
        qualified(function.qname), sql.SQL(", ").join(type_sql(t) for t in function.identity_types)
    )
    conn.execute(search_path(function.schema))  # how the routine's CREATE resolved its types
    oid = conn.execute("SELECT pg_catalog.to_regprocedure(%s)::oid", (signature.as_string(conn),)).fetchone()[0]
    conn.execute("SET search_path = pg_catalog")  # how introspection prints them (reader)
    row = conn.execute(_IDENTITY, (oid,)).fetchone() if oid is not None else None
    if row is None:
        return None
    types, modes = row
    modes = modes or ["i"] * len(types)
    keep = ("i", "b", "v") if function.kind == "function" else ("i", "o", "b", "v")
    return ", ".join(t for t, m in zip(types, modes, strict=False) if m in keep)
