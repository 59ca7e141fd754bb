"""Structured logging, configured once for the whole process.

Human-readable lines on a terminal, one JSON object per line otherwise (CI logs, the operator).
A last-line-of-defence processor redacts anything that looks like a DSN password in every event,
whatever field it arrives in.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any, TextIO

import structlog

from reconciler.pg.dsn import redact

_configured = False


def _redact_secrets(_: Any, __: str, event: MutableMapping[str, Any]) -> dict[str, Any]:
    return {key: redact(value) if isinstance(value, str) else value for key, value in event.items()}


def configure(*, level: str = "info", fmt: str = "auto", stream: TextIO | None = None) -> None:
    """Configure structlog; `fmt` is auto (console on a TTY, else JSON), console or json."""
    global _configured
    stream = stream or sys.stderr
    use_console = fmt == "console" or (fmt == "auto" and stream.isatty())
    renderer: Any = (
        structlog.dev.ConsoleRenderer(colors=stream.isatty()) if use_console else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _redact_secrets,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelNamesMapping()[level.upper()]),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=False,
    )
    _configured = True


def get_logger(name: str = "reconciler") -> Any:
    if not _configured:
        configure()
    return structlog.get_logger(name)
