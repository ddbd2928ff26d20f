"""The engine's handlers, asserted whole: commands, numbering, records, the call table and the
queue board it keeps."""

from __future__ import annotations

from metrics.records import CallRecord, TargetAttempt
from router.core import events as ev
from router.core.board import QueueCaller, QueueMemberState
from router.core.call import Call, CallState
from router.core.commands import (
    CancelTimer,
    Command,
    HangupChannel,
    OriginateLeg,
    PublishCallEvent,
    RecordCall,
    ReplyToParty,
    ReplyToRequest,
    SetPresence,
    StartTimer,
)
from router.core.engine import Engine, EngineStats
from tests.unit.expected import invoice_leg_accepted
from tests.unit.test_engine import CALLER, CATALOGUE, SEAT, T0

LEG_A = "Local/tax-invoice@hotline-department-leg-00000003;1"


def seqs(commands: list[Command]) -> list[int]:
    return [c.seq for c in commands if isinstance(c, PublishCallEvent)]


def _transfer(engine: Engine) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)


def test_a_call_entering_is_published_with_its_priority_and_kept_queued() -> None:
    engine = Engine(CATALOGUE)
    out = engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), T0)
    assert out == [PublishCallEvent("c1", "call.entered", T0, {"priority": 1})]
    assert seqs(out) == [1]
    assert engine.calls == {"c1": Call("c1", CALLER, "13812345678", 1, T0,
                                       events_published=1)}
    assert engine.shutting_down is False


def test_a_seat_answering_an_unknown_call_adopts_it_with_priority_two() -> None:
    engine = Engine(CATALOGUE)
    out = engine.feed(ev.OperatorAnswered("c5", "Local/5@x;1", "Local/1002@p;1", "1002",
                                          "13900000000"), T0 + 3)
    assert out == [PublishCallEvent("c5", "operator.answered", T0 + 3, {"operator": "1002"})]
    assert seqs(out) == [1]
    assert engine.calls == {"c5": Call(
        "c5", "Local/5@x;1", "13900000000", 2, T0 + 3, state=CallState.WITH_OPERATOR,
        operator="1002", operator_channel="Local/1002@p;1", operator_answered_at=T0 + 3,
        events_published=1)}
    engine.feed(ev.OperatorAnswered("c6", "Local/6@x;1", "Local/1003@p;1", "1003"), T0 + 4)
    assert engine.stats == EngineStats(calls_adopted=2)
    out = engine.feed(ev.ChannelHungUp("c5", "c5", "Local/5@x;1", 16), T0 + 30)
    assert out == [
        CancelTimer("c5", "*"),
        PublishCallEvent("c5", "call.ended", T0 + 30, {"outcome": "handled_by_operator"}),
        RecordCall(CallRecord(
            call_id="c5", day="2026-11-24", hour=10, entered_at=T0 + 3, ended_at=T0 + 30,
            caller="139****0000", priority=2, outcome="handled_by_operator",
            operator="1002", operator_answered_at=T0 + 3)),
    ]
    assert seqs(out) == [2]


def test_a_request_while_shutting_down_is_refused_with_the_seat_it_came_from(
    engine: Engine
) -> None:
    assert engine.shutting_down is False
    engine.feed(ev.ShutdownRequested(), T0 + 8)
    out = engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1",
                                           operator="1001", operator_channel=SEAT), T0 + 10)
    assert out == [ReplyToRequest("c1", "r1", "phone", "1001", SEAT, False, "shutting_down")]


def test_a_desk_request_without_a_call_id_finds_the_operators_call_not_a_call_with_no_id(
    engine: Engine
) -> None:
    engine.feed(ev.CallEntered("", "Local/0@x;1", "13900000001", 1), T0 + 1)
    out = engine.feed(ev.TransferRequested("d1", "101", "desk", operator="1001"), T0 + 10)
    assert out == invoice_leg_accepted("desk", T0 + 10, request_id="d1")
    assert seqs(out) == [3, 4]
    assert engine.calls[""].state is CallState.QUEUED


