"""The engine, fed events with ``now``: the commands it returns, in full."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from metrics.records import CallRecord, TargetAttempt
from router.core import events as ev
from router.core.call import CallState
from router.core.commands import (
    BlindTransfer,
    CancelTimer,
    Command,
    CreateTicket,
    HangupChannel,
    NotifyOperator,
    OriginateLeg,
    PublishCallEvent,
    RecordCall,
    ReplyToRequest,
    SetChannelVar,
    StartTimer,
)
from router.core.engine import Engine
from skills.catalogue import load_catalogue

CATALOGUE = load_catalogue(Path(__file__).resolve().parents[2] / "skills" / "data" /
                           "catalogue.yaml")
T0 = 1_795_485_600.0  # Tuesday 2026-11-24 10:00 Asia/Shanghai: the units are open
CALLER = "Local/77@hotline-lab-caller-00000001;1"
SEAT = "Local/1001@hotline-lab-party-00000002;1"


def kinds(commands: list[Command]) -> list[str]:
    return [c.kind for c in commands if isinstance(c, PublishCallEvent)]


def test_an_accepted_request_answers_the_operator_and_originates_the_first_target(
    engine: Engine
) -> None:
    out = engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1",
                                           operator_channel=SEAT), T0 + 10)
    assert out == [
        ReplyToRequest("c1", "r1", "phone", "1001", SEAT, True, "accepted",
                       {"unit": "tax", "queue": "tax-invoice"}),
        SetChannelVar("c1", CALLER, "HOTLINE_TRANSFER_PENDING", "yes"),
        PublishCallEvent("c1", "transfer.requested", T0 + 10, {
            "matter": "101", "unit": "tax", "district": "huangpu", "source": "phone",
            "targets": ["tax-invoice", "tax-backup", "back-office-general"]}),
        OriginateLeg("c1", "c1-L1", "tax-invoice", CALLER, 1, 20, 30),
        StartTimer("c1", "leg:c1-L1", T0 + 10 + 40),
        PublishCallEvent("c1", "transfer.leg_started", T0 + 10, {
            "queue": "tax-invoice", "unit": "tax", "leg_id": "c1-L1", "attempt": 1}),
    ]


def test_the_leg_joining_the_bridge_makes_the_call_three_way(engine: Engine) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    engine.feed(ev.LegAnswered("c1", "c1-L1", "tax-invoice", "2001"), T0 + 12)
    out = engine.feed(ev.PartyBridged("c1", "c1-L1-a", "Local/tax-invoice@x;1", "b1", 3, True),
                      T0 + 12)
    data = {"queue": "tax-invoice", "unit": "tax", "specialist": "2001", "parties": 3}
    assert out == [
        CancelTimer("c1", "leg:c1-L1"),
        SetChannelVar("c1", CALLER, "HOTLINE_TRANSFER_PENDING", ""),
        SetChannelVar("c1", CALLER, "HOTLINE_SURVEY", "yes"),
        PublishCallEvent("c1", "transfer.connected", T0 + 12, data),
        NotifyOperator("c1", "1001", "specialist_joined", data),
    ]
    assert engine.calls["c1"].state.value == "three_way"


def test_a_busy_team_overflows_to_the_next_target_at_once(engine: Engine) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    out = engine.feed(ev.LegEnded("c1", "c1-L1", "tax-invoice", "JOINEMPTY"), T0 + 10.1)
    assert out[:3] == [
        CancelTimer("c1", "leg:c1-L1"),
        CancelTimer("c1", "settle:c1-L1"),
        PublishCallEvent("c1", "transfer.leg_failed", T0 + 10.1,
                         {"queue": "tax-invoice", "unit": "tax", "outcome": "empty"}),
    ]
    assert out[3] == OriginateLeg("c1", "c1-L2", "tax-backup", CALLER, 1, 20, 30)
    assert kinds(out) == ["transfer.leg_failed", "overflow.attempted"]


def test_a_leg_ends_when_every_specialist_it_rang_declined_and_nobody_is_rung_twice(
    engine: Engine
) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    assert engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001"), T0 + 10.2) == []
    assert engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2005"), T0 + 10.2) == []
    # 2001 answers busy: 2005 is still ringing, the leg goes on
    assert engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001", True),
                       T0 + 10.4) == []
    out = engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2005", True), T0 + 13)
    assert out[:4] == [
        HangupChannel("c1", "c1-L1-a"),
        CancelTimer("c1", "leg:c1-L1"),
        CancelTimer("c1", "settle:c1-L1"),
        PublishCallEvent("c1", "transfer.leg_failed", T0 + 13,
                         {"queue": "tax-invoice", "unit": "tax", "outcome": "declined"}),
    ]
    assert out[4] == OriginateLeg("c1", "c1-L2", "tax-backup", CALLER, 1, 20, 30)
    # app_queue's own retry of the first leg, had it come, is not the current leg's
    assert engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001"), T0 + 14) == []
    assert [(a.queue, a.outcome) for a in engine.calls["c1"].attempts] == [
        ("tax-invoice", "declined")]


def test_a_leg_whose_specialists_rang_out_at_the_ring_time_is_a_timeout(engine: Engine
                                                                       ) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001"), T0 + 10.2)
    out = engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001", True), T0 + 29.5)
    assert out[3] == PublishCallEvent("c1", "transfer.leg_failed", T0 + 29.5, {
        "queue": "tax-invoice", "unit": "tax", "outcome": "timeout"})


@pytest.mark.parametrize("step", [3600.0, -3600.0])
def test_a_clock_step_moves_the_legs_ring_time_with_the_call(engine: Engine, step: float
                                                             ) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001"), T0 + 10.2)
    engine.feed(ev.ClockStepped(step), T0 + 11 + step)
    out = engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001", True),
                      T0 + 12 + step)
    assert out[3] == PublishCallEvent("c1", "transfer.leg_failed", T0 + 12 + step, {
        "queue": "tax-invoice", "unit": "tax", "outcome": "declined"})


def test_when_every_target_fails_the_operator_keeps_the_caller_and_is_told(
    engine: Engine
) -> None:
    engine.feed(ev.TransferRequested("r1", "201", "phone", call_id="c1"), T0 + 10)
    engine.feed(ev.LegEnded("c1", "c1-L1", "market-service", "TIMEOUT"), T0 + 30)
    # an originate failure waits briefly for the leg's own QUEUESTATUS, then fails it
    assert engine.feed(ev.LegOriginateFailed("c1", "c1-L2", "originate failed"), T0 + 31) == [
        StartTimer("c1", "settle:c1-L2", T0 + 33)]
    out = engine.feed(ev.TimerFired("c1", "settle:c1-L2"), T0 + 33)
    tried = {"matter": "201", "unit": "market", "tried": ["market-service",
                                                          "back-office-general"]}
    assert out[-5:-2] == [
        SetChannelVar("c1", CALLER, "HOTLINE_TRANSFER_PENDING", ""),
        PublishCallEvent("c1", "transfer.failed", T0 + 33, tried),
        NotifyOperator("c1", "1001", "transfer_failed", tried),
    ]
    # the unit still gets a ticket, due before 10:00 the next working day (Wednesday)
    assert out[-1] == CreateTicket("c1", "c1/201", T0 + 33, "201", "market", "huangpu", 1,
                                   "1001", "13812345678", "overflow_exhausted",
                                   T0 + 86400)
    assert engine.calls["c1"].state.value == "with_operator"


def test_unknown_matter_is_rejected_and_the_call_stays_with_the_operator(
    engine: Engine
) -> None:
    out = engine.feed(ev.TransferRequested("r1", "999", "phone", call_id="c1",
                                           operator_channel=SEAT), T0 + 10)
    assert out == [
        ReplyToRequest("c1", "r1", "phone", "1001", SEAT, False, "unknown_matter",
                       {"matter": "999"}),
        PublishCallEvent("c1", "transfer.rejected", T0 + 10,
                         {"matter": "999", "reason": "unknown_matter", "source": "phone"}),
    ]
    assert engine.calls["c1"].state.value == "with_operator"


def test_a_desk_request_is_matched_to_the_operators_call_and_a_retry_is_not_doubled(
    engine: Engine
) -> None:
    first = engine.feed(ev.TransferRequested("d1", "105", "desk", operator="1001"), T0 + 10)
    again = engine.feed(ev.TransferRequested("d1", "105", "desk", operator="1001"), T0 + 11)
    assert sum(isinstance(c, OriginateLeg) for c in first) == 1
    assert again == [ReplyToRequest("c1", "d1", "desk", "1001", SEAT, True, "duplicate",
                                    {"unit": "tax"})]
    nobody = engine.feed(ev.TransferRequested("d2", "105", "desk", operator="1003"), T0 + 12)
    assert nobody == [ReplyToRequest("", "d2", "desk", "1003", None, False, "no_call", {})]


def test_caller_hanging_up_during_the_transfer_cancels_the_leg_and_records_once(
    engine: Engine
) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    out = engine.feed(ev.ChannelHungUp("c1", "c1", CALLER, 16), T0 + 15)
    record = CallRecord(
        call_id="c1", day="2026-11-24", hour=10, entered_at=T0, ended_at=T0 + 15,
        caller="138****5678", priority=1, outcome="abandoned_during_transfer",
        operator="1001", operator_answered_at=T0 + 5, matter="101", unit="tax",
        district="huangpu", transfer_requested=True, transfer_requested_at=T0 + 10,
        targets=(TargetAttempt("tax-invoice", "tax", "cancelled"),))
    assert out == [
        CancelTimer("c1", "leg:c1-L1"),
        HangupChannel("c1", "c1-L1-a"),
        PublishCallEvent("c1", "transfer.cancelled", T0 + 15,
                         {"queue": "tax-invoice", "reason": "caller_hung_up"}),
        CancelTimer("c1", "*"),
        PublishCallEvent("c1", "call.ended", T0 + 15, {"outcome": "abandoned_during_transfer"}),
        RecordCall(record),
    ]
    assert engine.feed(ev.ChannelHungUp("c1", "c1", CALLER, 16), T0 + 16) == []


def test_events_out_of_order_are_refused_without_changing_the_call(engine: Engine) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    engine.feed(ev.PartyBridged("c1", "c1-L1-a", "x", "b1", 3, True), T0 + 12)
    # a stale "operator answered" for the same call cannot pull it back
    assert engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1002"), T0 + 13) == []
    assert engine.stats.illegal_transitions == 1
    assert (engine.calls["c1"].state.value, engine.calls["c1"].operator) == ("three_way", "1001")


def test_resync_ends_calls_the_pbx_no_longer_has_and_fails_lost_legs(engine: Engine) -> None:
    engine.feed(ev.CallEntered("c2", "Local/2@x;1", "13900000000", 2), T0)
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    live = (ev.ChannelSnapshot("c1", CALLER, "c1", "caller", "", "b1"),)
    out = engine.feed(ev.Resynced(live), T0 + 20)
    ended = [c.record for c in out if isinstance(c, RecordCall)]
    assert [(r.call_id, r.outcome) for r in ended] == [("c2", "lost")]
    assert OriginateLeg("c1", "c1-L2", "tax-backup", CALLER, 1, 20, 30) in out


def test_an_emergency_matter_needs_the_operators_confirmation_before_the_blind_transfer(
    engine: Engine
) -> None:
    first = engine.feed(ev.TransferRequested("r1", "901", "desk", operator="1001"), T0 + 10)
    assert first == [
        ReplyToRequest("c1", "r1", "desk", "1001", SEAT, False, "confirm_emergency",
                       {"number": "110"}),
        PublishCallEvent("c1", "emergency.confirm_requested", T0 + 10,
                         {"matter": "901", "number": "110", "source": "desk"}),
    ]
    assert engine.calls["c1"].state.value == "with_operator"
    confirmed = engine.feed(ev.TransferRequested("r2", "901", "desk", operator="1001",
                                                 confirmed=True), T0 + 12)
    assert confirmed[1] == BlindTransfer("c1", CALLER, "hotline-emergency", "110")
    assert engine.calls["c1"].state.value == "concluding"


def test_a_desk_request_goes_to_the_operators_current_call_not_one_they_left(
    engine: Engine
) -> None:
    engine.feed(ev.ChannelHungUp("c1", "s1", SEAT, 16), T0 + 6)  # 1001 left call c1
    engine.feed(ev.CallEntered("c2", "Local/2@x;1", "13900000000", 1), T0 + 7)
    engine.feed(ev.OperatorAnswered("c2", "Local/2@x;1", "Local/1001@p-9;1", "1001"), T0 + 8)
    out = engine.feed(ev.TransferRequested("d1", "101", "desk", operator="1001"), T0 + 9)
    assert out[0].call_id == "c2"  # type: ignore[union-attr]


def test_after_a_restart_a_live_three_way_call_is_adopted_and_recorded_once() -> None:
    engine = Engine(CATALOGUE)
    live = (
        ev.ChannelSnapshot("c9", CALLER, "c9", "caller", "", "b9"),
        ev.ChannelSnapshot("s9", "Local/1002@hotline-lab-party-00000007;1", "c9", "operator",
                           "", "b9"),
        ev.ChannelSnapshot("c9-L1-a", "Local/tax-invoice@hotline-department-leg-00000008;1",
                           "c9", "", "c9-L1", "b9"),
    )
    assert engine.feed(ev.Resynced(live), T0) == [
        SetChannelVar("c9", CALLER, "HOTLINE_TRANSFER_PENDING", ""),
        SetChannelVar("c9", CALLER, "HOTLINE_SURVEY", "yes")]
    call = engine.calls["c9"]
    assert (call.state.value, call.operator, call.connected_unit, call.adopted) == (
        "three_way", "1002", "tax", True)
    engine.feed(ev.ChannelHungUp("c9", "s9", "Local/1002@hotline-lab-party-00000007;1", 16),
                T0 + 5)
    out = engine.feed(ev.ChannelHungUp("c9", "c9", CALLER, 16), T0 + 9)
    (record,) = [c.record for c in out if isinstance(c, RecordCall)]
    assert (record.outcome, record.unit, record.adopted, record.transfer_requested) == (
        "transferred", "tax", True, True)


@pytest.mark.parametrize("step", [3600.0, -3600.0])
def test_a_wall_clock_step_mid_transfer_leaves_the_calls_durations_true(
    engine: Engine, step: float
) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    assert engine.feed(ev.ClockStepped(step), T0 + 11 + step) == []
    engine.feed(ev.LegAnswered("c1", "c1-L1", "tax-invoice", "2001"), T0 + 14 + step)
    engine.feed(ev.PartyBridged("c1", "c1-L1-a", "Local/tax-invoice@x;1", "b1", 3, True),
                T0 + 14 + step)
    out = engine.feed(ev.ChannelHungUp("c1", "c1", CALLER, 16), T0 + 74 + step)
    (record,) = [c.record for c in out if isinstance(c, RecordCall)]
    assert (record.entered_at, record.transfer_wait_s, record.talk_s, record.ended_at) == (
        T0 + step, 4.0, 60.0, T0 + 74 + step)


def test_a_call_gone_while_the_pbx_was_out_of_sight_is_lost_unless_its_outcome_was_settled(
    engine: Engine
) -> None:
    # c1 got as far as the operator; c2 was connected three-way before the link dropped
    engine.feed(ev.CallEntered("c2", "Local/78@x;1", "13812345679", 1), T0)
    engine.feed(ev.OperatorAnswered("c2", "Local/78@x;1", "Local/1002@y;1", "1002"), T0 + 2)
    engine.feed(ev.TransferRequested("r2", "101", "phone", call_id="c2"), T0 + 4)
    engine.feed(ev.LegAnswered("c2", "c2-L1", "tax-invoice", "2001"), T0 + 6)
    engine.feed(ev.PartyBridged("c2", "c2-L1-a", "Local/tax-invoice@x;1", "b2", 3, True),
                T0 + 6)
    out = engine.feed(ev.Resynced(()), T0 + 30)
    outcomes = {c.record.call_id: c.record.outcome for c in out if isinstance(c, RecordCall)}
    assert outcomes == {"c1": "lost", "c2": "transferred"}
    assert (engine.calls, engine.stats.calls_lost) == ({}, 1)


def test_an_event_illegal_midway_leaves_the_call_exactly_as_it_was(engine: Engine) -> None:
    # a call put back in the operator queue while the router still holds a bridged leg:
    # the leg's end would be "specialist left", which the queued state has no transition for
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    engine.feed(ev.LegAnswered("c1", "c1-L1", "tax-invoice", "2001"), T0 + 12)
    engine.feed(ev.PartyBridged("c1", "c1-L1-a", "Local/tax-invoice@x;1", "b1", 3, True),
                T0 + 12)
    call = engine.calls["c1"]
    call.state = CallState.QUEUED  # as a bug elsewhere might leave it
    before = call.clone()
    assert engine.feed(ev.LegEnded("c1", "c1-L1", "tax-invoice", "CONTINUE"), T0 + 20) == []
    assert engine.stats.illegal_transitions == 1
    after = engine.calls["c1"]
    assert after == before
    assert (after.legs[0].ended, after.specialist_left_at) == (False, None)


def test_a_clone_shares_no_mutable_part_with_its_call(engine: Engine) -> None:
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001"), T0 + 10.5)
    call = engine.calls["c1"]
    copy = call.clone()
    assert copy == call
    assert copy.request is not call.request
    assert copy.legs is not call.legs
    assert copy.legs[0] is not call.legs[0]
    assert copy.legs[0].rung is not call.legs[0].rung
    assert copy.attempts is not call.attempts
    # any field a future change adds that can be mutated must be copied too
    for spec in dataclasses.fields(call):
        value = getattr(call, spec.name)
        if isinstance(value, list | set | dict) or (
                dataclasses.is_dataclass(value)
                and not type(value).__dataclass_params__.frozen):  # type: ignore[attr-defined]
            assert getattr(copy, spec.name) is not value, spec.name


def test_after_a_shutdown_request_new_transfers_are_refused_and_calls_go_on(
    engine: Engine
) -> None:
    assert engine.feed(ev.ShutdownRequested(), T0 + 8) == []
    out = engine.feed(ev.TransferRequested("r1", "101", "desk", operator="1001"), T0 + 10)
    assert out == [ReplyToRequest("", "r1", "desk", "1001", None, False, "shutting_down")]
    call = engine.calls["c1"]
    assert (call.state, call.request, call.legs) == (CallState.WITH_OPERATOR, None, [])
    # the call in progress is still tracked to its end
    out = engine.feed(ev.ChannelHungUp("c1", "c1", CALLER, 16), T0 + 20)
    assert [c.record.outcome for c in out if isinstance(c, RecordCall)] == [
        "handled_by_operator"]
