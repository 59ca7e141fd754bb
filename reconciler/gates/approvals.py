"""Approvals: who allowed which phase of which plan (by digest).

An approval names a plan digest and optionally a phase; it can come from the command line
(`--approve DIGEST[:PHASE]`), from approval files committed in git (`reconciler approve` writes
them), or from the operator's custom resource. An approval can never cover another plan: the
digest changes with every step, statement, hazard and the schema hashes the plan is pinned to.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from reconciler.errors import InputError
from reconciler.plan.artifact import Plan
from reconciler.plan.steps import DATA_LOSS, Phase, Step

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


@dataclass(frozen=True)
class Approval:
    digest: str
    phase: Phase | None  # None: every phase of the plan
    by: str
    source: str

    def covers(self, digest: str, phase: Phase) -> bool:
        return self.digest == digest and (self.phase is None or self.phase == phase)


def parse_flag(value: str) -> Approval:
    """`sha256:<hex>` or `sha256:<hex>:<phase>`."""
    digest, _, phase = value.strip().rpartition(":") if value.count(":") == 2 else (value.strip(), "", "")
    if not _DIGEST.match(digest):
        raise InputError(f"--approve {value!r}: expected sha256:<64 hex digits>[:expand|backfill|contract]")
    try:
        return Approval(digest, Phase(phase) if phase else None, "command line", "--approve")
    except ValueError:
        raise InputError(f"--approve {value!r}: unknown phase {phase!r}") from None


def plan_summary(plan: Plan) -> dict[str, object]:
    return {"database": plan.database, "steps": len(plan.steps), "from": plan.source_hash, "to": plan.target_hash}


def write_approval(
    directory: Path, digest: str, by: str, phase: Phase | None, summary: dict[str, object] | None = None
) -> Path:
    if not by.strip():
        raise InputError("--by must name who approves")
    if not _DIGEST.match(digest):
        raise InputError(f"{digest!r} is not a plan digest (sha256:<64 hex digits>)")
    directory.mkdir(parents=True, exist_ok=True)
    suffix = phase.value if phase else "all"
    path = directory / f"{digest.split(':', 1)[1][:16]}-{suffix}.yaml"
    document: dict[str, object] = {
        "apiVersion": "reconciler.dev/v1alpha1",
        "kind": "Approval",
        "digest": digest,
        "phase": suffix,
        "by": by,
        "at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    if summary:
        document["plan"] = summary
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def read_approvals(directory: Path) -> list[Approval]:
    """Every approval file in `directory` (missing directory: none)."""
    found: list[Approval] = []
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob("*.y*ml")):
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(data, dict) or data.get("kind") != "Approval":
            continue
        digest, phase = str(data.get("digest", "")), str(data.get("phase", "all"))
        if not _DIGEST.match(digest) or phase not in ("all", *(p.value for p in Phase)):
            raise InputError(
                f"{path}: an approval needs a digest (sha256:...) and a phase (expand, backfill, contract or all)"
            )
        found.append(Approval(digest, None if phase == "all" else Phase(phase), str(data.get("by", "?")), str(path)))
    return found


@dataclass(frozen=True)
class GateDecision:
    allowed: bool
    reasons: tuple[str, ...]  # why the step is gated (empty: not gated)
    approval: Approval | None = None


@dataclass(frozen=True)
class Gate:
    """The approval policy of an environment, plus the approvals at hand."""

    gated_phases: frozenset[Phase]
    gated_hazards: frozenset[str]
    approvals: tuple[Approval, ...] = ()
    auto_approve: bool = False
    allow_data_loss: bool = False

    def reasons(self, step: Step) -> tuple[str, ...]:
        reasons = []
        if step.phase in self.gated_phases:
            reasons.append(f"the {step.phase.value} phase needs approval")
        for hazard in step.hazards:
            if hazard.code.value in self.gated_hazards or hazard.code in DATA_LOSS:
                reasons.append(f"hazard {hazard.code.value}: {hazard.message}")
        return tuple(dict.fromkeys(reasons))

    def decide(self, plan: Plan, step: Step) -> GateDecision:
        reasons = self.reasons(step)
        if not reasons:
            return GateDecision(True, ())
        approval = next((a for a in self.approvals if a.covers(plan.digest, step.phase)), None)
        if approval is not None:
            return GateDecision(True, reasons, approval)
        data_loss = any(h.code in DATA_LOSS for h in step.hazards)
        if self.auto_approve and (not data_loss or self.allow_data_loss):
            return GateDecision(True, reasons, Approval(plan.digest, step.phase, "auto-approve", "--auto-approve"))
        return GateDecision(False, reasons)
