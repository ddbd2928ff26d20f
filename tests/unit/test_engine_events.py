"""The engine's smaller handlers — survey, seat-queue overflow, emergency failure, a failed
PBX action, the caller leaving or being requeued, snapshots and reloads — fed events with
``now``; the commands they return, in full."""

from __future__ import annotations

import pytest

from router.core import events as ev
from router.core.board import QueueCaller, QueueMemberState
from router.core.call import CallState
from router.core.commands import (
    CancelTimer,
    CreateTicket,
    HangupChannel,
    OriginateLeg,
    PublishCallEvent,
    ReplyToRequest,
    SetChannelVar,
    StartTimer,
)
from router.core.engine import Engine
from skills.calendar import WorkCalendar
from tests.unit.expected import overflow_exhausted
from tests.unit.test_engine import CALLER, CATALOGUE, SEAT, T0


@pytest.mark.parametrize(("resolved", "satisfaction", "bad"), [
    (True, 1, False), (True, 2, False), (True, 3, True), (False, 1, True),
    (None, None, False), (False, None, True), (None, 3, True),
])
def test_a_survey_answer_is_kept_and_published_with_its_bad_review_flag(
    engine: Engine, resolved: bool | None, satisfaction: int | None, bad: bool
) -> None:
    out = engine.feed(ev.SurveyAnswered("c1", resolved, satisfaction), T0 + 30)
    assert out == [PublishCallEvent("c1", "survey.answered", T0 + 30, {
        "resolved": resolved, "satisfaction": satisfaction, "bad_review": bad})]
    call = engine.calls["c1"]
    assert (call.survey_resolved, call.survey_satisfaction) == (resolved, satisfaction)


def test_events_for_a_call_the_engine_does_not_know_change_nothing_and_are_counted(
    engine: Engine
) -> None:
    for event in (ev.SurveyAnswered("c9", True, 1),
                  ev.OperatorQueueOverflowed("c9", "hotline-operators", "partners"),
                  ev.EmergencyFailed("c9", "BUSY"),
                  ev.CallerLeftQueue("c9", ev.REQUEUED)):
        assert engine.feed(event, T0 + 30) == []
    assert engine.stats.events_for_unknown_calls == 4
    # a failed action for an unknown call, or one with no leg, is not an unknown call's event
    assert engine.feed(ev.CommandFailed("c9", "OriginateLeg", "x", "c9-L1"), T0 + 30) == []
    assert engine.feed(ev.CommandFailed("c1", "SetChannelVar", "x"), T0 + 30) == []
    assert engine.stats.events_for_unknown_calls == 4


def test_a_caller_moved_to_the_partner_seats_is_published(engine: Engine) -> None:
    out = engine.feed(ev.OperatorQueueOverflowed("c1", "hotline-operators",
                                                 "hotline-operators-partners"), T0 + 16)
    assert out == [PublishCallEvent("c1", "operator.overflow", T0 + 16, {
        "from_queue": "hotline-operators", "to_queue": "hotline-operators-partners"})]
    assert engine.calls["c1"].operator_queue == "hotline-operators-partners"


def test_an_emergency_number_not_reached_puts_the_caller_back_in_the_queue(
    engine: Engine
) -> None:
    call = engine.calls["c1"]
    assert engine.feed(ev.EmergencyFailed("c1", "BUSY"), T0 + 20) == []  # none was dialled
    call.emergency, call.state = "110", CallState.CONCLUDING
    out = engine.feed(ev.EmergencyFailed("c1", "BUSY"), T0 + 20)
    assert out == [PublishCallEvent("c1", "emergency.failed", T0 + 20,
                                    {"number": "110", "dial_status": "BUSY"})]
    assert (call.emergency, call.state) == ("", CallState.QUEUED)


def test_a_failed_originate_fails_its_leg_and_the_plan_moves_on(
    engine: Engine
) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    out = engine.feed(ev.CommandFailed("c1", "OriginateLeg", "No such channel", "c1-L1"),
                      T0 + 11)
    # the overflow target is rung at once, its ring time (20 s) and guard (+ 2 x 10 s) anew
    assert out == [
        CancelTimer("c1", "leg:c1-L1"), CancelTimer("c1", "settle:c1-L1"),
        PublishCallEvent("c1", "transfer.leg_failed", T0 + 11,
                         {"queue": "tax-invoice", "unit": "tax", "outcome": "failed"}),
        OriginateLeg("c1", "c1-L2", "tax-backup", CALLER, 1, 20, 30),
        StartTimer("c1", "leg:c1-L2", T0 + 11 + 40),
        PublishCallEvent("c1", "overflow.attempted", T0 + 11, {
            "queue": "tax-backup", "unit": "tax", "leg_id": "c1-L2", "attempt": 2}),
    ]
    assert [(a.queue, a.outcome) for a in engine.calls["c1"].attempts] == [
        ("tax-invoice", "failed")]


