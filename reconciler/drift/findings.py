"""Drift: where do environments differ from the desired schema (or from a baseline environment)?

Stage: drift. The typed changes of the differ are folded into one finding per top-level object
(schema, extension, enum, sequence, table) and environment: in sync, missing, unexpected,
different (with what differs, e.g. "column total: type integer -> bigint"), or migrating when a
plan towards the desired schema is in progress there. An environment that cannot be reached is
reported as such and does not hide the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from reconciler.diff import changes as c
from reconciler.diff import code, partitions
from reconciler.drift import types as drift_types
from reconciler.model import Catalog, Column, Extension, QualifiedName
from reconciler.policy import IgnoreRules


class Status(StrEnum):
    IN_SYNC = "in-sync"
    MISSING = "missing"  # desired, absent in the environment
    UNEXPECTED = "unexpected"  # in the environment, not desired
    DIFFERENT = "different"
    MIGRATING = "migrating"  # a plan towards the desired schema is under way
    UNREACHABLE = "unreachable"
    UNMANAGED = "unmanaged"  # a view, function, procedure or trigger the YAML does not declare: left alone


@dataclass(frozen=True)
class ObjectKey:
    kind: str  # schema | extension | enum | sequence | table
    schema: str
    name: str

    def __str__(self) -> str:
        return self.name if self.kind in ("schema", "extension") else f"{self.schema}.{self.name}"


@dataclass
class Finding:
    status: Status
    details: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PlanProgress:
    digest: str
    state: str
    done: int
    total: int
    current_step: str | None
    towards_desired: bool


@dataclass
class EnvironmentResult:
    name: str
    target: str  # where it points, without a password
    reachable: bool = True
    error: str | None = None
    server_version: str | None = None
    schema_hash: str | None = None
    plan: PlanProgress | None = None
    findings: dict[ObjectKey, Finding] = field(default_factory=dict)
    objects: int = 0  # objects compared

    @property
    def status(self) -> Status:
        if not self.reachable:
            return Status.UNREACHABLE
        statuses = {f.status for f in self.findings.values()}
        if Status.MIGRATING in statuses:
            return Status.MIGRATING
        drifted = statuses - {Status.IN_SYNC, Status.UNMANAGED}
        return Status.DIFFERENT if drifted else Status.IN_SYNC


@dataclass
class DriftReport:
    desired_hash: str | None
    reference: str  # "desired schema (<paths>)" or "environment <name>"
    environments: list[EnvironmentResult]
    generated_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    def rows(self) -> list[ObjectKey]:
        """Objects that are not in sync somewhere, in a stable order."""
        keys = {k for env in self.environments for k, f in env.findings.items() if f.status != Status.IN_SYNC}
        return sorted(keys, key=lambda k: (k.kind, k.schema, k.name))

    @property
    def drifted(self) -> bool:
        return any(env.status in (Status.DIFFERENT, Status.MIGRATING) for env in self.environments)

    @property
    def unreachable(self) -> bool:
        return any(not env.reachable for env in self.environments)


# --- changes -> findings -------------------------------------------------------------------


def top_level(change: c.Change) -> tuple[ObjectKey, Status, str | None]:
    """The object a change is about, the status it implies, and a detail line."""
    typed = drift_types.top_level(change)
    if typed is not None:
        kind, schema, name, status, detail = typed
        return ObjectKey(kind, schema, name), Status(status), detail
    match change:
        case c.AddSchema(schema=s):
            return ObjectKey("schema", s.name, s.name), Status.MISSING, None
        case c.AlterSchema(desired=s, live=old):
            return (
                ObjectKey("schema", s.name, s.name),
                Status.DIFFERENT,
                f"comment is {old.comment!r}, desired {s.comment!r}",
            )
        case c.AddExtension(extension=e):
            return ObjectKey("extension", e.schema or "", e.name), Status.MISSING, None
        case c.AlterExtension(live=old, desired=new):
            return ObjectKey("extension", new.schema or "", new.name), Status.DIFFERENT, _extension_detail(old, new)
        case c.AddEnum(enum=e) | c.AddSequence(sequence=e):
            return ObjectKey(_kind(change), e.schema, e.name), Status.MISSING, None
        case c.DropEnum(enum=e) | c.DropSequence(sequence=e):
            return ObjectKey(_kind(change), e.schema, e.name), Status.UNEXPECTED, None
        case c.RenameEnum(live=old, desired=new) | c.RenameSequence(live=old, desired=new):
            return ObjectKey(_kind(change), new.schema, new.name), Status.DIFFERENT, f"still named {old.qname}"
        case c.AlterEnum(live=old, desired=new):
            return (
                ObjectKey("enum", new.schema, new.name),
                Status.DIFFERENT,
                f"values are {list(old.values)}, desired {list(new.values)}",
            )
        case c.AlterSequence(live=old, desired=new):
            return ObjectKey("sequence", new.schema, new.name), Status.DIFFERENT, "options, owner or comment differ"
        case c.AddTable(table=t):
            return ObjectKey("table", t.schema, t.name), Status.MISSING, None
        case c.DropTable(table=t):
            return ObjectKey("table", t.schema, t.name), Status.UNEXPECTED, None
        case c.TableChange(desired=t):
            return ObjectKey("table", t.schema, t.name), Status.DIFFERENT, table_detail(change)
        case code.CodeChange(target=obj):
            status = Status.MISSING if isinstance(change, code.AddFunction | code.AddView) else Status.DIFFERENT
            return ObjectKey(change.kind, obj.schema, code.object_name(obj)), status, change.detail
    raise AssertionError(f"unhandled change {change!r}")


def _kind(change: c.Change) -> str:
    return "enum" if isinstance(change, c.AddEnum | c.DropEnum | c.RenameEnum) else "sequence"


def _extension_detail(old: Extension, new: Extension) -> str:
    parts = []
    if old.version != new.version:
        parts.append(f"version is {old.version}, desired {new.version}")
    if old.schema != new.schema:
        parts.append(f"schema is {old.schema}, desired {new.schema}")
    return ", ".join(parts) or "differs"


def _column_detail(old: Column, new: Column, kinds: frozenset[c.ColumnAlteration]) -> str:
    K = c.ColumnAlteration
    parts = []
    for kind, before, after in (
        (K.TYPE, old.type, new.type),
        (K.NULLABILITY, "nullable" if old.nullable else "not null", "nullable" if new.nullable else "not null"),
        (K.DEFAULT, old.default, new.default),
        (
            K.IDENTITY,
            old.identity.generation if old.identity else None,
            new.identity.generation if new.identity else None,
        ),
        (
            K.GENERATED,
            old.generated.expression if old.generated else None,
            new.generated.expression if new.generated else None,
        ),
        (K.COLLATION, old.collation, new.collation),
        (K.COMMENT, old.comment, new.comment),
    ):
        if kind not in kinds:
            continue
        if kind == K.IDENTITY and before == after:
            parts.append("identity options differ")
        else:
            parts.append(f"{kind.value} is {before or 'none'}, desired {after or 'none'}")
    return f"column {new.name}: " + "; ".join(parts)


def table_detail(change: c.TableChange) -> str:
    match change:
        case c.RenameTable(live=old):
            return f"still named {old.qname}"
        case c.AlterTableComment(live=old, desired=new):
            return f"comment is {old.comment!r}, desired {new.comment!r}"
        case c.AddColumn(column=col):
            return f"column {col.name} missing"
        case c.DropColumn(column=col):
            return f"column {col.name} unexpected"
        case c.RenameColumn(old=old, new=new):
            return f"column {new.name} still named {old.name}"
        case c.AlterColumn(old=old, new=new, kinds=kinds):
            return _column_detail(old, new, kinds)
        case c.AddConstraint(constraint=k):
            return f"constraint {k.name} missing"
        case c.DropConstraint(constraint=k):
            return f"constraint {k.name} unexpected"
        case c.RenameConstraint(old=old, new=new):
            return f"constraint {new.name} still named {old.name}"
        case c.ReplaceConstraint(new=k):
            return f"constraint {k.name} has another definition"
        case c.ValidateConstraint(constraint=k):
            return f"constraint {k.name} not validated"
        case c.AlterConstraintComment(new=k):
            return f"constraint {k.name}: comment differs"
        case c.AddIndex(index=i):
            return f"index {i.name} missing"
        case c.DropIndex(index=i):
            return f"index {i.name} unexpected"
        case c.RenameIndex(old=old, new=new):
            return f"index {new.name} still named {old.name}"
        case c.ReplaceIndex(new=i):
            return f"index {i.name} has another definition"
        case c.AlterIndexComment(new=i):
            return f"index {i.name}: comment differs"
    return getattr(change, "detail", None) or partitions.detail(change) or type(change).__name__


def _sub_object(change: c.Change) -> tuple[str, str] | None:
    """(kind, name) of the column, constraint or index a table change is about, for ignore rules."""
    for attr, kind in (("column", "column"), ("constraint", "constraint"), ("index", "index"), ("new", None)):
        obj = getattr(change, attr, None)
        if obj is not None and hasattr(obj, "name"):
            if kind is None:
                kind = "column" if isinstance(obj, Column) else "index" if hasattr(obj, "elements") else "constraint"
            return kind, obj.name
    return None


def ignored(change: c.Change, rules: IgnoreRules) -> bool:
    key, _, _ = top_level(change)
    if rules.ignores(key.kind, key.schema, key.name):
        return True
    sub = _sub_object(change) if isinstance(change, c.TableChange) else None
    return sub is not None and rules.ignores(sub[0], key.schema, f"{key.name}.{sub[1]}")


def objects_of(catalog: Catalog) -> Iterable[ObjectKey]:
    yield from (ObjectKey("schema", s.name, s.name) for s in catalog.schemas)
    yield from (ObjectKey("extension", e.schema or "", e.name) for e in catalog.extensions)
    yield from (ObjectKey("enum", e.schema, e.name) for e in catalog.enums)
    yield from (ObjectKey("sequence", s.schema, s.name) for s in catalog.sequences)
    yield from (ObjectKey("table", t.schema, t.name) for t in catalog.tables)
    yield from (ObjectKey(*key) for key in drift_types.objects_of(catalog))
    yield from (ObjectKey(f.kind, f.schema, code.object_name(f)) for f in catalog.functions)
    yield from (ObjectKey("view", v.schema, v.name) for v in catalog.views)
    yield from (ObjectKey("materialized view", v.schema, v.name) for v in catalog.materialized_views)


def findings(
    changes: list[c.Change], reference: Catalog, rules: IgnoreRules, live: Catalog | None = None, baseline: bool = False
) -> tuple[dict[ObjectKey, Finding], int]:
    """Findings per object: every object of the reference is in sync unless a change says
    otherwise. Extensions installed but not declared are not drift (they are left alone); views,
    functions, procedures and triggers of `live` that the reference does not declare are
    `unmanaged` (reported, never dropped, not counted as drift). With `baseline` the reference is
    another environment: it declares nothing, so privileges it lacks are "extra", not foreign."""
    result: dict[ObjectKey, Finding] = {}
    for key in objects_of(reference):
        if not rules.ignores(key.kind, key.schema, key.name):
            result[_extension_key(key)] = Finding(Status.IN_SYNC)
    for change in changes:
        if ignored(change, rules):
            continue
        key, status, detail = top_level(change)
        if baseline:
            detail = drift_types.baseline_detail(change) or detail
        key = _extension_key(key)
        finding = result.get(key)
        if finding is None or finding.status == Status.IN_SYNC:
            finding = result[key] = Finding(status)
        if detail:
            finding.details.append(detail)
    for raw, detail in drift_types.foreign_details(live, reference) if live is not None and not baseline else ():
        key = ObjectKey(*raw)
        if key in result and not rules.ignores(key.kind, key.schema, key.name):
            if result[key].status == Status.IN_SYNC:
                result[key] = Finding(Status.DIFFERENT)
            result[key].details.append(detail)
    for kind, schema, name in code.unmanaged(live, reference) if live is not None else ():
        if not rules.ignores(kind, schema, name):
            result[ObjectKey(kind, schema, name)] = Finding(Status.UNMANAGED)
    return result, len(result)


def _extension_key(key: ObjectKey) -> ObjectKey:
    """Extensions are identified by name alone (the schema is an attribute)."""
    return ObjectKey("extension", "", key.name) if key.kind == "extension" else key


def mark_migrating(result: EnvironmentResult) -> None:
    """A plan towards the desired schema is in progress: its differences are expected."""
    assert result.plan is not None
    note = f"plan {result.plan.digest[:19]}… at step {result.plan.done}/{result.plan.total}" + (
        f" ({result.plan.current_step})" if result.plan.current_step else ""
    )
    for finding in result.findings.values():
        if finding.status != Status.IN_SYNC:
            finding.status = Status.MIGRATING
            finding.details.insert(0, note)


def qualified(key: ObjectKey) -> QualifiedName:
    return QualifiedName(key.schema, key.name)
