"""structlog set-up: JSON lines for machines, a console renderer on a TTY.

Log events, not sentences: ``log.info("transfer_started", matter="101")``. Bind the call's
context once (``log.bind(call_id=...)``); never log a whole caller number (use
:func:`router.masking.mask_number`).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
import traceback
from types import TracebackType
from typing import Any, Literal

import orjson
import structlog

__all__ = ["asyncio_exception_handler", "configure_logging", "get_logger", "logs_json"]

_MAX_TRACEBACK = 8000  # characters of a traceback kept in one log line


def configure_logging(
    fmt: Literal["auto", "json", "console"] = "auto", level: str = "info"
) -> None:
    """Configure structlog once, at the composition root."""
    use_console = fmt == "console" or (fmt == "auto" and sys.stderr.isatty())
    _json[0] = not use_console
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
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        _utc_timestamp,
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
    ]
    _route_foreign_lines(shared, use_console, level)
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=factory,
        cache_logger_on_first_use=False,
    )


_json = [False]


def logs_json() -> bool:
    """Whether logging is configured and renders JSON lines."""
    return _json[0]


def _route_foreign_lines(shared: list[structlog.typing.Processor], use_console: bool,
                         level: str) -> None:
    """Lines that do not come from structlog — the libraries' own logging (aiomqtt's "There
    are N pending publish calls", asyncio's "Task exception was never retrieved"), Python
    warnings, an exception nobody caught — are rendered by the same processors, so that with
    JSON configured *every* line on stderr is one JSON object (``logger`` names the source)."""
    final: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer() if use_console
        else structlog.processors.JSONRenderer(sort_keys=False))
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, final]))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    # libraries log at their own levels; below a warning they are noise for an operator
    root.setLevel(max(logging.getLevelNamesMapping()[level.upper()], logging.WARNING))
    logging.captureWarnings(True)
    sys.excepthook = _log_uncaught


def _log_uncaught(kind: type[BaseException], exc: BaseException,
                  tb: TracebackType | None) -> None:
    text = "".join(traceback.format_exception(kind, exc, tb))[-_MAX_TRACEBACK:]
    get_logger(component="python").critical("uncaught_exception", error=kind.__name__,
                                           detail=str(exc)[:500], traceback=text)


def asyncio_exception_handler(_loop: asyncio.AbstractEventLoop,
                              context: dict[str, Any]) -> None:
    """The event loop's handler for errors nothing awaited: one log line, not a dump."""
    exc = context.get("exception")
    text = ("".join(traceback.format_exception(exc))[-_MAX_TRACEBACK:]
            if isinstance(exc, BaseException) else None)
    get_logger(component="asyncio").error(
        "asyncio_error", detail=str(context.get("message", ""))[:500],
        error=type(exc).__name__ if exc is not None else None, traceback=text)


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
