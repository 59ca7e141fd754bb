"""Typed changes of privileges, and their differ.

Stage: diff. Only what the desired side manages is compared: on each object with a `grants:`
list, the privileges of the roles that list names (other roles' privileges are left alone, and
reported by drift as foreign); default privileges per (schema, role) the YAML mentions. Owner
privileges are never read, so never touched. Against another environment (drift --baseline)
nothing is declared, so every role's privileges are compared (`between_environments`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from reconciler.diff.changes import Change
from reconciler.model import (
    Catalog,
    DefaultPrivilege,
    DefaultPrivileges,
    GrantTarget,
    ObjectGrants,
    Privilege,
    QualifiedName,
)
from reconciler.model.grants import DEFAULT_GRANTS


@dataclass(frozen=True)
class ChangeGrants(Change, live_object="live_target", desired_object="target"):
    target: GrantTarget  # the object's desired name
    live_target: GrantTarget  # its name before any rename (the expand phase runs before renames)
    granted: tuple[Privilege, ...]  # GRANT (WITH GRANT OPTION when grantable)
    revoked: tuple[Privilege, ...]  # REVOKE
    option_revoked: tuple[Privilege, ...] = ()  # REVOKE GRANT OPTION FOR (the privilege stays)

    @property
    def detail(self) -> str:
        return self.described("not declared", "undeclared")

    def described(self, extra: str, extra_option: str) -> str:
        """The detail line, with the words for what the reference does not have: "not declared"
        against the YAML, "extra" against another environment (drift --baseline)."""
        parts = [
            f"{_shown(p)} to {p.grantee}{' with grant option' if p.grantable else ''} missing" for p in self.granted
        ]
        parts += [f"{_shown(p)} to {p.grantee} {extra}" for p in self.revoked]
        parts += [f"{_shown(p)} to {p.grantee} has an {extra_option} grant option" for p in self.option_revoked]
        return "; ".join(parts)


def _shown(p: Privilege) -> str:
    return p.privilege + (f"({p.column})" if p.column else "")


@dataclass(frozen=True)
class ChangeDefaultPrivileges(Change, live_object=None, desired_object=None):
    """Default privileges are no object: the subject is the (schema, role) pair they belong to."""

    schema: str
    for_role: str
    granted: tuple[DefaultPrivilege, ...]
    revoked: tuple[DefaultPrivilege, ...]
    option_revoked: tuple[DefaultPrivilege, ...] = ()

    @property
    def subject(self) -> str:
        return f"{self.schema}.{self.for_role}"

    @property
    def detail(self) -> str:
        return self.described("not declared", "undeclared")

    def described(self, extra: str, extra_option: str) -> str:
        """The detail line (see ChangeGrants.described)."""

        def shown(d: DefaultPrivilege) -> str:
            return f"default {d.privilege} on {d.objects} to {d.grantee} (for {self.for_role})"

        parts = [f"{shown(d)}{' with grant option' if d.grantable else ''} missing" for d in self.granted]
        parts += [f"{shown(d)} {extra}" for d in self.revoked]
        parts += [f"{shown(d)} has an {extra_option} grant option" for d in self.option_revoked]
        return "; ".join(parts)


def changes(live: Catalog, desired: Catalog) -> Iterable[Change]:
    current = {g.target: g for g in live.grants}
    for wanted in desired.grants:
        live_target = _live_target(live, desired, wanted.target)
        # an object not there yet starts with PostgreSQL's defaults (PUBLIC may execute a routine);
        # a routine that exists always has an entry (see introspect.grants)
        have = current.get(live_target, ObjectGrants(live_target, DEFAULT_GRANTS.get(live_target.kind, ())))
        change = _compare(wanted, have, live_target)
        if change is not None:
            yield change
    yield from _defaults(live, desired)


def _live_target(live: Catalog, desired: Catalog, target: GrantTarget) -> GrantTarget:
    """A renamed table or sequence keeps its privileges: compare with the ones under its old name."""
    if target.kind not in ("table", "sequence"):
        return target
    qname = QualifiedName(target.schema, target.name)
    find_desired, find_live = (
        (desired.table, live.table) if target.kind == "table" else (desired.sequence, live.sequence)
    )
    obj = find_desired(qname)
    old = obj.renamed_from if obj is not None else None
    if old is not None and find_live(old) is not None and find_live(qname) is None:
        return GrantTarget(target.kind, old.schema, old.name)
    return target


def _keyed(atoms: Iterable[Privilege]) -> dict[tuple[str, str, str | None], Privilege]:
    return {(a.grantee, a.privilege, a.column): a for a in atoms}


def _compare(wanted: ObjectGrants, have: ObjectGrants, live_target: GrantTarget) -> ChangeGrants | None:
    managed = set(wanted.managed_roles)
    desired = _keyed(wanted.privileges)
    current = _keyed(a for a in have.privileges if a.grantee in managed)
    granted = [a for k, a in desired.items() if k not in current or (a.grantable and not current[k].grantable)]
    revoked = [a for k, a in current.items() if k not in desired]
    option_revoked = [a for k, a in current.items() if k in desired and a.grantable and not desired[k].grantable]
    if not (granted or revoked or option_revoked):
        return None
    return ChangeGrants(
        wanted.target, live_target, tuple(sorted(granted)), tuple(sorted(revoked)), tuple(sorted(option_revoked))
    )


def _defaults(live: Catalog, desired: Catalog) -> Iterable[Change]:
    current = {(d.schema, d.for_role): d for d in live.default_privileges}
    for wanted in desired.default_privileges:
        have = current.get((wanted.schema, wanted.for_role), DefaultPrivileges(wanted.schema, wanted.for_role))
        want = {(d.objects, d.grantee, d.privilege): d for d in wanted.privileges}
        got = {(d.objects, d.grantee, d.privilege): d for d in have.privileges}
        granted = [d for k, d in want.items() if k not in got or (d.grantable and not got[k].grantable)]
        revoked = [d for k, d in got.items() if k not in want]
        option_revoked = [d for k, d in got.items() if k in want and d.grantable and not want[k].grantable]
        if granted or revoked or option_revoked:
            yield ChangeDefaultPrivileges(
                wanted.schema,
                wanted.for_role,
                tuple(sorted(granted)),
                tuple(sorted(revoked)),
                tuple(sorted(option_revoked)),
            )


def between_environments(live: Catalog, baseline: Catalog) -> Iterable[Change]:
    """drift --baseline: `baseline` is another environment's live catalog, which names no managed
    roles, so every role's privileges are compared, on each object both catalogs hold (an object
    only one holds is itself missing or unexpected), and every role's default privileges in each
    schema both hold."""
    both = _targets(live) & _targets(baseline)
    current = {g.target: g for g in live.grants}
    reference = {g.target: g for g in baseline.grants}
    for target in sorted(both):
        have, want = current.get(target, ObjectGrants(target)), reference.get(target, ObjectGrants(target))
        roles = sorted({a.grantee for a in have.privileges + want.privileges})
        change = _compare(replace(want, managed_roles=tuple(roles)), have, target)
        if change is not None:
            yield change
    schemas = {s.name for s in live.schemas} & {s.name for s in baseline.schemas}
    pairs = {
        (d.schema, d.for_role) for d in live.default_privileges + baseline.default_privileges if d.schema in schemas
    }
    held = {(d.schema, d.for_role): d for d in baseline.default_privileges}
    every = tuple(held.get(pair, DefaultPrivileges(*pair)) for pair in sorted(pairs))
    yield from _defaults(live, replace(baseline, default_privileges=every))


def _targets(catalog: Catalog) -> set[GrantTarget]:
    """Every object of `catalog` that can hold privileges (see introspect.grants)."""
    found = {GrantTarget("schema", s.name, s.name) for s in catalog.schemas}
    found |= {GrantTarget("table", t.schema, t.name) for t in catalog.tables}
    found |= {GrantTarget("sequence", s.schema, s.name) for s in catalog.sequences}
    found |= {GrantTarget("view", v.schema, v.name) for v in catalog.views}
    found |= {GrantTarget("materialized view", v.schema, v.name) for v in catalog.materialized_views}
    found |= {GrantTarget(f.kind, f.schema, f.name, ", ".join(f.identity_types)) for f in catalog.functions}
    return found


def foreign_privileges(live: Catalog, desired: Catalog) -> dict[GrantTarget, tuple[Privilege, ...]]:
    """Privileges on objects the desired side manages grants of, held by roles it does not
    mention there: left alone, reported by drift."""
    current = {g.target: g for g in live.grants}
    found = {}
    for wanted in desired.grants:
        have = current.get(_live_target(live, desired, wanted.target))
        extra = tuple(a for a in (have.privileges if have else ()) if a.grantee not in wanted.managed_roles)
        if extra:
            found[wanted.target] = extra
    return found
