"""Inbound domain events: what happened on the PBX, the bus or the clock.

Frozen values built at the boundary (``router.ami.parse``, the MQTT command handler, the
timer service). The core never sees an AMI header or a JSON document.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from router.core.board import QueueCaller, QueueMemberState
from router.core.call import Call
from skills.calendar import WorkCalendar
from skills.catalogue import Catalogue

__all__ = [
    "REQUEUED",
    "CallEntered",
    "CallerLeftQueue",
    "ChannelHungUp",
    "ChannelSnapshot",
    "CommandFailed",
    "EmergencyFailed",
    "Event",
    "LegAnswered",
    "LegEnded",
    "LegOriginateFailed",
    "LinkDown",
    "MemberChanged",
    "OperatorAnswered",
    "OperatorQueueOverflowed",
    "PartyBridged",
    "PresenceRequested",
    "QueueCallerChanged",
    "QueueSnapshot",
    "RequestSource",
    "Resynced",
    "SurveyAnswered",
    "TicketAnnounced",
    "TicketFailed",
    "TicketStored",
    "TimerFired",
    "TransferRequested",
]

RequestSource = Literal["phone", "desk"]

# CallerLeftQueue.queue_status when the dialplan put the caller back in the operator queue
REQUEUED = "REQUEUED"


@dataclass(frozen=True, slots=True)
class CallEntered:
    """A caller chose in the 12345 menu and now waits in the operator queue."""

    call_id: str
    caller_channel: str
    caller_number: str
    priority: int


@dataclass(frozen=True, slots=True)
class CallerLeftQueue:
    """The caller's ``Queue()`` returned (QUEUESTATUS): timeout, or the bridge ended."""

    call_id: str
    queue_status: str


@dataclass(frozen=True, slots=True)
class OperatorAnswered:
    """A hotline seat answered the caller (AgentConnect on the operator queue)."""

    call_id: str
    caller_channel: str
    operator_channel: str
    operator: str
    caller_number: str = ""


@dataclass(frozen=True, slots=True)
class OperatorQueueOverflowed:
    """No seat answered in time: the caller moves to the next operator queue (partners)."""

    call_id: str
    from_queue: str
    to_queue: str


@dataclass(frozen=True, slots=True)
class EmergencyFailed:
    """The emergency number was not reached; the dialplan put the caller back in the
    operator queue."""

    call_id: str
    dial_status: str


@dataclass(frozen=True, slots=True)
class TransferRequested:
    """The operator asked for a transfer: on the phone (``*5`` + code) or from the desk."""

    request_id: str
    matter_code: str
    source: RequestSource
    call_id: str | None = None
    operator: str | None = None
    operator_channel: str | None = None
    district: str | None = None
    # the operator confirmed a blind transfer to an emergency number (110/119/120)
    confirmed: bool = False


@dataclass(frozen=True, slots=True)
class LegAnswered:
    """A specialist answered the department leg (AgentConnect on a department queue)."""

    call_id: str
    leg_id: str
    queue: str
    specialist: str


@dataclass(frozen=True, slots=True)
class MemberRung:
    """A department queue rang one specialist for a leg (AgentCalled), or that ring ended
    unanswered (AgentRingNoAnswer: ``declined``): no answer in time, busy, rejected."""

    call_id: str
    leg_id: str
    queue: str
    specialist: str
    declined: bool = False


@dataclass(frozen=True, slots=True)
class PartyBridged:
    """A channel of the call entered (``entered``) or left a bridge."""

    call_id: str
    uniqueid: str
    channel: str
    bridge_id: str
    parties: int
    entered: bool


@dataclass(frozen=True, slots=True)
class LegEnded:
    """The department leg's ``Queue()`` returned with this QUEUESTATUS.

    TIMEOUT (rang, nobody answered), FULL (maxlen reached), JOINEMPTY / LEAVEEMPTY (no
    usable member), JOINUNAVAIL / LEAVEUNAVAIL, or CONTINUE (a specialist had answered and
    has now hung up).
    """

    call_id: str
    leg_id: str
    queue: str
    queue_status: str


@dataclass(frozen=True, slots=True)
class LegOriginateFailed:
    """Asterisk could not bring the leg up at all (OriginateResponse: Failure)."""

    call_id: str
    leg_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ChannelHungUp:
    """A channel belonging to the call hung up (cause per Q.850)."""

    call_id: str
    uniqueid: str
    channel: str
    cause: int