def test_a_caller_requeued_by_the_dialplan_while_with_the_operator(
    engine: Engine
) -> None:
    out = engine.feed(ev.CallerLeftQueue("c1", ev.REQUEUED), T0 + 20)
    assert out == [PublishCallEvent("c1", "operator.left", T0 + 20, {"operator": "1001"}),
                   PublishCallEvent("c1", "call.requeued", T0 + 20, {})]
    call = engine.calls["c1"]
    assert (call.state, call.operator_channel, call.operator) == (
        CallState.QUEUED, "", "1001")
    # requeued again while waiting (the seat's hangup already seen): only the requeue
    assert engine.feed(ev.CallerLeftQueue("c1", ev.REQUEUED), T0 + 21) == [
        PublishCallEvent("c1", "call.requeued", T0 + 21, {})]


def test_a_caller_requeued_mid_transfer_has_the_leg_cancelled(engine: Engine) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    out = engine.feed(ev.CallerLeftQueue("c1", ev.REQUEUED), T0 + 12)
    assert out == [
        PublishCallEvent("c1", "operator.left", T0 + 12, {"operator": "1001"}),
        PublishCallEvent("c1", "call.requeued", T0 + 12, {}),
        CancelTimer("c1", "leg:c1-L1"),
        HangupChannel("c1", "c1-L1-a"),
        PublishCallEvent("c1", "transfer.cancelled", T0 + 12,
                         {"queue": "tax-invoice", "reason": "operator_left"}),
    ]
    assert [(a.queue, a.outcome) for a in engine.calls["c1"].attempts] == [
        ("tax-invoice", "cancelled")]


def test_a_caller_leaving_the_queue_app_is_concluding(engine: Engine) -> None:
    assert engine.feed(ev.CallerLeftQueue("c1", "TIMEOUT"), T0 + 20) == []
    assert engine.calls["c1"].state is CallState.CONCLUDING


def test_a_queue_snapshot_replaces_the_board_and_a_reload_the_catalogue() -> None:
    engine = Engine(CATALOGUE)  # no call needed
    member = QueueMemberState("tax-invoice", "2001", "Local/2001@p/n", 0, 1, False)
    engine.feed(ev.MemberChanged(QueueMemberState("tax-backup", "2006", "Local/2006@p/n", 0,
                                                  1, False)), T0)
    assert engine.feed(ev.QueueSnapshot((member,), (QueueCaller("tax-invoice", "u1", T0),)),
                       T0 + 1) == []
    assert engine.board.members == {("tax-invoice", "Local/2001@p/n"): member}
    assert list(engine.board.callers) == [("tax-invoice", "u1")]
    calendar = WorkCalendar()
    assert engine.feed(ev.ConfigReplaced(CATALOGUE, calendar), T0 + 2) == []
    assert (engine.catalogue, engine.calendar) == (CATALOGUE, calendar)


