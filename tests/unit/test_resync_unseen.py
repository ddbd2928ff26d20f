"""Resync after a (re)login, asserted whole: every call's commands, in the order of the calls,
and the counts it keeps."""

from __future__ import annotations

from metrics.records import CallRecord
from router.core import events as ev
from router.core.call import Call, CallState, Leg
from router.core.commands import (
    CancelTimer,
    Command,
    NotifyOperator,
    OriginateLeg,
    PublishCallEvent,
    RecordCall,
    SetChannelVar,
    StartTimer,
)
from router.core.engine import Engine, EngineStats
from tests.unit.test_engine import CALLER, CATALOGUE, SEAT, T0

C0 = "Local/70@hotline-lab-caller-00000009;1"
LEG_A = "Local/tax-invoice@hotline-department-leg-00000003;1"


def _with_c0_queued() -> Engine:
    """c0 waits in the operator queue (it will be gone from the PBX); then c1 is with 1001."""
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c0", C0, "13900000000", 2), T0)
    engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), T0)
    engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1001"), T0 + 5)
    return engine


def _c0_lost_at(now: float) -> list[Command]:
    return [
        CancelTimer("c0", "*"),
        PublishCallEvent("c0", "call.ended", now, {"outcome": "lost"}),
        RecordCall(CallRecord(call_id="c0", day="2026-11-24", hour=10, entered_at=T0,
                              ended_at=now, caller="139****0000", priority=2,
                              outcome="lost")),
    ]


def _snap(uniqueid: str, channel: str, role: str = "", bridge: str = "b1",
          call_id: str = "c1", leg_id: str = "") -> ev.ChannelSnapshot:
    return ev.ChannelSnapshot(uniqueid, channel, call_id, role, leg_id, bridge)


def test_a_call_gone_from_the_pbx_is_lost_once_and_a_lost_leg_fails_as_lost() -> None:
    engine = _with_c0_queued()
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    live = (_snap("c1", CALLER, "caller"), _snap("s1", SEAT, "operator"))
    out = engine.feed(ev.Resynced(live), T0 + 20)
    assert out == [
        *_c0_lost_at(T0 + 20),
        CancelTimer("c1", "leg:c1-L1"),
        CancelTimer("c1", "settle:c1-L1"),
        PublishCallEvent("c1", "transfer.leg_failed", T0 + 20,
                         {"queue": "tax-invoice", "unit": "tax", "outcome": "lost"}),
        OriginateLeg("c1", "c1-L2", "tax-backup", CALLER, 1, 20, 30),
        StartTimer("c1", "leg:c1-L2", T0 + 60),
        PublishCallEvent("c1", "overflow.attempted", T0 + 20, {
            "queue": "tax-backup", "unit": "tax", "leg_id": "c1-L2", "attempt": 2}),
    ]
    assert [c.seq for c in out if isinstance(c, PublishCallEvent)] == [2, 5, 6]
    assert engine.stats == EngineStats(calls_lost=1)
    assert list(engine.calls) == ["c1"]


def test_a_leg_that_joined_unseen_makes_the_call_three_way_with_the_bridge_counted() -> None:
    engine = _with_c0_queued()
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    live = (
        _snap("c1", CALLER, "caller"),
        _snap("s1", SEAT, "operator"),
        _snap("c1-L1-a", LEG_A, leg_id="c1-L1"),
        _snap("c1-L1-b", "Local/tax-invoice@hotline-department-leg-00000003;2", bridge="b2",
              leg_id="c1-L1"),
        _snap("p1", "PJSIP/2001-00000009", bridge="b2"),
    )
    out = engine.feed(ev.Resynced(live), T0 + 20)
    data = {"queue": "tax-invoice", "unit": "tax", "specialist": "2001", "parties": 3}
    assert out == [
        *_c0_lost_at(T0 + 20),
        CancelTimer("c1", "leg:c1-L1"),
        SetChannelVar("c1", CALLER, "HOTLINE_TRANSFER_PENDING", ""),
        SetChannelVar("c1", CALLER, "HOTLINE_SURVEY", "yes"),
        PublishCallEvent("c1", "transfer.connected", T0 + 20, data),
        NotifyOperator("c1", "1001", "specialist_joined", data),
    ]
    call = engine.calls["c1"]
    assert (call.state, call.specialist, call.three_way_at) == (
        CallState.THREE_WAY, "2001", T0 + 20)


def test_a_leg_still_ringing_or_bridged_elsewhere_is_left_transferring() -> None:
    engine = _with_c0_queued()
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    ringing = (_snap("c1", CALLER, "caller"), _snap("s1", SEAT, "operator"),
               _snap("c1-L1-b", "Local/tax-invoice@x;2", bridge="", leg_id="c1-L1"))
    assert engine.feed(ev.Resynced(ringing), T0 + 20) == _c0_lost_at(T0 + 20)
    elsewhere = (_snap("c1", CALLER, "caller"), _snap("s1", SEAT, "operator"),
                 _snap("c1-L1-a", LEG_A, bridge="b3", leg_id="c1-L1"))
    assert engine.feed(ev.Resynced(elsewhere), T0 + 21) == []
    call = engine.calls["c1"]
    assert (call.state, call.legs[0].bridged, call.three_way_at) == (
        CallState.TRANSFERRING, False, None)


