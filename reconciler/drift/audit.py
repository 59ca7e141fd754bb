"""Running a drift audit across environments in parallel.

Stage: drift. One worker process per environment holds that environment's catalog from start
to finish; only small messages cross process boundaries, because moving whole catalogs between
processes (pickling tens of thousands of objects) costs as much as reading them:

  1. each worker reads its environment (all user schemas: it starts before the YAML is loaded);
  2. the coordinator loads the desired YAML meanwhile and sends the schemas it manages; each
     worker narrows its catalog and answers with one fingerprint per object;
  3. the coordinator decides the reference schema: the desired catalog itself when every desired
     object is spelled exactly as some environment has it (then it is already normalized),
     otherwise the desired catalog normalized by one worker per server version (in a scratch
     database next to its environment); or, for --baseline, the baseline's own catalog;
  4. every worker diffs against the reference and answers with its findings.
Processes are forked (no re-import, no pickled arguments); where that is impossible the same
protocol runs in threads.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import pickle
import queue
import threading
from dataclasses import dataclass, replace
from typing import Any, Protocol

import psycopg

from reconciler.diff import diff
from reconciler.diff.code import object_name
from reconciler.drift.findings import Finding, ObjectKey, PlanProgress, findings, objects_of
from reconciler.errors import ReconcilerError
from reconciler.execute.journal import active_plan
from reconciler.introspect import LiveState, read_catalog
from reconciler.model import Catalog, canonical_json, content_hash
from reconciler.normalize import normalize
from reconciler.pg.dsn import connect, redact
from reconciler.policy import IgnoreRules


@dataclass(frozen=True)
class Target:
    name: str
    url: str


@dataclass(frozen=True)
class Summary:
    """What a worker reports after reading: everything but the catalog."""

    error: str | None
    server_version: str | None = None
    major: int = 0
    schema_hash: str | None = None
    progress: PlanProgress | None = None
    plan_target: str | None = None
    fingerprints: dict[ObjectKey, str] | None = None


def fingerprint(obj: object) -> str:
    return hashlib.sha1(canonical_json(obj).encode("utf-8")).hexdigest()


def fingerprints(catalog: Catalog) -> dict[ObjectKey, str]:
    lookup = _objects_by_key(catalog)
    return {key: fingerprint(lookup[key]) for key in objects_of(catalog)}


def _objects_by_key(catalog: Catalog) -> dict[ObjectKey, object]:
    out: dict[ObjectKey, object] = {}
    out.update({ObjectKey("schema", s.name, s.name): s for s in catalog.schemas})
    out.update({ObjectKey("extension", e.schema or "", e.name): e for e in catalog.extensions})
    out.update({ObjectKey("enum", e.schema, e.name): e for e in catalog.enums})
    out.update({ObjectKey("sequence", s.schema, s.name): s for s in catalog.sequences})
    out.update({ObjectKey("table", t.schema, t.name): t for t in catalog.tables})
    out.update({ObjectKey(f.kind, f.schema, object_name(f)): f for f in catalog.functions})
    out.update({ObjectKey("view", v.schema, v.name): v for v in catalog.views})
    out.update({ObjectKey("materialized view", v.schema, v.name): v for v in catalog.materialized_views})
    out.update({ObjectKey("domain", d.schema, d.name): d for d in catalog.domains})
    out.update({ObjectKey("composite type", t.schema, t.name): t for t in catalog.composite_types})
    out.update({ObjectKey("collation", c.schema, c.name): c for c in catalog.collations})
    return out


def narrowed(live: LiveState, scope: list[str] | None) -> Catalog:
    """The live catalog restricted to the schemas the desired YAML manages."""
    catalog = live.catalog
    if scope is None:
        return catalog
    keep = set(scope)
    return replace(
        catalog,
        schemas=tuple(s for s in catalog.schemas if s.name in keep),
        enums=tuple(e for e in catalog.enums if e.schema in keep),
        sequences=tuple(s for s in catalog.sequences if s.schema in keep),
        tables=tuple(t for t in catalog.tables if t.schema in keep),
        functions=tuple(f for f in catalog.functions if f.schema in keep),
        views=tuple(v for v in catalog.views if v.schema in keep),
        materialized_views=tuple(v for v in catalog.materialized_views if v.schema in keep),
        domains=tuple(d for d in catalog.domains if d.schema in keep),
        composite_types=tuple(t for t in catalog.composite_types if t.schema in keep),
        collations=tuple(c for c in catalog.collations if c.schema in keep),
        grants=tuple(g for g in catalog.grants if g.target.schema in keep),  # a schema's own: its name
        default_privileges=tuple(d for d in catalog.default_privileges if d.schema in keep),
    )


def plan_progress(conn: psycopg.Connection[Any]) -> tuple[PlanProgress | None, str | None]:
    """The journal's plan in progress on this connection's database, and its target hash."""
    active = active_plan(conn)
    if active is None:
        return None, None
    progress = PlanProgress(
        active.digest, active.state, active.done, active.total, active.current_step, towards_desired=False
    )
    return progress, active.plan.target_hash


# --- the worker ----------------------------------------------------------------------------


class _Worker:
    """The state one environment's worker keeps between messages."""

    def __init__(self, target: Target) -> None:
        self.target = target
        self.live: LiveState | None = None
        self.catalog: Catalog | None = None

    def read(self) -> str | None:
        try:
            with connect(self.target.url) as conn:
                self.live = read_catalog(conn, None)
                conn.autocommit = True
                self.progress, self.plan_target = plan_progress(conn)
            return None
        except ReconcilerError as exc:
            return str(exc)
        except psycopg.Error as exc:
            return redact(str(exc).strip().splitlines()[0])

    def summarize(self, error: str | None, scope: list[str] | None) -> Summary:
        if error is not None or self.live is None:
            return Summary(error=error or "not read")
        self.catalog = narrowed(self.live, scope)
        return Summary(
            error=None,
            server_version=self.live.server_version_text,
            major=self.live.major_version,
            schema_hash=content_hash(self.catalog),
            progress=self.progress,
            plan_target=self.plan_target,
            fingerprints=fingerprints(self.catalog),
        )

    def handle(self, message: tuple[Any, ...]) -> Any:
        kind = message[0]
        if kind == "catalog":
            return pickle.dumps(self.catalog)
        if kind == "normalize":
            desired, origins = pickle.loads(message[1]), message[2]
            try:
                return ("ok", pickle.dumps(normalize(desired, self.target.url, origins=origins).catalog))
            except ReconcilerError as exc:
                return ("error", str(exc))
        if kind == "diff":
            reference, rules, baseline = pickle.loads(message[1]), message[2], message[3]
            assert self.catalog is not None
            return findings(
                diff(self.catalog, reference, baseline=baseline), reference, rules, live=self.catalog, baseline=baseline
            )
        raise AssertionError(f"unknown message {kind}")


