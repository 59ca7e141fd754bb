"""Rules for domains and composite types.

Lock facts these rules rely on (checked on PostgreSQL 18): ALTER DOMAIN ADD CONSTRAINT (valid),
VALIDATE CONSTRAINT and SET NOT NULL take SHARE (writes wait, reads continue) on every table
with a column of the domain while they scan it; ADD CONSTRAINT ... NOT VALID checks nothing
stored and is instant. ALTER TYPE ... ALTER ATTRIBUTE ... TYPE is refused by PostgreSQL while a
table column uses the composite type; ADD and DROP ATTRIBUTE are not.
"""

from __future__ import annotations

import dataclasses

from reconciler.ddl import types
from reconciler.diff import usertypes as u
from reconciler.errors import PlanError
from reconciler.model import Column, CompositeAttribute, CompositeType, Domain, DomainCheck, QualifiedName, Table
from reconciler.plan import ordering as o
from reconciler.plan.context import PlanContext
from reconciler.plan.rules.base import breaks_old, deletes_data, make_step, not_reversible
from reconciler.plan.rules.database import columns_using
from reconciler.plan.steps import Hazard, HazardCode, Lock, LockLevel, Phase, Step
from reconciler.sqlparse import graph

# Ranks (see plan.ordering): types exist before the tables and columns that use them.
CREATE_COLLATION = o.CREATE_EXTENSION + 5
CREATE_DOMAIN = o.CREATE_ENUM + 2
CREATE_COMPOSITE = o.CREATE_ENUM + 3  # may use domains
ALTER_COMPOSITE = o.CREATE_ENUM + 4
DOMAIN_CALLS = o.RECREATE_FUNCTION + 2  # a new domain's checks and default calling new routines; before tables


def _scan_hazard(ctx: PlanContext, users: list[tuple[Table, Column]], what: str) -> list[Hazard]:
    if not users:
        return []
    shown = ", ".join(f"{t.qname}.{c.name} ({ctx.size(t.qname)})" for t, c in users)
    return [
        Hazard(
            HazardCode.BLOCKING_SCAN,
            f"{what} scans every column of the domain under SHARE (writes wait, reads continue): {shown}",
            "schedule it when writes to these tables can wait, or keep the check notValid",
        )
    ]


def _share_locks(users: list[tuple[Table, Column]]) -> list[Lock]:
    return [Lock(LockLevel.SHARE, t) for t in dict.fromkeys(t.qname for t, _ in users)]


# --- domains -------------------------------------------------------------------------------


def add_domain(change: u.AddDomain, ctx: PlanContext) -> list[Step]:
    domain = change.domain
    calls = domain in graph.domains_calling(ctx.desired)
    statements = [types.create_domain(types.bare_domain(domain) if calls else domain)]
    statements += [
        types.add_domain_check(domain.qname, c, not_valid=True) for c in domain.checks if c.not_valid and not calls
    ]
    if domain.comment is not None:
        statements.append(types.domain_comment(domain.qname, domain.comment))
    create = make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=CREATE_DOMAIN,
        action="create-domain",
        subject=change.subject,
        description=f"create domain {domain.qname} as {domain.type}",
        statements=statements,
        reverse=[types.drop_domain(domain.qname)],
    )
    if not calls:
        return [create]
    return [
        create,
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=DOMAIN_CALLS,
            action="domain-checks",
            subject=change.subject,
            description=(
                f"give the new domain {domain.qname} its default and checks, which call routines created after the "
                "domain (no column uses it yet: nothing to scan)"
            ),
            statements=types.domain_calls(domain),
            reverse=[
                types.set_domain_default(domain.qname, None),
                *(types.drop_domain_check(domain.qname, c.name) for c in domain.checks),
            ],
            after=[create.id],
        ),
    ]


def drop_domain(change: u.DropDomain, ctx: PlanContext) -> list[Step]:
    domain = change.domain
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.DROP_TYPE,
            action="drop-domain",
            subject=change.subject,
            description=f"drop domain {domain.qname}",
            statements=[types.drop_domain(domain.qname)],
            reverse=[types.create_domain(domain)],
            hazards=[breaks_old(f"the old application version may still cast to {domain.qname}")],
        )
    ]


def rename_domain(change: u.RenameDomain, ctx: PlanContext) -> list[Step]:
    old, new = change.live.qname, change.desired.qname
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.RENAME_TYPE,
            action="rename-domain",
            subject=change.subject,
            description=f"rename domain {old} to {new.name}",
            statements=[types.rename_domain(old, new.name)],
            reverse=[types.rename_domain(new, old.name)],
            hazards=[breaks_old(f"SQL casting to {old} by name stops working (columns keep their type)")],
        )
    ]


