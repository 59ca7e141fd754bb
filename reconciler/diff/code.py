"""Changes of code objects (functions, procedures, views, materialized views, triggers) and the
differ for them.

Stage: diff. Called by `differ.diff` after the table changes. What is declared is compared with
what is live; what is live but not declared is **unmanaged**: reported (`unmanaged()`), never
dropped. Before this kind existed, every such object was unmanaged, so a schema directory written
then must not start dropping views and functions it never mentioned; to remove one, drop it by
hand (or in a migration of your own) after removing it from the YAML.

A function's identity is its signature, so changing argument types is a new function (and the
old overload becomes unmanaged). Body and attributes change with CREATE OR REPLACE; argument names,
modes, defaults or the result type need DROP + CREATE (`RecreateFunction`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reconciler.diff.changes import Change, TableChange
from reconciler.diff.usertypes import translate_routine, type_renames
from reconciler.model import Catalog, Function, MaterializedView, Table, Trigger, View

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


@dataclass(frozen=True)
class CodeChange(Change, abstract=True):
    """A change of a top-level code object; `kind`, `schema`, `name` identify it in reports."""

    @property
    def target(self) -> Function | View | MaterializedView:
        """The object as it is desired."""
        target = self.desired_object
        assert isinstance(target, Function | View | MaterializedView)
        return target

    @property
    def kind(self) -> str:
        target = self.target
        if isinstance(target, Function):
            return target.kind
        return "view" if isinstance(target, View) else "materialized view"

    @property
    def detail(self) -> str | None:
        return None


@dataclass(frozen=True)
class AddFunction(CodeChange, desired_object="function"):
    function: Function


@dataclass(frozen=True)
class ReplaceFunction(CodeChange, live_object="old", desired_object="new"):
    """Body or attributes differ: CREATE OR REPLACE keeps the object (and what depends on it)."""

    old: Function
    new: Function

    @property
    def detail(self) -> str | None:
        return "differs in " + ", ".join(differing_fields(self.old, self.new))


@dataclass(frozen=True)
class RecreateFunction(ReplaceFunction):
    """Argument names, modes, defaults or the result differ: DROP + CREATE, dependants around it."""


@dataclass(frozen=True)
class AddView(CodeChange, desired_object="view"):
    view: View | MaterializedView


@dataclass(frozen=True)
class ReplaceView(CodeChange, live_object="old", desired_object="new"):
    """A view or materialized view whose definition, options, indexes or comment differ."""

    old: View | MaterializedView
    new: View | MaterializedView

    @property
    def definition_changed(self) -> bool:
        keep = ("comment", "indexes", "security_barrier", "security_invoker", "check_option")
        return bool(set(differing_fields(self.old, self.new)) - set(keep))

    @property
    def detail(self) -> str | None:
        return "differs in " + ", ".join(differing_fields(self.old, self.new))


@dataclass(frozen=True)
class AddTrigger(TableChange, desired_object="trigger"):
    trigger: Trigger

    @property
    def detail(self) -> str:
        return f"trigger {self.trigger.name} missing"


@dataclass(frozen=True)
class ReplaceTrigger(TableChange, live_object="old", desired_object="new"):
    old: Trigger
    new: Trigger

    @property
    def only_enabled_or_comment(self) -> bool:
        return set(differing_fields(self.old, self.new)) <= {"enabled", "comment"}

    @property
    def detail(self) -> str:
        return f"trigger {self.new.name} differs in " + ", ".join(differing_fields(self.old, self.new))


def object_name(obj: Function | View | MaterializedView) -> str:
    """How reports name a code object within its schema: `name(argument types)` for routines."""
    return f"{obj.name}({', '.join(obj.identity_types)})" if isinstance(obj, Function) else obj.name


def differing_fields(old: DataclassInstance, new: DataclassInstance) -> list[str]:
    return [f.name for f in dataclasses.fields(old) if f.compare and getattr(old, f.name) != getattr(new, f.name)]


_RECREATE_FIELDS = {"kind", "arguments", "returns", "setof", "table"}


def diff_code(live: Catalog, desired: Catalog) -> Iterable[Change]:
    yield from _functions(live, desired)
    yield from _views(live.views, desired.views)
    yield from _views(live.materialized_views, desired.materialized_views)
    yield from _triggers(live, desired)


def _functions(live: Catalog, desired: Catalog) -> Iterable[Change]:
    """Live routines are matched under the names of types renamed by hint (the routine follows
    the rename); a change is spelled with the old names, as expand runs before the renames."""
    renames = type_renames(live, desired)
    back = {new: old for old, new in renames.items()}
    current = {translate_routine(f, renames).signature: f for f in live.functions}
    for function in desired.functions:
        old = current.get(function.signature)
        if old is None:
            yield AddFunction(function)
            continue
        function = translate_routine(function, back)
        if old != function:
            recreate = bool(set(differing_fields(old, function)) & _RECREATE_FIELDS)
            yield (RecreateFunction if recreate else ReplaceFunction)(old, function)


def _views(live: Iterable[View | MaterializedView], desired: Iterable[View | MaterializedView]) -> Iterable[Change]:
    current = {v.qname: v for v in live}
    for view in desired:
        old = current.get(view.qname)
        if old is None:
            yield AddView(view)
        elif old != view:
            yield ReplaceView(old, view)


def _triggers(live: Catalog, desired: Catalog) -> Iterable[Change]:
    for table in desired.tables:
        current_table = live.table(table.renamed_from or table.qname) or live.table(table.qname)
        current = {t.name: t for t in (current_table.triggers if current_table else ())}
        for trigger in table.triggers:
            old = current.get(trigger.name)
            if old is None:
                yield AddTrigger(current_table or table, table, trigger)
            elif old != trigger:
                yield ReplaceTrigger(current_table or table, table, old, trigger)


def unmanaged(live: Catalog, desired: Catalog) -> list[tuple[str, str, str]]:
    """(kind, schema, name) of live code objects the desired catalog does not declare."""
    found: list[tuple[str, str, str]] = []
    declared_functions = {f.signature for f in desired.functions}
    renames = type_renames(live, desired)
    found += [
        (f.kind, f.schema, object_name(f))
        for f in live.functions
        if translate_routine(f, renames).signature not in declared_functions
    ]
    for group, kind in ((desired.views, "view"), (desired.materialized_views, "materialized view")):
        names = {v.qname for v in group}
        found += [
            (kind, v.schema, v.name)
            for v in (live.views if kind == "view" else live.materialized_views)
            if v.qname not in names and not is_compat_view(v, desired)
        ]
    for table in live.tables:
        wanted = _desired_table(desired, table)
        if wanted is None:
            continue  # the table itself is dropped or not managed: its triggers go with it
        triggers = {t.name for t in wanted.triggers}
        found += [("trigger", table.schema, f"{table.name}.{t.name}") for t in table.triggers if t.name not in triggers]
    return found


def is_compat_view(view: View | MaterializedView, desired: Catalog) -> bool:
    """The view a table rename puts under the table's new name until contract (see rules.tables):
    reconciler's own, never unmanaged."""
    return isinstance(view, View) and desired.table(view.qname) is not None


def _desired_table(desired: Catalog, live: Table) -> Table | None:
    found = desired.table(live.qname)
    if found is not None:
        return found
    return next((t for t in desired.tables if t.renamed_from == live.qname), None)
