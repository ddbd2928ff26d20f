"""What the core does once the store answers for a ticket: the commands in full."""

from __future__ import annotations

from router.core import events as ev
from router.core.call import Call, TicketRequest
from router.core.commands import (
    NotifyOperator,
    PublishCallEvent,
    ReplyToRequest,
    SetChannelVar,
)
from router.core.tickets import ticket_failed, ticket_stored

T0 = 1_795_485_600.0  # Tuesday 2026-11-24 10:00 Asia/Shanghai
DUE = T0 + 86_400  # Wednesday 10:00
CALLER = "Local/77@hotline-lab-caller-00000001;1"
SEAT = "Local/1001@hotline-lab-party-00000002;1"


def _call(request_id: str = "r1", operator: str = "1001") -> Call:
    call = Call("c1", CALLER, "13812345678", 1, T0, operator=operator)
    call.ticket_request = TicketRequest(request_id, "desk", operator or None, SEAT, "101",
                                        "tax")
    return call


def test_a_stored_ticket_is_set_on_the_caller_published_answered_and_told_the_operator(
) -> None:
    call = _call()
    out = ticket_stored(call, ev.TicketStored("c1", "T-1", "tax", DUE, "after_hours", True),
                        T0 + 2)
    data = {"ticket_id": "T-1", "unit": "tax", "reason": "after_hours",
            "due": "2026-11-25T10:00+08:00", "calendar": "official", "new": True}
    assert out == [
        SetChannelVar("c1", CALLER, "HOTLINE_TICKET_ID", "T-1"),
        SetChannelVar("c1", CALLER, "HOTLINE_TICKET_DUE", "1795572000"),
        PublishCallEvent("c1", "ticket.created", T0 + 2, data),
        ReplyToRequest("c1", "r1", "desk", "1001", SEAT, False, "ticket_created",
                       {"ticket_id": "T-1", "due": "2026-11-25T10:00+08:00",
                        "calendar": "official"}),
        NotifyOperator("c1", "1001", "ticket_created", data),
    ]
    assert (call.ticket_id, call.ticket_order) == ("T-1", None)


def test_a_ticket_that_existed_with_a_provisional_day_and_no_request_id_or_operator(
) -> None:
    call = _call(request_id="", operator="")
    out = ticket_stored(call, ev.TicketStored("c1", "T-2", "tax", DUE, "overflow_exhausted",
                                              False, True), T0 + 3)
    assert out == [
        SetChannelVar("c1", CALLER, "HOTLINE_TICKET_ID", "T-2"),
        SetChannelVar("c1", CALLER, "HOTLINE_TICKET_DUE", "1795572000"),
        PublishCallEvent("c1", "ticket.created", T0 + 3, {
            "ticket_id": "T-2", "unit": "tax", "reason": "overflow_exhausted",
            "due": "2026-11-25T10:00+08:00", "calendar": "provisional", "new": False}),
    ]


def test_a_ticket_stored_after_the_caller_left_is_only_published() -> None:
    out = ticket_stored(None, ev.TicketStored("c9", "T-3", "hpf", DUE, "after_hours", True),
                        T0 + 4)
    assert out == [PublishCallEvent("c9", "ticket.created", T0 + 4, {
        "ticket_id": "T-3", "unit": "hpf", "reason": "after_hours",
        "due": "2026-11-25T10:00+08:00", "calendar": "official", "new": True})]


def test_a_ticket_the_store_refused_is_published_answered_and_told_the_operator() -> None:
    assert ticket_failed(_call(), ev.TicketFailed("c1", "store_unavailable"), T0 + 5) == [
        PublishCallEvent("c1", "ticket.failed", T0 + 5, {"reason": "store_unavailable"}),
        ReplyToRequest("c1", "r1", "desk", "1001", SEAT, False, "ticket_failed"),
        NotifyOperator("c1", "1001", "ticket_failed", {"reason": "store_unavailable"}),
    ]
    assert ticket_failed(_call("", ""), ev.TicketFailed("c1", "store_unavailable"),
                         T0 + 5) == [
        PublishCallEvent("c1", "ticket.failed", T0 + 5, {"reason": "store_unavailable"})]
    assert ticket_failed(None, ev.TicketFailed("c9", "store_unavailable"), T0 + 5) == [
        PublishCallEvent("c9", "ticket.failed", T0 + 5, {"reason": "store_unavailable"})]
