"""Backfill progress for people: a progress bar on a terminal, structured log lines otherwise."""

from __future__ import annotations

import time
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from reconciler.log import get_logger
from reconciler.plan.steps import Step

LOG_EVERY_SECONDS = 2.0


class BarProgress:
    def __init__(self, step: Step, estimate: float | None, console: Console) -> None:
        self.progress = Progress(
            TextColumn("[bold]backfill[/] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} rows/s"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        table = step.backfill.table if step.backfill else "?"
        self.task = self.progress.add_task(str(table), total=int(estimate) if estimate else None, rate="-")
        self.started = time.monotonic()
        self.done = 0
        self.progress.start()

    def update(self, rows: int, batch_size: int) -> None:
        self.done += rows
        elapsed = max(time.monotonic() - self.started, 1e-6)
        task = self.progress.tasks[0]
        if task.total is not None and self.done > task.total:
            self.progress.update(self.task, total=self.done)
        self.progress.update(self.task, advance=rows, rate=f"{self.done / elapsed:,.0f}")

    def close(self) -> None:
        self.progress.stop()


class LogProgress:
    def __init__(self, step: Step, estimate: float | None) -> None:
        self.step = step
        self.estimate = estimate
        self.started = self.last = time.monotonic()
        self.done = 0
        self.log = get_logger("reconciler.backfill")

    def update(self, rows: int, batch_size: int) -> None:
        self.done += rows
        now = time.monotonic()
        if now - self.last < LOG_EVERY_SECONDS:
            return
        self.last = now
        rate = self.done / max(now - self.started, 1e-6)
        fields: dict[str, Any] = {
            "step": self.step.id,
            "rows_done": self.done,
            "rows_per_s": round(rate),
            "batch_size": batch_size,
        }
        if self.estimate:
            fields["eta_s"] = round(max(self.estimate - self.done, 0) / rate) if rate else None
        self.log.info("backfill progress", **fields)


def progress_factory(interactive: bool, console: Console | None = None) -> Any:
    def make(step: Step, estimate: float | None) -> Any:
        return (
            BarProgress(step, estimate, console or Console(stderr=True)) if interactive else LogProgress(step, estimate)
        )

    return make
