"""Introspection of privileges (queries/grants.sql, default_privileges.sql, roles.sql).

Stage: introspect. Grants are kept only for objects the catalog holds (identity sequences and
objects of extensions are not), as atoms: see `model.grants`.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from typing import Any, Callable

from reconciler.model import Catalog, DefaultPrivilege, DefaultPrivileges, GrantTarget, ObjectGrants, Privilege

Rows = Callable[..., list[Any]]
_DEFAULT_OBJECTS = {"r": "tables", "S": "sequences", "f": "functions", "T": "types", "n": "schemas"}


def extend(rows: Rows, catalog: Catalog, scope: list[str]) -> Catalog:
    known = _targets(catalog)
    atoms: dict[GrantTarget, set[Privilege]] = defaultdict(set)
    for r in rows("grants", schemas=scope):
        target = GrantTarget(r.kind, r.schema, r.name)
        if target in known:
            atoms[target].add(Privilege(r.grantee, r.privilege, r.column_name, r.grantable))
    grants = tuple(ObjectGrants(t, tuple(sorted(_strongest(a)))) for t, a in sorted(atoms.items()))
    by_role: dict[tuple[str, str], set[DefaultPrivilege]] = defaultdict(set)
    for r in rows("default_privileges", schemas=scope):
        by_role[(r.schema, r.for_role)].add(DefaultPrivilege(_DEFAULT_OBJECTS[r.objtype], r.grantee, r.privilege, r.grantable))  # type: ignore[arg-type]
    defaults = tuple(DefaultPrivileges(schema, role, tuple(sorted(atoms))) for (schema, role), atoms in sorted(by_role.items()))
    return dataclasses.replace(catalog, grants=grants, default_privileges=defaults)


def roles(rows: Rows) -> frozenset[str]:
    return frozenset(r.name for r in rows("roles"))


def _targets(catalog: Catalog) -> set[GrantTarget]:
    found = {GrantTarget("schema", s.name, s.name) for s in catalog.schemas}
    found |= {GrantTarget("table", t.schema, t.name) for t in catalog.tables}
    found |= {GrantTarget("sequence", s.schema, s.name) for s in catalog.sequences}
    return found


def _strongest(atoms: set[Privilege]) -> set[Privilege]:
    """Granted by two grantors, once with grant option: held with it."""
    grantable = {(a.grantee, a.privilege, a.column) for a in atoms if a.grantable}
    return {a for a in atoms if a.grantable or (a.grantee, a.privilege, a.column) not in grantable}
