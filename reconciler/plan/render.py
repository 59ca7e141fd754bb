"""Plans for people and for other tools: text, Markdown (pull-request comments), SQL, JSON."""

from __future__ import annotations

import io
import json
from collections import Counter

from rich.console import Console
from rich.markup import escape

from reconciler.plan.artifact import Plan
from reconciler.plan.plain import backfill_all
from reconciler.plan.steps import HazardCode, Phase, Step

PHASE_TITLES = {
    Phase.EXPAND: "expand: additive, backward compatible, online",
    Phase.BACKFILL: "backfill: batched, throttled, resumable data moves",
    Phase.CONTRACT: "contract: breaks the old application version; runs once it is gone",
}
SEVERE = frozenset({HazardCode.DELETES_DATA, HazardCode.TABLE_REWRITE, HazardCode.BLOCKING_SCAN})
NOTABLE = frozenset(
    {HazardCode.BREAKS_OLD_APPLICATION, HazardCode.NOT_REVERSIBLE, HazardCode.POSSIBLE_RENAME, HazardCode.MAY_FAIL}
)


def hazard_counts(plan: Plan) -> Counter[str]:
    return Counter(h.code.value for step in plan.steps for h in step.hazards)


def _short(digest: str) -> str:
    return digest.split(":", 1)[-1][:12]


def _header(plan: Plan) -> list[str]:
    if plan.empty:
        return [f"No changes: database {plan.database!r} matches the desired schema ({_short(plan.target_hash)})."]
    verified = "verified by replay on a scratch copy" if plan.verified else "NOT verified by replay"
    return [
        f"Plan {plan.digest} for database {plan.database!r} (PostgreSQL "
        f"{plan.server_version // 10000}.{plan.server_version % 100})",
        f"{len(plan.steps)} steps from schema {_short(plan.source_hash)} to {_short(plan.target_hash)}, {verified}",
    ]


def render_text(plan: Plan, *, color: bool = False, width: int = 110) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False, soft_wrap=True
    )
    for line in _header(plan):
        console.print(escape(line))
    for phase in Phase:
        steps = plan.phase(phase)
        if not steps:
            continue
        console.print()
        console.print(f"[bold]{phase.value.upper()}[/] [dim]({escape(PHASE_TITLES[phase].split(': ', 1)[1])})[/]")
        for number, step in enumerate(steps, 1):
            lock = step.strongest_lock
            suffix = f" [dim][{escape(str(lock))}][/]" if lock else ""
            console.print(f"  {number:>2}. {escape(step.description)}{suffix}")
            for hazard in step.hazards:
                style = "red" if hazard.code in SEVERE else "yellow" if hazard.code in NOTABLE else "dim"
                console.print(f"      [{style}]! {hazard.code.value}[/]: {escape(hazard.message)}")
    _footer(console, plan)
    return buffer.getvalue()


def _footer(console: Console, plan: Plan) -> None:
    counts = hazard_counts(plan)
    if counts:
        console.print()
        console.print("Hazards: " + ", ".join(f"{n} {code}" for code, n in sorted(counts.items())))
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}")
    if plan.unmanaged:
        console.print(f"Not managed by reconciler (left alone): {escape(', '.join(plan.unmanaged))}")


def render_markdown(plan: Plan, *, diagram: str = "") -> str:
    """The plan as a pull-request comment; `diagram` (Markdown: the tables it changes, drawn by
    report.schemadoc.plan_diagram_markdown) goes right after the summary."""
    lines = ["## reconciler plan", ""]
    lines += [f"- {line}" for line in _header(plan)]
    if diagram:
        lines += ["", diagram.rstrip("\n")]
    for phase in Phase:
        steps = plan.phase(phase)
        if not steps:
            continue
        lines += [
            "",
            f"### {phase.value.capitalize()} ({len(steps)} step{'s' if len(steps) != 1 else ''})",
            "",
            f"_{PHASE_TITLES[phase].split(': ', 1)[1]}_",
            "",
        ]
        lines += ["| # | step | lock | hazards |", "|---:|---|---|---|"]
        for number, step in enumerate(steps, 1):
            lock = step.strongest_lock
            hazards = (
                "<br>".join(
                    f"{'⚠️ ' if h.code in SEVERE else ''}`{h.code.value}` {_cell(h.message)}" for h in step.hazards
                )
                or "none"
            )
            lines.append(f"| {number} | {_cell(step.description)} | {_cell(str(lock)) if lock else ''} | {hazards} |")
    counts = hazard_counts(plan)
    if counts:
        lines += ["", "**Hazards:** " + ", ".join(f"{n} `{code}`" for code, n in sorted(counts.items()))]
    for warning in plan.warnings:
        lines += ["", f"> warning: {warning}"]
    if not plan.empty:
        lines += [
            "",
            "<details><summary>SQL</summary>",
            "",
            "```sql",
            render_sql(plan).rstrip(),
            "```",
            "",
            "</details>",
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def step_sql(step: Step) -> list[str]:
    if step.backfill is not None:
        return [
            f"-- runs in batches of {step.backfill.batch_size} rows keyed on "
            f"({', '.join(step.backfill.key) or 'no key'}); as one statement:",
            backfill_all(step.backfill).as_string(None) + ";",
        ]
    return [s.text() + ";" for s in step.statements]


def render_sql(plan: Plan) -> str:
    lines = [
        f"-- reconciler plan {plan.digest}",
        f"-- from schema {plan.source_hash}",
        f"-- to schema   {plan.target_hash}",
    ]
    for phase in Phase:
        steps = plan.phase(phase)
        if not steps:
            continue
        lines += ["", f"-- ===== {phase.value.upper()}: {PHASE_TITLES[phase].split(': ', 1)[1]} ====="]
        for step in steps:
            lines += ["", f"-- step {step.id}: {step.description}"]
            if not step.transactional:
                lines.append("-- (outside a transaction block)")
            if step.lock_timeout_ms:
                lines.append(
                    f"-- lock_timeout {step.lock_timeout_ms}ms, statement_timeout {step.statement_timeout_ms or 'none'}"
                )
            lines += step_sql(step)
    return "\n".join(lines) + "\n"


def render_json(plan: Plan) -> str:
    return json.dumps(plan.to_json(), indent=2, ensure_ascii=False) + "\n"
