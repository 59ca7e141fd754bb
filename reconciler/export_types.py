"""Export of domains, composite types and row-level security as YAML specs (see `export`).

Same contract as `export`: what is written loads back into an equal model, fields at their
defaults are left out, and check names are written only where the loader would derive another.
"""

from __future__ import annotations

from typing import Any

from reconciler.model import CompositeType, Domain, Policy, Table
from reconciler.model.names import choose_name


def _schema_and_name(spec: dict[str, Any], obj: Domain | CompositeType, metadata_name: str) -> None:
    if obj.schema != "public":
        spec["schema"] = obj.schema
    if obj.name != metadata_name:
        spec["name"] = obj.name


def _sql_value(text: str) -> Any:
    from reconciler.export import _sql_value as plain  # noqa: PLC0415  (export imports this module)

    return plain(text)


def domain_spec(domain: Domain, metadata_name: str) -> dict[str, Any]:
    spec: dict[str, Any] = {}
    _schema_and_name(spec, domain, metadata_name)
    spec["type"] = domain.type
    if domain.default is not None:
        spec["default"] = _sql_value(domain.default)
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
    for check, name in zip(domain.checks, derived):
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
