"""The plan as a verifiable artifact: versioned JSON with a digest.

A plan is pinned to the content hash of the live schema it was computed from (`source`) and
names the hash of the desired schema (`target`). Its digest is SHA-256 over its canonical
content (everything but the digest itself and `metadata`, which holds when and by what it was
made), so an approval that names a digest can never cover a different plan, and a plan edited by
hand is recognized as tampered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from psycopg import sql

from reconciler import __version__
from reconciler.ddl.statement import Statement
from reconciler.errors import InputError, TamperedPlanError
from reconciler.model import QualifiedName
from reconciler.plan.steps import BackfillSpec, Hazard, HazardCode, Lock, LockLevel, Phase, Step

PLAN_API_VERSION = "reconciler.dev/v1alpha1"
PLAN_KIND = "SchemaPlan"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Plan:
    steps: tuple[Step, ...]
    source_hash: str
    target_hash: str
    database: str
    server_version: int
    changes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    unmanaged: tuple[str, ...] = ()
    schemas: tuple[str, ...] = ()  # the schemas the plan manages (introspection scope)
    verified: bool = False
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))

    @property
    def empty(self) -> bool:
        return not self.steps

    def phase(self, phase: Phase) -> list[Step]:
        return [s for s in self.steps if s.phase == phase]

    @property
    def digest(self) -> str:
        return digest_of(self.content())

    def content(self) -> dict[str, Any]:
        """Everything the digest covers."""
        return {
            "apiVersion": PLAN_API_VERSION,
            "kind": PLAN_KIND,
            "formatVersion": FORMAT_VERSION,
            "source": {
                "schemaHash": self.source_hash,
                "database": self.database,
                "serverVersion": self.server_version,
                "schemas": list(self.schemas),
            },
            "target": {"schemaHash": self.target_hash},
            "verified": self.verified,
            "changes": list(self.changes),
            "warnings": list(self.warnings),
            "unmanaged": list(self.unmanaged),
            "steps": [step_to_json(s) for s in self.steps],
        }

    def to_json(self) -> dict[str, Any]:
        content = self.content()
        return {
            **content,
            "digest": digest_of(content),
            "metadata": {"createdAt": self.created_at, "reconcilerVersion": __version__},
        }


def digest_of(content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _statements(statements: tuple[Statement, ...] | None) -> list[dict[str, Any]] | None:
    if statements is None:
        return None
    return [{"sql": s.text(), "schema": s.schema} for s in statements]


def step_to_json(step: Step) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": step.id,
        "phase": step.phase.value,
        "order": step.order,
        "description": step.description,
        "change": step.change,
        "transactional": step.transactional,
        "locks": [{"level": lock.level.sql_name, "table": [lock.table.schema, lock.table.name]} for lock in step.locks],
        "lockTimeoutMs": step.lock_timeout_ms,
        "statementTimeoutMs": step.statement_timeout_ms,
        "hazards": [{"code": h.code.value, "message": h.message, "remedy": h.remedy} for h in step.hazards],
        "sql": _statements(step.statements),
        "reverse": _statements(step.reverse),
        "tables": [[t.schema, t.name] for t in step.tables],
        "after": list(step.after),
    }
    if step.builds_index is not None:
        data["buildsIndex"] = [step.builds_index.schema, step.builds_index.name]
    if step.backfill is not None:
        spec = step.backfill
        data["backfill"] = {
            "table": [spec.table.schema, spec.table.name],
            "key": list(spec.key),
            "assignments": [[column, expression] for column, expression in spec.assignments],
            "condition": spec.condition,
            "batchSize": spec.batch_size,
        }
    return data


def _parse_statements(items: list[dict[str, Any]] | None) -> tuple[Statement, ...] | None:
    if items is None:
        return None
    # Plan files carry SQL we composed; the digest check before this guarantees it is unchanged.
    return tuple(Statement(sql.SQL(item["sql"]), item.get("schema")) for item in items)


def step_from_json(data: dict[str, Any]) -> Step:
    backfill = None
    if data.get("backfill"):
        spec = data["backfill"]
        backfill = BackfillSpec(
            table=QualifiedName(*spec["table"]),
            key=tuple(spec["key"]),
            assignments=tuple((column, expression) for column, expression in spec["assignments"]),
            condition=spec["condition"],
            batch_size=int(spec["batchSize"]),
        )
    return Step(
        id=data["id"],
        phase=Phase(data["phase"]),
        description=data["description"],
        statements=_parse_statements(data["sql"]) or (),
        change=data["change"],
        order=int(data["order"]),
        transactional=bool(data["transactional"]),
        locks=tuple(
            Lock(LockLevel[lock["level"].replace(" ", "_")], QualifiedName(*lock["table"])) for lock in data["locks"]
        ),
        lock_timeout_ms=int(data["lockTimeoutMs"]),
        statement_timeout_ms=int(data["statementTimeoutMs"]),
        hazards=tuple(Hazard(HazardCode(h["code"]), h["message"], h.get("remedy")) for h in data["hazards"]),
        reverse=_parse_statements(data.get("reverse")),
        tables=tuple(QualifiedName(*t) for t in data["tables"]),
        backfill=backfill,
        after=tuple(data.get("after", ())),
        builds_index=QualifiedName(*data["buildsIndex"]) if data.get("buildsIndex") else None,
    )


def plan_from_json(data: dict[str, Any]) -> Plan:
    """Read a plan file, refusing one whose digest does not match its content."""
    if not isinstance(data, dict) or data.get("kind") != PLAN_KIND:
        raise InputError("not a reconciler plan file (kind SchemaPlan expected)")
    if data.get("formatVersion") != FORMAT_VERSION:
        raise InputError(
            f"plan format version {data.get('formatVersion')!r} is not supported (expected {FORMAT_VERSION})"
        )
    content = {k: v for k, v in data.items() if k not in ("digest", "metadata")}
    claimed = data.get("digest")
    actual = digest_of(content)
    if claimed != actual:
        raise TamperedPlanError(
            f"plan digest {claimed} does not match its content ({actual}): the plan was modified; make a new one"
        )
    try:
        plan = Plan(
            steps=tuple(step_from_json(s) for s in data["steps"]),
            source_hash=data["source"]["schemaHash"],
            target_hash=data["target"]["schemaHash"],
            database=data["source"]["database"],
            server_version=int(data["source"]["serverVersion"]),
            changes=tuple(data.get("changes", ())),
            warnings=tuple(data.get("warnings", ())),
            unmanaged=tuple(data.get("unmanaged", ())),
            schemas=tuple(data["source"].get("schemas", ())),
            verified=bool(data.get("verified")),
            created_at=data.get("metadata", {}).get("createdAt", ""),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"plan file is malformed: {exc}") from None
    if plan.digest != actual:
        raise TamperedPlanError("plan content does not survive a round trip; make a new plan")
    return plan
