"""Drift findings for grants, domains, composite types and collations (see `drift.findings`); table-level row
security changes are table findings whose detail the change itself words."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from reconciler.diff import grants as gr
from reconciler.diff import usertypes as u
from reconciler.diff.changes import Change
from reconciler.model import Catalog, Collation, CompositeType, Domain, GrantTarget

KINDS = {
    u.AddDomain: "domain",
    u.DropDomain: "domain",
    u.RenameDomain: "domain",
    u.AlterDomain: "domain",
    u.AddCompositeType: "composite type",
    u.DropCompositeType: "composite type",
    u.RenameCompositeType: "composite type",
    u.AlterCompositeType: "composite type",
    u.AddCollation: "collation",
    u.DropCollation: "collation",
    u.AlterCollation: "collation",
}


def top_level(change: Change) -> tuple[str, str, str, str, str | None] | None:
    """(kind, schema, name, status, detail) for a grant, domain, composite type or collation
    change, else None."""
    if isinstance(change, gr.ChangeGrants):
        return (*grant_key(change.target), "different", change.detail)
    if isinstance(change, gr.ChangeDefaultPrivileges):
        return "schema", change.schema, change.schema, "different", change.detail
    kind = KINDS.get(type(change))
    if kind is None:
        return None
    live, desired = change.live_object, change.desired_object
    obj = desired if desired is not None else live
    assert isinstance(obj, Domain | CompositeType | Collation)
    if live is None:
        return kind, obj.schema, obj.name, "missing", None
    if desired is None:
        return kind, obj.schema, obj.name, "unexpected", None
    if isinstance(change, u.RenameDomain | u.RenameCompositeType):
        return kind, obj.schema, obj.name, "different", f"still named {change.live.qname}"
    assert isinstance(change, u.AlterDomain | u.AlterCompositeType | u.AlterCollation)
    return kind, obj.schema, obj.name, "different", change.detail


def objects_of(catalog: Catalog) -> Iterable[tuple[str, str, str]]:
    yield from (("domain", d.schema, d.name) for d in catalog.domains)
    yield from (("composite type", t.schema, t.name) for t in catalog.composite_types)
    yield from (("collation", c.schema, c.name) for c in catalog.collations)


def grant_key(target: GrantTarget) -> tuple[str, str, str]:
    """The drift object a grant belongs to: the schema, table, sequence or routine itself (a
    routine named as code drift names it, `name(argument types)`)."""
    if target.arguments is not None:
        return target.kind, target.schema, f"{target.name}({target.arguments})"
    return target.kind, target.schema, target.name


def baseline_detail(change: Any) -> str | None:
    """A grant change's detail against another environment (drift --baseline), else None."""
    if isinstance(change, gr.ChangeGrants | gr.ChangeDefaultPrivileges):
        return change.described("extra", "extra")
    return None


def foreign_details(live: Catalog, reference: Catalog) -> list[tuple[tuple[str, str, str], str]]:
    """Privileges of roles a YAML object does not mention: left alone, reported."""
    out = []
    for target, atoms in gr.foreign_privileges(live, reference).items():
        shown = ", ".join(f"{a.privilege}{f'({a.column})' if a.column else ''} to {a.grantee}" for a in atoms)
        out.append((grant_key(target), f"privileges of roles its YAML does not mention (left alone): {shown}"))
    return out
