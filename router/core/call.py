"""A call's state and every legal transition, in one table.

A call is one enterprise's 12345 call, identified by the caller channel's Uniqueid. Its
parties: the caller, the operator (a hotline seat in the operator queue) and, after a
transfer, the department leg (a Local channel whose ;2 side waits in a department queue and
whose ;1 side joins the caller's bridge when a specialist answers).

    QUEUED ──operator answers──▶ WITH_OPERATOR ──transfer accepted──▶ TRANSFERRING
    TRANSFERRING ──leg joins the bridge──▶ THREE_WAY ──operator leaves──▶ WITH_SPECIALIST
    WITH_SPECIALIST ──specialist leaves──▶ CONCLUDING (survey) ──caller hangs up──▶ ENDED

Every other path is in :data:`TRANSITIONS`; anything not there raises
:class:`~router.errors.IllegalTransition` and leaves the call as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Literal

from metrics.records import TargetAttempt
from router.core.commands import CreateTicket
from router.errors import IllegalTransition
from skills.select import Plan

__all__ = [
    "TRANSITIONS",
    "Call",
    "CallState",
    "Leg",
    "Request",
    "TicketRequest",
    "Trigger",
    "next_state",
]


class CallState(StrEnum):
    QUEUED = "queued"  # waiting for a hotline seat
    WITH_OPERATOR = "with_operator"  # caller and operator talk
    TRANSFERRING = "transferring"  # a department leg rings; caller and operator still talk
    THREE_WAY = "three_way"  # caller, operator and specialist in one bridge
    WITH_SPECIALIST = "with_specialist"  # the operator left; caller and specialist talk
    CONCLUDING = "concluding"  # the caller is alone in the dialplan (survey, goodbye)
    ENDED = "ended"


class Trigger(StrEnum):
    OPERATOR_ANSWERED = "operator_answered"
    TRANSFER_ACCEPTED = "transfer_accepted"
    SPECIALIST_ANSWERED = "specialist_answered"
    NEXT_TARGET = "next_target"  # busy overflow: the chain moves on
    LEG_BRIDGED = "leg_bridged"
    LEG_FAILED = "leg_failed"  # the whole chain failed; caller stays with the operator
    OPERATOR_LEFT = "operator_left"
    SPECIALIST_LEFT = "specialist_left"
    CALLER_LEFT_QUEUE = "caller_left_queue"
    EMERGENCY_TRANSFER = "emergency_transfer"  # blind transfer to 110/119/120
    CALLER_REQUEUED = "caller_requeued"  # the dialplan put the caller back in the operator queue
    CALLER_HUNG_UP = "caller_hung_up"


S, T = CallState, Trigger

TRANSITIONS: dict[tuple[CallState, Trigger], CallState] = {
    (S.QUEUED, T.OPERATOR_ANSWERED): S.WITH_OPERATOR,
    (S.QUEUED, T.CALLER_LEFT_QUEUE): S.CONCLUDING,  # operator queue timed out
    (S.QUEUED, T.CALLER_HUNG_UP): S.ENDED,
    (S.WITH_OPERATOR, T.TRANSFER_ACCEPTED): S.TRANSFERRING,
    (S.WITH_OPERATOR, T.EMERGENCY_TRANSFER): S.CONCLUDING,  # the caller leaves for 110/119/120
    (S.WITH_OPERATOR, T.OPERATOR_LEFT): S.CONCLUDING,
    (S.WITH_OPERATOR, T.CALLER_LEFT_QUEUE): S.CONCLUDING,
    (S.WITH_OPERATOR, T.CALLER_HUNG_UP): S.ENDED,
    (S.TRANSFERRING, T.SPECIALIST_ANSWERED): S.TRANSFERRING,
    (S.TRANSFERRING, T.NEXT_TARGET): S.TRANSFERRING,
    (S.TRANSFERRING, T.LEG_BRIDGED): S.THREE_WAY,
    (S.TRANSFERRING, T.LEG_FAILED): S.WITH_OPERATOR,
    # The operator hung up before a specialist answered. Either the caller hangs up too
    # (abandoned during transfer) or the dialplan puts them back in the operator queue
    # (HOTLINE_TRANSFER_PENDING) and the leg is cancelled.
    (S.TRANSFERRING, T.OPERATOR_LEFT): S.TRANSFERRING,
    (S.TRANSFERRING, T.CALLER_REQUEUED): S.QUEUED,
    (S.WITH_OPERATOR, T.CALLER_REQUEUED): S.QUEUED,
    (S.QUEUED, T.CALLER_REQUEUED): S.QUEUED,
    (S.CONCLUDING, T.CALLER_REQUEUED): S.QUEUED,  # the emergency number was not reached
    (S.TRANSFERRING, T.CALLER_LEFT_QUEUE): S.CONCLUDING,  # the caller is leaving
    (S.TRANSFERRING, T.CALLER_HUNG_UP): S.ENDED,
    (S.THREE_WAY, T.OPERATOR_LEFT): S.WITH_SPECIALIST,
    (S.THREE_WAY, T.SPECIALIST_LEFT): S.WITH_OPERATOR,
    (S.THREE_WAY, T.CALLER_HUNG_UP): S.ENDED,
    (S.WITH_SPECIALIST, T.SPECIALIST_LEFT): S.CONCLUDING,
    (S.WITH_SPECIALIST, T.CALLER_LEFT_QUEUE): S.CONCLUDING,
    (S.WITH_SPECIALIST, T.CALLER_HUNG_UP): S.ENDED,
    (S.CONCLUDING, T.CALLER_LEFT_QUEUE): S.CONCLUDING,
    (S.CONCLUDING, T.OPERATOR_LEFT): S.CONCLUDING,
    (S.CONCLUDING, T.SPECIALIST_LEFT): S.CONCLUDING,
    (S.CONCLUDING, T.CALLER_HUNG_UP): S.ENDED,
}


# Guards beside the table: what a state takes in the ordinary course without a change,
# and without counting it illegal. The PBX reports the seat's hangup of a caller already
# back in the queue, and a second Hangup of a call already ended.
IGNORED: frozenset[tuple[CallState, Trigger]] = frozenset({
    (S.QUEUED, T.OPERATOR_LEFT),
    (S.ENDED, T.OPERATOR_LEFT),
    (S.ENDED, T.CALLER_HUNG_UP),
})


def next_state(state: CallState, trigger: Trigger) -> CallState:
    """The state after ``trigger``; raises IllegalTransition if the table has none."""
    try:
        return TRANSITIONS[(state, trigger)]
    except KeyError:
        raise IllegalTransition(state.value, trigger.value) from None


@dataclass(slots=True)
class Leg:
    """One department leg: one target of the plan, rung once."""

    leg_id: str
    queue: str
    unit: str
    started_at: float
    specialist: str = ""
    answered: bool = False
    bridged: bool = False
    ended: bool = False
    ring_until: float = 0.0  # when the leg's ring time is up
    rung: set[str] = field(default_factory=set)  # specialists this leg rang
    declined: set[str] = field(default_factory=set)  # ... whose ring ended unanswered

    @property
    def bridge_side(self) -> str:
        """Uniqueid of the ;1 side, the one that joins the caller's bridge."""
        return f"{self.leg_id}-a"

    @property
    def queue_side(self) -> str:
        """Uniqueid of the ;2 side, the one that waits in the department queue."""
        return f"{self.leg_id}-b"


