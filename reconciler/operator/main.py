"""`reconciler operator run`: start the controller (kopf) with metrics and logging.

Stage: shell. Watches the namespaces given (or all), serves `/metrics` and `/healthz` on one
port, logs one JSON object per line by default (structlog for reconciler, kopf's JSON format for
kopf), and takes part in kopf peering when a peering name is given.
"""

from __future__ import annotations

import logging
import os
import random
import warnings
from dataclasses import dataclass

import kopf
import urllib3

from reconciler import log


@dataclass(frozen=True)
class OperatorOptions:
    namespaces: tuple[str, ...] = ()
    all_namespaces: bool = False
    metrics_port: int = 9090
    log_format: str = "json"
    peering: str | None = None
    priority: int | None = None
    retry_max_seconds: float = 60.0
    settle_seconds: float = 1.5
    work_dir: str | None = None


def run(options: OperatorOptions) -> None:
    from reconciler.operator import controller, metrics  # noqa: PLC0415  (registers the handlers)

    if options.work_dir:  # backups of the built-in pg_dump hook go under the working directory
        os.makedirs(options.work_dir, exist_ok=True)
        os.chdir(options.work_dir)
    log.configure(fmt=options.log_format)
    kopf.configure(log_format=kopf.LogFormat.JSON if options.log_format == "json" else kopf.LogFormat.FULL)
    logging.getLogger("kubernetes").setLevel(logging.WARNING)
    logging.getLogger("kopf.objects").setLevel(
        logging.WARNING
    )  # one line per watch event otherwise; ours say what matters
    warnings.simplefilter(
        "once", urllib3.exceptions.InsecureRequestWarning
    )  # a kubeconfig that skips TLS checks: say it once
    controller.RUNTIME.settings.retry_max_seconds = options.retry_max_seconds
    controller.RUNTIME.settle_seconds = options.settle_seconds
    if options.metrics_port:
        metrics.serve(options.metrics_port)
    namespaces = list(options.namespaces) or (
        [] if options.all_namespaces else [os.environ.get("POD_NAMESPACE", "default")]
    )
    priority = (
        options.priority if options.priority is not None else random.randint(1, 1_000_000)
    )  # tie-breaking, not security
    kopf.run(
        clusterwide=options.all_namespaces,
        namespaces=namespaces if not options.all_namespaces else (),
        standalone=options.peering is None,
        peering_name=options.peering,
        priority=priority,
    )
