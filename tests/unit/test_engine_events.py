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
    HangupChannel,
    OriginateLeg,
    PublishCallEvent,
    StartTimer,
)
from router.core.engine import Engine
from skills.calendar import WorkCalendar
from tests.unit.test_engine import CALLER, CATALOGUE, SEAT, T0


@pytest.fixture
def engine() -> Engine:
    """A call with operator 1001 since T0 + 5."""
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), T0)
    engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1001"), T0 + 5)
    return engine


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
