"""Inbound JSON commands (desk, specialist, unit and admin MQTT topics), bounded before they
are decoded.

A command is a small flat object: a few keys, short strings. Anything else is refused
with a reason before a decoder or a validator recurses into it: more than
``max_bytes`` (4 KiB), nesting deeper than ``max_depth`` (4: an object holding a list of
objects at most), not UTF-8, not JSON, not an object. A refusal is an ordinary outcome
(answered on the sender's replies topic), never an exception that reaches the MQTT task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
from pydantic import ValidationError

__all__ = ["MAX_COMMAND_BYTES", "MAX_COMMAND_DEPTH", "PayloadRejected", "load_command",
           "nesting_depth", "schema_errors"]

MAX_COMMAND_BYTES = 4096
MAX_COMMAND_DEPTH = 4

_OPEN, _CLOSE, _QUOTE, _BACKSLASH = frozenset(b"[{"), frozenset(b"]}"), ord('"'), ord("\\")


class PayloadRejected(Exception):
    """The payload is not a command; ``reason`` says why, for the reply."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def nesting_depth(payload: bytes, stop_at: int) -> int:
    """How deep ``[`` and ``{`` nest outside strings, counted up to ``stop_at`` (the scan
    ends there: a hostile payload costs no more than a legal one)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in payload:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest >= stop_at:
                    return deepest
        elif byte in _CLOSE:
            depth -= 1
    return deepest


def load_command(payload: bytes, *, max_bytes: int = MAX_COMMAND_BYTES,
                 max_depth: int = MAX_COMMAND_DEPTH) -> dict[str, Any]:
    """The command as a mapping, or PayloadRejected."""
    if len(payload) > max_bytes:
        raise PayloadRejected(f"payload is {len(payload)} bytes; the limit is {max_bytes}")
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError:
        raise PayloadRejected("payload is not UTF-8") from None
    if nesting_depth(payload, max_depth + 1) > max_depth:
        raise PayloadRejected(f"payload nests deeper than {max_depth} levels")
    try:
        raw = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise PayloadRejected(f"payload is not JSON: {exc.msg}") from None
    if not isinstance(raw, dict):
        raise PayloadRejected("payload is not a JSON object")
    return raw


_ERROR_MAX = 300  # characters in one reply line: a message never carries the input back


def schema_errors(exc: ValidationError,
                  where: Callable[[tuple[int | str, ...], str], str] | None = None
                  ) -> list[str]:
    """One line per schema violation, for a reply: ``matter: String should match ...``.

    A value the sender gave is not echoed back (pydantic quotes an unknown ``action`` in
    full): the line names what is expected instead, and is cut at 300 characters.
    ``where`` names the place from pydantic's location and error type (default: the
    dotted location)."""
    lines = []
    for e in exc.errors():
        place = where(e["loc"], e["type"]) if where is not None else \
            ".".join(str(p) for p in e["loc"]) or "<payload>"
        ctx = e.get("ctx") or {}
        if e["type"] == "union_tag_invalid":
            message = f"must be one of {ctx.get('expected_tags', '')}"
        else:
            message = e["msg"]
        line = f"{place}: {message}"
        lines.append(line if len(line) <= _ERROR_MAX else line[:_ERROR_MAX - 1] + "…")
    return lines
