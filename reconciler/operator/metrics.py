"""Prometheus metrics and the liveness endpoint, on one small HTTP port.

Stage: shell. `/metrics` is Prometheus' text format; `/healthz` answers 200 while the process
runs its event loop (the chart's liveness probe). Labels are the Database's namespace and name:
a handful of series per database, never per table or per step.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, make_wsgi_app

REGISTRY = CollectorRegistry()
_LABELS = ("namespace", "database")

PLANS = Counter("reconciler_plans_total", "Plans computed and published (new digests).", _LABELS, registry=REGISTRY)
STEPS = Counter("reconciler_steps_total", "Plan steps run to completion.", (*_LABELS, "phase"), registry=REGISTRY)
DRIFTED = Gauge(
    "reconciler_drifted_objects",
    "Changes between the live database and the desired schema found by the last drift check.",
    _LABELS,
    registry=REGISTRY,
)
BACKFILL_ROWS = Counter("reconciler_backfill_rows_total", "Rows updated by backfill steps.", _LABELS, registry=REGISTRY)
APPLY_SECONDS = Histogram(
    "reconciler_apply_duration_seconds",
    "Duration of one apply run (until done, a gate, or a failure).",
    _LABELS,
    buckets=(0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, float("inf")),
    registry=REGISTRY,
)
FAILURES = Counter(
    "reconciler_reconcile_failures_total",
    "Reconcile runs that ended in a Failed condition, by reason.",
    (*_LABELS, "reason"),
    registry=REGISTRY,
)
READY = Gauge(
    "reconciler_database_ready", "1 when the database matches its desired schema.", _LABELS, registry=REGISTRY
)


class _Quiet(WSGIRequestHandler):
    """Probes come every few seconds: not worth a log line each."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (the name the base class gives it)
        return None


def _app() -> Callable[..., Iterable[bytes]]:
    metrics = make_wsgi_app(REGISTRY)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok\n"]
        served: Iterable[bytes] = metrics(environ, start_response)
        return served

    return app


def serve(port: int, host: str = "0.0.0.0") -> WSGIServer:  # all interfaces: a pod's port, reachable by Prometheus
    server = make_server(host, port, _app(), handler_class=_Quiet)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