def test_a_request_naming_its_call_goes_to_that_call_whatever_operator_it_names(
    engine: Engine
) -> None:
    engine.feed(ev.CallEntered("c2", "Local/2@x;1", "13900000000", 1), T0 + 1)
    engine.feed(ev.OperatorAnswered("c2", "Local/2@x;1", "Local/1002@p-9;1", "1002"), T0 + 2)
    out = engine.feed(ev.TransferRequested("r2", "101", "phone", call_id="c2",
                                           operator="1001"), T0 + 10)
    assert out[0] == ReplyToRequest("c2", "r2", "phone", "1001", "Local/1002@p-9;1", True,
                                    "accepted", {"unit": "tax", "queue": "tax-invoice"})
    assert (engine.calls["c1"].state, engine.calls["c2"].state) == (
        CallState.WITH_OPERATOR, CallState.TRANSFERRING)


def test_leg_and_timer_events_for_an_unknown_call_do_nothing_and_are_counted() -> None:
    engine = Engine(CATALOGUE)
    assert engine.feed(ev.LegAnswered("c9", "c9-L1", "tax-invoice", "2001"), T0) == []
    assert engine.feed(ev.MemberRung("c9", "c9-L1", "tax-invoice", "2001"), T0) == []
    assert engine.feed(ev.PartyBridged("c9", "c9-L1-a", LEG_A, "b9", 3, True), T0) == []
    assert engine.feed(ev.LegEnded("c9", "c9-L1", "tax-invoice", "TIMEOUT"), T0) == []
    assert engine.feed(ev.TimerFired("c9", "leg:c9-L1"), T0) == []
    assert engine.stats == EngineStats(events_for_unknown_calls=4)
    assert engine.calls == {}


def test_a_specialist_answering_the_leg_is_published_at_that_time(engine: Engine) -> None:
    _transfer(engine)
    out = engine.feed(ev.LegAnswered("c1", "c1-L1", "tax-invoice", "2001"), T0 + 12)
    assert out == [PublishCallEvent("c1", "transfer.answered", T0 + 12,
                                    {"queue": "tax-invoice", "specialist": "2001"})]
    assert seqs(out) == [5]


def test_queue_callers_are_kept_on_the_board_and_move_with_a_clock_step() -> None:
    engine = Engine(CATALOGUE)
    assert engine.feed(ev.QueueCallerChanged("tax-invoice", "c1-L1-b", True), T0 + 1) == []
    assert engine.board.callers == {
        ("tax-invoice", "c1-L1-b"): QueueCaller("tax-invoice", "c1-L1-b", T0 + 1)}
    assert engine.feed(ev.ClockStepped(60.0), T0 + 2) == []
    assert engine.board.callers == {
        ("tax-invoice", "c1-L1-b"): QueueCaller("tax-invoice", "c1-L1-b", T0 + 61)}
    assert engine.feed(ev.QueueCallerChanged("tax-invoice", "c1-L1-b", False), T0 + 3) == []
    assert engine.board.callers == {}


def test_a_member_removed_from_a_queue_leaves_the_board() -> None:
    engine = Engine(CATALOGUE)
    state = QueueMemberState("tax-invoice", "2001", "PJSIP/2001", 0, 1, False)
    assert engine.feed(ev.MemberChanged(state), T0) == []
    assert engine.board.members == {("tax-invoice", "PJSIP/2001"): state}
    assert engine.feed(ev.MemberChanged(state, removed=True), T0 + 1) == []
    assert engine.board.members == {}


def test_a_desk_pause_of_a_specialist_sets_presence_and_replies() -> None:
    engine = Engine(CATALOGUE)
    out = engine.feed(ev.PresenceRequested("2001", "pause", "desk", reason="lunch",
                                           request_id="p1", role="specialist"), T0)
    assert out == [SetPresence("2001", "specialist", "2001", True, "lunch", "desk"),
                   ReplyToParty("2001", "specialist", "p1", True, "accepted")]


