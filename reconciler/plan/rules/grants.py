"""Rules for privileges: GRANT in the expand phase (the new application version may need them),
REVOKE in the contract phase (the old one may still use them).

Roles are referenced, not created: a role a grant names must exist on the live server, or
planning stops with an error saying which, unless the `createRoles` policy (CLI
`--create-roles`) asks for missing roles to be created NOLOGIN first. GRANT and REVOKE change the
catalog only: no table lock worth reporting.
"""

from __future__ import annotations

from collections.abc import Iterable

from reconciler.ddl import security
from reconciler.diff import grants as d
from reconciler.errors import PlanError
from reconciler.model import DefaultPrivilege, GrantTarget, Privilege
from reconciler.plan import ordering as o
from reconciler.plan.context import PlanContext
from reconciler.plan.rules.base import breaks_old, make_step
from reconciler.plan.steps import Phase, Step

CREATE_ROLE = o.CREATE_SCHEMA - 10
GRANT = o.COMMENT - 5  # after every object of the expand phase exists
REVOKE = o.CONTRACT_COMMENT - 10
REVOKE_NEW_ROUTINE = o.RECREATE_FUNCTION + 2  # a routine created by the plan: right after it exists


def _role_steps(
    ctx: PlanContext, change: d.ChangeGrants | d.ChangeDefaultPrivileges, roles: Iterable[str], where: str
) -> list[Step]:
    missing = sorted({r for r in roles if r != "public" and r not in ctx.live.roles})
    if not missing:
        return []
    if not ctx.settings.create_roles:
        names = ", ".join(repr(r) for r in missing)
        raise PlanError(
            f"role(s) {names} named by the grants of {where} do not exist on the server; reconciler references roles, "
            "it does not create them: create them first, or allow it with `--create-roles` (policy `createRoles: "
            "true`) to create them NOLOGIN"
        )
    steps = []
    for role in missing:
        if role in ctx.created_roles:
            continue
        ctx.created_roles.add(role)
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=CREATE_ROLE,
                action="create-role",
                subject=role,
                description=f"create role {role} (NOLOGIN; it has no password and cannot log in)",
                statements=[security.create_role_if_missing(role)],
            )
        )
    return steps


def change_grants(change: d.ChangeGrants, ctx: PlanContext) -> list[Step]:
    steps = _role_steps(ctx, change, [p.grantee for p in change.granted], str(change.target))
    if change.granted:
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=GRANT,
                action=f"grant-{change.target.kind}",
                subject=_name(change.target),
                description=f"grant {_summary(change.granted)} on {change.live_target}",
                statements=security.grant(change.live_target, change.granted),
                reverse=security.revoke(change.live_target, change.granted),
                after=[s.id for s in steps],
            )
        )
    if (change.revoked or change.option_revoked) and _new_routine(change, ctx):
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=REVOKE_NEW_ROUTINE,
                action=f"revoke-{change.target.kind}",
                subject=_name(change.target),
                description=(
                    f"revoke {_summary(change.revoked, 'from')} on {change.target}, created by this plan (PostgreSQL's "
                    "default)"
                ),
                statements=security.revoke(change.target, change.revoked)
                + security.revoke(change.target, change.option_revoked, option_only=True),
            )
        )
    elif change.revoked or change.option_revoked:
        statements = security.revoke(change.target, change.revoked) + security.revoke(
            change.target, change.option_revoked, option_only=True
        )
        parts = [_summary(change.revoked, "from")] if change.revoked else []
        parts += [f"the grant option of {_summary(change.option_revoked, 'from')}"] if change.option_revoked else []
        lost = "; ".join(parts)
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.CONTRACT,
                order=REVOKE,
                action=f"revoke-{change.target.kind}",
                subject=_name(change.target),
                description=f"revoke {lost} on {change.target} (not declared)",
                statements=statements,
                reverse=security.grant(change.target, change.revoked + change.option_revoked),
                hazards=[
                    breaks_old(
                        f"on {change.target} these roles lose what is revoked ({lost}): their queries that need it "
                        "fail with 'permission denied'"
                    )
                ],
            )
        )
    return steps


def _new_routine(change: d.ChangeGrants, ctx: PlanContext) -> bool:
    """A routine this plan creates: what is revoked is PostgreSQL's default (PUBLIC's EXECUTE),
    which nobody can be relying on yet, so it goes right after the CREATE, not in the contract phase."""
    return change.target.kind in ("function", "procedure") and not any(
        o.target == change.live_target for o in ctx.live.catalog.grants
    )


def change_default_privileges(change: d.ChangeDefaultPrivileges, ctx: PlanContext) -> list[Step]:
    where = f"default privileges of role {change.for_role} in schema {change.schema}"
    steps = _role_steps(ctx, change, [change.for_role, *(p.grantee for p in change.granted)], where)
    if change.granted:
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.EXPAND,
                order=GRANT,
                action="grant-defaults",
                subject=change.subject,
                description=(
                    f"objects {change.for_role} creates in schema {change.schema} from now on: grant "
                    f"{_summary(change.granted)}"
                ),
                statements=security.grant_defaults(change.schema, change.for_role, change.granted),
                reverse=security.grant_defaults(change.schema, change.for_role, change.granted, revoke_them=True),
                after=[s.id for s in steps],
            )
        )
    if change.revoked or change.option_revoked:
        statements = security.grant_defaults(change.schema, change.for_role, change.revoked, revoke_them=True)
        statements += security.grant_defaults(
            change.schema, change.for_role, change.option_revoked, revoke_them=True, option_only=True
        )
        steps.append(
            make_step(
                ctx,
                change,
                phase=Phase.CONTRACT,
                order=REVOKE,
                action="revoke-defaults",
                subject=change.subject,
                description=f"objects {change.for_role} creates in schema {change.schema} from now on: no longer grant "
                f"{_summary(change.revoked + change.option_revoked, 'to')} (existing objects keep their privileges)",
                statements=statements,
            )
        )
    return steps


def _summary(atoms: Iterable[Privilege | DefaultPrivilege], preposition: str = "to") -> str:
    by_role: dict[str, list[str]] = {}
    for atom in atoms:
        what = atom.privilege
        if isinstance(atom, Privilege) and atom.column:
            what += f"({atom.column})"
        if isinstance(atom, DefaultPrivilege) and atom.objects:
            what += f" on {atom.objects}"
        by_role.setdefault(atom.grantee, []).append(what)
    return "; ".join(f"{', '.join(sorted(whats))} {preposition} {role}" for role, whats in sorted(by_role.items()))


def _name(target: GrantTarget) -> str:
    """A schema by its name, other objects schema-qualified (as in every other step id), routines
    with their argument types."""
    kind, schema, name = target.kind, target.schema, target.name
    if target.arguments is not None:  # a routine by its signature: overloads are separate
        return f"{schema}.{name}({target.arguments})"
    return name if kind == "schema" else f"{schema}.{name}"
