"""Catalogs built in memory, in PostgreSQL's own spelling (as introspection reads them and as
normalization makes the desired side: `integer`, `timestamp with time zone`, user-defined types
schema-qualified, `(total > 0)`), and a planner run over them without a database.

`plan(live, desired)` is what `service.make_plan` does between reading both sides and replaying
the result: diff, then plan the steps. Tables are populated (a few thousand rows) unless
`empty` names them, so the planner takes its online paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reconciler.diff import Change, diff
from reconciler.introspect import LiveState, TableStats
from reconciler.introspect.code import Dependency
from reconciler.model import Catalog, Column, QualifiedName, Schema, Table, normalized
from reconciler.plan import PlanContext, Step, plan_steps

SERVER_VERSION = 170004  # PostgreSQL 17.4
VOLATILE = frozenset({"random", "gen_random_uuid", "clock_timestamp", "nextval"})
ROLES = frozenset({"app", "reporting"})  # the server's roles: grants may name these


def q(text: str) -> QualifiedName:
    schema, _, name = text.rpartition(".")
    return QualifiedName(schema or "public", name)


def col(name: str, type_: str = "integer", *, null: bool = True, **kwargs: Any) -> Column:
    return Column(name, type_, nullable=null, **kwargs)


def table(qname: str, *columns: Column, **kwargs: Any) -> Table:
    name = q(qname)
    return Table(name.schema, name.name, tuple(columns), **kwargs)


def catalog(*tables: Table, **kwargs: Any) -> Catalog:
    return normalized(Catalog(schemas=(Schema("public"),), tables=tables, **kwargs))


@dataclass(frozen=True)
class Planned:
    changes: list[Change]
    steps: list[Step]

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.steps]

    def step(self, step_id: str) -> Step:
        found = [s for s in self.steps if s.id == step_id]
        assert found, f"no step {step_id}; steps are {self.ids}"
        return found[0]

    def hazards(self, step_id: str) -> set[str]:
        return {h.code.value for h in self.step(step_id).hazards}

    def locks(self, step_id: str) -> list[str]:
        return [str(lock) for lock in self.step(step_id).locks]

    def kinds(self) -> list[str]:
        return [f"{type(c).__name__} {c.subject}" for c in self.changes]


def live_state(
    live: Catalog, *, empty: tuple[str, ...] = (), dependencies: tuple[Dependency, ...] = (), rows: int = 3000
) -> LiveState:
    stats = {
        t.qname: TableStats(0, 0) if str(t.qname) in empty else TableStats(rows, rows // 50 + 1) for t in live.tables
    }
    return LiveState(
        catalog=live,
        server_version=SERVER_VERSION,
        server_version_text="17.4",
        database="app",
        schemas_in_scope=tuple(sorted(live.schema_names() | {"public"})),
        stats=stats,
        volatile_functions=VOLATILE,
        dependencies=dependencies,
        roles=ROLES,
    )


def plan(
    live: Catalog, desired: Catalog, *, empty: tuple[str, ...] = (), dependencies: tuple[Dependency, ...] = ()
) -> Planned:
    """`dependencies` stand for pg_depend: what a live view reads (introspection finds them)."""
    state = live_state(live, empty=empty, dependencies=dependencies)
    changes = diff(live, desired)
    ctx = PlanContext(live=state, desired=desired, volatile_functions=state.volatile_functions)
    return Planned(changes, plan_steps(changes, ctx))
