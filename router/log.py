"""structlog set-up: JSON lines for machines, a console renderer on a TTY.

Log events, not sentences: ``log.info("transfer_started", matter="101")``. Bind the call's
context once (``log.bind(call_id=...)``); never log a whole caller number (use
:func:`router.masking.mask_number`).
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Literal

import orjson
import structlog

__all__ = ["configure_logging", "get_logger"]


def configure_logging(
    fmt: Literal["auto", "json", "console"] = "auto", level: str = "info"
) -> None:
    """Configure structlog once, at the composition root."""
    use_console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    renderer: structlog.typing.Processor
    factory: structlog.typing.WrappedLogger
    stderr_bytes = getattr(sys.stderr, "buffer", None)
    if use_console:
        renderer, factory = structlog.dev.ConsoleRenderer(), structlog.PrintLoggerFactory(
            file=sys.stderr)
    elif stderr_bytes is not None:
        # orjson renders a line in a third of the standard library's time: the executor
        # logs every call event, so this is on the call path
        renderer = structlog.processors.JSONRenderer(
            serializer=orjson.dumps, option=orjson.OPT_NON_STR_KEYS)
        factory = structlog.BytesLoggerFactory(file=stderr_bytes)
    else:
        renderer = structlog.processors.JSONRenderer()
        factory = structlog.PrintLoggerFactory(file=sys.stderr)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            _utc_timestamp,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=factory,
        cache_logger_on_first_use=False,
    )


_second: list[tuple[int, str]] = [(0, "")]  # the last whole second, formatted once


def _utc_timestamp(_logger: object, _method: str, event: structlog.typing.EventDict
                   ) -> structlog.typing.EventDict:
    """``timestamp``: ISO 8601 UTC with microseconds, as structlog's ``TimeStamper(fmt="iso",
    utc=True)`` writes it, in a third of its time (the executor logs every call event)."""
    now = time.time()
    second = int(now)
    cached, text = _second[0]
    if second != cached:
        text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        _second[0] = (second, text)
    event["timestamp"] = f"{text}.{int((now - second) * 1_000_000):06d}Z"
    return event


def get_logger(**context: object) -> structlog.typing.FilteringBoundLogger:
    """A logger with ``context`` bound (component name, call id, ...)."""
    logger: structlog.typing.FilteringBoundLogger = structlog.get_logger().bind(**context)
    return logger
