"""The policy an environment applies under: approvals, lock timeout and retries, backfill pace,
backup hooks, role creation, and the ignore rules of drift.

Stage: shared below the shells. `execute`, `gates`, `drift` and `service` read these types; the
project file (`reconciler.config`) and the operator's Database resource only fill them in, so the
policy's meaning does not depend on where it was written.
"""

from __future__ import annotations

import fnmatch
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h)$")
_UNITS_MS = {"ms": 1, "s": 1000, "m": 60_000, "h": 3_600_000}


def duration_ms(text: str | int) -> int:
    """'500ms', '2s', '5m' -> milliseconds (a bare integer is milliseconds)."""
    if isinstance(text, int):
        return text
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a duration like 500ms, 2s or 5m")
    return int(float(match.group(1)) * _UNITS_MS[match.group(2)])


def _check_duration(value: str | int) -> str | int:
    duration_ms(value)
    return value


Duration = Annotated[
    str | int,
    AfterValidator(_check_duration),
    Field(description="A duration: 500ms, 2s, 5m, or milliseconds as an integer."),
]


class ConfigModel(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, alias_generator=to_camel, use_attribute_docstrings=True
    )


class ApprovalPolicy(ConfigModel):
    phases: list[Literal["expand", "backfill", "contract"]] = ["contract"]
    """Phases that wait for an approval of the plan's digest."""
    hazards: list[str] = ["deletes-data", "table-rewrite", "blocking-scan"]
    """Steps carrying any of these hazards wait for an approval, in any phase."""


class RetryPolicy(ConfigModel):
    max_attempts: int = Field(default=30, ge=1)
    base_delay: Duration = "200ms"
    max_delay: Duration = "10s"


class BackfillPolicy(ConfigModel):
    batch_size: int = Field(default=1000, ge=1)
    """Rows per batch to start with; adapted towards `targetBatchTime`."""
    target_batch_time: Duration = "500ms"
    pause: Duration = "50ms"
    """Pause between batches, leaving room for the application."""
    max_batch_size: int = Field(default=50_000, ge=1)


class PgDumpHook(ConfigModel):
    directory: str = "reconciler-backups"
    """Where dumps go (relative to the working directory)."""


class BackupPolicy(ConfigModel):
    when: Literal["hazardous", "always", "never"] = "hazardous"
    """Before which steps: those that delete data or cannot be reversed (hazardous), all, or none."""
    command: list[str] | None = None
    """A command to run before each such step; it gets the step in RECONCILER_* variables and the
    connection in PG* variables (never on its command line)."""
    pg_dump: PgDumpHook | None = None
    """The built-in hook: pg_dump --format=custom of exactly the tables the step touches."""
    timeout: Duration = "1h"


class Policy(ConfigModel):
    approval: ApprovalPolicy = ApprovalPolicy()
    lock_timeout: Duration = "2s"
    """How long a DDL statement waits for its lock before backing off (and retrying)."""
    statement_timeout: Duration = "60s"
    """Limit for catalog-only steps; scans, index builds and validations have none."""
    retries: RetryPolicy = RetryPolicy()
    backfill: BackfillPolicy = BackfillPolicy()
    backup: BackupPolicy = BackupPolicy()
    create_roles: bool = False
    """Create roles that grants name but the server lacks (NOLOGIN) instead of refusing to plan."""


class IgnoreRules(ConfigModel):
    schemas: list[str] = []
    objects: list[str] = []
    """Glob patterns over schema.name, e.g. 'public.tmp_*'."""
    kinds: list[
        Literal[
            "schema",
            "extension",
            "enum",
            "sequence",
            "table",
            "column",
            "constraint",
            "index",
            "domain",
            "composite type",
            "collation",
        ]
    ] = []

    def ignores(self, kind: str, schema: str, name: str) -> bool:
        return (
            kind in self.kinds
            or schema in self.schemas
            or any(fnmatch.fnmatchcase(f"{schema}.{name}", p) for p in self.objects)
        )
