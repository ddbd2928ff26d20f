"""The call journal's format and what the engine does with a journal at start."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from router.core import events as ev
from router.core.call import Call
from router.core.commands import (
    CreateTicket,
    PublishCallEvent,
    RecordCall,
    SetChannelVar,
    StartTimer,
)
from router.core.engine import Engine
from router.core.journal import call_from_json, call_to_json, encode_default
from skills.catalogue import load_catalogue

CATALOGUE = load_catalogue(Path(__file__).resolve().parents[2] / "skills" / "data" /
                           "catalogue.yaml")
T0 = 1_795_485_600.0  # Tuesday 2026-11-24 10:00 Asia/Shanghai
CALLER = "Local/77@hotline-lab-caller-00000001;1"
SEAT = "Local/1001@hotline-lab-party-00000002;1"


def _roundtrip(call: Call) -> Call:
    """Through the journal's bytes, as a restart reads it back."""
    return call_from_json(orjson.loads(orjson.dumps(call_to_json(call),
                                                    default=encode_default)))


def _ringing() -> Engine:
    """A call whose first department leg rings, one specialist rung and declined."""
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), T0)
    engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1001"), T0 + 5)
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001"), T0 + 10.5)
    return engine


def test_a_call_in_progress_comes_back_from_its_journal_entry_as_it_was() -> None:
    call = _ringing().calls["c1"]
    entry = orjson.loads(orjson.dumps(call_to_json(call), default=encode_default))
    assert entry["v"] == 1
    assert entry["call"]["state"] == "transferring"
    assert entry["call"]["legs"][0]["rung"] == ["2001"]
    assert call_from_json(entry) == call


@pytest.mark.parametrize(("entry", "reason"), [
    ({"v": 2, "call": {}}, "not a version-1 journal entry"),
    ({"v": 1, "call": {"call_id": "c1", "colour": "red"}}, "unknown call fields ['colour']"),
    ({"v": 1, "call": {"call_id": "c1"}}, "journal entry does not fit: 'state'"),
])
def test_an_entry_that_does_not_fit_is_refused(entry: dict[str, object], reason: str) -> None:
    with pytest.raises(ValueError, match="^" + reason.replace("[", r"\[").replace("]", r"\]")):
        call_from_json(entry)


def _restored() -> tuple[Engine, list[object]]:
    old = _ringing().calls["c1"]
    engine = Engine(CATALOGUE)
    out = engine.feed(ev.JournalRestored((_roundtrip(old),)), T0 + 40)
    return engine, list(out)


def test_a_restored_leg_gets_its_guard_timer_back_and_the_caller_its_transfer_flag(
) -> None:
    engine, out = _restored()
    # the guard was ring time (20 s) + twice the originate margin (10 s) after the leg began
    assert out == [StartTimer("c1", "leg:c1-L1", T0 + 10 + 20 + 20),
                   SetChannelVar("c1", CALLER, "HOTLINE_TRANSFER_PENDING", "yes")]
    assert engine.calls["c1"].state.value == "transferring"


def test_a_restored_three_way_call_has_its_channel_set_again_as_connected() -> None:
    # the old router may have died between journalling the connection and telling the
    # PBX: the caller's channel would still requeue the caller when the seat leaves
    old = _ringing()
    old.feed(ev.LegAnswered("c1", "c1-L1", "tax-invoice", "2001"), T0 + 12)
    old.feed(ev.PartyBridged("c1", "c1-L1-a", "Local/tax-invoice@hotline-department-leg-1;1",
                             "b1", 3, True), T0 + 12.5)
    assert old.calls["c1"].state.value == "three_way"
    engine = Engine(CATALOGUE)
    out = engine.feed(ev.JournalRestored((_roundtrip(old.calls["c1"]),)), T0 + 40)
    assert out == [SetChannelVar("c1", CALLER, "HOTLINE_TRANSFER_PENDING", ""),
                   SetChannelVar("c1", CALLER, "HOTLINE_SURVEY", "yes")]


def test_a_leg_that_joined_during_the_gap_is_the_three_way_call_of_its_unit() -> None:
    engine, _ = _restored()
    live = (ev.ChannelSnapshot("c1", CALLER, "c1", "caller", "", "b1"),
            ev.ChannelSnapshot("c1-L1-a", "Local/tax-invoice@hotline-department-leg-1;1", "c1",
                               "department-leg", "c1-L1", "b1"),
            ev.ChannelSnapshot("c1-L1-b", "Local/tax-invoice@hotline-department-leg-1;2", "c1",
                               "department-leg", "c1-L1", "b2"),
            ev.ChannelSnapshot("m1", "Local/2005@hotline-lab-party-00000009;1", "", "", "",
                               "b2"),
            ev.ChannelSnapshot("s1", SEAT, "c1", "operator", "", "b1"))
    out = engine.feed(ev.Resynced(live), T0 + 41)
    assert [c.kind for c in out if isinstance(c, PublishCallEvent)] == ["transfer.connected"]
    call = engine.calls["c1"]
    # the specialist who answered unseen is the member bridged with the leg's queue side
    assert (call.state.value, call.connected_unit, call.three_way_at, call.specialist) == (
        "three_way", "tax", T0 + 41, "2005")


