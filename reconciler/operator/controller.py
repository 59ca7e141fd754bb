"""The kopf controller: one worker per Database, woken by changes and by a drift timer.

Stage: shell. kopf gives list+watch with restarts, daemons per object (started on create and on
operator start, stopped on delete), peering between replicas and event posting; the reconcile
itself is `reconcile.DatabaseReconciler`, run in a thread because the database work is blocking.

What wakes a Database's worker:
- a change of the Database itself (its generation; status writes do not count);
- any event on a desired-object resource (Table, Enum, ...) in its namespace, after a short quiet
  period so that `kubectl apply -f schemas/` is planned once, as a whole;
- a change of `spec.approval` on one of its SchemaPlans;
- otherwise the timer the last run asked for (drift interval, or a retry backoff).
Two replicas never apply at once: kopf's peering pauses all but the highest-priority operator,
and the journal's advisory lock in the database refuses a second applier whatever happens.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import kopf

from reconciler.log import get_logger
from reconciler.operator.crds import desired_kinds
from reconciler.operator.kube import Kube
from reconciler.operator.reconcile import DatabaseReconciler, Settings
from reconciler.operator.resources import DATABASE_PLURAL, GROUP, PLAN_PLURAL, VERSION

log = get_logger("reconciler.operator")


@dataclass
class _Worker:
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    generation: Any = None


@dataclass
class Runtime:
    settings: Settings = field(default_factory=Settings)
    settle_seconds: float = 1.5  # quiet period after a desired-object change before planning
    workers: dict[tuple[str, str], _Worker] = field(default_factory=dict)
    approvals: dict[tuple[str, str], Any] = field(default_factory=dict)

    def wake(self, namespace: str, name: str | None = None) -> None:
        for (ns, db), worker in self.workers.items():
            if ns == namespace and (name is None or db == name):
                worker.wake.set()


RUNTIME = Runtime()


def _emit(body: dict[str, Any], kind: str, reason: str, message: str) -> None:
    # kopf reads apiVersion, kind and metadata of any mapping; its annotation names its own Body view
    kopf.event(body, type=kind, reason=reason, message=message[:1000])  # type: ignore[arg-type]


def _namespaced(namespace: str | None) -> str:
    """Databases, SchemaPlans and the desired-object kinds are namespaced: kopf passes a namespace."""
    assert namespace is not None
    return namespace


@kopf.on.startup()
async def _configure(settings: kopf.OperatorSettings, **_: Any) -> None:
    settings.posting.level = logging.INFO
    settings.persistence.finalizer = f"{GROUP}/finalizer"
    settings.persistence.progress_storage = kopf.AnnotationsProgressStorage(prefix=GROUP)
    settings.persistence.diffbase_storage = kopf.AnnotationsDiffBaseStorage(prefix=GROUP)
    settings.watching.server_timeout = 300
    settings.networking.error_backoffs = [1, 2, 5, 10, 30]


@kopf.daemon(GROUP, VERSION, DATABASE_PLURAL, cancellation_timeout=5.0)
async def database_worker(namespace: str | None, name: str, stopped: kopf.DaemonStopped, **_: Any) -> None:
    key = (_namespaced(namespace), name)
    worker = RUNTIME.workers.setdefault(key, _Worker())
    reconciler = DatabaseReconciler(Kube(), key[0], name, _emit, RUNTIME.settings)
    log.info("worker started", database=f"{namespace}/{name}")
    try:
        while not stopped:
            worker.wake.clear()
            result = await asyncio.to_thread(reconciler.run_once)
            if result.delay == float("inf"):
                return
            try:
                await asyncio.wait_for(worker.wake.wait(), timeout=result.delay)
            except TimeoutError:
                continue
            await _settle(worker, stopped)
    finally:
        RUNTIME.workers.pop(key, None)
        log.info("worker stopped", database=f"{namespace}/{name}")


async def _settle(worker: _Worker, stopped: kopf.DaemonStopped) -> None:
    """Wait until no wake-up came for `settle_seconds`: a batch of changes is planned once."""
    while not stopped:
        worker.wake.clear()
        try:
            await asyncio.wait_for(worker.wake.wait(), timeout=RUNTIME.settle_seconds)
        except TimeoutError:
            return


@kopf.on.event(GROUP, VERSION, DATABASE_PLURAL)
async def database_changed(
    namespace: str | None,
    name: str,
    meta: kopf.Meta,
    type: str | None,  # noqa: A002  (kopf passes the event type by this name)
    **_: Any,
) -> None:
    worker = RUNTIME.workers.get((_namespaced(namespace), name))
    generation = meta.get("generation")
    if worker is not None and worker.generation != generation:
        if worker.generation is not None:
            worker.wake.set()
        worker.generation = generation


@kopf.on.event(GROUP, VERSION, PLAN_PLURAL)
async def plan_changed(
    namespace: str | None,
    name: str,
    spec: kopf.Spec,
    type: str | None,  # noqa: A002  (kopf passes the event type by this name)
    **_: Any,
) -> None:
    key = (_namespaced(namespace), name)
    approval = dict(spec.get("approval") or {})
    if RUNTIME.approvals.get(key) != approval:
        RUNTIME.approvals[key] = approval
        if approval:
            RUNTIME.wake(key[0], spec.get("database"))


def _register_desired_kinds() -> None:
    async def desired_changed(
        namespace: str | None,
        type: str | None,  # noqa: A002  (kopf passes the event type by this name)
        **_: Any,
    ) -> None:
        if type is not None:  # None: the initial listing, which the workers read themselves
            RUNTIME.wake(_namespaced(namespace))

    for plural in desired_kinds().values():
        kopf.on.event(GROUP, VERSION, plural, id=f"desired-{plural}")(desired_changed)


_register_desired_kinds()