def alter_domain(change: u.AlterDomain, ctx: PlanContext) -> list[Step]:
    live, desired = change.live, change.desired
    if (live.type, live.collation) != (desired.type, desired.collation):
        raise PlanError(
            f"domain {desired.qname}: changing the base type or collation of a domain has no ALTER DOMAIN form; "
            "create a new domain, move the columns to it, then drop the old one"
        )
    expand_name, contract_name = live.qname, desired.qname  # renames run first in the contract phase
    steps: list[Step] = []
    if live.default != desired.default:
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.RELAX_COLUMN,
                action="domain-default",
                subject=change.subject,
                description=f"{'set' if desired.default else 'drop'} the default of domain {expand_name}",
                statements=[types.set_domain_default(expand_name, desired.default)],
                reverse=[types.set_domain_default(expand_name, live.default)],
            )
        )
    if live.nullable != desired.nullable:
        steps.append(_domain_not_null(ctx, change, live, desired, expand_name, contract_name))
    steps += _domain_checks(ctx, change, live, desired, expand_name, contract_name)
    if live.comment != desired.comment:
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.COMMENT,
                action="comment-domain",
                subject=change.subject,
                description=f"set the comment of domain {expand_name}",
                statements=[types.domain_comment(expand_name, desired.comment)],
                reverse=[types.domain_comment(expand_name, live.comment)],
            )
        )
    return steps


def _domain_not_null(
    ctx: PlanContext,
    change: u.AlterDomain,
    live: Domain,
    desired: Domain,
    expand_name: QualifiedName,
    contract_name: QualifiedName,
) -> Step:
    if desired.nullable:  # relaxing: the new application version may write NULLs from expand on
        return make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.RELAX_COLUMN,
            action="domain-drop-not-null",
            subject=change.subject,
            description=f"allow NULL in domain {expand_name}",
            statements=[types.set_domain_not_null(expand_name, False)],
            reverse=[types.set_domain_not_null(expand_name, True)],
        )
    users = columns_using(ctx, live.qname)
    return make_step(
        ctx,
        change,
        phase=Phase.CONTRACT,
        order=o.SET_NOT_NULL,
        action="domain-set-not-null",
        subject=change.subject,
        description=f"make domain {contract_name} NOT NULL",
        statements=[types.set_domain_not_null(contract_name, True)],
        reverse=[types.set_domain_not_null(contract_name, False)],
        locks=_share_locks(users),
        long_running=bool(users),
        hazards=[
            *_scan_hazard(ctx, users, "SET NOT NULL"),
            Hazard(HazardCode.MAY_FAIL, "fails if a column of the domain holds NULL", "fill those rows first"),
            breaks_old("the old application version may still write NULL"),
        ],
    )


def _domain_checks(
    ctx: PlanContext,
    change: u.AlterDomain,
    live: Domain,
    desired: Domain,
    expand_name: QualifiedName,
    contract_name: QualifiedName,
) -> list[Step]:
    current = {c.name: c for c in live.checks}
    wanted = {c.name: c for c in desired.checks}
    steps: list[Step] = []
    for name, check in wanted.items():
        old = current.get(name)
        if old is not None and (old == check or (old.not_valid and _same_expression(old, check))):
            if old.not_valid and not check.not_valid:
                steps.append(_validate_check(ctx, change, live, expand_name, name, after=None))
            continue
        if old is not None:  # same name, other definition: drop it first, in the same step
            steps += _replace_check(ctx, change, live, expand_name, old, check)
        else:
            steps += _add_check(ctx, change, live, expand_name, check)
    for name, check in current.items():
        if name not in wanted:
            steps.append(
                make_step(
                    ctx,
                    change,
                    phase=Phase.CONTRACT,
                    order=o.DROP_CONSTRAINT,
                    action="domain-drop-check",
                    subject=f"{change.subject}.{name}",
                    description=f"drop check {name} of domain {contract_name}",
                    statements=[types.drop_domain_check(contract_name, name)],
                    reverse=[types.add_domain_check(contract_name, check, not_valid=True)],
                )
            )
    return steps


def _same_expression(a: DomainCheck, b: DomainCheck) -> bool:
    return a.expression == b.expression


