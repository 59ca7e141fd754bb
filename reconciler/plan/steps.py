"""The values a plan is made of: phases, locks, hazards, steps.

Stage: plan. Every step is one value with one protocol (stable id, phase, description, composed
SQL, transactional or not, locks, timeouts, hazards, reverse, the change it came from), and the
same object is rendered, gated, journaled, executed and rolled back. Hazards are attached when
the step is made, as codes with a remedy, never found afterwards by searching SQL text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from reconciler.ddl.statement import Statement
from reconciler.model import QualifiedName


class Phase(StrEnum):
    EXPAND = "expand"  # additive, backward compatible, online
    BACKFILL = "backfill"  # batched data moves
    CONTRACT = "contract"  # what the old application version cannot live with

    @property
    def rank(self) -> int:
        return list(Phase).index(self)


class LockLevel(IntEnum):
    """PostgreSQL table lock modes, weakest first (the value orders them)."""

    NONE = 0
    ACCESS_SHARE = 1
    ROW_SHARE = 2
    ROW_EXCLUSIVE = 3
    SHARE_UPDATE_EXCLUSIVE = 4
    SHARE = 5
    SHARE_ROW_EXCLUSIVE = 6
    EXCLUSIVE = 7
    ACCESS_EXCLUSIVE = 8

    @property
    def sql_name(self) -> str:
        return self.name.replace("_", " ")

    @property
    def blocks_writes(self) -> bool:
        return self >= LockLevel.SHARE

    @property
    def blocks_reads(self) -> bool:
        return self == LockLevel.ACCESS_EXCLUSIVE


@dataclass(frozen=True)
class Lock:
    level: LockLevel
    table: QualifiedName

    def __str__(self) -> str:
        return f"{self.level.sql_name} on {self.table}"


class HazardCode(StrEnum):
    DELETES_DATA = "deletes-data"
    TABLE_REWRITE = "table-rewrite"
    ACCESS_EXCLUSIVE_LOCK = "access-exclusive-lock"
    BLOCKING_SCAN = "blocking-scan"
    INDEX_BUILD = "index-build"
    BREAKS_OLD_APPLICATION = "breaks-old-application"
    NOT_REVERSIBLE = "not-reversible"
    POSSIBLE_RENAME = "possible-rename"
    MAY_FAIL = "may-fail"
    LONG_RUNNING = "long-running"
    TIMEZONE_DEPENDENT = "timezone-dependent"  # a conversion reads or writes wall-clock times in the session's zone


# Hazards that make a step need approval under the default policy.
DATA_LOSS = frozenset({HazardCode.DELETES_DATA})


@dataclass(frozen=True)
class Hazard:
    code: HazardCode
    message: str
    remedy: str | None = None

    def __str__(self) -> str:
        return f"[{self.code}] {self.message}" + (f" Remedy: {self.remedy}" if self.remedy else "")


@dataclass(frozen=True)
class BackfillSpec:
    """A batched, keyset-paginated UPDATE: for rows of `table` (by `key` order) matching
    `condition`, set each column to its SQL expression."""

    table: QualifiedName
    key: tuple[str, ...]
    assignments: tuple[tuple[str, str], ...]  # (column, SQL expression over the row's columns)
    condition: str  # SQL predicate: rows that still need the update
    batch_size: int = 1000


@dataclass(frozen=True)
class Step:
    id: str
    phase: Phase
    description: str
    statements: tuple[Statement, ...]
    change: str  # the change it implements, e.g. "AddColumn shop.orders.note"
    order: int  # rank within the phase (see plan.ordering)
    transactional: bool = True
    locks: tuple[Lock, ...] = ()
    lock_timeout_ms: int = 0
    statement_timeout_ms: int = 0
    hazards: tuple[Hazard, ...] = ()
    reverse: tuple[Statement, ...] | None = None
    tables: tuple[QualifiedName, ...] = ()
    backfill: BackfillSpec | None = None
    after: tuple[str, ...] = field(default=())  # ids of steps that must run first
    builds_index: QualifiedName | None = None  # the index a CONCURRENTLY step builds (for crash recovery)

    @property
    def strongest_lock(self) -> Lock | None:
        return max(self.locks, key=lambda lock: lock.level, default=None)

    def has(self, code: HazardCode) -> bool:
        return any(h.code == code for h in self.hazards)
