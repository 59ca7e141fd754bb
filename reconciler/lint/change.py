"""The change rules: every hazard of every step of a plan is an issue of rule `change/<code>`.

Stage: lint. Hazards are attached by the planner when it makes a step (`plan.steps.Hazard`);
here they are only named after the object of the YAML they concern, so that a finding points at
a file:line and a `lint.ignore` written on that object can suppress it. A step about an object
the YAML no longer declares (a dropped column or table) concerns its nearest declared ancestor
(the table, the schema).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from reconciler.lint.findings import Issue
from reconciler.load.locations import ObjectKey
from reconciler.model import Catalog
from reconciler.plan import Plan, Step

# Words in a change kind's name that say what kind of member it is about.
_MEMBER_HINTS = (
    ("Column", "column"),
    ("Index", "index"),
    ("Constraint", "constraint"),
    ("PrimaryKey", "constraint"),
    ("Unique", "constraint"),
    ("ForeignKey", "constraint"),
    ("Check", "constraint"),
    ("Trigger", "trigger"),
    ("Policy", "policy"),
)


class SubjectIndex:
    """Desired objects by their dotted name, to resolve a step's subject."""

    def __init__(self, keys: Iterable[ObjectKey]) -> None:
        self.by_name: dict[str, list[ObjectKey]] = defaultdict(list)
        for key in keys:
            self.by_name[key.qualified].append(key)

    @classmethod
    def of(cls, catalog: Catalog, extra: Iterable[ObjectKey] = ()) -> SubjectIndex:
        return cls([*catalog_keys(catalog), *extra])

    def resolve(self, step: Step) -> ObjectKey:
        change_kind, _, subject = step.change.partition(" ")
        subject = subject.split("(", 1)[0]  # routines: name(argument types)
        parts = subject.split(".")
        for width in range(len(parts), 0, -1):
            candidates = self.by_name.get(".".join(parts[:width]))
            if candidates:
                return _preferred(candidates, change_kind if width == len(parts) else "")
        if step.tables:
            table = step.tables[0]
            return ObjectKey("table", table.schema, table.name)
        return ObjectKey("object", "", subject)


def _preferred(candidates: list[ObjectKey], change_kind: str) -> ObjectKey:
    for word, kind in _MEMBER_HINTS:
        if word in change_kind:
            found = next((c for c in candidates if c.kind == kind), None)
            if found is not None:
                return found
    return sorted(candidates, key=lambda c: (c.member != "", c.kind))[0]


def catalog_keys(catalog: Catalog) -> Iterator[ObjectKey]:
    """Every object of the catalog a step can be about."""
    for schema in catalog.schema_names():
        yield ObjectKey("schema", schema, schema)
    for table in catalog.tables:
        yield ObjectKey("table", table.schema, table.name)
        for column in table.columns:
            yield ObjectKey("column", table.schema, table.name, column.name)
        for constraint in table.constraints():
            yield ObjectKey("constraint", table.schema, table.name, constraint.name)
        for index in table.indexes:
            yield ObjectKey("index", table.schema, table.name, index.name)
        for trigger in table.triggers:
            yield ObjectKey("trigger", table.schema, table.name, trigger.name)
        for policy in table.policies:
            yield ObjectKey("policy", table.schema, table.name, policy.name)
    for kind, group in (
        ("enum", catalog.enums),
        ("sequence", catalog.sequences),
        ("domain", catalog.domains),
        ("composite type", catalog.composite_types),
        ("collation", catalog.collations),
        ("view", catalog.views),
        ("materialized view", catalog.materialized_views),
    ):
        for obj in group:
            yield ObjectKey(kind, obj.schema, obj.name)
    for function in catalog.functions:
        yield ObjectKey(function.kind, function.schema, function.name)
    for extension in catalog.extensions:
        yield ObjectKey("extension", extension.schema or "", extension.name)


def change_issues(plan: Plan, subjects: SubjectIndex) -> Iterator[Issue]:
    for step in plan.steps:
        subject = subjects.resolve(step)
        for hazard in step.hazards:
            message = f"{hazard.message} (step {step.id}: {step.description})"
            yield Issue(f"change/{hazard.code.value}", subject, message, step=step.id, remedy=hazard.remedy)