def _add_check(
    ctx: PlanContext,
    change: u.AlterDomain,
    live: Domain,
    name: QualifiedName,
    check: DomainCheck,
    drop_first: DomainCheck | None = None,
) -> list[Step]:
    """NOT VALID first (instant; new values are checked from then on), then VALIDATE unless the
    check is declared notValid."""
    statements = [types.drop_domain_check(name, drop_first.name)] if drop_first is not None else []
    statements.append(types.add_domain_check(name, check, not_valid=True))
    add = make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.ADD_CONSTRAINT_NOT_VALID,
        action="domain-add-check",
        subject=f"{change.subject}.{check.name}",
        description=(
            f"{'replace' if drop_first else 'add'} check {check.name} on domain {name} (NOT VALID: new values are "
            "checked, stored ones not yet)"
        ),
        statements=statements,
        reverse=[types.drop_domain_check(name, check.name)],
        hazards=[breaks_old(f"the old application version may write values that fail {check.name}")],
    )
    if check.not_valid:
        return [add]
    return [add, _validate_check(ctx, change, live, name, check.name, after=add.id)]


def _replace_check(
    ctx: PlanContext, change: u.AlterDomain, live: Domain, name: QualifiedName, old: DomainCheck, new: DomainCheck
) -> list[Step]:
    return _add_check(ctx, change, live, name, new, drop_first=old)


def _validate_check(
    ctx: PlanContext, change: u.AlterDomain, live: Domain, name: QualifiedName, check: str, after: str | None
) -> Step:
    users = columns_using(ctx, live.qname)
    return make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=o.VALIDATE,
        action="domain-validate-check",
        subject=f"{change.subject}.{check}",
        description=f"validate check {check} of domain {name} against the values stored in its columns",
        statements=[types.validate_domain_check(name, check)],
        locks=_share_locks(users),
        long_running=bool(users),
        hazards=[
            *_scan_hazard(ctx, users, "VALIDATE CONSTRAINT"),
            Hazard(
                HazardCode.MAY_FAIL,
                f"fails if a stored value violates {check}",
                "fix those rows, or declare the check notValid",
            ),
        ],
        after=[after] if after else [],
    )


# --- composite types -----------------------------------------------------------------------


def add_composite(change: u.AddCompositeType, ctx: PlanContext) -> list[Step]:
    composite = change.composite
    statements = [types.create_composite(composite)]
    if composite.comment is not None:
        statements.append(types.type_comment(composite.qname, composite.comment))
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=CREATE_COMPOSITE,
            action="create-type",
            subject=change.subject,
            description=f"create composite type {composite.qname}",
            statements=statements,
            reverse=[types.drop_composite(composite.qname)],
        )
    ]


def drop_composite(change: u.DropCompositeType, ctx: PlanContext) -> list[Step]:
    composite = change.composite
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.DROP_TYPE,
            action="drop-type",
            subject=change.subject,
            description=f"drop composite type {composite.qname}",
            statements=[types.drop_composite(composite.qname)],
            reverse=[types.create_composite(composite)],
            hazards=[breaks_old(f"the old application version may still use {composite.qname}")],
        )
    ]


def rename_composite(change: u.RenameCompositeType, ctx: PlanContext) -> list[Step]:
    old, new = change.live.qname, change.desired.qname
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.RENAME_TYPE,
            action="rename-type",
            subject=change.subject,
            description=f"rename composite type {old} to {new.name}",
            statements=[types.rename_composite(old, new.name)],
            reverse=[types.rename_composite(new, old.name)],
            hazards=[breaks_old(f"SQL naming {old} stops working (columns keep their type)")],
        )
    ]


def alter_composite(change: u.AlterCompositeType, ctx: PlanContext) -> list[Step]:
    live, desired = change.live, change.desired
    _check_reachable_order(live, desired)
    name = live.qname
    current = {a.name: a for a in live.attributes}
    wanted = {a.name: a for a in desired.attributes}
    steps: list[Step] = []
    altered = [a for a in desired.attributes if a.name in current and current[a.name] != a]
    if altered:
        steps.append(_alter_attributes(ctx, change, name, altered))
    for attribute in (a for a in desired.attributes if a.name not in current):
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=ALTER_COMPOSITE,
                action="add-attribute",
                subject=f"{change.subject}.{attribute.name}",
                description=f"add attribute {attribute.name} {attribute.type} to composite type {name}",
                statements=[types.add_attribute(name, attribute)],
                reverse=[types.drop_attribute(name, attribute.name)],
                hazards=[
                    breaks_old(
                        f"row constructors with the old number of fields (ROW(...)::{name.name}, "
                        "or ROW(...) inserted into a column of the type) stop converting to the type"
                    )
                ],
                after=[steps[-1].id] if steps else [],
            )
        )
    contract_name = desired.qname
    for attribute in (a for a in live.attributes if a.name not in wanted):
        users = columns_using(ctx, name)
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.CONTRACT,
                order=o.DROP_COLUMN,
                action="drop-attribute",
                subject=f"{change.subject}.{attribute.name}",
                description=f"drop attribute {attribute.name} of composite type {contract_name}",
                statements=[types.drop_attribute(contract_name, attribute.name)],
                hazards=[
                    breaks_old(f"the old application version may still use {attribute.name}"),
                    *(
                        [
                            deletes_data(
                                f"drops {attribute.name} from every value stored in "
                                + ", ".join(f"{t.qname}.{c.name}" for t, c in users)
                            )
                        ]
                        if users
                        else []
                    ),
                    not_reversible(f"the values of {attribute.name} are gone"),
                ],
            )
        )
    if live.comment != desired.comment:
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=o.COMMENT,
                action="comment-type",
                subject=change.subject,
                description=f"set the comment of composite type {name}",
                statements=[types.type_comment(name, desired.comment)],
                reverse=[types.type_comment(name, live.comment)],
            )
        )
    return steps


