"""Lint reports as text (people), JSON (versioned, for tools), SARIF 2.1.0 (code scanning),
GitHub workflow commands (annotations at file:line), GitLab Code Quality (merge-request widget)
and a Markdown section (pull-request comments).

Stage: report. Renderers read a `LintReport` and the rules' metadata (`lint.rules`) and nothing
else; rule metadata is written into the JSON and SARIF outputs so a CI integration can show the
why and the fix of every rule without knowing reconciler.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from reconciler import __version__
from reconciler.errors import Diagnostic
from reconciler.lint import API_VERSION, FORMAT_VERSION, KIND, RULES, Finding, LintReport, Rule, Severity

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_VERSION = "2.1.0"
_SARIF_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.OFF: "none"}
_CODE_QUALITY_SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor"}


def render_text(report: LintReport) -> str:
    lines: list[str] = []
    for finding in report.findings:
        lines.append(f"{_where(finding)}: {finding.severity.value} {finding.rule.id}: {finding.message}")
        lines.append(f"    help: {finding.help}")
    lines += [f"note: {note}" for note in report.notes]
    checked = "the YAML and the plan against the database" if report.database else "the YAML"
    lines.append(f"lint: {report.summary()} in {checked}")
    return "\n".join(lines) + "\n"


def render_plan_section(report: LintReport) -> str:
    """The lint findings under a plan's text: one line each, no help (`reconciler lint` has it)."""
    lines = [f"Lint: {report.summary()}"]
    for finding in report.findings:
        lines.append(f"  {_where(finding)}: {finding.severity.value} {finding.rule.id}: {finding.message}")
    return "\n".join(lines) + "\n"


def render_load_errors(diagnostics: list[Diagnostic], fmt: str) -> str:
    """Invalid YAML (or project file), in the formats CI reads: annotations, or a failed report."""
    if fmt == "json":
        errors = [
            {"file": d.file, "line": d.line or None, "column": d.column or None, "message": d.message}
            for d in diagnostics
        ]
        document = {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "formatVersion": FORMAT_VERSION,
            "passed": False,
            "loadErrors": errors,
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    lines = []
    for d in diagnostics:
        properties = [f"file={_escape_property(_uri(d.file))}"]
        if d.line:
            properties += [f"line={d.line}", f"col={max(d.column, 1)}"]
        properties.append("title=reconciler: invalid input")
        lines.append(f"::error {','.join(properties)}::{_escape_data(d.message)}")
    lines.append(f"lint: {len(diagnostics)} problem(s) in the input: nothing was linted")
    return "\n".join(lines) + "\n"


def _where(finding: Finding) -> str:
    return str(finding.location) if finding.location is not None else str(finding.subject)


# --- JSON --------------------------------------------------------------------------------------


def rule_json(rule: Rule, severity: Severity) -> dict[str, Any]:
    return {
        "id": rule.id,
        "family": rule.family,
        "title": rule.title,
        "severity": severity.value,
        "defaultSeverity": rule.severity.value,
        "why": rule.why,
        "fix": rule.fix,
        "needsDatabase": rule.needs_database,
        "docs": rule.docs,
    }


def finding_json(finding: Finding) -> dict[str, Any]:
    subject = finding.subject
    out: dict[str, Any] = {
        "rule": finding.rule.id,
        "severity": finding.severity.value,
        "message": finding.message,
        "help": finding.help,
        "object": {
            "kind": subject.kind,
            "schema": subject.schema,
            "name": subject.name,
            "member": subject.member or None,
        },
        "location": None,
        "step": finding.step,
    }
    if finding.location is not None:
        where = finding.location
        out["location"] = {"file": where.file, "line": where.line or None, "column": where.column or None}
    if finding.suppressed is not None:
        out["suppressed"] = {"reason": finding.suppressed.reason, "at": str(finding.suppressed.location)}
    return out


def render_json(report: LintReport) -> str:
    document = {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "formatVersion": FORMAT_VERSION,
        "passed": report.passed,
        "summary": {
            "errors": len(report.errors),
            "warnings": len(report.warnings),
            "suppressed": len(report.suppressed),
            "database": report.database,
        },
        "planDigest": report.plan_digest,
        "findings": [finding_json(f) for f in report.findings],
        "suppressed": [finding_json(f) for f in report.suppressed],
        "rules": [rule_json(rule, report.severities[rule.id]) for rule in RULES.values()],
        "notes": list(report.notes),
        "metadata": {"reconcilerVersion": __version__},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_rules(severities: dict[str, Severity], fmt: str) -> str:
    """The rule list (`reconciler lint --list-rules`)."""
    if fmt == "json":
        rules = [rule_json(rule, severities[rule.id]) for rule in RULES.values()]
        return (
            json.dumps(
                {"apiVersion": API_VERSION, "kind": "LintRules", "formatVersion": FORMAT_VERSION, "rules": rules},
                indent=2,
            )
            + "\n"
        )
    width = max(len(rule_id) for rule_id in RULES)
    lines = [f"{rule.id:<{width}}  {severities[rule.id].value:<7}  {rule.title}" for rule in RULES.values()]
    return "\n".join(lines) + "\n"


# --- SARIF -------------------------------------------------------------------------------------


def _uri(file: str) -> str:
    """A path relative to the working directory (the repository root in CI), '/'-separated."""
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_uri()
    return path.as_posix()


def _sarif_result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule.id,
        "ruleIndex": index[finding.rule.id],
        "level": _SARIF_LEVELS[finding.severity],
        "message": {"text": f"{finding.message}\nHelp: {finding.help}"},
        "logicalLocations": [
            {"fullyQualifiedName": finding.subject.qualified, "kind": finding.subject.kind.replace(" ", "-")}
        ],
        "partialFingerprints": {"reconcilerFinding/v1": _fingerprint(finding)},
    }
    where = finding.location
    if where is not None:
        physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(where.file), "uriBaseId": "%SRCROOT%"}}
        if where.line:
            physical["region"] = {"startLine": where.line, "startColumn": max(where.column, 1)}
        result["locations"] = [{"physicalLocation": physical, "logicalLocations": result.pop("logicalLocations")}]
    if finding.suppressed is not None:
        result["suppressions"] = [{"kind": "inSource", "justification": finding.suppressed.reason}]
    return result


