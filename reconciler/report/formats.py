"""Drift reports as text (a matrix for people), JSON (versioned, for tools), Markdown (pull
requests and issues) and JUnit XML (CI systems show each drifted object as a failed check)."""

from __future__ import annotations

import io
import json
from typing import Any
from xml.etree import ElementTree as ET

from rich.console import Console
from rich.table import Table

from reconciler.drift.findings import DriftReport, EnvironmentResult, Finding, ObjectKey, Status

FORMAT_VERSION = 1
SYMBOLS = {
    Status.IN_SYNC: "ok",
    Status.MISSING: "MISSING",
    Status.UNEXPECTED: "UNEXPECTED",
    Status.DIFFERENT: "DIFFERENT",
    Status.MIGRATING: "migrating",
    Status.UNREACHABLE: "unreachable",
    Status.UNMANAGED: "unmanaged",
}
STYLES = {Status.IN_SYNC: "green", Status.MIGRATING: "cyan", Status.UNREACHABLE: "magenta", Status.UNMANAGED: "yellow"}


def _cell(env: EnvironmentResult, key: ObjectKey) -> tuple[Status, list[str]]:
    if not env.reachable:
        return Status.UNREACHABLE, []
    finding = env.findings.get(key)
    if finding is None:
        return Status.IN_SYNC, []
    return finding.status, finding.details


def _environment_line(env: EnvironmentResult) -> str:
    if not env.reachable:
        return f"{env.name}: UNREACHABLE ({env.target}): {env.error}"
    drifted = sum(1 for f in env.findings.values() if f.status not in (Status.IN_SYNC, Status.UNMANAGED))
    line = (
        f"{env.name}: {env.status.value} ({env.target}, PostgreSQL {env.server_version}): {drifted} of {env.objects} "
        "objects differ"
    )
    if env.plan is not None:
        line += f"; plan {env.plan.digest[:19]}… {env.plan.state}, {env.plan.done}/{env.plan.total} steps"
        if not env.plan.towards_desired:
            line += " (towards another schema than the desired one)"
    return line


def render_text(report: DriftReport, *, color: bool = False, width: int = 140) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    console.print(f"Drift against {report.reference}")
    for env in report.environments:
        console.print("  " + _environment_line(env), markup=False)
    rows = report.rows()
    if not rows:
        console.print(
            "\nNo drift: every reachable environment matches."
            if not report.unreachable
            else "\nNo drift in the reachable environments."
        )
        return buffer.getvalue()
    table = Table()
    table.add_column("object", no_wrap=True)
    for env in report.environments:
        table.add_column(env.name, no_wrap=True)
    details: list[str] = []
    for key in rows:
        cells = []
        for env in report.environments:
            status, lines = _cell(env, key)
            cells.append(f"[{STYLES.get(status, 'red')}]{SYMBOLS[status]}[/]")
            details += [f"  {env.name:<12} {key.kind} {key}: {line}" for line in lines]
        table.add_row(f"{key.kind} {key}", *cells)
    console.print(table)
    if details:
        console.print("What differs:")
        for line in details:
            console.print(line, markup=False, soft_wrap=True)
    return buffer.getvalue()


def _finding_json(status: Status, details: list[str]) -> dict[str, Any]:
    return {"status": status.value, "details": details}


def render_json(report: DriftReport) -> str:
    data = {
        "apiVersion": "reconciler.dev/v1alpha1",
        "kind": "DriftReport",
        "formatVersion": FORMAT_VERSION,
        "generatedAt": report.generated_at,
        "reference": report.reference,
        "desiredSchemaHash": report.desired_hash,
        "driftFound": report.drifted,
        "environments": [
            {
                "name": env.name,
                "target": env.target,
                "status": env.status.value,
                "error": env.error,
                "serverVersion": env.server_version,
                "schemaHash": env.schema_hash,
                "objectsCompared": env.objects,
                "plan": None
                if env.plan is None
                else {
                    "digest": env.plan.digest,
                    "state": env.plan.state,
                    "stepsDone": env.plan.done,
                    "steps": env.plan.total,
                    "currentStep": env.plan.current_step,
                    "towardsDesired": env.plan.towards_desired,
                },
            }
            for env in report.environments
        ],
        "objects": [
            {
                "kind": key.kind,
                "schema": key.schema,
                "name": key.name,
                "environments": {env.name: _finding_json(*_cell(env, key)) for env in report.environments},
            }
            for key in report.rows()
        ],
    }
    return json.dumps(data, indent=2) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(report: DriftReport) -> str:
    lines = ["## reconciler drift", "", f"Compared with {report.reference}.", ""]
    lines += [f"- **{env.name}**: {_md(_environment_line(env).split(': ', 1)[1])}" for env in report.environments]
    rows = report.rows()
    if not rows:
        lines += ["", "No drift found."]
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "| object | " + " | ".join(env.name for env in report.environments) + " |",
        "|---|" + "---|" * len(report.environments),
    ]
    for key in rows:
        cells = []
        for env in report.environments:
            status, details = _cell(env, key)
            mark = (
                "✅"
                if status == Status.IN_SYNC
                else "⏳"
                if status == Status.MIGRATING
                else "❔"
                if status == Status.UNREACHABLE
                else "➖"
                if status == Status.UNMANAGED
                else "❌"
            )
            cells.append(f"{mark} {status.value}" + "".join(f"<br>{_md(d)}" for d in details))
        lines.append(f"| `{key.kind} {_md(str(key))}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def render_junit(report: DriftReport) -> str:
    suites = ET.Element("testsuites", name="reconciler drift")
    for env in report.environments:
        suite = ET.SubElement(suites, "testsuite", name=env.name)
        cases = 0
        failures = errors = 0
        if not env.reachable:
            case = ET.SubElement(suite, "testcase", classname=f"{env.name}.connection", name=env.target)
            ET.SubElement(case, "error", message=f"unreachable: {env.error}")
            cases, errors = 1, 1
        for key, finding in sorted(env.findings.items(), key=lambda item: (item[0].kind, str(item[0]))):
            cases += 1
            case = ET.SubElement(suite, "testcase", classname=f"{env.name}.{key.kind}", name=str(key))
            if finding.status != Status.IN_SYNC:
                failures += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=f"{finding.status.value}: " + "; ".join(finding.details),
                    type=finding.status.value,
                )
                failure.text = "\n".join(finding.details) or finding.status.value
        suite.set("tests", str(cases))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown, "junit": render_junit}
__all__ = ["RENDERERS", "Finding"]