def _check_reachable_order(live: CompositeType, desired: CompositeType) -> None:
    """New attributes can only be appended: the kept ones must stay in their order, before them."""
    wanted = [a.name for a in desired.attributes]
    kept = [a.name for a in live.attributes if a.name in wanted]
    if wanted[: len(kept)] != kept:
        raise PlanError(
            f"composite type {desired.qname}: attributes {wanted} cannot be reached from "
            f"{[a.name for a in live.attributes]}; ALTER TYPE adds attributes at the end only: list new attributes "
            "after the existing ones"
        )


def _alter_attributes(
    ctx: PlanContext, change: u.AlterCompositeType, name: QualifiedName, altered: list[CompositeAttribute]
) -> Step:
    users = columns_using(ctx, name)
    if users:
        shown = ", ".join(f"{t.qname}.{c.name}" for t, c in users)
        raise PlanError(
            f"composite type {name}: PostgreSQL cannot change the type of attribute(s) "
            f"{', '.join(a.name for a in altered)} while table columns use the type ({shown}); add a new attribute and "
            "move the data instead, or drop those columns first"
        )
    return make_step(
        ctx,
        change,
        phase=Phase.EXPAND,
        order=ALTER_COMPOSITE,
        action="alter-attribute",
        subject=change.subject,
        description=f"change the type of attribute(s) {', '.join(a.name for a in altered)} of composite type {name}",
        statements=[types.alter_attribute_type(name, a) for a in altered],
        hazards=[
            Hazard(
                HazardCode.MAY_FAIL,
                "PostgreSQL refuses it if a table column starts using the type before this step runs",
            ),
            breaks_old("the old application version may rely on the old attribute types"),
        ],
    )


# --- collations ----------------------------------------------------------------------------


def add_collation(change: u.AddCollation, ctx: PlanContext) -> list[Step]:
    collation = change.collation
    statements = [types.create_collation(collation)]
    if collation.comment is not None:
        statements.append(types.collation_comment(collation.qname, collation.comment))
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=CREATE_COLLATION,
            action="create-collation",
            subject=change.subject,
            description=(
                f"create collation {collation.qname} ({collation.provider}, {collation.locale or collation.lc_collate})"
            ),
            statements=statements,
            reverse=[types.drop_collation(collation.qname)],
            hazards=[
                Hazard(
                    HazardCode.MAY_FAIL,
                    "fails if the server's operating system or ICU library lacks the locale",
                    "check `SELECT * FROM pg_collation` on every server the schema goes to",
                )
            ],
        )
    ]


def drop_collation(change: u.DropCollation, ctx: PlanContext) -> list[Step]:
    collation = change.collation
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=o.DROP_TYPE,
            action="drop-collation",
            subject=change.subject,
            description=f"drop collation {collation.qname}",
            statements=[types.drop_collation(collation.qname)],
            reverse=[types.create_collation(collation)],
            hazards=[breaks_old(f"SQL naming COLLATE {collation.qname} stops working")],
        )
    ]


def alter_collation(change: u.AlterCollation, ctx: PlanContext) -> list[Step]:
    live, desired = change.live, change.desired
    if dataclasses.replace(live, comment=None) != dataclasses.replace(desired, comment=None):
        raise PlanError(
            f"collation {desired.qname}: a collation's provider, locale or determinism cannot be altered (indexes "
            "sorted by it would be wrong); create a collation under a new name, move the columns to it, then drop "
            "this one"
        )
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=o.COMMENT,
            action="comment-collation",
            subject=change.subject,
            description=f"set the comment of collation {desired.qname}",
            statements=[types.collation_comment(desired.qname, desired.comment)],
            reverse=[types.collation_comment(desired.qname, live.comment)],
        )
    ]
