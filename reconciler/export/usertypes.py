"""Export of domains, composite types and row-level security as YAML specs (see `export.writer`).

Same contract as `export`: what is written loads back into an equal model, fields at their
defaults are left out, and check names are written only where the loader would derive another.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from reconciler.export.values import sql_value
from reconciler.model import Catalog, Collation, CompositeType, Domain, GrantTarget, Policy, Privilege, Table
from reconciler.model.grants import DEFAULT_GRANTS, GrantKind
from reconciler.model.names import choose_name


def _schema_and_name(spec: dict[str, Any], obj: Domain | CompositeType | Collation, metadata_name: str) -> None:
    if obj.schema != "public":
        spec["schema"] = obj.schema
    if obj.name != metadata_name:
        spec["name"] = obj.name


def domain_spec(domain: Domain, metadata_name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    _schema_and_name(spec, domain, metadata_name)
    spec["type"] = domain.type
    if domain.default is not None:
        spec["default"] = sql_value(domain.default)
    if not domain.nullable:
        spec["nullable"] = False
    if domain.collation is not None:
        spec["collation"] = domain.collation
    if domain.checks:
        spec["checks"] = _domain_checks(domain)
    if domain.comment is not None:
        spec["comment"] = domain.comment
    return spec


def _domain_checks(domain: Domain) -> list[dict[str, Any]]:
    """Names are left out where the loader derives the same one (explicit names are reserved
    first, as the loader does)."""
    out = []
    derived = _derived_names(domain)
    for check, name in zip(domain.checks, derived, strict=True):
        item: dict[str, Any] = {} if check.name == name else {"name": check.name}
        item["expression"] = check.expression
        if check.not_valid:
            item["notValid"] = True
        out.append(item)
    return out


def _derived_names(domain: Domain) -> list[str | None]:
    """The names the loader would give if every check were unnamed; a check whose live name is
    not among them is written with its name, which changes nothing for the others only if the
    live names are the derived ones in order, so: all or nothing."""
    taken: set[str] = set()
    derived = [choose_name(domain.name, None, "check", taken) for _ in domain.checks]
    if [c.name for c in domain.checks] == derived:
        return list(derived)
    return [None] * len(domain.checks)


def composite_spec(composite: CompositeType, metadata_name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    _schema_and_name(spec, composite, metadata_name)
    attributes = []
    for attribute in composite.attributes:
        item: dict[str, Any] = {"name": attribute.name, "type": attribute.type}
        if attribute.collation is not None:
            item["collation"] = attribute.collation
        attributes.append(item)
    spec["attributes"] = attributes
    if composite.comment is not None:
        spec["comment"] = composite.comment
    return spec


def table_security(spec: dict[str, Any], table: Table) -> None:
    rls = table.row_level_security
    if rls.enabled or rls.forced:
        spec["rowLevelSecurity"] = {"enabled": rls.enabled, **({"forced": True} if rls.forced else {})}
    if table.policies:
        spec["policies"] = [_policy(p) for p in table.policies]


def _policy(policy: Policy) -> dict[str, Any]:
    item: dict[str, Any] = {"name": policy.name}
    if policy.command != "all":
        item["command"] = policy.command
    if not policy.permissive:
        item["kind"] = "restrictive"
    if policy.roles != ("public",):
        item["roles"] = list(policy.roles)
    if policy.using is not None:
        item["using"] = policy.using
    if policy.with_check is not None:
        item["withCheck"] = policy.with_check
    return item


# --- privileges ------------------------------------------------------------------------------


def grants_of(catalog: Catalog, target: GrantTarget) -> list[dict[str, Any]]:
    """YAML `grants:` entries for one object: per role and grant option, the object-wide
    privileges, then columns grouped by the privileges they share."""
    found = next((g for g in catalog.grants if g.target == target), None)
    if found is None:
        return []
    out: list[dict[str, Any]] = []
    groups: dict[tuple[str, bool], list[Privilege]] = {}
    for atom in found.privileges:
        groups.setdefault((atom.grantee, atom.grantable), []).append(atom)
    for (grantee, grantable), atoms in sorted(groups.items()):
        whole = sorted(a.privilege for a in atoms if a.column is None)
        if whole:
            out.append(_grant_entry(grantee, whole, [], grantable))
        by_column: dict[str, list[str]] = {}
        for atom in atoms:
            if atom.column is not None:
                by_column.setdefault(atom.column, []).append(atom.privilege)
        by_privileges: dict[tuple[str, ...], list[str]] = {}
        for column, privileges in by_column.items():
            by_privileges.setdefault(tuple(sorted(privileges)), []).append(column)
        for privilege_set, columns in sorted(by_privileges.items()):
            out.append(_grant_entry(grantee, list(privilege_set), sorted(columns), grantable))
    return out


def _grant_entry(grantee: str, privileges: list[str], columns: list[str], grantable: bool) -> dict[str, Any]:
    entry: dict[str, Any] = {"to": grantee, "privileges": privileges}
    if columns:
        entry["columns"] = columns
    if grantable:
        entry["withGrantOption"] = True
    return entry


def default_privileges_of(catalog: Catalog, schema: str) -> list[dict[str, Any]]:
    out = []
    for group in (d for d in catalog.default_privileges if d.schema == schema):
        by_key: dict[tuple[str, str, bool], list[str]] = {}
        for atom in group.privileges:
            by_key.setdefault((atom.objects, atom.grantee, atom.grantable), []).append(atom.privilege)
        for (objects, grantee, grantable), privileges in sorted(by_key.items()):
            entry: dict[str, Any] = {
                "forRole": group.for_role,
                "on": objects,
                "to": grantee,
                "privileges": sorted(privileges),
            }
            if grantable:
                entry["withGrantOption"] = True
            out.append(entry)
    return out


def add_grants(spec: dict[str, Any], catalog: Catalog, kind: GrantKind, schema: str, name: str) -> None:
    grants = grants_of(catalog, GrantTarget(kind, schema, name))
    if grants:
        spec["grants"] = grants
    if kind == "schema":
        defaults = default_privileges_of(catalog, schema)
        if defaults:
            spec["defaultPrivileges"] = defaults


def routine_grants(catalog: Catalog, target: GrantTarget) -> list[dict[str, Any]]:
    """`grants:` of a Function or Procedure document: nothing when the routine has PostgreSQL's
    default ACL (PUBLIC may execute it); else each role's EXECUTE, and `{to: public, privileges: []}`
    when PUBLIC's default EXECUTE was revoked (PUBLIC holding it stays unnamed, left alone)."""
    found = next((g for g in catalog.grants if g.target == target), None)
    if found is None or found.privileges == DEFAULT_GRANTS[target.kind]:
        return []
    kept = tuple(a for a in found.privileges if a != Privilege("public", "EXECUTE"))
    entries = grants_of(dataclasses.replace(catalog, grants=(dataclasses.replace(found, privileges=kept),)), target)
    if not any(a.grantee == "public" for a in found.privileges):
        entries.append({"to": "public", "privileges": []})
    return entries


def collation_spec(collation: Collation, metadata_name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    _schema_and_name(spec, collation, metadata_name)
    if collation.provider != "libc":
        spec["provider"] = collation.provider
    for key, value in (
        ("locale", collation.locale),
        ("lcCollate", collation.lc_collate),
        ("lcCtype", collation.lc_ctype),
    ):
        if value is not None:
            spec[key] = value
    if not collation.deterministic:
        spec["deterministic"] = False
    if collation.comment is not None:
        spec["comment"] = collation.comment
    return spec
