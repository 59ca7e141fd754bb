"""Rules for row-level security: ENABLE/FORCE/DISABLE and policies.

CREATE/ALTER/DROP POLICY and ALTER TABLE ... ENABLE|DISABLE|FORCE ROW LEVEL SECURITY all take
ACCESS EXCLUSIVE on the table, for a catalog-only change (an instant once granted). Order within
the expand phase: columns first (a policy may use new ones), then policies, then ENABLE, so
there is never a moment with row-level security on and the policies missing. Dropped policies
go in the contract phase, before the columns they use are dropped.
"""

from __future__ import annotations

from reconciler.ddl import security
from reconciler.diff import usertypes as u
from reconciler.model import Policy, QualifiedName
from reconciler.plan import ordering as o
from reconciler.plan.context import PlanContext
from reconciler.plan.rules.base import breaks_old, brief_exclusive, exclusive, make_step
from reconciler.plan.steps import Hazard, HazardCode, Lock, Phase, Step

# Ranks (see plan.ordering).
POLICY = o.RENAME_INDEX + 5  # after columns, constraints and indexes of the expand phase
ENABLE_RLS = POLICY + 5
DROP_POLICY = o.DROP_CONSTRAINT - 5  # before DROP_COLUMN: a policy keeps its columns alive


def _table(
    change: u.AddPolicy | u.DropPolicy | u.AlterPolicy | u.AlterRowLevelSecurity, ctx: PlanContext, phase: Phase
) -> QualifiedName:
    return ctx.table_name(change.live.qname, phase)


def add_policy(change: u.AddPolicy, ctx: PlanContext) -> list[Step]:
    table = _table(change, ctx, Phase.EXPAND)
    policy = change.policy
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=POLICY,
            action="create-policy",
            subject=change.subject,
            description=f"create {_describe(policy)} policy {policy.name} on {table}",
            statements=[security.create_policy(table, policy)],
            reverse=[security.drop_policy(table, policy.name)],
            locks=_locks(ctx, table),
            hazards=_hazards(ctx, table),
        )
    ]


def drop_policy(change: u.DropPolicy, ctx: PlanContext) -> list[Step]:
    table = _table(change, ctx, Phase.CONTRACT)
    policy = change.policy
    hazards = _hazards(ctx, table)
    if change.desired.row_level_security.enabled:
        hazards.append(
            breaks_old(f"with row-level security still on, roles that policy {policy.name} let through see fewer rows")
        )
    return [
        make_step(
            ctx,
            change,
            phase=Phase.CONTRACT,
            order=DROP_POLICY,
            action="drop-policy",
            subject=change.subject,
            description=f"drop policy {policy.name} on {table}",
            statements=[security.drop_policy(table, policy.name)],
            reverse=[security.create_policy(table, policy)],
            locks=_locks(ctx, table),
            hazards=hazards,
        )
    ]


def alter_policy(change: u.AlterPolicy, ctx: PlanContext) -> list[Step]:
    """ALTER POLICY where it can express the change, else drop and create in one transaction
    (nobody sees the table without the policy)."""
    table = _table(change, ctx, Phase.EXPAND)
    old, new = change.old, change.new
    if change.in_place:
        statements = [security.alter_policy(table, new)]
        reverse = [security.drop_policy(table, new.name), security.create_policy(table, old)]
        how = "alter"
    else:
        statements = [security.drop_policy(table, old.name), security.create_policy(table, new)]
        reverse = [security.drop_policy(table, new.name), security.create_policy(table, old)]
        how = "recreate"
    hazards = [
        *_hazards(ctx, table),
        breaks_old(f"the old application version may rely on what policy {new.name} allowed before"),
    ]
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=POLICY,
            action=f"{how}-policy",
            subject=change.subject,
            description=f"{how} policy {new.name} on {table} ({_describe(new)})",
            statements=statements,
            reverse=reverse,
            locks=_locks(ctx, table),
            hazards=hazards,
        )
    ]


def alter_row_level_security(change: u.AlterRowLevelSecurity, ctx: PlanContext) -> list[Step]:
    table = _table(change, ctx, Phase.EXPAND)
    old, new = change.live.row_level_security, change.desired.row_level_security
    statements = []
    reverse = []
    hazards = _hazards(ctx, table)
    if old.enabled != new.enabled:
        statements.append(security.set_row_level_security(table, new.enabled))
        reverse.append(security.set_row_level_security(table, old.enabled))
        hazards.append(_enable_hazard(table, change) if new.enabled else _disable_hazard(table))
    if old.forced != new.forced:
        statements.append(security.force_row_level_security(table, new.forced))
        reverse.append(security.force_row_level_security(table, old.forced))
        if new.forced:
            hazards.append(
                Hazard(
                    HazardCode.BREAKS_OLD_APPLICATION,
                    f"the owner of {table} becomes subject to its policies too",
                    "make sure the policies let the owner's own jobs (migrations aside) through",
                )
            )
    verb = "enable" if new.enabled and not old.enabled else "disable" if old.enabled and not new.enabled else "change"
    return [
        make_step(
            ctx,
            change,
            phase=Phase.EXPAND,
            order=ENABLE_RLS,
            action="row-level-security",
            subject=change.subject,
            description=f"{verb} row-level security on {table}" + (" (forced on the owner)" if new.forced else ""),
            statements=statements,
            reverse=reverse,
            locks=_locks(ctx, table),
            hazards=hazards,
        )
    ]


def _enable_hazard(table: QualifiedName, change: u.AlterRowLevelSecurity) -> Hazard:
    roles = sorted({r for p in change.desired.policies for r in p.roles})
    covered = f"only roles the policies name ({', '.join(roles)})" if roles else "no role (there is no policy)"
    return Hazard(
        HazardCode.BREAKS_OLD_APPLICATION,
        f"from now on queries on {table} by roles other than its owner (and superusers or BYPASSRLS roles) see and "
        f"change only the rows a policy allows: {covered}; any other role gets no rows at all, without an error",
        "check that every role the applications use is covered by a policy before applying",
    )


def _disable_hazard(table: QualifiedName) -> Hazard:
    return Hazard(
        HazardCode.BREAKS_OLD_APPLICATION,
        f"every role with table privileges on {table} sees every row again; its policies stay but are not applied",
    )


def _locks(ctx: PlanContext, table: QualifiedName) -> list[Lock]:
    """A table this plan creates is not locked by anyone else: no lock to report."""
    return [exclusive(table)] if ctx.live.catalog.table(table) is not None else []


def _hazards(ctx: PlanContext, table: QualifiedName) -> list[Hazard]:
    return [brief_exclusive(ctx, table)] if ctx.live.catalog.table(table) is not None else []


def _describe(policy: Policy) -> str:
    kind = "permissive" if policy.permissive else "restrictive"
    return f"{kind}, for {policy.command}, to {', '.join(policy.roles)}"
