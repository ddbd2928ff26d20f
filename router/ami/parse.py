"""Raw AMI messages -> domain events (pure).

Only the events the router uses become domain events; the rest return ``None``. A message
that lacks a header the router needs raises :class:`AmiParseError` (counted and logged by
the service; the call goes on) — a missing header is never read as an empty string.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from router.ami import names
from router.ami.frames import AmiMessage
from router.core import events as ev
from router.core.board import QueueMemberState
from router.dialplan import VAR_CALL_ID, VAR_LEG_ID, is_operator_queue
from router.errors import AmiParseError

__all__ = ["LEG_ACTION_PREFIX", "WANTED_EVENTS", "call_id_of_leg", "member_state", "parse_event"]

LEG_ACTION_PREFIX = "leg:"  # ActionID of a department leg's Originate: "leg:<leg id>"


def call_id_of_leg(leg_id: str) -> str:
    """A leg id is ``<call id>-L<n>``."""
    call_id, sep, _ = leg_id.rpartition("-L")
    if not sep or not call_id:
        raise AmiParseError(f"not a leg id: {leg_id!r}")
    return call_id


def parse_event(message: AmiMessage) -> ev.Event | None:
    """The domain event for ``message``, or None when the router has no use for it."""
    name = message.event
    handler = _HANDLERS.get(name or "")
    return handler(message) if handler else None


def _need(message: AmiMessage, header: str) -> str:
    value = message.get(header)
    if value is None:
        raise AmiParseError(f"{message.event}: missing {header}")
    return value


def _need_int(message: AmiMessage, header: str) -> int:
    return _number(message, header, message.get(header))


def _number(message: AmiMessage, header: str, raw: str | None) -> int:
    if raw is None:
        raise AmiParseError(f"{message.event}: missing {header}")
    try:
        return int(raw)
    except ValueError:
        raise AmiParseError(f"{message.event}: {header} is not a number: {raw!r}") from None


def _call_id(message: AmiMessage, header: str = "ChanVariable") -> str:
    return message.variable(VAR_CALL_ID, header) or ""


def member_state(message: AmiMessage, *, name_header: str = "MemberName",
                 interface_header: str = "Interface") -> QueueMemberState:
    """A QueueMember* event (or a QueueStatus ``QueueMember`` entry) as a member state."""
    queue, name, interface, penalty, status, paused, reason = message.get_each(
        "Queue", name_header, interface_header, "Penalty", "Status", "Paused", "PausedReason")
    if queue is None or interface is None:
        missing = "Queue" if queue is None else interface_header
        raise AmiParseError(f"{message.event}: missing {missing}")
    return QueueMemberState(queue=queue, name=name or "", interface=interface,
                            penalty=_number(message, "Penalty", penalty),
                            status=_number(message, "Status", status),
                            paused=paused == "1", reason=reason or "")


def _member(removed: bool) -> Callable[[AmiMessage], ev.Event | None]:
    def parse(message: AmiMessage) -> ev.Event | None:
        if removed:
            state = QueueMemberState(_need(message, "Queue"), message.get("MemberName") or "",
                                     _need(message, "Interface"), 0, 0, False)
            return ev.MemberChanged(state, removed=True)
        return ev.MemberChanged(member_state(message))

    return parse


def _queue_caller(joined: bool) -> Callable[[AmiMessage], ev.Event | None]:
    def parse(message: AmiMessage) -> ev.Event | None:
        return ev.QueueCallerChanged(_need(message, "Queue"), _need(message, "Uniqueid"), joined)

    return parse


# the digit after *23 on a phone -> the pause reason the router records
PAUSE_REASONS = {"1": "lunch", "2": "meeting", "3": "training", "4": "after-call-work"}

_PRESENCE: dict[str, Literal["login", "logout", "pause", "unpause"]] = {
    "login": "login", "logout": "logout", "pause": "pause", "unpause": "unpause"}


def _presence(message: AmiMessage) -> ev.Event | None:
    raw = _need(message, names.H_COMMAND)
    action = _PRESENCE.get(raw)
    if action is None:
        raise AmiParseError(f"{names.UE_PRESENCE}: unknown command {raw!r}")
    digit = message.get(names.H_REASON) or ""
    return ev.PresenceRequested(_need(message, names.H_EXTENSION), action, "phone",
                                reason=PAUSE_REASONS.get(digit, "paused" if digit else ""))


def _user_event(message: AmiMessage) -> ev.Event | None:
    kind = message.get("UserEvent")
    if kind == names.UE_PRESENCE:
        return _presence(message)
    if kind not in names.USER_EVENTS:
        return None
    call_id = _need(message, names.H_CALL_ID)
    if not call_id:
        raise AmiParseError(f"{kind}: empty {names.H_CALL_ID}")
    if kind == names.UE_CALL_ENTERED:
        priority = _need_int(message, names.H_CALL_PRIORITY)
        if priority not in (1, 2):
            raise AmiParseError(f"{kind}: priority {priority} is not 1 or 2")
        return ev.CallEntered(call_id, _need(message, "Channel"),
                              message.get("CallerIDNum") or "", priority)
    if kind == names.UE_CALLER_LEFT_QUEUE:
        return ev.CallerLeftQueue(call_id, _need(message, names.H_QUEUE_STATUS))
    if kind == names.UE_CALL_REQUEUED:
        return ev.CallerLeftQueue(call_id, ev.REQUEUED)
    if kind == names.UE_TRANSFER_REQUEST:
        return ev.TransferRequested(
            request_id=_need(message, names.H_REQUEST_ID),
            matter_code=_need(message, names.H_MATTER),
            source="phone",
            call_id=call_id,
            operator_channel=_need(message, "Channel"),
            district=message.get(names.H_DISTRICT) or None,
            confirmed=message.get(names.H_CONFIRMED) == "yes",
        )
    if kind == names.UE_OPERATOR_OVERFLOW:
        return ev.OperatorQueueOverflowed(call_id, _need(message, names.H_FROM_QUEUE),
                                          _need(message, names.H_TO_QUEUE))
    if kind == names.UE_SURVEY_ANSWER:
        resolved = {"1": True, "2": False}.get(message.get(names.H_RESOLVED) or "")
        satisfaction = {"1": 1, "2": 2, "3": 3}.get(message.get(names.H_SATISFACTION) or "")
        return ev.SurveyAnswered(call_id, resolved, satisfaction)
    if kind == names.UE_SURVEY_STARTED:
        return None  # the answer follows
    if kind == names.UE_TICKET_ANNOUNCED:
        return ev.TicketAnnounced(call_id, _need(message, names.H_TICKET_ID))
    if kind == names.UE_EMERGENCY_FAILED:
        return ev.EmergencyFailed(call_id, message.get(names.H_DIAL_STATUS) or "")
    if kind == names.UE_DEPARTMENT_LEG_ENDED:
        return ev.LegEnded(call_id, _need(message, names.H_LEG_ID),
                           _need(message, names.H_TARGET_QUEUE),
                           _need(message, names.H_QUEUE_STATUS))
    return None  # HotlineOperatorLeave: the channel's Hangup follows


def _agent_connect(message: AmiMessage) -> ev.Event | None:
    queue = _need(message, "Queue")
    call_id = _call_id(message)
    if not call_id:
        return None
    if is_operator_queue(queue):
        return ev.OperatorAnswered(
            call_id=call_id,
            caller_channel=_need(message, "Channel"),
            operator_channel=_need(message, "DestChannel"),
            operator=_need(message, "MemberName"),
            caller_number=message.get("CallerIDNum") or "",
        )
    leg_id = message.variable(VAR_LEG_ID) or ""
    if not leg_id:
        return None
    return ev.LegAnswered(call_id, leg_id, queue, _need(message, "MemberName"))


def _member_rung(declined: bool) -> Callable[[AmiMessage], ev.Event | None]:
    """AgentCalled / AgentRingNoAnswer on a department leg (the operator queue's are not
    the router's business: app_queue's own timeout and retry serve operators)."""
    def parse(message: AmiMessage) -> ev.Event | None:
        queue = _need(message, "Queue")
        call_id = _call_id(message)
        leg_id = message.variable(VAR_LEG_ID) or ""
        if not call_id or not leg_id or is_operator_queue(queue):
            return None
        return ev.MemberRung(call_id, leg_id, queue, _need(message, "MemberName"), declined)

    return parse


def _bridge(entered: bool) -> Callable[[AmiMessage], ev.Event | None]:
    def parse(message: AmiMessage) -> ev.Event | None:
        call_id = _call_id(message)
        if not call_id:
            return None
        return ev.PartyBridged(call_id, _need(message, "Uniqueid"), _need(message, "Channel"),
                               _need(message, "BridgeUniqueid"),
                               _need_int(message, "BridgeNumChannels"), entered)

    return parse


def _hangup(message: AmiMessage) -> ev.Event | None:
    call_id = _call_id(message)
    if not call_id:
        return None
    return ev.ChannelHungUp(call_id, _need(message, "Uniqueid"), _need(message, "Channel"),
                            _need_int(message, "Cause"))


def _originate_response(message: AmiMessage) -> ev.Event | None:
    action_id = message.action_id or ""
    if not action_id.startswith(LEG_ACTION_PREFIX):
        return None
    if (_need(message, "Response")).lower() == "success":
        return None
    leg_id = action_id[len(LEG_ACTION_PREFIX):]
    return ev.LegOriginateFailed(call_id_of_leg(leg_id), leg_id,
                                 f"originate failed (reason {message.get('Reason') or '?'})")


_HANDLERS: dict[str, Callable[[AmiMessage], ev.Event | None]] = {
    "UserEvent": _user_event,
    "AgentConnect": _agent_connect,
    "AgentCalled": _member_rung(declined=False),
    "AgentRingNoAnswer": _member_rung(declined=True),
    "BridgeEnter": _bridge(entered=True),
    "BridgeLeave": _bridge(entered=False),
    "Hangup": _hangup,
    "OriginateResponse": _originate_response,
    "QueueMemberAdded": _member(removed=False),
    "QueueMemberStatus": _member(removed=False),
    "QueueMemberPause": _member(removed=False),
    "QueueMemberPenalty": _member(removed=False),
    "QueueMemberRemoved": _member(removed=True),
    "QueueCallerJoin": _queue_caller(joined=True),
    "QueueCallerLeave": _queue_caller(joined=False),
}


# the events the router reads; the AMI client drops the rest unparsed
WANTED_EVENTS = frozenset({*_HANDLERS, "FullyBooted"})