def test_a_restored_transferring_call_without_a_leg_in_progress_is_left_as_it_is() -> None:
    engine = Engine(CATALOGUE)
    restored = Call("c1", CALLER, "13812345678", 1, T0, state=CallState.TRANSFERRING,
                    operator="1001", operator_channel=SEAT, operator_answered_at=T0 + 5)
    assert engine.feed(ev.JournalRestored((restored,)), T0 + 30) == [
        SetChannelVar("c1", CALLER, "HOTLINE_TRANSFER_PENDING", "yes")]
    live = (_snap("c1", CALLER, "caller"), _snap("s1", SEAT, "operator"))
    assert engine.feed(ev.Resynced(live), T0 + 31) == []
    assert engine.calls["c1"].state is CallState.TRANSFERRING


def test_a_restored_transferring_call_whose_leg_is_bridged_already_is_not_bridged_again(
) -> None:
    engine = Engine(CATALOGUE)
    leg = Leg("c1-L1", "tax-invoice", "tax", T0 + 10, specialist="2001", answered=True,
              bridged=True)
    restored = Call("c1", CALLER, "13812345678", 1, T0, state=CallState.TRANSFERRING,
                    operator="1001", operator_channel=SEAT, operator_answered_at=T0 + 5,
                    legs=[leg])
    engine.feed(ev.JournalRestored((restored,)), T0 + 30)
    live = (_snap("c1", CALLER, "caller"), _snap("s1", SEAT, "operator"),
            _snap("c1-L1-a", LEG_A, leg_id="c1-L1"))
    assert engine.feed(ev.Resynced(live), T0 + 31) == []
    call = engine.calls["c1"]
    assert (call.state, call.three_way_at, call.attempts) == (
        CallState.TRANSFERRING, None, [])


def test_a_seat_that_answered_unseen_is_taken_as_answered_by_its_extension() -> None:
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c0", C0, "13900000000", 2), T0)
    engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), T0)
    seat = "Local/1999@hotline-lab-party-00000004;1"  # an extension not in the catalogue
    live = (
        _snap("x1", "Local/x@elsewhere;1", "other", bridge="", call_id="c7"),
        _snap("c1", CALLER, "caller"),
        _snap("s1", seat, "operator"),
    )
    out = engine.feed(ev.Resynced(live), T0 + 20)
    assert out == [
        *_c0_lost_at(T0 + 20),
        PublishCallEvent("c1", "operator.answered", T0 + 20, {"operator": "1999"}),
    ]
    call = engine.calls["c1"]
    assert (call.state, call.operator, call.operator_channel, call.operator_answered_at) == (
        CallState.WITH_OPERATOR, "1999", seat, T0 + 20)


def test_a_waiting_caller_not_bridged_or_bridged_without_a_seat_stays_queued() -> None:
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), T0)
    engine.feed(ev.CallEntered("c2", C0, "13900000000", 2), T0)
    live = (
        _snap("c1", CALLER, "caller", bridge=""),
        _snap("s1", SEAT, "operator", bridge=""),
        _snap("c2", C0, "caller", bridge="b2", call_id="c2"),
    )
    assert engine.feed(ev.Resynced(live), T0 + 20) == []
    assert (engine.calls["c1"].state, engine.calls["c2"].state) == (
        CallState.QUEUED, CallState.QUEUED)
    assert engine.stats == EngineStats()


def test_every_unknown_live_call_is_adopted_and_counted_after_the_lost_ones() -> None:
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c0", C0, "13900000000", 2), T0)
    c9 = "Local/99@hotline-lab-caller-00000006;1"
    live = (
        _snap("c9", c9, "caller", bridge="b9", call_id="c9"),
        _snap("s9", "Local/1002@hotline-lab-party-00000007;1", "operator", bridge="b9",
              call_id="c9"),
        _snap("c9-L1-a", "Local/tax-invoice@hotline-department-leg-00000008;1", bridge="b9",
              call_id="c9", leg_id="c9-L1"),
        _snap("c8", "Local/88@hotline-lab-caller-00000010;1", "caller", bridge="b8",
              call_id="c8"),
        _snap("s8", "Local/1003@hotline-lab-party-00000011;1", "operator", bridge="b8",
              call_id="c8"),
    )
    out = engine.feed(ev.Resynced(live), T0 + 20)
    assert out == [
        *_c0_lost_at(T0 + 20),
        SetChannelVar("c9", c9, "HOTLINE_TRANSFER_PENDING", ""),
        SetChannelVar("c9", c9, "HOTLINE_SURVEY", "yes"),
    ]
    assert engine.stats == EngineStats(calls_adopted=2, calls_lost=1)
    assert {cid: (c.state, c.operator) for cid, c in engine.calls.items()} == {
        "c9": (CallState.THREE_WAY, "1002"), "c8": (CallState.WITH_OPERATOR, "1003")}