def test_ticket_events_for_a_call_no_longer_known_are_published_and_numbered_from_one(
) -> None:
    engine = Engine(CATALOGUE)
    stored = engine.feed(ev.TicketStored("c9", "T-3", "tax", T0 + 86400, "after_hours", True),
                         T0 + 5)
    assert stored == [PublishCallEvent("c9", "ticket.created", T0 + 5, {
        "ticket_id": "T-3", "unit": "tax", "reason": "after_hours",
        "due": "2026-11-25T10:00+08:00", "calendar": "official", "new": True})]
    failed = engine.feed(ev.TicketFailed("c9", "store_unavailable"), T0 + 6)
    assert failed == [PublishCallEvent("c9", "ticket.failed", T0 + 6,
                                       {"reason": "store_unavailable"})]
    announced = engine.feed(ev.TicketAnnounced("c9", "T-3"), T0 + 7)
    assert announced == [PublishCallEvent("c9", "ticket.announced", T0 + 7,
                                          {"ticket_id": "T-3"})]
    assert seqs(stored + failed + announced) == [1, 2, 3]


def test_the_numbering_of_ended_calls_keeps_the_latest_1024_calls() -> None:
    engine = Engine(CATALOGUE)
    for i in range(1024):
        assert seqs(engine.feed(ev.TicketAnnounced(f"x{i}", "T"), T0)) == [1]
    # all 1024 are kept: x0 goes on from where it was, and becomes the latest
    assert seqs(engine.feed(ev.TicketAnnounced("x0", "T"), T0)) == [2]
    # the 1025th call pushes out the oldest (x1), not the one just numbered
    assert seqs(engine.feed(ev.TicketAnnounced("x1024", "T"), T0)) == [1]
    assert seqs(engine.feed(ev.TicketAnnounced("x1024", "T"), T0)) == [2]
    assert seqs(engine.feed(ev.TicketAnnounced("x1", "T"), T0)) == [1]


def test_every_illegal_transition_is_counted(engine: Engine) -> None:
    _transfer(engine)
    engine.feed(ev.PartyBridged("c1", "c1-L1-a", LEG_A, "b1", 3, True), T0 + 12)
    assert engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1002"), T0 + 13) == []
    assert engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1002"), T0 + 14) == []
    assert engine.stats == EngineStats(illegal_transitions=2)


def test_the_seat_hanging_up_publishes_operator_left_and_frees_the_seat(
    engine: Engine
) -> None:
    out = engine.feed(ev.ChannelHungUp("c1", "s1", SEAT, 16), T0 + 6)
    assert out == [PublishCallEvent("c1", "operator.left", T0 + 6, {"operator": "1001"})]
    assert seqs(out) == [3]
    call = engine.calls["c1"]
    assert (call.state, call.operator, call.operator_channel) == (
        CallState.CONCLUDING, "1001", "")
    assert engine.stats == EngineStats()


def test_the_seat_hanging_up_after_a_failed_emergency_requeue_is_ignored_not_illegal(
    engine: Engine
) -> None:
    engine.feed(ev.TransferRequested("r1", "901", "desk", operator="1001", confirmed=True),
                T0 + 10)
    out = engine.feed(ev.EmergencyFailed("c1", "BUSY"), T0 + 20)
    assert out == [PublishCallEvent("c1", "emergency.failed", T0 + 20,
                                    {"number": "110", "dial_status": "BUSY"})]
    assert engine.feed(ev.ChannelHungUp("c1", "s1", SEAT, 16), T0 + 21) == []
    call = engine.calls["c1"]
    assert (call.state, call.operator_channel) == (CallState.QUEUED, SEAT)
    assert engine.stats == EngineStats()


