"""One reconcile of one Database resource: read the desired objects, plan, publish the plan,
apply what the policy lets through, and report it all in status, conditions and events.

Stage: shell. The decisions are the same as the CLI's because the work is the same `service`
and executor code; this module only maps Kubernetes inputs (resources, Secret, approval on the
SchemaPlan) onto it and maps the outcome back (conditions, events, metrics).

Rules that keep a cluster safe:
- an approval is the plan's digest written on the SchemaPlan: a different digest approves nothing;
- a plan that has started (some step done) is finished before anything else is planned: the
  desired objects may change meanwhile, but a half-applied migration is never replaced;
- deleting a desired-object resource drops nothing unless `policy.prune` is on, and a step that
  deletes data waits for an approval whatever the policy says;
- errors that may pass (database unreachable, lock not available, another applier at work) are
  retried with backoff; errors in the input are reported and wait for the input to change.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from reconciler import service
from reconciler.errors import (
    ApplierBusy,
    ConnectionFailed,
    HookFailed,
    LoadError,
    LockNotAvailable,
    PlanError,
    ReconcilerError,
    StalePlanError,
)
from reconciler.execute.executor import ApplyOptions, ApplyOutcome, apply_plan
from reconciler.execute.journal import plan_to_resume
from reconciler.gates.approvals import Approval, Gate
from reconciler.load import load_documents
from reconciler.log import get_logger
from reconciler.model import content_hash
from reconciler.operator import metrics
from reconciler.operator.kube import DATABASE_LABEL, Kube, SecretUnavailable
from reconciler.operator.resources import API_VERSION, DatabaseSpec, PlanApproval
from reconciler.pg.dsn import redact
from reconciler.plan import Phase, Plan, PlanSettings, Step
from reconciler.plan.render import step_sql
from reconciler.policy import duration_ms

log = get_logger("reconciler.operator")

CONDITIONS = ("Ready", "Planned", "AwaitingApproval", "Applying", "Drifted", "Failed")
EventSink = Callable[[dict[str, Any], str, str, str], None]  # (object, type, reason, message)


def now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Settings:
    retry_min_seconds: float = 2.0
    retry_max_seconds: float = 60.0
    progress_every_seconds: float = 2.0


@dataclass
class Result:
    delay: float  # seconds until the next reconcile unless something wakes it earlier
    failed: bool = False


@dataclass
class _Status:
    """The Database's status being built by this run (written once at the end, and at milestones)."""

    body: dict[str, Any]
    conditions: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def of(cls, database: dict[str, Any]) -> _Status:
        status = dict(database.get("status") or {})
        status.pop("kopf", None)
        conditions = {c["type"]: dict(c) for c in status.get("conditions", []) if isinstance(c, dict) and "type" in c}
        return cls(status, conditions)

    def set(self, kind: str, value: bool, reason: str, message: str = "", generation: int | None = None) -> None:
        text = "True" if value else "False"
        old = self.conditions.get(kind)
        changed = old is None or old.get("status") != text
        self.conditions[kind] = {
            "type": kind,
            "status": text,
            "reason": reason,
            "message": message[:2000],
            "lastTransitionTime": now() if old is None or changed else old.get("lastTransitionTime", now()),
            **({"observedGeneration": generation} if generation is not None else {}),
        }

    def is_true(self, kind: str) -> bool:
        return self.conditions.get(kind, {}).get("status") == "True"

    def render(self) -> dict[str, Any]:
        ordered = [self.conditions[k] for k in CONDITIONS if k in self.conditions]
        return {**self.body, "conditions": ordered}


