"""Run the rules: issues from the design checks and from a plan's hazards, each given its
severity in this project, the file:line of its object, and the suppression the YAML writes for it.

Stage: lint. Contract: `lint(LintInput) -> LintReport`, no I/O; the service reads the YAML, the
live facts and the plan, and hands them over. A `lint.ignore` entry naming no rule is an input
error (a typo would otherwise silence nothing, silently).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from reconciler.errors import Diagnostic, LoadError
from reconciler.introspect.usage import Usage
from reconciler.lint.change import SubjectIndex, change_issues
from reconciler.lint.design import DesignContext, design_issues
from reconciler.lint.findings import Finding, Issue, LintReport
from reconciler.lint.rules import DESIGN_RULES, RULES, Severity
from reconciler.lint.settings import LintSettings
from reconciler.load.locations import ObjectKey, SourceLocation, Suppression
from reconciler.model import Catalog
from reconciler.plan import Plan


@dataclass(frozen=True)
class LintInput:
    catalog: Catalog  # the desired schema as loaded from the YAML (not normalized)
    settings: LintSettings = LintSettings()
    locations: Mapping[ObjectKey, SourceLocation] = field(default_factory=dict)
    suppressions: Mapping[ObjectKey, tuple[Suppression, ...]] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    usage: Usage | None = None  # live sequence positions (--url)
    plan: Plan | None = None  # the plan from the live database to the YAML (--url)


def lint(given: LintInput) -> LintReport:
    check_suppressions(given.suppressions)
    severities = {rule_id: given.settings.severity(rule) for rule_id, rule in RULES.items()}
    active = [rule.id for rule in DESIGN_RULES if severities[rule.id] != Severity.OFF]
    issues: list[Issue] = list(design_issues(DesignContext(given.catalog, given.settings, given.usage), active))
    if given.plan is not None:
        subjects = SubjectIndex.of(given.catalog, given.locations)
        issues += [i for i in change_issues(given.plan, subjects) if severities[i.rule] != Severity.OFF]
    findings = sorted((_finding(i, severities[i.rule], given) for i in issues), key=Finding.sort_key)
    notes = () if given.plan is not None else ("change rules judge a plan: give --url or --env to check them",)
    return LintReport(
        findings=tuple(f for f in findings if f.suppressed is None),
        suppressed=tuple(f for f in findings if f.suppressed is not None),
        severities=severities,
        files=given.files,
        database=given.plan is not None,
        plan_digest=given.plan.digest if given.plan is not None and given.plan.steps else None,
        notes=notes,
    )


def _finding(issue: Issue, severity: Severity, given: LintInput) -> Finding:
    lineage = issue.subject.lineage()
    location = next((given.locations[k] for k in lineage if k in given.locations), None)
    suppression = next((s for k in lineage for s in given.suppressions.get(k, ()) if s.rule == issue.rule), None)
    return Finding(
        RULES[issue.rule], severity, issue.subject, issue.message, location, issue.step, issue.remedy, suppression
    )


def check_suppressions(suppressions: Mapping[ObjectKey, Iterable[Suppression]]) -> None:
    """Every `lint.ignore` entry must name a rule."""
    problems = []
    for entries in suppressions.values():
        for entry in entries:
            if entry.rule not in RULES:
                where = entry.location
                problems.append(
                    Diagnostic(
                        where.file,
                        where.line,
                        where.column,
                        f"lint.ignore names no rule: {entry.rule!r} ({_did_you_mean(entry.rule)})",
                    )
                )
    if problems:
        raise LoadError(problems)


def _did_you_mean(rule: str) -> str:
    close = difflib.get_close_matches(rule, list(RULES), n=1)
    return f"did you mean {close[0]!r}?" if close else "see `reconciler lint --list-rules`"
