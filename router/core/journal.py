"""The call journal's format (pure): a call in progress as JSON, and back.

The service writes every call the engine holds to ``<ns>:v1:journal`` (a Redis hash, one
field per call id) after each event that concerns it, and removes it once its record is
queued. A router that starts reads the journal before anything else: the calls come back
with their state (the call-table state, the request and its plan, the leg in flight, the
attempts, the survey), then the first resync reconciles them with the PBX exactly as after
an AMI reconnect — calls gone are recorded once with the outcome they had settled (or
``lost``), calls still there go on.

Version 1; a journal entry of an unknown version is skipped (and logged) by the reader.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from metrics.records import TargetAttempt
from router.core.call import Call, CallState, Leg, Request, TicketRequest
from router.core.commands import CreateTicket
from skills.select import Plan, Target

__all__ = ["JOURNAL_VERSION", "call_from_json", "call_to_json", "encode_default"]

JOURNAL_VERSION = 1
_CALL_FIELDS = frozenset(f.name for f in fields(Call))


def call_to_json(call: Call) -> dict[str, Any]:
    """The entry for ``call``, for a JSON encoder that writes dataclasses and enums as
    they are (orjson does, in C: no copy of the call on the event path) and sets through
    :func:`encode_default`."""
    return {"v": JOURNAL_VERSION, "call": call}


def encode_default(value: object) -> object:
    """The JSON form of what the encoder does not know: a leg's sets of specialists."""
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not part of a journal entry")


def call_from_json(entry: dict[str, Any]) -> Call:
    """The call a journal entry holds.

    Raises:
        ValueError: not a version-1 entry, or a field does not fit.
    """
    if entry.get("v") != JOURNAL_VERSION or not isinstance(entry.get("call"), dict):
        raise ValueError(f"not a version-{JOURNAL_VERSION} journal entry")
    data = dict(entry["call"])
    unknown = set(data) - _CALL_FIELDS
    if unknown:
        raise ValueError(f"unknown call fields {sorted(unknown)}")
    try:
        data["state"] = CallState(data["state"])
        data["legs"] = [Leg(**{**leg, "rung": set(leg["rung"]),
                               "declined": set(leg["declined"])}) for leg in data["legs"]]
        data["attempts"] = [TargetAttempt(**a) for a in data["attempts"]]
        if data["request"] is not None:
            request = dict(data["request"])
            plan = dict(request["plan"])
            plan["targets"] = tuple(Target(**t) for t in plan["targets"])
            request["plan"] = Plan(**plan)
            data["request"] = Request(**request)
        if data["ticket_request"] is not None:
            data["ticket_request"] = TicketRequest(**data["ticket_request"])
        if data.get("ticket_order") is not None:
            data["ticket_order"] = CreateTicket(**data["ticket_order"])
        return Call(**data)
    except (KeyError, TypeError) as exc:
        raise ValueError(f"journal entry does not fit: {exc}") from exc
