"""Planning: typed changes -> steps in phases expand / backfill / contract, with hazards."""

from reconciler.plan.artifact import Plan, plan_from_json
from reconciler.plan.context import PlanContext, PlanSettings
from reconciler.plan.planner import plan_steps
from reconciler.plan.steps import BackfillSpec, Hazard, HazardCode, Lock, LockLevel, Phase, Step

__all__ = [
    "BackfillSpec",
    "Hazard",
    "HazardCode",
    "Lock",
    "LockLevel",
    "Phase",
    "Plan",
    "PlanContext",
    "PlanSettings",
    "Step",
    "plan_from_json",
    "plan_steps",
]