def _serve(conn: Any, target: Target) -> None:
    worker = _Worker(target)
    error = worker.read()
    conn.send(("read", error is None))
    scope = conn.recv()
    conn.send(worker.summarize(error, scope))
    while True:
        message = conn.recv()
        if message[0] == "stop":
            return
        conn.send(worker.handle(message))


# --- the coordinator -----------------------------------------------------------------------


class _Channel:
    """The coordinator's end of one worker: a process with a pipe, or a thread with queues."""

    def __init__(self, target: Target, processes: bool) -> None:
        self.conn: _Pipe
        child: _Pipe
        if processes:
            self.conn, child = multiprocessing.get_context("fork").Pipe()
            self.runner: Any = multiprocessing.get_context("fork").Process(
                target=_serve, args=(child, target), daemon=True
            )
        else:
            self.conn, child = _ThreadPipe.pair()
            self.runner = threading.Thread(target=_serve, args=(child, target), daemon=True)
        self.runner.start()

    def ask(self, message: Any) -> Any:
        self.conn.send(message)
        return self.conn.recv()

    def close(self) -> None:
        with contextlib.suppress(OSError):  # the child is gone already (BrokenPipeError is an OSError)
            self.conn.send(("stop",))
        self.runner.join(timeout=10)


class _Pipe(Protocol):
    """What the protocol uses of a pipe end: multiprocessing's Connection, or `_ThreadPipe`."""

    def send(self, value: Any) -> None: ...

    def recv(self) -> Any: ...


