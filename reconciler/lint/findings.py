"""What lint reports: issues found by the rules, and findings (an issue with its severity in this
project, where it was written, and whether the YAML suppresses it).

Stage: lint. Renderers (`reconciler.report.lint`) read `LintReport` only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from reconciler.lint.rules import Rule, Severity
from reconciler.load.locations import ObjectKey, SourceLocation, Suppression

FORMAT_VERSION = 1
API_VERSION = "reconciler.dev/v1alpha1"
KIND = "LintReport"


@dataclass(frozen=True, slots=True)
class Issue:
    """What a rule found, before configuration and suppressions are applied."""

    rule: str
    subject: ObjectKey
    message: str
    step: str | None = None  # change rules: the id of the plan step
    remedy: str | None = None  # change rules: the hazard's own remedy, when it has one


@dataclass(frozen=True, slots=True)
class Finding:
    rule: Rule
    severity: Severity  # in this project (never OFF: those are not reported)
    subject: ObjectKey
    message: str
    location: SourceLocation | None  # where the subject (or its nearest declared ancestor) was written
    step: str | None = None
    remedy: str | None = None
    suppressed: Suppression | None = None

    @property
    def help(self) -> str:
        return self.remedy or self.rule.fix

    def sort_key(self) -> tuple[object, ...]:
        where = (self.location.file, self.location.line, self.location.column) if self.location else ("\uffff", 0, 0)
        return (*where, self.rule.id, str(self.subject), self.step or "", self.message)


@dataclass(frozen=True)
class LintReport:
    findings: tuple[Finding, ...]  # reported ones first-class; suppressed ones kept apart below
    suppressed: tuple[Finding, ...]
    severities: dict[str, Severity]  # every rule's severity in this project
    files: tuple[str, ...] = ()
    database: bool = False  # live facts were read and the change rules judged a plan
    plan_digest: str | None = None
    notes: tuple[str, ...] = field(default=())  # what was not checked, and why

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == Severity.WARNING)

    @property
    def passed(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """`1 error, 2 warnings (1 suppressed)`."""
        parts = [_count(len(self.errors), "error"), _count(len(self.warnings), "warning")]
        text = ", ".join(parts)
        if self.suppressed:
            text += f" ({len(self.suppressed)} suppressed)"
        return text


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
