"""Sub-urgent tickets from the call's side (pure): when to make one, and what to do once it
is stored.

A ticket is made (a) when the operator asks for a transfer and the responsible unit is
outside its working time, and (b) during working time when the whole overflow chain
failed. Its idempotency key is the call and the matter: asking again for the same call
returns the same ticket. The caller is told (ticket number, callback day) only after the
store says it is on disk: HOTLINE_TICKET_ID and HOTLINE_TICKET_DUE are set on the caller's
channel then, and the dialplan announces it when the operator leaves.
"""

from __future__ import annotations

from router.core import events as ev
from router.core.call import Call, TicketRequest
from router.core.commands import (
    Command,
    CreateTicket,
    NotifyOperator,
    PublishCallEvent,
    ReplyToRequest,
    SetChannelVar,
)
from router.core.hours import deadline, local, provisional_between
from router.dialplan import VAR_TICKET_DUE, VAR_TICKET_ID
from skills.calendar import WorkCalendar
from skills.catalogue import Catalogue
from skills.select import Plan

__all__ = ["create_ticket", "ticket_failed", "ticket_stored"]


def create_ticket(call: Call, request: TicketRequest, plan: Plan, reason: str,
                  catalogue: Catalogue, calendar: WorkCalendar, now: float
                  ) -> list[Command]:
    unit = catalogue.units[plan.unit]
    due_local = deadline(unit.ticket_deadline, unit.hours, calendar, now)
    due = due_local.timestamp()
    # a deadline in a year whose notice is not out yet may move when it is published
    provisional = provisional_between(calendar, local(now).date(), due_local.date())
    call.ticket_request = request
    call.ticket_reason = call.ticket_reason or reason
    call.ticket_order = CreateTicket(call.call_id, f"{call.call_id}/{plan.matter}", now,
                                     plan.matter, plan.unit, plan.district, call.priority,
                                     call.operator, call.caller_number, reason, due,
                                     provisional)
    return [
        PublishCallEvent(call.call_id, "ticket.requested", now, {
            "matter": plan.matter, "unit": plan.unit, "reason": reason,
            "due": local(due).isoformat(timespec="minutes"),
            "calendar": _calendar(provisional)}),
        call.ticket_order,
    ]


def ticket_stored(call: Call | None, event: ev.TicketStored, now: float) -> list[Command]:
    due = local(event.due_at).isoformat(timespec="minutes")
    data: dict[str, object] = {
        "ticket_id": event.ticket_id, "unit": event.unit, "reason": event.reason, "due": due,
        "calendar": _calendar(event.calendar_provisional), "new": event.created}
    if call is None:  # the caller hung up meanwhile: the ticket stands, nobody to tell
        return [PublishCallEvent(event.call_id, "ticket.created", now, data)]
    call.ticket_id, call.ticket_order = event.ticket_id, None
    out: list[Command] = [
        SetChannelVar(call.call_id, call.caller_channel, VAR_TICKET_ID, event.ticket_id),
        SetChannelVar(call.call_id, call.caller_channel, VAR_TICKET_DUE, f"{event.due_at:.0f}"),
        PublishCallEvent(call.call_id, "ticket.created", now, data),
    ]
    request = call.ticket_request
    if request is not None and request.request_id:
        out.append(ReplyToRequest(call.call_id, request.request_id, request.source,
                                  request.operator, request.operator_channel, False,
                                  "ticket_created", {"ticket_id": event.ticket_id, "due": due,
                                   "calendar": _calendar(event.calendar_provisional)}))
    if call.operator:
        out.append(NotifyOperator(call.call_id, call.operator, "ticket_created", data))
    return out


def ticket_failed(call: Call | None, event: ev.TicketFailed, now: float) -> list[Command]:
    out: list[Command] = [PublishCallEvent(event.call_id, "ticket.failed", now,
                                           {"reason": event.reason})]
    if call is None:
        return out
    request = call.ticket_request
    if request is not None and request.request_id:
        out.append(ReplyToRequest(call.call_id, request.request_id, request.source,
                                  request.operator, request.operator_channel, False,
                                  "ticket_failed"))
    if call.operator:
        out.append(NotifyOperator(call.call_id, call.operator, "ticket_failed",
                                  {"reason": event.reason}))
    return out


def _calendar(provisional: bool) -> str:
    """How sure the due date is: "official", or "provisional" when it falls in a year whose
    State Council notice is not known yet (the due day may move when it is published)."""
    return "provisional" if provisional else "official"
