"""The routing engine: ``feed(event, now) -> commands``. No I/O, no clock, no asyncio.

It keeps every call in flight, applies the transition table and decides what the PBX, the
bus and the recorder must do next. Time is an input (``now``, Unix seconds); a timeout is a
:class:`StartTimer` command whose firing comes back as a :class:`TimerFired` event.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from router.core import events as ev
from router.core.board import QueueBoard, QueueCaller
from router.core.call import Call, CallState, Trigger
from router.core.commands import (
    CancelTimer,
    Command,
    HangupChannel,
    PublishCallEvent,
    RecordCall,
    ReplyToRequest,
)
from router.core.outcome import final_outcome, final_record
from router.core.presence import presence_commands
from router.core.restore import restore_calls
from router.core.resync import EngineStats, Resync
from router.core.tickets import ticket_failed, ticket_stored
from router.core.transfer import TransferPolicy, Transfers
from router.errors import IllegalTransition
from skills.calendar import WorkCalendar
from skills.catalogue import Catalogue

__all__ = ["Engine", "EngineStats"]

# ended calls whose event count is kept for events that come after the end
# (ticket.announced): a few minutes of calls at the hotline's rate
_ENDED_KEPT = 1024


class Engine(Resync):
    """Feed it events in PBX order; carry out the commands it returns, in order."""

    def __init__(self, catalogue: Catalogue, policy: TransferPolicy | None = None,
                 calendar: WorkCalendar | None = None) -> None:
        self.calls: dict[str, Call] = {}
        self._ended: OrderedDict[str, int] = OrderedDict()  # call id -> events published
        self.stats = EngineStats()
        self.board = QueueBoard()
        self.transfers = Transfers(catalogue, policy or TransferPolicy(), self.board,
                                   calendar or WorkCalendar())
        self._handlers: dict[type[Any], Callable[[Any, float], list[Command]]] = {
            ev.CallEntered: self._on_entered,
            ev.OperatorAnswered: self._on_operator_answered,
            ev.TransferRequested: self._on_transfer_requested,
            ev.LegAnswered: self._on_leg_answered,
            ev.MemberRung: self._on_member_rung,
            ev.PartyBridged: self._on_bridged,
            ev.LegEnded: self._on_leg_ended,
            ev.LegOriginateFailed: self._on_originate_failed,
            ev.CommandFailed: self._on_command_failed,
            ev.ChannelHungUp: self._on_hangup,
            ev.CallerLeftQueue: self._on_caller_left_queue,
            ev.TimerFired: self._on_timer,
            ev.Resynced: self._on_resynced,
            ev.ClockStepped: self._on_clock_stepped,
            ev.MemberChanged: self._on_member,
            ev.QueueCallerChanged: self._on_queue_caller,
            ev.QueueSnapshot: self._on_queue_snapshot,
            ev.PresenceRequested: lambda e, _n: presence_commands(self.catalogue, e),
            ev.OperatorQueueOverflowed: self._on_operator_overflow,
            ev.EmergencyFailed: self._on_emergency_failed,
            ev.TicketStored: lambda e, n: ticket_stored(self.calls.get(e.call_id), e, n),
            ev.TicketFailed: lambda e, n: ticket_failed(self.calls.get(e.call_id), e, n),
            ev.SurveyAnswered: self._on_survey,
            ev.TicketAnnounced: lambda e, n: [PublishCallEvent(
                e.call_id, "ticket.announced", n, {"ticket_id": e.ticket_id})],
            ev.LinkDown: lambda _e, _n: [],
            ev.ConfigReplaced: self._on_config_replaced,
            ev.JournalRestored: self._on_journal_restored,
            ev.ShutdownRequested: self._on_shutdown,
        }
        self.shutting_down = False

    @property
    def catalogue(self) -> Catalogue:
        return self.transfers.catalogue

    @property
    def calendar(self) -> WorkCalendar:
        return self.transfers.calendar

    def _on_config_replaced(self, event: ev.ConfigReplaced, _now: float) -> list[Command]:
        """New calls use the new catalogue and calendar; calls in progress keep their plan
        (it is stored on the call) and their ticket's deadline (stored on the ticket)."""
        self.transfers.catalogue = event.catalogue
        self.transfers.calendar = event.calendar
        return []

    def feed(self, event: ev.Event, now: float) -> list[Command]:
        """Apply one event. An illegal transition is counted and changes nothing: the call
        is put back as it was before the event, whatever the handler had changed."""
        call_id = getattr(event, "call_id", None)
        before = self.calls.get(call_id) if isinstance(call_id, str) else None
        saved = before.clone() if before is not None else None
        try:
            commands = self._handlers[type(event)](event, now)
        except IllegalTransition:
            self.stats.illegal_transitions += 1
            if saved is not None:
                self.calls[saved.call_id] = saved
            return []
        return [self._numbered(c) if isinstance(c, PublishCallEvent) else c
                for c in commands]

    def _numbered(self, event: PublishCallEvent) -> PublishCallEvent:
        """A call's events are numbered 1, 2, ... in the order they leave the core; the
        count is part of the call (journalled), so it goes on across restarts."""
        call = self.calls.get(event.call_id)
        if call is not None:
            call.events_published += 1
            return replace(event, seq=call.events_published)
        seq = self._ended.get(event.call_id, 0) + 1
        self._ended[event.call_id] = seq
        self._ended.move_to_end(event.call_id)
        while len(self._ended) > _ENDED_KEPT:
            self._ended.popitem(last=False)
        return replace(event, seq=seq)

    def call_for_operator(self, operator: str) -> Call | None:
        """The call the operator is on now (an earlier call they left does not count)."""
        found = None
        for call in self.calls.values():
            if call.operator == operator and call.operator_channel \
                    and call.state is not CallState.ENDED:
                found = call  # the latest wins
        return found

    # -- handlers ----------------------------------------------------------------------

    def _on_entered(self, event: ev.CallEntered, now: float) -> list[Command]:
        if event.call_id in self.calls:
            return []
        self.calls[event.call_id] = Call(
            call_id=event.call_id,
            caller_channel=event.caller_channel,
            caller_number=event.caller_number,
            priority=event.priority,
            entered_at=now,
        )
        return [PublishCallEvent(event.call_id, "call.entered", now, {"priority": event.priority})]

    def _on_operator_answered(self, event: ev.OperatorAnswered, now: float) -> list[Command]:
        call = self.calls.get(event.call_id)
        if call is None:  # entered before the router started: adopt it
            self.stats.calls_adopted += 1
            call = Call(event.call_id, event.caller_channel, event.caller_number, 2, now)
            self.calls[event.call_id] = call
        call.move(Trigger.OPERATOR_ANSWERED)
        call.operator, call.operator_channel = event.operator, event.operator_channel
        if call.operator_answered_at is None:
            call.operator_answered_at = now
        return [PublishCallEvent(call.call_id, "operator.answered", now,
                                 {"operator": event.operator})]

    def _on_shutdown(self, _event: ev.ShutdownRequested, _now: float) -> list[Command]:
        self.shutting_down = True
        return []

    def _on_transfer_requested(self, event: ev.TransferRequested, now: float) -> list[Command]:
        if self.shutting_down:  # the router is stopping: nothing new is started
            return [ReplyToRequest(event.call_id or "", event.request_id, event.source,
                                   event.operator, event.operator_channel, False,
                                   "shutting_down")]
        call = self.calls.get(event.call_id or "") if event.call_id else None
        if call is None and event.operator:
            call = self.call_for_operator(event.operator)
        return self.transfers.request(call, event, now)

    def _on_leg_answered(self, event: ev.LegAnswered, now: float) -> list[Command]:
        call = self._known(event.call_id)
        return self.transfers.leg_answered(call, event, now) if call else []

    def _on_member_rung(self, event: ev.MemberRung, now: float) -> list[Command]:
        call = self._known(event.call_id)
        return self.transfers.member_rung(call, event, now) if call else []

    def _on_bridged(self, event: ev.PartyBridged, now: float) -> list[Command]:
        call = self._known(event.call_id)
        return self.transfers.bridged(call, event, now) if call else []

    def _on_leg_ended(self, event: ev.LegEnded, now: float) -> list[Command]:
        call = self._known(event.call_id)
        return self.transfers.leg_ended(call, event, now) if call else []

    def _on_originate_failed(self, event: ev.LegOriginateFailed, now: float) -> list[Command]:
        call = self._known(event.call_id)
        if call is None:
            return []
        return self.transfers.originate_failed(call, event.leg_id, now)

    def _on_command_failed(self, event: ev.CommandFailed, now: float) -> list[Command]:
        call = self.calls.get(event.call_id)
        if call is None or event.leg_id is None:
            return []
        return self.transfers.leg_failed(call, event.leg_id, "failed", now)

    def _on_timer(self, event: ev.TimerFired, now: float) -> list[Command]:
        call = self.calls.get(event.call_id)
        return self.transfers.timer(call, event.name, now) if call else []

    def _on_clock_stepped(self, event: ev.ClockStepped, now: float) -> list[Command]:
        for call in self.calls.values():
            call.shift_times(event.delta_s)
        self.board.shift_times(event.delta_s)
        return []

    def _on_caller_left_queue(self, event: ev.CallerLeftQueue, now: float) -> list[Command]:
        call = self._known(event.call_id)
        if call is None:
            return []
        if event.queue_status == ev.REQUEUED:
            # the seat dropped mid-transfer and the dialplan requeued the caller
            before = call.state
            call.move(Trigger.CALLER_REQUEUED)
            out: list[Command] = []
            if call.operator_channel:  # the seat's Hangup may come after this event
                out.append(PublishCallEvent(call.call_id, "operator.left", now,
                                            {"operator": call.operator}))
                call.operator_channel = ""
            out.append(PublishCallEvent(call.call_id, "call.requeued", now, {}))
            if before is CallState.TRANSFERRING:
                out += self.transfers.cancel(call, "operator_left", now)
            return out
        call.move(Trigger.CALLER_LEFT_QUEUE)
        return []

    def _on_hangup(self, event: ev.ChannelHungUp, now: float) -> list[Command]:
        call = self.calls.get(event.call_id)
        if call is None:
            return []
        if event.uniqueid == call.call_id:
            return self._end(call, now)
        if call.operator_channel and event.channel == call.operator_channel:
            return self._operator_left(call, now)
        return self.transfers.leg_hung_up(call, event.uniqueid, now)

    def _operator_left(self, call: Call, now: float) -> list[Command]:
        if call.ignores(Trigger.OPERATOR_LEFT):
            return []
        call.move(Trigger.OPERATOR_LEFT)
        operator, call.operator_channel = call.operator, ""
        return [PublishCallEvent(call.call_id, "operator.left", now, {"operator": operator})]

    def _end(self, call: Call, now: float, outcome: str | None = None) -> list[Command]:
        before = call.state
        if call.ignores(Trigger.CALLER_HUNG_UP):
            return []
        call.move(Trigger.CALLER_HUNG_UP)
        out: list[Command] = []
        leg = call.leg
        if leg is not None and not leg.bridged:
            out += self.transfers.cancel(call, "pbx_lost" if outcome == "lost" else
                                         "caller_hung_up", now,
                                         "lost" if outcome == "lost" else "cancelled")
        elif leg is not None:
            # the specialist would stay bridged to the operator: release them
            leg.ended = True
            out.append(HangupChannel(call.call_id, leg.bridge_side))
        record = final_record(call, outcome or final_outcome(call, before), now)
        del self.calls[call.call_id]
        self._ended[call.call_id] = call.events_published
        out += [
            CancelTimer(call.call_id, "*"),
            PublishCallEvent(call.call_id, "call.ended", now, {"outcome": record.outcome}),
            RecordCall(record),
        ]
        return out

    def _on_operator_overflow(self, event: ev.OperatorQueueOverflowed, now: float
                              ) -> list[Command]:
        call = self._known(event.call_id)
        if call is None:
            return []
        call.operator_queue = event.to_queue
        return [PublishCallEvent(call.call_id, "operator.overflow", now,
                                 {"from_queue": event.from_queue, "to_queue": event.to_queue})]

    def _on_emergency_failed(self, event: ev.EmergencyFailed, now: float) -> list[Command]:
        call = self._known(event.call_id)
        if call is None or not call.emergency:
            return []
        number, call.emergency = call.emergency, ""
        call.move(Trigger.CALLER_REQUEUED)
        return [PublishCallEvent(call.call_id, "emergency.failed", now,
                                 {"number": number, "dial_status": event.dial_status})]

    def _on_survey(self, event: ev.SurveyAnswered, now: float) -> list[Command]:
        call = self._known(event.call_id)
        if call is None:
            return []
        call.survey_resolved, call.survey_satisfaction = event.resolved, event.satisfaction
        return [PublishCallEvent(call.call_id, "survey.answered", now, {
            "resolved": event.resolved, "satisfaction": event.satisfaction,
            "bad_review": event.resolved is False or event.satisfaction == 3})]

    def _on_member(self, event: ev.MemberChanged, now: float) -> list[Command]:
        self.board.member(event.state, removed=event.removed)
        return []

    def _on_queue_caller(self, event: ev.QueueCallerChanged, now: float) -> list[Command]:
        self.board.caller(QueueCaller(event.queue, event.uniqueid, now), joined=event.joined)
        return []

    def _on_queue_snapshot(self, event: ev.QueueSnapshot, now: float) -> list[Command]:
        self.board.replace(list(event.members), list(event.callers))
        return []

    def _on_journal_restored(self, event: ev.JournalRestored, now: float) -> list[Command]:
        """The calls of the router that ran before: known again, with their state."""
        restored, out = restore_calls(event.calls, set(self.calls),
                                      self.transfers.policy.originate_margin_s, now)
        self.calls.update((call.call_id, call) for call in restored)
        return out

    def _known(self, call_id: str) -> Call | None:
        call = self.calls.get(call_id)
        if call is None:
            self.stats.events_for_unknown_calls += 1
        return call