class _ThreadPipe:
    """A duplex pipe between threads with the Connection methods the protocol uses."""

    def __init__(self, inbox: Any, outbox: Any) -> None:
        self.inbox, self.outbox = inbox, outbox

    @classmethod
    def pair(cls) -> tuple[_ThreadPipe, _ThreadPipe]:
        a: queue.Queue[Any] = queue.Queue()
        b: queue.Queue[Any] = queue.Queue()
        return cls(a, b), cls(b, a)

    def send(self, value: Any) -> None:
        self.outbox.put(value)

    def recv(self) -> Any:
        return self.inbox.get()


@dataclass
class Observation:
    target: Target
    summary: Summary
    findings: dict[ObjectKey, Finding] | None = None
    compared: int = 0


class Audit:
    """Workers for a set of environments; use as a context manager."""

    def __init__(self, targets: list[Target]) -> None:
        try:
            self.channels = {t.name: _Channel(t, processes=len(targets) > 1) for t in targets}
        except (OSError, ValueError):
            self.channels = {t.name: _Channel(t, processes=False) for t in targets}
        self.targets = targets
        self.summaries: dict[str, Summary] = {}

    def __enter__(self) -> Audit:
        return self

    def __exit__(self, *exc: object) -> None:
        for channel in self.channels.values():
            channel.close()

    def observe(self, scope: list[str] | None) -> dict[str, Summary]:
        for channel in self.channels.values():
            channel.conn.recv()  # ("read", ok): reading is done
        for channel in self.channels.values():
            channel.conn.send(scope)
        self.summaries = {name: channel.conn.recv() for name, channel in self.channels.items()}
        return self.summaries

    def catalog_of(self, name: str) -> bytes:
        pickled: bytes = self.channels[name].ask(("catalog",))
        return pickled

    def normalize_with(self, name: str, desired: Catalog, origins: dict[Any, str]) -> bytes:
        status, payload = self.channels[name].ask(("normalize", pickle.dumps(desired), origins))
        if status == "error":
            raise ReconcilerError(payload)
        pickled: bytes = payload
        return pickled

    def compare(
        self, references: dict[str, bytes], rules: IgnoreRules, *, baseline: bool = False
    ) -> dict[str, tuple[dict[ObjectKey, Finding], int]]:
        """Findings of each environment against its reference (with `baseline`, another
        environment's catalog)."""
        asked = list(references)
        for name in asked:
            self.channels[name].conn.send(("diff", references[name], rules, baseline))
        return {name: self.channels[name].conn.recv() for name in asked}


def already_spelled(desired: Catalog, summaries: list[Summary]) -> bool:
    """Is every desired object spelled exactly as some environment has it? Then the desired
    catalog is its own normalized form (see normalize.already_normalized)."""
    if "public" in desired.schema_names() and "public" not in {s.name for s in desired.schemas}:
        return False
    if desired.extensions and any(e.version is None for e in desired.extensions):
        return False  # an unpinned version is filled in from the live side: leave it to normalize
    known: dict[ObjectKey, set[str]] = {}
    for summary in summaries:
        for key, value in (summary.fingerprints or {}).items():
            known.setdefault(key, set()).add(value)
    mine = fingerprints(desired)
    return all(value in known.get(key, ()) for key, value in mine.items())
