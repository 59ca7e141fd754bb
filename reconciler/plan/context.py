"""What planning rules may consult: the live state (sizes, version), the desired catalog,
settings, and decisions taken across changes (which columns are swapped, which foreign keys are
recreated).

Estimates are labelled as such: they come from the planner's statistics (reltuples, relpages)
and rough throughputs, to tell a reviewer whether a lock will be held for milliseconds or
minutes, not to promise a duration.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pglast import ast

from reconciler.introspect import LiveState, TableStats
from reconciler.model import Catalog, QualifiedName, Table
from reconciler.model.names import MAX_IDENTIFIER_BYTES, make_object_name
from reconciler.plan.steps import Phase
from reconciler.sqlparse.fragments import items, parse_expression, text_of

if TYPE_CHECKING:  # the rules build on this module
    from reconciler.plan.rules.constraints import FkRecreation
    from reconciler.plan.rules.swap import ColumnSwap

# Rough single-core throughputs, for order-of-magnitude estimates only.
SCAN_BYTES_PER_SECOND = 200e6
REWRITE_BYTES_PER_SECOND = 40e6
INDEX_BUILD_BYTES_PER_SECOND = 30e6
BACKFILL_ROWS_PER_SECOND = 20_000


@dataclass(frozen=True)
class PlanSettings:
    lock_timeout_ms: int = 2_000  # how long DDL may wait for its lock before backing off
    ddl_statement_timeout_ms: int = 60_000  # for steps that only touch the catalog
    long_statement_timeout_ms: int = 0  # for scans, index builds and validations: no limit
    backfill_batch_size: int = 1_000
    create_roles: bool = False  # create roles that grants name but the server lacks (NOLOGIN)


@dataclass
class PlanContext:
    live: LiveState
    desired: Catalog
    settings: PlanSettings = field(default_factory=PlanSettings)
    volatile_functions: frozenset[str] = frozenset()
    swaps: dict[tuple[QualifiedName, str], ColumnSwap] = field(default_factory=dict)  # see rules.swap
    recreated_fks: dict[tuple[str, QualifiedName, str], FkRecreation] = field(
        default_factory=dict
    )  # see rules.constraints
    new_primary_keys: set[tuple[QualifiedName, frozenset[str]]] = field(
        default_factory=set
    )  # (desired table, columns) created by this plan
    created_roles: set[str] = field(default_factory=set)  # roles a step of this plan creates (see rules.grants)

    @property
    def server_version(self) -> int:
        return self.live.server_version

    # --- names ---------------------------------------------------------------------------

    def renamed_table(self, live: Table) -> bool:
        desired = self.desired_twin(live)
        return desired is not None and desired.qname != live.qname

    def desired_twin(self, live: Table) -> Table | None:
        direct = self.desired.table(live.qname)
        if direct is not None and (direct.renamed_from is None or self.live.catalog.table(direct.renamed_from) is None):
            return direct
        return next(
            (
                t
                for t in self.desired.tables
                if t.renamed_from == live.qname and self.live.catalog.table(t.qname) is None
            ),
            direct,
        )

    def table_name(self, live: Table | QualifiedName, phase: Phase) -> QualifiedName:
        """The name a live table has when a step of `phase` runs: renames of tables happen
        first in the contract phase."""
        qname = live if isinstance(live, QualifiedName) else live.qname
        if phase != Phase.CONTRACT:
            return qname
        table = self.live.catalog.table(qname)
        twin = self.desired_twin(table) if table is not None else None
        return twin.qname if twin is not None else qname

    # --- sizes ---------------------------------------------------------------------------

    def stats(self, table: QualifiedName) -> TableStats | None:
        return self.live.stats.get(table)

    def maybe_populated(self, table: QualifiedName) -> bool:
        stats = self.stats(table)
        return stats is None or stats.rows != 0 or stats.pages > 0

    def size(self, table: QualifiedName) -> str:
        stats = self.stats(table)
        if stats is None:
            return "size unknown"
        rows = "row count unknown (never analyzed)" if stats.rows < 0 else f"~{_count(stats.rows)} rows"
        return f"{rows}, {_bytes(stats.bytes)}"

    def estimate(self, table: QualifiedName, bytes_per_second: float) -> str:
        stats = self.stats(table)
        if stats is None:
            return "duration unknown"
        seconds = stats.bytes / bytes_per_second
        return f"est. {_duration(seconds)}"

    def backfill_estimate(self, table: QualifiedName) -> str:
        stats = self.stats(table)
        if stats is None or stats.rows < 0:
            return "duration unknown"
        return f"est. {_duration(stats.rows / BACKFILL_ROWS_PER_SECOND)} at {BACKFILL_ROWS_PER_SECOND:,} rows/s"

    # --- expressions ---------------------------------------------------------------------

    def is_volatile(self, expression: str | None) -> bool:
        """True when the expression calls a volatile function (evaluated per row: a default
        like that cannot be filled in without touching every row)."""
        if expression is None:
            return False
        names: set[str] = set()

        def visit(node: object) -> None:
            if isinstance(node, ast.FuncCall):
                names.add(text_of(items(node.funcname)[-1].sval))
            if isinstance(node, ast.Node):
                for attr in node:
                    visit(getattr(node, attr))
            elif isinstance(node, tuple | list):
                for item in node:
                    visit(item)

        visit(parse_expression(expression).node)
        return bool(names & self.volatile_functions)


def helper_name(base: str, suffix: str) -> str:
    """A name for a temporary object derived from `base`, unique and within 63 bytes."""
    candidate = f"{base}__{suffix}"
    if len(candidate.encode("utf-8")) <= MAX_IDENTIFIER_BYTES:
        return candidate
    digest = hashlib.sha256(base.encode("utf-8")).hexdigest()[:8]
    return make_object_name(base, digest, suffix)


def _count(value: float) -> str:
    for unit, size in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if value >= size:
            return f"{value / size:.1f}{unit}"
    return f"{value:.0f}"


def _bytes(value: float) -> str:
    for unit, size in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if value >= size:
            return f"{value / size:.1f} {unit}"
    return f"{value:.0f} B"


def _duration(seconds: float) -> str:
    if seconds < 1:
        return "< 1 s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