def test_a_chain_of_a_busy_team_an_unreachable_team_and_a_silent_one_ends_in_a_ticket(
    engine: Engine
) -> None:
    # the invoice team: both on calls (in use); the backup team: both phones unreachable
    for queue, who, status in (("tax-invoice", "2001", 2), ("tax-invoice", "2005", 2),
                               ("tax-backup", "2006", 5), ("tax-backup", "2005", 5)):
        engine.feed(ev.MemberChanged(QueueMemberState(queue, who, f"Local/{who}@p/n", 0,
                                                      status, False)), T0 + 6)
    out = engine.feed(ev.TransferRequested("r1", "101", "desk", operator="1001"), T0 + 10)
    targets = ["tax-invoice", "tax-backup", "back-office-general"]
    assert out == [
        ReplyToRequest("c1", "r1", "desk", "1001", SEAT, True, "accepted",
                       {"unit": "tax", "queue": "tax-invoice"}),
        SetChannelVar("c1", CALLER, "HOTLINE_TRANSFER_PENDING", "yes"),
        PublishCallEvent("c1", "transfer.requested", T0 + 10, {
            "matter": "101", "unit": "tax", "district": "huangpu", "source": "desk",
            "targets": targets}),
        PublishCallEvent("c1", "overflow.skipped", T0 + 10, {
            "queue": "tax-invoice", "unit": "tax", "reason": "skipped_busy", "logged_in": 2,
            "paused": 0, "attempt": 1}),
        PublishCallEvent("c1", "overflow.skipped", T0 + 10, {
            "queue": "tax-backup", "unit": "tax", "reason": "skipped_unavailable",
            "logged_in": 0, "paused": 0, "attempt": 2}),
        # nothing known of the back office's team: it is rung (20 s, originate + 10 s)
        OriginateLeg("c1", "c1-L1", "back-office-general", CALLER, 1, 20, 30),
        StartTimer("c1", "leg:c1-L1", T0 + 10 + 30 + 10),
        PublishCallEvent("c1", "overflow.attempted", T0 + 10, {
            "queue": "back-office-general", "unit": "back-office", "leg_id": "c1-L1",
            "attempt": 3}),
    ]
    # nobody reports the leg: the guard ends it, and with it the chain
    out = engine.feed(ev.TimerFired("c1", "leg:c1-L1"), T0 + 50)
    assert out == [
        HangupChannel("c1", "c1-L1-a"),
        CancelTimer("c1", "leg:c1-L1"), CancelTimer("c1", "settle:c1-L1"),
        PublishCallEvent("c1", "transfer.leg_failed", T0 + 50, {
            "queue": "back-office-general", "unit": "back-office", "outcome": "guard_timeout"}),
        # in working time all the same: a ticket, due 10:00 the next working day
        *overflow_exhausted("101", "tax", targets, T0 + 50),
    ]
    call = engine.calls["c1"]
    assert (call.state, [(a.queue, a.outcome) for a in call.attempts]) == (
        CallState.WITH_OPERATOR, [("tax-invoice", "skipped_busy"),
                                  ("tax-backup", "skipped_unavailable"),
                                  ("back-office-general", "guard_timeout")])
    # a late timer for the leg, and a settle timer for it, change nothing more
    assert engine.feed(ev.TimerFired("c1", "leg:c1-L1"), T0 + 51) == []
    assert engine.feed(ev.TimerFired("c1", "settle:c1-L1"), T0 + 51) == []


def test_a_second_request_is_refused_while_one_is_in_progress_and_counted(
    engine: Engine
) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "desk", operator="1001"), T0 + 10)
    assert engine.feed(ev.TransferRequested("r2", "105", "desk", operator="1001"),
                       T0 + 11) == [
        ReplyToRequest("c1", "r2", "desk", "1001", SEAT, False, "transfer_in_progress")]
    call = engine.calls["c1"]
    assert (call.requests_rejected, call.request.request_id if call.request else None,
            call.transfer_requested_at) == (1, "r1", T0 + 10)


def test_a_request_for_a_caller_still_waiting_is_refused_and_counted() -> None:
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c2", CALLER, "13812345678", 2), T0)
    assert engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c2"), T0 + 1) == [
        ReplyToRequest("c2", "r1", "phone", "", "", False, "not_with_operator")]
    assert engine.calls["c2"].requests_rejected == 1


def test_the_operator_names_the_district_and_the_plan_follows_it(engine: Engine) -> None:
    out = engine.feed(ev.TransferRequested("r1", "101", "desk", operator="1001",
                                           district="pudong"), T0 + 10)
    (requested,) = [c for c in out if isinstance(c, PublishCallEvent)
                    and c.kind == "transfer.requested"]
    assert requested.data["district"] == "pudong"


def test_after_hours_a_request_becomes_a_ticket_and_the_call_stays_with_the_operator(
) -> None:
    evening = T0 + 10 * 3600  # Tuesday 20:00: the tax unit closed at 17:00
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), evening)
    engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1001"), evening + 5)
    out = engine.feed(ev.TransferRequested("r1", "101", "desk", operator="1001"),
                      evening + 10)
    assert out == [
        PublishCallEvent("c1", "ticket.requested", evening + 10, {
            "matter": "101", "unit": "tax", "reason": "after_hours",
            "due": "2026-11-25T10:00+08:00", "calendar": "official"}),
        CreateTicket("c1", "c1/101", evening + 10, "101", "tax", "huangpu", 1, "1001",
                     "13812345678", "after_hours", T0 + 86_400, False),
    ]
    call = engine.calls["c1"]
    assert (call.state, call.request, call.transfer_requested_at, call.ticket_reason) == (
        CallState.WITH_OPERATOR, None, None, "after_hours")
