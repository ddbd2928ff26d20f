"""Transfers: from the operator's request to a specialist in the call, along the plan.

A transfer walks its plan one target (department queue) at a time. Each target gets one
department leg; the leg ends in one of: answered (the specialist joined the bridge), or a
failure read from the leg itself: ``QUEUESTATUS`` TIMEOUT (rang, nobody answered), FULL,
JOINEMPTY/LEAVEEMPTY (no usable specialist), an originate failure, or the router's own
guard timer. On failure the next target is tried at once (busy overflow); when the plan is
exhausted the caller stays with the operator, who is told.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from metrics.records import TargetAttempt
from router.core import events as ev
from router.core.board import QueueBoard
from router.core.call import Call, CallState, Leg, Request, TicketRequest, Trigger
from router.core.commands import (
    BlindTransfer,
    CancelTimer,
    Command,
    HangupChannel,
    NotifyOperator,
    OriginateLeg,
    PublishCallEvent,
    ReplyToRequest,
    SetChannelVar,
    StartTimer,
)
from router.core.hours import is_open
from router.core.tickets import create_ticket
from router.dialplan import CONTEXT_EMERGENCY, VAR_SURVEY, VAR_TRANSFER_PENDING
from skills.calendar import WorkCalendar
from skills.catalogue import Catalogue
from skills.select import Plan, Rejection, plan_transfer

__all__ = ["QUEUE_STATUS_OUTCOME", "TransferPolicy", "Transfers"]

# QUEUESTATUS of a department leg that ended without a specialist -> attempt outcome
QUEUE_STATUS_OUTCOME = {
    "TIMEOUT": "timeout",
    "FULL": "full",
    "JOINEMPTY": "empty",
    "LEAVEEMPTY": "empty",
    "JOINUNAVAIL": "unavailable",
    "LEAVEUNAVAIL": "unavailable",
}


# a leg whose members all declined within this of its ring time simply rang out
DECLINE_MARGIN_S = 1.0
# how long a leg whose originate failed may take to report its QUEUESTATUS
SETTLE_S = 2.0


@dataclass(frozen=True, slots=True)
class TransferPolicy:
    # The originate waits for the ;1 side to be answered: ring time plus this margin.
    originate_margin_s: int = 10


class Transfers:
    def __init__(self, catalogue: Catalogue, policy: TransferPolicy, board: QueueBoard,
                 calendar: WorkCalendar) -> None:
        self.catalogue = catalogue
        self.policy = policy
        self.board = board
        self.calendar = calendar

    def request(self, call: Call | None, event: ev.TransferRequested, now: float
                ) -> list[Command]:
        operator = event.operator or (call.operator if call else None)
        channel = event.operator_channel or (call.operator_channel if call else None)

        def reply(accepted: bool, reason: str, **detail: str) -> ReplyToRequest:
            return ReplyToRequest(call.call_id if call else "", event.request_id, event.source,
                                  operator, channel, accepted, reason, detail)

        if call is None:
            return [reply(False, "no_call")]
        if call.request is not None and call.request.request_id == event.request_id:
            return [reply(True, "duplicate", unit=call.request.plan.unit)]  # a retried command
        if not call.can(Trigger.TRANSFER_ACCEPTED):
            call.requests_rejected += 1
            busy = call.state in (CallState.TRANSFERRING, CallState.THREE_WAY)
            return [reply(False, "transfer_in_progress" if busy else "not_with_operator")]
        matter = self.catalogue.matter(event.matter_code)
        if matter is not None and matter.emergency is not None:
            return self._emergency(call, event, matter.emergency, reply, now)
        states = self.board.states(now)
        district = self.catalogue.resolve_district(event.district, call.caller_number)
        plan = plan_transfer(self.catalogue, event.matter_code, district, states)
        if isinstance(plan, Rejection):
            call.requests_rejected += 1
            return [
                reply(False, plan.reason, matter=event.matter_code),
                PublishCallEvent(call.call_id, "transfer.rejected", now,
                                 {"matter": event.matter_code, "reason": plan.reason,
                                  "source": event.source}),
            ]
        unit = self.catalogue.units[plan.unit]
        if not is_open(unit.hours, self.calendar, now):
            # outside the unit's working time: a sub-urgent ticket instead of a transfer;
            # the operator hears the answer once the ticket is stored
            ticket = TicketRequest(event.request_id, event.source, operator, channel,
                                   plan.matter, plan.unit)
            return create_ticket(call, ticket, plan, "after_hours", self.catalogue,
                                 self.calendar, now)
        call.move(Trigger.TRANSFER_ACCEPTED)
        call.request = Request(event.request_id, event.matter_code, event.source, plan)
        if call.transfer_requested_at is None:
            call.transfer_requested_at = now
        out: list[Command] = [
            reply(True, "accepted", unit=plan.unit, queue=plan.targets[0].queue),
            SetChannelVar(call.call_id, call.caller_channel, VAR_TRANSFER_PENDING, "yes"),
            PublishCallEvent(call.call_id, "transfer.requested", now, _plan_data(plan, event)),
        ]
        return out + self._next_leg(call, now)

    def leg_answered(self, call: Call, event: ev.LegAnswered, now: float) -> list[Command]:
        leg = call.leg
        if leg is None or leg.leg_id != event.leg_id \
                or not call.can(Trigger.SPECIALIST_ANSWERED):
            return []
        call.move(Trigger.SPECIALIST_ANSWERED)
        leg.answered, leg.specialist = True, event.specialist
        return [PublishCallEvent(call.call_id, "transfer.answered", now,
                                 {"queue": leg.queue, "specialist": event.specialist})]

    def member_rung(self, call: Call, event: ev.MemberRung, now: float) -> list[Command]:
        """Each specialist rings once per leg. The queue rings every available member of the
        best level at once (ringall); when every one of them has declined (busy, rejected,
        rang out), app_queue would wait ``retry`` and ring them all again, so the leg ends
        here and the plan's next target is tried at once."""
        leg = call.leg
        if leg is None or leg.leg_id != event.leg_id or leg.answered or leg.ended:
            return []
        (leg.declined if event.declined else leg.rung).add(event.specialist)
        if not event.declined or not leg.rung <= leg.declined:
            return []
        # rang out at the ring time: the leg's TIMEOUT; before it: every one declined
        outcome = "timeout" if now >= leg.ring_until - DECLINE_MARGIN_S else "declined"
        hangup: list[Command] = [HangupChannel(call.call_id, leg.bridge_side)]
        return hangup + self.leg_failed(call, leg.leg_id, outcome, now)

    def bridged(self, call: Call, event: ev.PartyBridged, now: float) -> list[Command]:
        leg = call.leg
        if not event.entered or leg is None or event.uniqueid != leg.bridge_side:
            return []
        call.move(Trigger.LEG_BRIDGED)
        leg.bridged = True
        if call.three_way_at is None:
            call.three_way_at = now
        call.connected_unit, call.specialist = leg.unit, leg.specialist
        call.attempts.append(TargetAttempt(leg.queue, leg.unit, "answered", leg.specialist))
        data = {"queue": leg.queue, "unit": leg.unit, "specialist": leg.specialist,
                "parties": event.parties}
        out: list[Command] = [
            CancelTimer(call.call_id, f"leg:{leg.leg_id}"),
            SetChannelVar(call.call_id, call.caller_channel, VAR_TRANSFER_PENDING, ""),
            SetChannelVar(call.call_id, call.caller_channel, VAR_SURVEY, "yes"),
            PublishCallEvent(call.call_id, "transfer.connected", now, data),
        ]
        if call.operator:
            out.append(NotifyOperator(call.call_id, call.operator, "specialist_joined", data))
        return out

    def leg_ended(self, call: Call, event: ev.LegEnded, now: float) -> list[Command]:
        leg = call.find_leg(event.leg_id)
        if leg is None or leg.ended:
            return []
        if leg.bridged:
            return self._specialist_left(call, leg, now)
        return self.leg_failed(call, leg.leg_id,
                               QUEUE_STATUS_OUTCOME.get(event.queue_status, "failed"), now)

    def leg_hung_up(self, call: Call, uniqueid: str, now: float) -> list[Command]:
        for leg in call.legs:
            if uniqueid in (leg.bridge_side, leg.queue_side) and not leg.ended:
                if leg.bridged:
                    return self._specialist_left(call, leg, now)
                return self.leg_failed(call, leg.leg_id, "failed", now)
        return []

    def leg_failed(self, call: Call, leg_id: str, outcome: str, now: float) -> list[Command]:
        leg = call.find_leg(leg_id)
        if leg is None or leg.ended or leg.bridged:
            return []
        leg.ended = True
        call.attempts.append(TargetAttempt(leg.queue, leg.unit, outcome, leg.specialist))
        out: list[Command] = [
            CancelTimer(call.call_id, f"leg:{leg_id}"),
            CancelTimer(call.call_id, f"settle:{leg_id}"),
            PublishCallEvent(call.call_id, "transfer.leg_failed", now,
                             {"queue": leg.queue, "unit": leg.unit, "outcome": outcome}),
        ]
        if not call.can(Trigger.NEXT_TARGET):  # the chain goes on only while transferring
            return out
        return out + self._next_leg(call, now)

    def originate_failed(self, call: Call, leg_id: str, now: float) -> list[Command]:
        """OriginateResponse: Failure. It races the leg's own QUEUESTATUS UserEvent (it is
        sent from another thread), so give the leg a moment to report why before failing."""
        leg = call.find_leg(leg_id)
        if leg is None or leg.ended or leg.bridged:
            return []
        return [StartTimer(call.call_id, f"settle:{leg_id}", now + SETTLE_S)]

    def timer(self, call: Call, name: str, now: float) -> list[Command]:
        leg = call.leg
        if leg is not None and name == f"settle:{leg.leg_id}":
            return self.leg_failed(call, leg.leg_id, "failed", now)
        if leg is None or name != f"leg:{leg.leg_id}" or leg.bridged:
            return []
        hangup: list[Command] = [HangupChannel(call.call_id, leg.bridge_side)]
        return hangup + self.leg_failed(call, leg.leg_id, "guard_timeout", now)

    def cancel(self, call: Call, reason: str, now: float, outcome: str = "cancelled"
               ) -> list[Command]:
        """Abandon the leg in progress (caller or operator gone, or the PBX lost it)."""
        leg = call.leg
        if leg is None:
            return []
        leg.ended = True
        call.attempts.append(TargetAttempt(leg.queue, leg.unit, outcome, leg.specialist))
        return [
            CancelTimer(call.call_id, f"leg:{leg.leg_id}"),
            HangupChannel(call.call_id, leg.bridge_side),
            PublishCallEvent(call.call_id, "transfer.cancelled", now,
                             {"queue": leg.queue, "reason": reason}),
        ]

    # -- internals ---------------------------------------------------------------------

    def _emergency(self, call: Call, event: ev.TransferRequested, number: str,
                   reply: Callable[..., ReplyToRequest], now: float) -> list[Command]:
        """Police, fire, ambulance: first ask the operator to confirm, then send the caller
        blind to the number (the operator's part ends; the emergency service owns it)."""
        data = {"matter": event.matter_code, "number": number, "source": event.source}
        if not event.confirmed:
            return [reply(False, "confirm_emergency", number=number),
                    PublishCallEvent(call.call_id, "emergency.confirm_requested", now, data)]
        call.move(Trigger.EMERGENCY_TRANSFER)
        call.emergency, call.emergency_matter = number, event.matter_code
        return [
            reply(True, "emergency_transfer", number=number),
            BlindTransfer(call.call_id, call.caller_channel, CONTEXT_EMERGENCY, number),
            PublishCallEvent(call.call_id, "emergency.transferred", now,
                             {**data, "operator": call.operator}),
        ]

    def _next_leg(self, call: Call, now: float) -> list[Command]:
        request = call.request
        assert request is not None
        targets = request.plan.targets
        if request.next_target >= len(targets):
            call.move(Trigger.LEG_FAILED)
            data = {"matter": request.matter, "unit": request.plan.unit,
                    "tried": [a.queue for a in call.attempts]}
            out: list[Command] = [
                SetChannelVar(call.call_id, call.caller_channel, VAR_TRANSFER_PENDING, ""),
                PublishCallEvent(call.call_id, "transfer.failed", now, data),
            ]
            if call.operator:
                out.append(NotifyOperator(call.call_id, call.operator, "transfer_failed", data))
            # the whole chain failed in working time: the unit gets a ticket all the same
            ticket = TicketRequest("", request.source, call.operator, call.operator_channel,
                                   request.matter, request.plan.unit)
            return out + create_ticket(call, ticket, request.plan, "overflow_exhausted",
                                       self.catalogue, self.calendar, now)
        if request.next_target > 0:
            call.move(Trigger.NEXT_TARGET)
        target = targets[request.next_target]
        request.next_target += 1
        state = self.board.teams([target.queue], now).get(target.queue)
        if state is not None and state.available == 0:
            # busy overflow: a team with nobody available is never rung; "unavailable" when
            # no member's phone is even reachable (unregistered, logged out), which is a
            # different problem for the unit than everyone being on a call
            outcome = "skipped_busy" if state.logged_in else "skipped_unavailable"
            call.attempts.append(TargetAttempt(target.queue, target.unit, outcome))
            skipped: list[Command] = [PublishCallEvent(
                call.call_id, "overflow.skipped", now,
                {"queue": target.queue, "unit": target.unit, "reason": outcome,
                 "logged_in": state.logged_in, "paused": state.paused,
                 "attempt": request.next_target})]
            return skipped + self._next_leg(call, now)
        leg = Leg(f"{call.call_id}-L{len(call.legs) + 1}", target.queue, target.unit, now,
                  ring_until=now + target.ring_timeout_s)
        call.legs.append(leg)
        originate_timeout = target.ring_timeout_s + self.policy.originate_margin_s
        kind = "overflow.attempted" if request.next_target > 1 else "transfer.leg_started"
        return [
            OriginateLeg(call.call_id, leg.leg_id, target.queue, call.caller_channel,
                         call.priority, target.ring_timeout_s, originate_timeout),
            StartTimer(call.call_id, f"leg:{leg.leg_id}",
                       now + originate_timeout + self.policy.originate_margin_s),
            PublishCallEvent(call.call_id, kind, now,
                             {"queue": target.queue, "unit": target.unit,
                              "leg_id": leg.leg_id, "attempt": request.next_target}),
        ]

    def _specialist_left(self, call: Call, leg: Leg, now: float) -> list[Command]:
        leg.ended = True
        call.specialist_left_at = now
        call.move(Trigger.SPECIALIST_LEFT)
        return [PublishCallEvent(call.call_id, "specialist.left", now,
                                 {"queue": leg.queue, "specialist": leg.specialist})]


def _plan_data(plan: Plan, event: ev.TransferRequested) -> dict[str, object]:
    return {
        "matter": plan.matter,
        "unit": plan.unit,
        "district": plan.district,
        "source": event.source,
        "targets": [target.queue for target in plan.targets],
    }