def _fingerprint(finding: Finding) -> str:
    """Stable across edits that move lines: the rule, the object and the step."""
    text = "\0".join([finding.rule.id, str(finding.subject), finding.step or ""])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def render_sarif(report: LintReport) -> str:
    rules = list(RULES.values())
    index = {rule.id: i for i, rule in enumerate(rules)}
    driver = {
        "name": "reconciler",
        "semanticVersion": __version__,
        "rules": [_sarif_rule(rule, report.severities[rule.id]) for rule in rules],
    }
    results = [_sarif_result(f, index) for f in (*report.findings, *report.suppressed)]
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if report.files:
        run["artifacts"] = [{"location": {"uri": _uri(f), "uriBaseId": "%SRCROOT%"}} for f in report.files]
    document = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _sarif_rule(rule: Rule, severity: Severity) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(word.capitalize() for word in rule.id.split("/", 1)[1].split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.why},
        "help": {"text": rule.fix, "markdown": f"**{rule.title}**\n\n{rule.why}\n\n**Fix:** {rule.fix}"},
        "defaultConfiguration": {"level": _SARIF_LEVELS[severity], "enabled": severity != Severity.OFF},
        "properties": {"family": rule.family, "tags": [rule.family, "postgresql"]},
    }


# --- GitHub workflow commands ------------------------------------------------------------------


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: LintReport) -> str:
    """`::error file=...,line=...,col=...,title=...::message` per finding, then a summary line."""
    lines = []
    for finding in report.findings:
        command = "error" if finding.severity == Severity.ERROR else "warning"
        properties = []
        where = finding.location
        if where is not None:
            properties.append(f"file={_escape_property(_uri(where.file))}")
            if where.line:
                properties += [f"line={where.line}", f"col={max(where.column, 1)}"]
        properties.append(f"title={_escape_property(f'{finding.rule.id}: {finding.rule.title}')}")
        message = f"{finding.message}\nHelp: {finding.help}"
        lines.append(f"::{command} {','.join(properties)}::{_escape_data(message)}")
    lines.append(f"lint: {report.summary()}")
    return "\n".join(lines) + "\n"


# --- GitLab Code Quality -----------------------------------------------------------------------


def render_gitlab(report: LintReport) -> str:
    """A Code Quality report (the Code Climate subset GitLab reads): one issue per finding with a
    location; GitLab shows them in the merge request. Findings without a file are left out (the
    format needs a path); the text output on the job log lists them."""
    issues = []
    for finding in report.findings:
        if finding.location is None:
            continue
        issues.append(
            {
                "type": "issue",
                "check_name": finding.rule.id,
                "description": f"{finding.rule.id}: {finding.message}",
                "content": {"body": finding.help},
                "categories": ["Style" if finding.rule.family == "design" else "Performance"],
                "severity": _CODE_QUALITY_SEVERITIES[finding.severity],
                "fingerprint": _fingerprint(finding),
                "location": {"path": _uri(finding.location.file), "lines": {"begin": max(finding.location.line, 1)}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


# --- Markdown ----------------------------------------------------------------------------------


def render_markdown(report: LintReport, *, limit: int = 50) -> str:
    """A section for a pull-request comment: a table of findings, errors first, at most `limit`
    rows (the count of the rest is given)."""
    lines = [f"### Lint: {report.summary()}", ""]
    if not report.findings:
        return "\n".join([*lines, "No findings."]) + "\n"
    ordered = sorted(report.findings, key=lambda f: -f.severity.rank)
    lines += ["| | rule | object | where | finding |", "|---|---|---|---|---|"]
    for finding in ordered[:limit]:
        icon = "❌" if finding.severity == Severity.ERROR else "⚠️"
        where = f"`{_cell(str(finding.location))}`" if finding.location is not None else ""
        lines.append(
            f"| {icon} | `{finding.rule.id}` | {_cell(str(finding.subject))} | {where} | {_cell(finding.message)} |"
        )
    if len(ordered) > limit:
        lines += ["", f"_{len(ordered) - limit} more finding(s): see the job's `reconciler lint` output._"]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


RENDERERS: dict[str, Callable[[LintReport], str]] = {
    "text": render_text,
    "json": render_json,
    "sarif": render_sarif,
    "github": render_github,
    "gitlab": render_gitlab,
}