def test_a_restored_call_gone_from_the_pbx_is_recorded_lost_once() -> None:
    engine, _ = _restored()
    out = engine.feed(ev.Resynced(()), T0 + 41)
    (record,) = [c.record for c in out if isinstance(c, RecordCall)]
    assert (record.outcome, record.unit, record.matter, record.transfer_requested) == (
        "lost", "tax", "101", True)
    assert engine.feed(ev.Resynced(()), T0 + 42) == []


def test_a_seat_that_answered_a_restored_waiting_caller_in_the_gap_is_taken_as_answered(
) -> None:
    waiting = Engine(CATALOGUE)
    waiting.feed(ev.CallEntered("c2", CALLER, "13812345678", 1), T0)
    engine = Engine(CATALOGUE)
    engine.feed(ev.JournalRestored((_roundtrip(waiting.calls["c2"]),)),
                T0 + 30)
    live = (ev.ChannelSnapshot("c2", CALLER, "c2", "caller", "", "b7"),
            ev.ChannelSnapshot("s2", SEAT, "c2", "operator", "", "b7"))
    out = engine.feed(ev.Resynced(live), T0 + 31)
    assert out == [PublishCallEvent("c2", "operator.answered", T0 + 31, {"operator": "1001"})]
    call = engine.calls["c2"]
    assert (call.state.value, call.operator, call.operator_channel) == (
        "with_operator", "1001", SEAT)
    # a caller still waiting stays waiting
    still = Engine(CATALOGUE)
    still.feed(ev.JournalRestored((_roundtrip(waiting.calls["c2"]),)), T0)
    assert still.feed(ev.Resynced((ev.ChannelSnapshot("c2", CALLER, "c2", "caller", "",
                                                       ""),)), T0 + 1) == []


def _numbered(out: list[object]) -> list[tuple[str, int]]:
    return [(c.kind, c.seq) for c in out if isinstance(c, PublishCallEvent)]


def test_a_calls_event_numbers_go_on_after_a_restart_and_after_its_end() -> None:
    first = _ringing()  # published: call.entered 1, operator.answered 2,
    # transfer.requested 3, transfer.leg_started 4
    assert first.calls["c1"].events_published == 4
    engine = Engine(CATALOGUE)
    engine.feed(ev.JournalRestored((_roundtrip(first.calls["c1"]),)), T0 + 40)
    out = engine.feed(ev.ChannelHungUp("c1", "c1", CALLER, 16), T0 + 41)
    assert _numbered(out) == [("transfer.cancelled", 5), ("call.ended", 6)]
    # an event about the call after its end (the ticket's announcement) is the 7th
    out = engine.feed(ev.TicketAnnounced("c1", "T-1"), T0 + 42)
    assert _numbered(out) == [("ticket.announced", 7)]
    # a refused event numbers nothing
    fresh = Engine(CATALOGUE)
    fresh.feed(ev.CallEntered("c2", CALLER, "13812345678", 1), T0)
    assert fresh.feed(ev.LegAnswered("c2", "c2-L9", "x", "2001"), T0 + 1) == []
    assert _numbered(fresh.feed(ev.OperatorAnswered("c2", CALLER, SEAT, "1001"), T0 + 2)) \
        == [("operator.answered", 2)]


def test_a_ticket_decided_but_not_confirmed_stored_is_asked_of_the_store_again() -> None:
    evening = T0 + 10 * 3600  # Tuesday 20:00: the tax unit is closed
    old = Engine(CATALOGUE)
    old.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), evening)
    old.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1001"), evening + 5)
    out = old.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), evening + 10)
    (order,) = [c for c in out if isinstance(c, CreateTicket)]
    assert order.idempotency_key == "c1/101"
    # the router died before TicketStored came back: its successor asks again, the same
    engine = Engine(CATALOGUE)
    again = engine.feed(ev.JournalRestored((_roundtrip(old.calls["c1"]),)), evening + 30)
    assert again == [order]
    # once stored, a restart asks nothing
    old.feed(ev.TicketStored("c1", "T-1", "tax", order.due_at, "after_hours", True), evening + 11)
    assert Engine(CATALOGUE).feed(ev.JournalRestored((_roundtrip(old.calls["c1"]),)),
                                  evening + 30) == []