@dataclass(frozen=True, slots=True)
class MemberChanged:
    """A queue member was added, removed, paused or changed device state."""

    state: QueueMemberState
    removed: bool = False


@dataclass(frozen=True, slots=True)
class QueueCallerChanged:
    """A caller (the caller of the operator queue, or a department leg) joined or left."""

    queue: str
    uniqueid: str
    joined: bool


@dataclass(frozen=True, slots=True)
class QueueSnapshot:
    """QueueStatus after a (re)login: every member and every waiting caller."""

    members: tuple[QueueMemberState, ...]
    callers: tuple[QueueCaller, ...]


@dataclass(frozen=True, slots=True)
class PresenceRequested:
    """A specialist logs in or out, pauses (with a reason) or resumes.

    ``who`` is an extension (phone feature code, ``role`` None) or the catalogue id of an
    operator or specialist (desk application, ``role`` given).
    """

    who: str
    action: Literal["login", "logout", "pause", "unpause"]
    source: RequestSource
    reason: str = ""
    request_id: str = ""
    role: Literal["operator", "specialist"] | None = None


@dataclass(frozen=True, slots=True)
class TicketStored:
    """The ticket is on disk (``created`` False: it existed already for this request)."""

    call_id: str
    ticket_id: str
    unit: str
    due_at: float
    reason: str
    created: bool
    calendar_provisional: bool = False


@dataclass(frozen=True, slots=True)
class SurveyAnswered:
    """The caller's survey: resolved (True/False) and satisfaction (1 satisfied, 2 basically
    satisfied, 3 dissatisfied); None for a question not answered (not counted)."""

    call_id: str
    resolved: bool | None
    satisfaction: int | None


@dataclass(frozen=True, slots=True)
class TicketAnnounced:
    """The dialplan is telling the caller their ticket number and callback day."""

    call_id: str
    ticket_id: str


@dataclass(frozen=True, slots=True)
class TicketFailed:
    """The ticket could not be stored: nobody is told a ticket exists."""

    call_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class TimerFired:
    call_id: str
    name: str


@dataclass(frozen=True, slots=True)
class CommandFailed:
    """The executor could not carry out a command; the reason is an error class name."""

    call_id: str
    command: str
    reason: str
    leg_id: str | None = None


@dataclass(frozen=True, slots=True)
class LinkDown:
    """The AMI link dropped: nothing the PBX does is seen until the next resync."""

    reason: str


@dataclass(frozen=True, slots=True)
class ClockStepped:
    """The wall clock jumped by ``delta_s`` (an NTP step, an administrator setting the
    date): times held for calls in progress move with it, so their durations stay true
    while working-hour decisions follow the corrected time."""

    delta_s: float


@dataclass(frozen=True, slots=True)
class ChannelSnapshot:
    """One live channel as a resync sees it (CoreShowChannels + BridgeList)."""

    uniqueid: str
    channel: str
    call_id: str
    role: str
    leg_id: str
    bridge_id: str


@dataclass(frozen=True, slots=True)
class Resynced:
    """After a (re)login: every live channel; the engine reconciles its calls with it."""

    channels: tuple[ChannelSnapshot, ...]


@dataclass(frozen=True, slots=True)
class JournalRestored:
    """At start, before the first resync: the calls the journal holds, as they were."""

    calls: tuple[Call, ...]


@dataclass(frozen=True, slots=True)
class ConfigReplaced:
    """A reload (SIGHUP or the admin command), validated whole: new transfer requests use
    this catalogue (matters, units, working hours) and this calendar; calls in progress keep
    the plans, deadlines and tickets already decided."""

    catalogue: Catalogue
    calendar: WorkCalendar


@dataclass(frozen=True, slots=True)
class ShutdownRequested:
    """SIGTERM: from here on new transfer requests are refused (``shutting_down``); the
    calls in progress go on being tracked and journalled until the router exits."""


Event = (
    CallEntered
    | CallerLeftQueue
    | OperatorAnswered
    | OperatorQueueOverflowed
    | EmergencyFailed
    | TransferRequested
    | LegAnswered
    | MemberRung
    | PartyBridged
    | LegEnded
    | LegOriginateFailed
    | ChannelHungUp
    | MemberChanged
    | QueueCallerChanged
    | QueueSnapshot
    | PresenceRequested
    | TicketStored
    | TicketAnnounced
    | SurveyAnswered
    | TicketFailed
    | TimerFired
    | CommandFailed
    | ClockStepped
    | LinkDown
    | Resynced
    | ConfigReplaced
    | JournalRestored
    | ShutdownRequested
)