class DatabaseReconciler:
    """Reconciles one Database; one instance per Database, used by one worker at a time."""

    def __init__(
        self, kube: Kube, namespace: str, name: str, emit: EventSink, settings: Settings | None = None
    ) -> None:
        self.kube = kube
        self.namespace = namespace
        self.name = name
        self.emit = emit
        self.settings = settings or Settings()
        self.failures = 0
        self.labels = {"namespace": namespace, "database": name}

    # --- entry point -----------------------------------------------------------------------

    def run_once(self) -> Result:
        database = self.kube.database(self.namespace, self.name)
        if database is None:
            return Result(delay=float("inf"))
        status = _Status.of(database)
        generation = database.get("metadata", {}).get("generation")
        status.body["observedGeneration"] = generation
        try:
            spec = DatabaseSpec.model_validate(database.get("spec") or {})
        except ValidationError as exc:
            problems = "; ".join(f"spec.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
            return self._fail(database, status, "InvalidDatabase", problems, retry=False)
        try:
            result = self._converge(database, spec, status, generation)
            self.failures = 0
            return result
        except SecretUnavailable as exc:
            return self._fail(database, status, "SecretUnavailable", str(exc), retry=True)
        except LoadError as exc:
            shown = "; ".join(str(d) for d in exc.diagnostics[:10]) + (
                f"; and {len(exc.diagnostics) - 10} more" if len(exc.diagnostics) > 10 else ""
            )
            return self._fail(database, status, "InvalidSpec", shown, retry=False)
        except ConnectionFailed as exc:
            return self._fail(database, status, "ConnectionFailed", str(exc), retry=True)
        except ApplierBusy as exc:
            log.info("another applier holds the database; will retry", database=self.name, reason=str(exc))
            return Result(delay=self._backoff())
        except LockNotAvailable as exc:
            return self._fail(database, status, "LockNotAvailable", str(exc), retry=True)
        except StalePlanError as exc:
            return self._fail(database, status, "StalePlan", str(exc), retry=True)
        except HookFailed as exc:
            return self._fail(database, status, "BackupFailed", str(exc), retry=True)
        except PlanError as exc:
            return self._fail(database, status, "PlanFailed", str(exc), retry=True)
        except ReconcilerError as exc:
            return self._fail(database, status, type(exc).__name__, str(exc), retry=True)

    # --- the work --------------------------------------------------------------------------

    def _converge(
        self, database: dict[str, Any], spec: DatabaseSpec, status: _Status, generation: int | None
    ) -> Result:
        policy = spec.policy
        url = self.kube.connection_url(self.namespace, spec.connection.secret_ref.name, spec.connection.secret_ref.key)
        documents = self.kube.desired_documents(self.namespace, spec.selector.match_labels)
        if not documents:
            status.set(
                "Ready",
                False,
                "NoDesiredObjects",
                "no desired-object resources (Table, Enum, ...) select this Database",
                generation,
            )
            status.set("Failed", False, "NoDesiredObjects")
            self._write(status)
            return Result(delay=duration_ms(policy.drift_interval) / 1000)
        loaded = load_documents(documents)
        prepared = service.prepare_loaded(loaded, url, prune=policy.prune)
        desired_hash = content_hash(prepared.desired)
        status.body["serverVersion"] = prepared.live.server_version
        status.body["lastChecked"] = now()
        plan = self._choose_plan(prepared, url, desired_hash, spec)
        self._drift(status, plan, desired_hash, generation)
        status.body["unmanaged"] = list(plan.unmanaged)[:100]
        status.set("Failed", False, "Reconciled", generation=generation)
        if plan.empty:
            return self._converged(database, status, desired_hash, generation, spec)
        plan_name = self._publish(database, plan)
        status.body["plan"] = {"name": plan_name, "digest": plan.digest, "steps": len(plan.steps)}
        status.set("Planned", True, "PlanPublished", f"SchemaPlan {plan_name} ({len(plan.steps)} steps)", generation)
        status.set("Ready", False, "Migrating", f"applying SchemaPlan {plan_name}", generation)
        status.set("Applying", True, "Applying", f"SchemaPlan {plan_name}", generation)
        self._write(status)
        outcome = self._apply(database, plan, plan_name, url, prepared.live, spec)
        return self._report(database, status, plan, plan_name, outcome, desired_hash, generation, spec)

    def _choose_plan(self, prepared: service.Prepared, url: str, desired_hash: str, spec: DatabaseSpec) -> Plan:
        """The journal's plan when one has started (or targets this very schema), else a new one."""
        resumed = plan_to_resume(service.active_plan(url), desired_hash, finish_started=True)
        if resumed is not None:
            if resumed.target_hash != desired_hash:
                log.info(
                    "desired objects changed during a started plan: finishing it first",
                    database=self.name,
                    plan=resumed.digest,
                )
            return resumed
        settings = PlanSettings(
            lock_timeout_ms=duration_ms(spec.policy.lock_timeout),
            backfill_batch_size=spec.policy.backfill.batch_size,
            create_roles=spec.policy.create_roles,
        )
        return service.make_plan(prepared, url, settings=settings)

    def _drift(self, status: _Status, plan: Plan, desired_hash: str, generation: int | None) -> None:
        """Drifted: the database no longer matches a desired schema it had reached (someone
        changed it by hand), as opposed to the desired objects having changed."""
        converged_to = status.body.get("lastAppliedTarget")
        drifted = not plan.empty and converged_to == desired_hash  # stays true while the correction runs
        metrics.DRIFTED.labels(**self.labels).set(len(plan.changes) if drifted else 0)
        if drifted:
            status.body["drift"] = {"detected": now(), "changes": list(plan.changes)[:50]}
            status.set(
                "Drifted",
                True,
                "LiveSchemaChanged",
                f"{len(plan.changes)} change(s) since the last apply: " + "; ".join(plan.changes[:5]),
                generation,
            )
        else:
            status.body.pop("drift", None)
            status.set("Drifted", False, "InSync" if plan.empty else "DesiredChanged", generation=generation)

    def _converged(
        self, database: dict[str, Any], status: _Status, desired_hash: str, generation: int | None, spec: DatabaseSpec
    ) -> Result:
        was_ready = status.is_true("Ready")
        status.body["lastAppliedTarget"] = desired_hash
        if isinstance(status.body.get("plan"), dict):
            status.body["plan"]["state"] = "Applied"
        status.set("Ready", True, "InSync", "the database matches the desired schema", generation)
        status.set("Planned", False, "NothingToDo", generation=generation)
        status.set("AwaitingApproval", False, "NothingToApprove", generation=generation)
        status.set("Applying", False, "Idle", generation=generation)
        self._write(status)
        metrics.READY.labels(**self.labels).set(1)
        if not was_ready:
            self.emit(database, "Normal", "InSync", "the database matches the desired schema")
        return Result(delay=duration_ms(spec.policy.drift_interval) / 1000)

    # --- SchemaPlan ------------------------------------------------------------------------

    def _publish(self, database: dict[str, Any], plan: Plan) -> str:
        name = f"{self.name}-{plan.digest.split(':', 1)[1][:12]}"
        if self.kube.plan(self.namespace, name) is None:
            self.kube.create_plan(self.namespace, _plan_body(database, name, plan))
            metrics.PLANS.labels(**self.labels).inc()
            self.kube.patch_plan_status(
                self.namespace, name, {"state": "Pending", "stepsDone": 0, "stepsTotal": len(plan.steps)}
            )
            self.emit(
                database, "Normal", "Planned", f"SchemaPlan {name}: {len(plan.steps)} steps, digest {plan.digest}"
            )
        for other in self.kube.plans_of(self.namespace, self.name):
            other_name = other["metadata"]["name"]
            state = (other.get("status") or {}).get("state")
            if other_name != name and state not in ("Applied", "Superseded"):
                self.kube.patch_plan_status(
                    self.namespace, other_name, {"state": "Superseded", "message": f"superseded by {name}"}
                )
        return name

    def _approvals(self, database: dict[str, Any], plan: Plan, plan_name: str) -> tuple[Approval, ...]:
        body = self.kube.plan(self.namespace, plan_name) or {}
        raw = (body.get("spec") or {}).get("approval")
        if not raw:
            return ()
        try:
            approval = PlanApproval.model_validate(raw)
        except ValidationError:
            self.emit(
                database,
                "Warning",
                "InvalidApproval",
                f"SchemaPlan {plan_name}: spec.approval needs a digest (and optionally by, phase)",
            )
            return ()
        if approval.digest != plan.digest:
            message = (
                f"SchemaPlan {plan_name}: the approval names digest {approval.digest}, not this plan's {plan.digest}; "
                "nothing is approved"
            )
            self.emit(database, "Warning", "ApprovalDigestMismatch", message)
            log.warning("approval digest mismatch", database=self.name, plan=plan.digest, approval=approval.digest)
            return ()
        phase = Phase(approval.phase) if approval.phase else None
        return (Approval(plan.digest, phase, approval.by or "kubernetes", f"SchemaPlan {self.namespace}/{plan_name}"),)

    # --- apply -----------------------------------------------------------------------------

    def _apply(
        self, database: dict[str, Any], plan: Plan, plan_name: str, url: str, live: Any, spec: DatabaseSpec
    ) -> ApplyOutcome:
        policy = spec.policy
        gate = Gate(
            gated_phases=frozenset(Phase(p) for p in policy.approval.phases),
            gated_hazards=frozenset(policy.approval.hazards),
            approvals=self._approvals(database, plan, plan_name),
        )
        tracker = _PlanTracker(self, plan, plan_name)
        options = ApplyOptions(gate=gate, policy=policy, progress=tracker.backfill, on_step=tracker.step)
        started = time.monotonic()
        try:
            return apply_plan(plan, url, live, options)
        finally:
            metrics.APPLY_SECONDS.labels(**self.labels).observe(time.monotonic() - started)

    def _report(
        self,
        database: dict[str, Any],
        status: _Status,
        plan: Plan,
        plan_name: str,
        outcome: ApplyOutcome,
        desired_hash: str,
        generation: int | None,
        spec: DatabaseSpec,
    ) -> Result:
        done = len(outcome.ran) + len(outcome.skipped_done)
        status.set("Applying", False, "Idle", generation=generation)
        if outcome.status == "done":
            self.kube.patch_plan_status(
                self.namespace,
                plan_name,
                {"state": "Applied", "stepsDone": len(plan.steps), "currentStep": None, "finishedAt": now()},
            )
            self.emit(database, "Normal", "Applied", f"SchemaPlan {plan_name} applied ({len(plan.steps)} steps)")
            status.body["plan"] = {
                "name": plan_name,
                "digest": plan.digest,
                "steps": len(plan.steps),
                "state": "Applied",
            }
            converged_to = plan.target_hash
            if converged_to != desired_hash:  # a started plan was finished; the new desired state comes next
                status.set(
                    "Ready",
                    False,
                    "Migrating",
                    "finished an earlier plan; planning the current desired schema",
                    generation,
                )
                self._write(status)
                return Result(delay=0.5)
            status.set("AwaitingApproval", False, "NothingToApprove", generation=generation)
            status.set("Planned", False, "NothingToDo", generation=generation)
            status.set("Ready", True, "InSync", "the database matches the desired schema", generation)
            status.set("Drifted", False, "InSync", generation=generation)
            status.body["lastAppliedTarget"] = desired_hash
            self._write(status)
            metrics.READY.labels(**self.labels).set(1)
            return Result(delay=duration_ms(spec.policy.drift_interval) / 1000)
        metrics.READY.labels(**self.labels).set(0)
        if outcome.status == "waiting" and outcome.waiting_step is not None:
            step = outcome.waiting_step
            reasons = "; ".join(outcome.waiting_reasons)
            message = (
                f"step {step.id} waits for approval of {plan.digest} ({reasons}); approve with: kubectl patch "
                f"schemaplan {plan_name} -n {self.namespace} --type merge -p "
                f'\'{{"spec":{{"approval":{{"digest":"{plan.digest}"}}}}}}\''
            )
            first_time = status.conditions.get("AwaitingApproval", {}).get("message") != message
            self.kube.patch_plan_status(
                self.namespace,
                plan_name,
                {
                    "state": "AwaitingApproval",
                    "stepsDone": done,
                    "waitingStep": step.id,
                    "waitingReasons": list(outcome.waiting_reasons),
                    "currentStep": None,
                },
            )
            status.body["plan"] = {
                "name": plan_name,
                "digest": plan.digest,
                "steps": len(plan.steps),
                "state": "AwaitingApproval",
                "waitingStep": step.id,
            }
            status.set("AwaitingApproval", True, "GatedStep", message, generation)
            status.set(
                "Ready",
                False,
                "AwaitingApproval",
                f"SchemaPlan {plan_name} waits for approval at {step.id}",
                generation,
            )
            self._write(status)
            if first_time:
                self.emit(database, "Normal", "AwaitingApproval", message)
            return Result(delay=duration_ms(spec.policy.drift_interval) / 1000)
        self._write(status)
        return Result(delay=duration_ms(spec.policy.drift_interval) / 1000)

    # --- failures and status ---------------------------------------------------------------

    def _fail(self, database: dict[str, Any], status: _Status, reason: str, message: str, *, retry: bool) -> Result:
        message = redact(message)
        generation = database.get("metadata", {}).get("generation")
        previous = status.conditions.get("Failed", {})
        repeated = (
            previous.get("status") == "True" and previous.get("reason") == reason and previous.get("message") == message
        )
        status.set("Failed", True, reason, message, generation)
        status.set("Ready", False, reason, message, generation)
        status.set("Applying", False, "Idle", generation=generation)
        self._write(status)
        metrics.READY.labels(**self.labels).set(0)
        metrics.FAILURES.labels(**self.labels, reason=reason).inc()
        if not repeated:
            self.emit(database, "Warning", reason, message)
        log.warning(
            "reconcile failed", database=f"{self.namespace}/{self.name}", reason=reason, message=message, retry=retry
        )
        if not retry:  # wait for the input to change (any change wakes the worker), or re-check later
            return Result(delay=self.settings.retry_max_seconds, failed=True)
        return Result(delay=self._backoff(), failed=True)

    def _backoff(self) -> float:
        self.failures += 1
        return float(min(self.settings.retry_max_seconds, self.settings.retry_min_seconds * 2 ** (self.failures - 1)))

    def _write(self, status: _Status) -> None:
        self.kube.patch_database_status(self.namespace, self.name, status.render())


class _PlanTracker:
    """Carries the executor's step and backfill progress onto the SchemaPlan's status."""

    def __init__(self, owner: DatabaseReconciler, plan: Plan, plan_name: str) -> None:
        self.owner = owner
        self.plan = plan
        self.plan_name = plan_name
        self.done: set[str] = set()

    def _patch(self, status: dict[str, Any]) -> None:
        try:
            self.owner.kube.patch_plan_status(self.owner.namespace, self.plan_name, status)
        except Exception as exc:  # noqa: BLE001  (progress display must never stop a migration)
            log.warning("could not update SchemaPlan status", plan=self.plan_name, error=str(exc))

    def step(self, step: Step, event: str) -> None:
        if event == "started":
            self._patch({"state": "Applying", "currentStep": step.id, "currentPhase": step.phase.value})
            return
        self.done.add(step.id)
        metrics.STEPS.labels(**self.owner.labels, phase=step.phase.value).inc()
        self._patch({"lastCompletedStep": step.id, "backfill": None})

    def backfill(self, step: Step, estimate: float | None) -> _BackfillProgress:
        return _BackfillProgress(self, step, estimate)


class _BackfillProgress:
    def __init__(self, tracker: _PlanTracker, step: Step, estimate: float | None) -> None:
        self.tracker = tracker
        self.step = step
        self.estimate = estimate
        self.rows = 0
        self.started = self.last = time.monotonic()

    def update(self, rows: int, batch_size: int) -> None:
        self.rows += rows
        metrics.BACKFILL_ROWS.labels(**self.tracker.owner.labels).inc(rows)
        now_ = time.monotonic()
        if now_ - self.last >= self.tracker.owner.settings.progress_every_seconds:
            self.last = now_
            self._publish(batch_size)

    def close(self) -> None:
        self._publish(None)

    def _publish(self, batch_size: int | None) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = self.rows / elapsed
        progress: dict[str, Any] = {
            "step": self.step.id,
            "rowsDone": self.rows,
            "rowsPerSecond": round(rate, 1),
            "batchSize": batch_size,
        }
        if self.estimate:
            progress["rowsEstimated"] = int(self.estimate)
            remaining = max(self.estimate - self.rows, 0)
            progress["etaSeconds"] = round(remaining / rate, 1) if rate > 0 else None
        self.tracker._patch({"backfill": progress})


def _plan_body(database: dict[str, Any], name: str, plan: Plan) -> dict[str, Any]:
    meta = database["metadata"]
    steps = [
        {
            "id": step.id,
            "phase": step.phase.value,
            "description": step.description,
            "hazards": [{"code": h.code.value, "message": h.message} for h in step.hazards],
            "locks": [str(lock) for lock in step.locks],
            "transactional": step.transactional,
            "sql": [text[:4000] for text in step_sql(step)][:20],
        }
        for step in plan.steps
    ]
    return {
        "metadata": {
            "name": name,
            "namespace": meta["namespace"],
            "labels": {DATABASE_LABEL: meta["name"]},
            "ownerReferences": [
                {
                    "apiVersion": API_VERSION,
                    "kind": "Database",
                    "name": meta["name"],
                    "uid": meta["uid"],
                    "controller": True,
                }
            ],
        },
        "spec": {
            "database": meta["name"],
            "digest": plan.digest,
            "sourceHash": plan.source_hash,
            "targetHash": plan.target_hash,
            "serverVersion": plan.server_version,
            "steps": steps,
            "changes": list(plan.changes),
            "warnings": list(plan.warnings),
        },
    }