@dataclass(slots=True)
class Request:
    """The transfer the operator asked for, and where the plan has got to."""

    request_id: str
    matter: str
    source: Literal["phone", "desk"]
    plan: Plan
    next_target: int = 0


@dataclass(frozen=True, slots=True)
class TicketRequest:
    request_id: str
    source: Literal["phone", "desk"]
    operator: str | None
    operator_channel: str | None
    matter: str
    unit: str


@dataclass(slots=True)
class Call:
    call_id: str
    caller_channel: str
    caller_number: str
    priority: int
    entered_at: float
    state: CallState = CallState.QUEUED
    operator: str = ""
    operator_channel: str = ""
    operator_answered_at: float | None = None
    operator_queue: str = "hotline-operators"
    request: Request | None = None
    legs: list[Leg] = field(default_factory=list)
    attempts: list[TargetAttempt] = field(default_factory=list)
    transfer_requested_at: float | None = None
    requests_rejected: int = 0
    three_way_at: float | None = None
    specialist_left_at: float | None = None
    survey_resolved: bool | None = None
    survey_satisfaction: int | None = None
    ticket_id: str = ""
    ticket_reason: str = ""
    adopted: bool = False  # taken over after a router restart: times are approximate
    # the request a ticket answers: replied to once the ticket is stored
    ticket_request: TicketRequest | None = None
    emergency: str = ""  # the emergency number the caller was sent to
    emergency_matter: str = ""
    connected_unit: str = ""
    specialist: str = ""
    events_published: int = 0  # the call's events so far (the next one's number - 1)
    # the ticket asked of the store and not yet confirmed stored: a successor asks again
    # (the idempotency key makes that the same ticket)
    ticket_order: CreateTicket | None = None

    def clone(self) -> Call:
        """A copy sharing nothing mutable (plans, attempts and ticket requests are frozen):
        what the engine puts back when an event turns out to be illegal midway."""
        return replace(
            self,
            request=replace(self.request) if self.request is not None else None,
            legs=[replace(leg, rung=set(leg.rung), declined=set(leg.declined))
                  for leg in self.legs],
            attempts=list(self.attempts),
        )

    def shift_times(self, delta_s: float) -> None:
        """Move every time held by ``delta_s`` (the wall clock stepped)."""
        self.entered_at += delta_s
        for name in ("operator_answered_at", "transfer_requested_at", "three_way_at",
                     "specialist_left_at"):
            held = getattr(self, name)
            if held is not None:
                setattr(self, name, held + delta_s)
        for leg in self.legs:
            leg.started_at += delta_s
            leg.ring_until += delta_s

    def move(self, trigger: Trigger) -> CallState:
        self.state = next_state(self.state, trigger)
        return self.state

    def can(self, trigger: Trigger) -> bool:
        """The table has a transition for ``trigger`` in the call's state."""
        return (self.state, trigger) in TRANSITIONS

    def ignores(self, trigger: Trigger) -> bool:
        """``trigger`` is an ordinary no-op in the call's state (:data:`IGNORED`)."""
        return (self.state, trigger) in IGNORED

    @property
    def leg(self) -> Leg | None:
        """The leg in progress (not ended), if any."""
        if self.legs and not self.legs[-1].ended:
            return self.legs[-1]
        return None

    def find_leg(self, leg_id: str) -> Leg | None:
        for leg in self.legs:
            if leg.leg_id == leg_id:
                return leg
        return None