def test_the_legs_bridge_side_hanging_up_fails_the_leg_and_tries_the_next_target(
    engine: Engine
) -> None:
    _transfer(engine)
    out = engine.feed(ev.ChannelHungUp("c1", "c1-L1-a", LEG_A, 16), T0 + 12)
    assert out == [
        CancelTimer("c1", "leg:c1-L1"),
        CancelTimer("c1", "settle:c1-L1"),
        PublishCallEvent("c1", "transfer.leg_failed", T0 + 12,
                         {"queue": "tax-invoice", "unit": "tax", "outcome": "failed"}),
        OriginateLeg("c1", "c1-L2", "tax-backup", CALLER, 1, 20, 30),
        StartTimer("c1", "leg:c1-L2", T0 + 52),
        PublishCallEvent("c1", "overflow.attempted", T0 + 12, {
            "queue": "tax-backup", "unit": "tax", "leg_id": "c1-L2", "attempt": 2}),
    ]
    assert seqs(out) == [5, 6]
    call = engine.calls["c1"]
    assert (call.state, call.operator_channel) == (CallState.TRANSFERRING, SEAT)


def test_the_caller_hanging_up_a_three_way_call_releases_the_specialist(
    engine: Engine
) -> None:
    _transfer(engine)
    engine.feed(ev.LegAnswered("c1", "c1-L1", "tax-invoice", "2001"), T0 + 12)
    engine.feed(ev.PartyBridged("c1", "c1-L1-a", LEG_A, "b1", 3, True), T0 + 12)
    call = engine.calls["c1"]
    out = engine.feed(ev.ChannelHungUp("c1", "c1", CALLER, 16), T0 + 70)
    assert out == [
        HangupChannel("c1", "c1-L1-a", 16),
        CancelTimer("c1", "*"),
        PublishCallEvent("c1", "call.ended", T0 + 70, {"outcome": "transferred"}),
        RecordCall(CallRecord(
            call_id="c1", day="2026-11-24", hour=10, entered_at=T0, ended_at=T0 + 70,
            caller="138****5678", priority=1, outcome="transferred", operator="1001",
            operator_answered_at=T0 + 5, matter="101", unit="tax", district="huangpu",
            transfer_requested=True, transfer_requested_at=T0 + 10, three_way_at=T0 + 12,
            connected_unit="tax", specialist="2001",
            targets=(TargetAttempt("tax-invoice", "tax", "answered", "2001"),))),
    ]
    assert seqs(out) == [7]
    assert call.legs[0].ended is True
    assert engine.calls == {}


def test_a_call_lost_mid_transfer_cancels_its_leg_as_lost_by_the_pbx(engine: Engine) -> None:
    _transfer(engine)
    out = engine.feed(ev.Resynced(()), T0 + 20)
    assert out == [
        CancelTimer("c1", "leg:c1-L1"),
        HangupChannel("c1", "c1-L1-a"),
        PublishCallEvent("c1", "transfer.cancelled", T0 + 20,
                         {"queue": "tax-invoice", "reason": "pbx_lost"}),
        CancelTimer("c1", "*"),
        PublishCallEvent("c1", "call.ended", T0 + 20, {"outcome": "lost"}),
        RecordCall(CallRecord(
            call_id="c1", day="2026-11-24", hour=10, entered_at=T0, ended_at=T0 + 20,
            caller="138****5678", priority=1, outcome="lost", operator="1001",
            operator_answered_at=T0 + 5, matter="101", unit="tax", district="huangpu",
            transfer_requested=True, transfer_requested_at=T0 + 10,
            targets=(TargetAttempt("tax-invoice", "tax", "lost"),))),
    ]
    assert seqs(out) == [5, 6]
    assert engine.stats == EngineStats(calls_lost=1)


def test_a_hangup_of_a_call_already_ended_is_ignored_not_counted_illegal(
    engine: Engine
) -> None:
    engine.calls["c1"].state = CallState.ENDED  # as a bug elsewhere might leave it
    assert engine.feed(ev.ChannelHungUp("c1", "c1", CALLER, 16), T0 + 20) == []
    assert engine.stats == EngineStats()
    assert engine.calls["c1"].state is CallState.ENDED
