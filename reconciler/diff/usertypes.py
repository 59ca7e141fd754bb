"""Typed changes for domains, composite types and row-level security, and their differ.

Stage: diff. Like `diff.changes` and `diff.differ`: a change says what differs, never how. The
main differ calls `catalog_changes` once and `table_changes` for every table it pairs or adds.

Decisions that matter:
- Policies are matched by name; a policy on a managed table that the YAML does not list is
  dropped, as undeclared indexes and constraints of a managed table are.
- A domain check declared `notValid` that is already validated live is in the desired state
  (as for table constraints).
- Composite attributes are matched by name; an order that adding at the end cannot reach is a
  change the planner refuses with an explanation.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from reconciler.diff.changes import Change, TableChange
from reconciler.diff.matching import match
from reconciler.model import (
    Catalog,
    Collation,
    CompositeType,
    Domain,
    DomainCheck,
    EnumType,
    Function,
    Policy,
    QualifiedName,
    RowLevelSecurity,
    Table,
)
from reconciler.sqlparse.fragments import sql_name

UserType = EnumType | Domain | CompositeType
Renamable = TypeVar("Renamable", Domain, CompositeType)

# --- changes: domains ----------------------------------------------------------------------


@dataclass(frozen=True)
class AddDomain(Change, desired_object="domain"):
    domain: Domain


@dataclass(frozen=True)
class DropDomain(Change, live_object="domain"):
    domain: Domain


@dataclass(frozen=True)
class RenameDomain(Change):
    live: Domain
    desired: Domain


@dataclass(frozen=True)
class AlterDomain(Change):
    """Anything but the name: base type, collation, default, NOT NULL, checks, comment."""

    live: Domain
    desired: Domain

    @property
    def detail(self) -> str:
        return domain_detail(self.live, self.desired)


# --- changes: composite types --------------------------------------------------------------


@dataclass(frozen=True)
class AddCompositeType(Change, desired_object="composite"):
    composite: CompositeType


@dataclass(frozen=True)
class DropCompositeType(Change, live_object="composite"):
    composite: CompositeType


@dataclass(frozen=True)
class RenameCompositeType(Change):
    live: CompositeType
    desired: CompositeType


@dataclass(frozen=True)
class AlterCompositeType(Change):
    live: CompositeType
    desired: CompositeType

    @property
    def detail(self) -> str:
        live = [(a.name, a.type) for a in self.live.attributes]
        desired = [(a.name, a.type) for a in self.desired.attributes]
        if live != desired:
            return f"attributes are {_attrs(self.live)}, desired {_attrs(self.desired)}"
        return "attribute collations or comment differ"


def _attrs(t: CompositeType) -> str:
    return "(" + ", ".join(f"{a.name} {a.type}" for a in t.attributes) + ")"


# --- changes: collations ------------------------------------------------------------------


@dataclass(frozen=True)
class AddCollation(Change, desired_object="collation"):
    collation: Collation


@dataclass(frozen=True)
class DropCollation(Change, live_object="collation"):
    collation: Collation


@dataclass(frozen=True)
class AlterCollation(Change):
    live: Collation
    desired: Collation

    @property
    def detail(self) -> str:
        if dataclasses.replace(self.live, comment=None) == dataclasses.replace(self.desired, comment=None):
            return f"comment is {self.live.comment!r}, desired {self.desired.comment!r}"
        return "provider, locale or determinism differ"


# --- changes: row-level security -----------------------------------------------------------


@dataclass(frozen=True)
class AlterRowLevelSecurity(TableChange):
    @property
    def detail(self) -> str:
        return (
            f"row-level security is {_rls(self.live.row_level_security)}, desired "
            f"{_rls(self.desired.row_level_security)}"
        )


def _rls(rls: RowLevelSecurity) -> str:
    return (
        ("forced" if rls.forced else "enabled") if rls.enabled else ("disabled (forced)" if rls.forced else "disabled")
    )


@dataclass(frozen=True)
class AddPolicy(TableChange, desired_object="policy"):
    policy: Policy

    @property
    def detail(self) -> str:
        return f"policy {self.policy.name} missing"


@dataclass(frozen=True)
class DropPolicy(TableChange, live_object="policy"):
    policy: Policy

    @property
    def detail(self) -> str:
        return f"policy {self.policy.name} unexpected"


@dataclass(frozen=True)
class AlterPolicy(TableChange, live_object="old", desired_object="new"):
    old: Policy
    new: Policy

    @property
    def detail(self) -> str:
        return f"policy {self.new.name} has another definition"

    @property
    def in_place(self) -> bool:
        """ALTER POLICY changes roles, USING and WITH CHECK, but cannot change the command or
        the kind, nor remove an expression."""
        old, new = self.old, self.new
        return (
            (old.command, old.permissive) == (new.command, new.permissive)
            and (new.using is not None or old.using is None)
            and (new.with_check is not None or old.with_check is None)
        )


# --- differ --------------------------------------------------------------------------------


def _pairs(
    live: dict[QualifiedName, Renamable], desired: dict[QualifiedName, Renamable]
) -> tuple[list[tuple[Renamable, Renamable, bool]], list[Renamable], list[Renamable]]:
    """(pairs, added, dropped) by key, then by `renamed_from` (as the main differ does)."""
    return match(live, desired, lambda obj: obj.renamed_from)


def catalog_changes(live: Catalog, desired: Catalog) -> Iterable[Change]:
    yield from _collations(live, desired)
    yield from _domains(live, desired)
    yield from _composites(live, desired)


def _collations(live: Catalog, desired: Catalog) -> Iterable[Change]:
    current = {c.qname: c for c in live.collations}
    wanted = {c.qname: c for c in desired.collations}
    for name, collation in wanted.items():
        if name not in current:
            yield AddCollation(collation)
        elif current[name] != collation:
            yield AlterCollation(current[name], collation)
    for name, collation in current.items():
        if name not in wanted:
            yield DropCollation(collation)


def _domains(live: Catalog, desired: Catalog) -> Iterable[Change]:
    pairs, added, dropped = _pairs({d.qname: d for d in live.domains}, {d.qname: d for d in desired.domains})
    for domain in added:
        yield AddDomain(domain)
    for old, new, renamed in pairs:
        if renamed:
            yield RenameDomain(old, new)
        new = _accept_validated(old, new)
        if dataclasses.replace(old, schema="", name="") != dataclasses.replace(new, schema="", name=""):
            yield AlterDomain(old, new)
    for domain in dropped:
        yield DropDomain(domain)


def _accept_validated(old: Domain, new: Domain) -> Domain:
    """A validated live check satisfies a desired `notValid` one."""
    live = {c.name: c for c in old.checks}
    checks = tuple(
        dataclasses.replace(c, not_valid=False)
        if c.not_valid and c.name in live and live[c.name] == dataclasses.replace(c, not_valid=False)
        else c
        for c in new.checks
    )
    return dataclasses.replace(new, checks=checks)


def _composites(live: Catalog, desired: Catalog) -> Iterable[Change]:
    pairs, added, dropped = _pairs(
        {t.qname: t for t in live.composite_types}, {t.qname: t for t in desired.composite_types}
    )
    for composite in added:
        yield AddCompositeType(composite)
    for old, new, renamed in pairs:
        if renamed:
            yield RenameCompositeType(old, new)
        if (old.attributes, old.comment) != (new.attributes, new.comment):
            yield AlterCompositeType(old, new)
    for composite in dropped:
        yield DropCompositeType(composite)


def table_changes(live: Table, desired: Table) -> Iterable[Change]:
    """RLS and policy changes of a table that exists on both sides (or of a new table, with
    `live` the same table without security)."""
    current = {p.name: p for p in live.policies}
    wanted = {p.name: p for p in desired.policies}
    for name, policy in wanted.items():
        if name not in current:
            yield AddPolicy(live, desired, policy)
        elif current[name] != policy:
            yield AlterPolicy(live, desired, current[name], policy)
    if live.row_level_security != desired.row_level_security:
        yield AlterRowLevelSecurity(live, desired)
    for name, policy in current.items():
        if name not in wanted:
            yield DropPolicy(live, desired, policy)


def new_table_changes(table: Table) -> Iterable[Change]:
    bare = dataclasses.replace(table, policies=(), row_level_security=RowLevelSecurity())
    return table_changes(bare, table)


# --- drift details -------------------------------------------------------------------------


def domain_detail(old: Domain, new: Domain) -> str:
    parts = []
    for what, before, after in (
        ("type", old.type, new.type),
        ("collation", old.collation, new.collation),
        ("default", old.default, new.default),
        ("nullability", "nullable" if old.nullable else "not null", "nullable" if new.nullable else "not null"),
        ("comment", old.comment, new.comment),
    ):
        if before != after:
            parts.append(f"{what} is {before or 'none'}, desired {after or 'none'}")
    parts += check_details(old.checks, new.checks)
    return "; ".join(parts) or "differs"


def check_details(old: tuple[DomainCheck, ...], new: tuple[DomainCheck, ...]) -> list[str]:
    current, wanted = {c.name: c for c in old}, {c.name: c for c in new}
    out = [f"check {n} missing" for n in wanted if n not in current]
    out += [f"check {n} unexpected" for n in current if n not in wanted]
    for name in wanted.keys() & current.keys():
        if wanted[name] != current[name]:
            same = dataclasses.replace(current[name], not_valid=False) == wanted[name]
            out.append(f"check {name} not validated" if same else f"check {name} has another definition")
    return sorted(out)


# --- renamed types under columns -----------------------------------------------------------


def type_renames(live: Catalog, desired: Catalog) -> dict[str, str]:
    """Type spellings of enums, domains and composite types renamed by hint: old -> new. A
    column or a routine's signature keeps its type through the rename, so it must not look like
    a type change (nor a new routine)."""
    renames: dict[str, str] = {}
    kinds: list[tuple[Sequence[UserType], Sequence[UserType]]] = [
        (desired.enums, live.enums),
        (desired.domains, live.domains),
        (desired.composite_types, live.composite_types),
    ]
    for group, current in kinds:
        names = {obj.qname for obj in current}
        for obj in group:
            old = obj.renamed_from
            if old is not None and old in names and obj.qname not in names:
                renames[sql_name((old.schema, old.name))] = sql_name((obj.schema, obj.name))
    return renames


def translate_types(table: Table, renames: dict[str, str]) -> Table:
    if not renames:
        return table
    columns = tuple(dataclasses.replace(c, type=_renamed_type(c.type, renames)) for c in table.columns)
    return dataclasses.replace(table, columns=columns)


def translate_routine(function: Function, renames: dict[str, str]) -> Function:
    """`function` with the types of its arguments and result renamed (`type_renames`)."""
    if not renames:
        return function
    return dataclasses.replace(
        function,
        arguments=tuple(dataclasses.replace(a, type=_renamed_type(a.type, renames)) for a in function.arguments),
        returns=_renamed_type(function.returns, renames) if function.returns is not None else None,
        table=tuple(dataclasses.replace(c, type=_renamed_type(c.type, renames)) for c in function.table),
    )


def _renamed_type(type_text: str, renames: dict[str, str]) -> str:
    base, array = (type_text[:-2], "[]") if type_text.endswith("[]") else (type_text, "")
    return renames.get(base, base) + array
