"""Outbound effects the core asks for; the executor carries them out.

Each command names the call it is for. A command that fails comes back to the core as a
:class:`router.core.events.CommandFailed` event, never as an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from metrics.records import CallRecord

__all__ = [
    "BlindTransfer",
    "CancelTimer",
    "Command",
    "CreateTicket",
    "HangupChannel",
    "NotifyOperator",
    "OriginateLeg",
    "PublishCallEvent",
    "RecordCall",
    "ReplyToParty",
    "ReplyToRequest",
    "SetChannelVar",
    "SetPresence",
    "StartTimer",
]


@dataclass(frozen=True, slots=True)
class ReplyToRequest:
    """Answer a transfer request: on the phone (HOTLINE_REPLY) or on the desk's reply topic."""

    call_id: str
    request_id: str
    source: Literal["phone", "desk"]
    operator: str | None
    operator_channel: str | None
    accepted: bool
    reason: str
    detail: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OriginateLeg:
    """Bring a department leg up: ``Local/<queue>@hotline-department-leg/n`` whose ;1 side
    runs ``BridgeAdd(<caller channel>)`` once a specialist answers on the ;2 side."""

    call_id: str
    leg_id: str
    queue: str
    caller_channel: str
    priority: int
    ring_timeout_s: int
    originate_timeout_s: int


@dataclass(frozen=True, slots=True)
class BlindTransfer:
    """Send the caller out of the bridge to ``<context>,<exten>,1`` (AMI Redirect)."""

    call_id: str
    channel: str
    context: str
    exten: str


@dataclass(frozen=True, slots=True)
class HangupChannel:
    call_id: str
    channel: str
    cause: int = 16  # normal clearing


@dataclass(frozen=True, slots=True)
class SetChannelVar:
    call_id: str
    channel: str
    name: str
    value: str


@dataclass(frozen=True, slots=True)
class PublishCallEvent:
    """One step of a call, published on the call-events topic (QoS 1)."""

    call_id: str
    kind: str
    at: float
    data: Mapping[str, object] = field(default_factory=dict)
    # the call's n-th event, numbered by the engine as it leaves the core; not part of
    # equality, so a handler's expected commands are written without it (tests assert it
    # on its own)
    seq: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class NotifyOperator:
    """Tell an operator's desk application something about their call."""

    call_id: str
    operator: str
    notice: str
    data: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RecordCall:
    """The call's final record: written once (idempotent on the call id) with its counters."""

    record: CallRecord


@dataclass(frozen=True, slots=True)
class SetPresence:
    """Pause or resume a party in every queue they belong to (QueuePause, all queues).

    Logging out is a pause with reason ``logged-out``: the member stays in the queues the
    catalogue gives them, so logging in again needs no membership change.
    """

    party: str
    role: Literal["operator", "specialist"]
    extension: str
    paused: bool
    reason: str
    source: Literal["phone", "desk"]


@dataclass(frozen=True, slots=True)
class ReplyToParty:
    """Answer a desk application's non-call command (presence)."""

    party: str
    role: Literal["operator", "specialist"]
    request_id: str
    accepted: bool
    reason: str


@dataclass(frozen=True, slots=True)
class CreateTicket:
    """Store a sub-urgent ticket (durably, once per idempotency key), then publish it.

    The outcome comes back as TicketStored or TicketFailed; nothing announces the ticket
    before it is stored.
    """

    call_id: str
    idempotency_key: str
    created_at: float
    matter: str
    unit: str
    district: str
    priority: int
    operator: str
    caller_number: str
    reason: str  # after_hours | overflow_exhausted
    due_at: float
    calendar_provisional: bool = False  # the due day is in a year without its notice yet


@dataclass(frozen=True, slots=True)
class StartTimer:
    call_id: str
    name: str
    at: float


@dataclass(frozen=True, slots=True)
class CancelTimer:
    call_id: str
    name: str


Command = (
    ReplyToRequest
    | OriginateLeg
    | HangupChannel
    | BlindTransfer
    | SetChannelVar
    | PublishCallEvent
    | NotifyOperator
    | RecordCall
    | StartTimer
    | CancelTimer
    | SetPresence
    | ReplyToParty
    | CreateTicket
)
