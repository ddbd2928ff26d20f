"""Transfers, asserted whole: the commands each leg event gives, the attempts and the request
the call keeps, along the plan from the first target to the ticket."""

from __future__ import annotations

from pathlib import Path

import yaml

from metrics.records import TargetAttempt
from router.core import events as ev
from router.core.board import QueueMemberState
from router.core.call import CallState, Request, TicketRequest
from router.core.commands import (
    BlindTransfer,
    CancelTimer,
    HangupChannel,
    OriginateLeg,
    PublishCallEvent,
    ReplyToRequest,
    StartTimer,
)
from router.core.engine import Engine
from skills.catalogue import Catalogue, parse_catalogue
from skills.select import Plan, Target
from tests.unit.expected import invoice_leg_accepted, overflow_exhausted
from tests.unit.test_engine import CALLER, CATALOGUE, SEAT, T0

DEFAULT = Path(__file__).resolve().parents[2] / "skills" / "data" / "catalogue.yaml"
TAX_PLAN = Plan("101", "tax", "huangpu", (
    Target("tax-invoice", "tax", 20), Target("tax-backup", "tax", 20),
    Target("back-office-general", "back-office", 20)), 90)


def _transfer(engine: Engine, source: str = "phone") -> None:
    """Request 101 at T0 + 10: leg c1-L1 to tax-invoice rings until T0 + 30."""
    engine.feed(ev.TransferRequested("r1", "101", source,  # type: ignore[arg-type]
                                     call_id="c1"), T0 + 10)


def _bridge(engine: Engine) -> None:
    _transfer(engine)
    engine.feed(ev.LegAnswered("c1", "c1-L1", "tax-invoice", "2001"), T0 + 12)
    engine.feed(ev.PartyBridged("c1", "c1-L1-a", "Local/tax-invoice@x;1", "b1", 3, True),
                T0 + 12)


def _member(queue: str, who: str, status: int) -> ev.MemberChanged:
    return ev.MemberChanged(QueueMemberState(queue, who, f"Local/{who}@p/n", 0, status, False))


def _overflow(leg: int, queue: str, unit: str, at: float) -> list[object]:
    """The next target rung at ``at``: originate, its guard timer, the overflow event."""
    return [
        OriginateLeg("c1", f"c1-L{leg}", queue, CALLER, 1, 20, 30),
        StartTimer("c1", f"leg:c1-L{leg}", at + 40),
        PublishCallEvent("c1", "overflow.attempted", at, {
            "queue": queue, "unit": unit, "leg_id": f"c1-L{leg}", "attempt": leg}),
    ]


def _failed(leg: int, queue: str, unit: str, outcome: str, at: float) -> list[object]:
    return [
        CancelTimer("c1", f"leg:c1-L{leg}"),
        CancelTimer("c1", f"settle:c1-L{leg}"),
        PublishCallEvent("c1", "transfer.leg_failed", at,
                         {"queue": queue, "unit": unit, "outcome": outcome}),
    ]


def _invoice_and_backup_catalogue() -> Catalogue:
    """The default catalogue, with the tax backup team also holding the invoice skill: a
    matter with two candidate teams, ranked by live state (by name when nothing is known:
    tax-backup before tax-invoice)."""
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    data["units"]["tax"]["teams"]["tax-backup"]["skills"] = ["tax-general", "tax-invoice"]
    return parse_catalogue(yaml.safe_dump(data, allow_unicode=True), "cat.yaml")


# -- request -----------------------------------------------------------------------------


def test_a_request_for_an_unknown_call_naming_no_operator_is_refused_with_no_seat() -> None:
    engine = Engine(CATALOGUE)
    out = engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c9"), T0)
    assert out == [ReplyToRequest("", "r1", "phone", None, None, False, "no_call", {})]


def test_every_request_refused_while_a_transfer_is_in_progress_is_counted(
    engine: Engine
) -> None:
    _transfer(engine)
    for n, rid in enumerate(("r2", "r3"), start=1):
        out = engine.feed(ev.TransferRequested(rid, "105", "phone", call_id="c1"), T0 + 10 + n)
        assert out == [ReplyToRequest("c1", rid, "phone", "1001", SEAT, False,
                                      "transfer_in_progress")]
    assert engine.calls["c1"].requests_rejected == 2


def test_every_rejected_matter_is_counted(engine: Engine) -> None:
    for n in (1, 2):
        out = engine.feed(ev.TransferRequested(f"r{n}", "999", "phone", call_id="c1"),
                          T0 + 10 + n)
        assert out == [
            ReplyToRequest("c1", f"r{n}", "phone", "1001", SEAT, False, "unknown_matter",
                           {"matter": "999"}),
            PublishCallEvent("c1", "transfer.rejected", T0 + 10 + n,
                             {"matter": "999", "reason": "unknown_matter", "source": "phone"}),
        ]
    call = engine.calls["c1"]
    assert (call.state, call.requests_rejected) == (CallState.WITH_OPERATOR, 2)


def test_a_caller_waiting_in_the_department_queue_is_read_with_the_time_of_the_request(
    engine: Engine
) -> None:
    engine.feed(_member("tax-invoice", "2001", 1), T0 + 6)
    engine.feed(ev.QueueCallerChanged("tax-invoice", "u7", True), T0 + 6)
    out = engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    assert out == invoice_leg_accepted("phone", T0 + 10)
    call = engine.calls["c1"]
    assert call.request == Request("r1", "101", "phone", TAX_PLAN, 1)
    assert (call.state, call.transfer_requested_at) == (CallState.TRANSFERRING, T0 + 10)


def test_live_team_states_decide_which_candidate_team_rings_first() -> None:
    engine = Engine(_invoice_and_backup_catalogue())
    engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), T0)
    engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1001"), T0 + 5)
    # the invoice team has someone free; the backup team's one member is on a call
    engine.feed(_member("tax-invoice", "2001", 1), T0 + 6)
    engine.feed(_member("tax-backup", "2006", 2), T0 + 6)
    out = engine.feed(ev.TransferRequested("r1", "101", "desk", operator="1001"), T0 + 10)
    assert out == invoice_leg_accepted("desk", T0 + 10)


def test_an_after_hours_ticket_keeps_the_request_it_will_answer() -> None:
    evening = T0 + 10 * 3600  # Tuesday 20:00: the tax unit closed at 17:00
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), evening)
    engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1001"), evening + 5)
    engine.feed(ev.TransferRequested("r1", "101", "desk", operator="1001"), evening + 10)
    assert engine.calls["c1"].ticket_request == TicketRequest("r1", "desk", "1001", SEAT,
                                                              "101", "tax")


# -- the chain: busy overflow, exhaustion ------------------------------------------------


def test_a_busy_team_is_skipped_and_recorded_against_its_unit(engine: Engine) -> None:
    engine.feed(_member("tax-invoice", "2001", 2), T0 + 6)
    out = engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1"), T0 + 10)
    assert out[3:] == [
        PublishCallEvent("c1", "overflow.skipped", T0 + 10, {
            "queue": "tax-invoice", "unit": "tax", "reason": "skipped_busy", "logged_in": 1,
            "paused": 0, "attempt": 1}),
        OriginateLeg("c1", "c1-L1", "tax-backup", CALLER, 1, 20, 30),
        StartTimer("c1", "leg:c1-L1", T0 + 50),
        PublishCallEvent("c1", "overflow.attempted", T0 + 10, {
            "queue": "tax-backup", "unit": "tax", "leg_id": "c1-L1", "attempt": 2}),
    ]
    assert engine.calls["c1"].attempts == [TargetAttempt("tax-invoice", "tax", "skipped_busy")]


def test_an_exhausted_chain_asks_a_ticket_that_answers_no_request(engine: Engine) -> None:
    engine.feed(ev.TransferRequested("r1", "201", "phone", call_id="c1"), T0 + 10)
    out = engine.feed(ev.LegEnded("c1", "c1-L1", "market-service", "TIMEOUT"), T0 + 30)
    assert out == [*_failed(1, "market-service", "market", "timeout", T0 + 30),
                   *_overflow(2, "back-office-general", "back-office", T0 + 30)]
    out = engine.feed(ev.LegEnded("c1", "c1-L2", "back-office-general", "FULL"), T0 + 40)
    assert out == [
        *_failed(2, "back-office-general", "back-office", "full", T0 + 40),
        *overflow_exhausted("201", "market", ["market-service", "back-office-general"],
                            T0 + 40),
    ]
    call = engine.calls["c1"]
    assert call.ticket_request == TicketRequest("", "phone", "1001", SEAT, "201", "market")
    assert call.state is CallState.WITH_OPERATOR
    # the stored ticket tells the operator, but there is no request to reply to
    stored = engine.feed(ev.TicketStored("c1", "T-1", "market", T0 + 86_400,
                                         "overflow_exhausted", True), T0 + 41)
    assert not any(isinstance(c, ReplyToRequest) for c in stored)


# -- answered, rung, bridged -------------------------------------------------------------


def test_a_specialist_answering_the_leg_is_published_and_later_rings_are_ignored(
    engine: Engine
) -> None:
    _transfer(engine)
    # an answer for a leg that is not the current one changes nothing
    assert engine.feed(ev.LegAnswered("c1", "c1-L9", "tax-invoice", "2001"), T0 + 11) == []
    assert engine.calls["c1"].legs[0].answered is False
    out = engine.feed(ev.LegAnswered("c1", "c1-L1", "tax-invoice", "2001"), T0 + 12)
    assert out == [PublishCallEvent("c1", "transfer.answered", T0 + 12,
                                    {"queue": "tax-invoice", "specialist": "2001"})]
    leg = engine.calls["c1"].legs[0]
    assert (leg.answered, leg.specialist, leg.ended) == (True, "2001", False)
    # app_queue reports the ring of the one who answered as ended: the leg goes on
    assert engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001"), T0 + 12.5) == []
    assert engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001", True),
                       T0 + 13) == []
    assert (engine.calls["c1"].attempts, engine.calls["c1"].state) == (
        [], CallState.TRANSFERRING)


def test_rings_of_another_leg_or_of_a_call_with_no_leg_change_nothing(engine: Engine) -> None:
    assert engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001", True),
                       T0 + 8) == []
    _transfer(engine)
    assert engine.feed(ev.MemberRung("c1", "c1-L9", "tax-invoice", "2001", True),
                       T0 + 11) == []
    assert engine.calls["c1"].legs[0].declined == set()
    assert engine.calls["c1"].attempts == []


def test_a_decline_exactly_one_second_before_the_ring_time_is_a_timeout(
    engine: Engine
) -> None:
    _transfer(engine)
    engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001"), T0 + 10.5)
    out = engine.feed(ev.MemberRung("c1", "c1-L1", "tax-invoice", "2001", True), T0 + 29)
    assert out == [HangupChannel("c1", "c1-L1-a"),
                   *_failed(1, "tax-invoice", "tax", "timeout", T0 + 29),
                   *_overflow(2, "tax-backup", "tax", T0 + 29)]


def test_the_leg_joining_the_bridge_is_recorded_as_answered_by_its_specialist(
    engine: Engine
) -> None:
    _bridge(engine)
    call = engine.calls["c1"]
    assert call.attempts == [TargetAttempt("tax-invoice", "tax", "answered", "2001")]
    assert (call.state, call.connected_unit, call.specialist, call.three_way_at) == (
        CallState.THREE_WAY, "tax", "2001", T0 + 12)


# -- leg ended, hung up, failed ----------------------------------------------------------


def test_the_end_of_an_unknown_leg_changes_nothing(engine: Engine) -> None:
    _transfer(engine)
    assert engine.feed(ev.LegEnded("c1", "c1-L9", "tax-invoice", "TIMEOUT"), T0 + 11) == []
    assert engine.calls["c1"].attempts == []


def test_a_leg_ending_with_an_unknown_queue_status_failed_and_the_next_target_rings(
    engine: Engine
) -> None:
    _transfer(engine)
    out = engine.feed(ev.LegEnded("c1", "c1-L1", "tax-invoice", "CONTINUE"), T0 + 15)
    assert out == [*_failed(1, "tax-invoice", "tax", "failed", T0 + 15),
                   *_overflow(2, "tax-backup", "tax", T0 + 15)]
    assert engine.calls["c1"].attempts == [TargetAttempt("tax-invoice", "tax", "failed")]


def test_an_answered_leg_failing_before_the_bridge_keeps_its_specialist_in_the_attempt(
    engine: Engine
) -> None:
    _transfer(engine)
    engine.feed(ev.LegAnswered("c1", "c1-L1", "tax-invoice", "2001"), T0 + 12)
    out = engine.feed(ev.LegEnded("c1", "c1-L1", "tax-invoice", "CONTINUE"), T0 + 13)
    assert out == [*_failed(1, "tax-invoice", "tax", "failed", T0 + 13),
                   *_overflow(2, "tax-backup", "tax", T0 + 13)]
    assert engine.calls["c1"].attempts == [
        TargetAttempt("tax-invoice", "tax", "failed", "2001")]


def test_the_specialist_leaving_the_bridge_returns_the_caller_to_the_operator(
    engine: Engine
) -> None:
    _bridge(engine)
    out = engine.feed(ev.LegEnded("c1", "c1-L1", "tax-invoice", "CONTINUE"), T0 + 40)
    assert out == [PublishCallEvent("c1", "specialist.left", T0 + 40,
                                    {"queue": "tax-invoice", "specialist": "2001"})]
    call = engine.calls["c1"]
    assert (call.state, call.specialist_left_at, call.legs[0].ended) == (
        CallState.WITH_OPERATOR, T0 + 40, True)
    # the leg's own hangup afterwards is nothing new, and nothing illegal
    assert engine.feed(ev.ChannelHungUp("c1", "c1-L1-a", "Local/tax-invoice@x;1", 16),
                       T0 + 41) == []
    assert engine.stats.illegal_transitions == 0
    # the caller hanging up has no specialist left to release
    out = engine.feed(ev.ChannelHungUp("c1", "c1", CALLER, 16), T0 + 60)
    assert not any(isinstance(c, HangupChannel) for c in out)


def test_the_specialists_side_hanging_up_is_the_specialist_leaving(engine: Engine) -> None:
    _bridge(engine)
    out = engine.feed(ev.ChannelHungUp("c1", "c1-L1-a", "Local/tax-invoice@x;1", 16),
                      T0 + 40)
    assert out == [PublishCallEvent("c1", "specialist.left", T0 + 40,
                                    {"queue": "tax-invoice", "specialist": "2001"})]
    call = engine.calls["c1"]
    assert (call.state, call.specialist_left_at, call.legs[0].ended) == (
        CallState.WITH_OPERATOR, T0 + 40, True)


def test_a_leg_channel_hanging_up_before_the_bridge_fails_it_and_the_chain_goes_on(
    engine: Engine
) -> None:
    _transfer(engine)
    # a hangup of a channel that is no leg's changes nothing
    assert engine.feed(ev.ChannelHungUp("c1", "x-77", "Local/other@x;1", 16), T0 + 11) == []
    out = engine.feed(ev.ChannelHungUp("c1", "c1-L1-b", "Local/tax-invoice@x;2", 16),
                      T0 + 15)
    assert out == [*_failed(1, "tax-invoice", "tax", "failed", T0 + 15),
                   *_overflow(2, "tax-backup", "tax", T0 + 15)]
    # the first leg's other side going too is nothing new
    assert engine.feed(ev.ChannelHungUp("c1", "c1-L1-a", "Local/tax-invoice@x;1", 16),
                       T0 + 16) == []
    out = engine.feed(ev.ChannelHungUp("c1", "c1-L2-a", "Local/tax-backup@x;1", 16), T0 + 20)
    assert out == [*_failed(2, "tax-backup", "tax", "failed", T0 + 20),
                   *_overflow(3, "back-office-general", "back-office", T0 + 20)]
    assert engine.calls["c1"].attempts == [TargetAttempt("tax-invoice", "tax", "failed"),
                                           TargetAttempt("tax-backup", "tax", "failed")]


def test_a_command_failing_for_a_bridged_or_unknown_leg_changes_nothing(
    engine: Engine
) -> None:
    _transfer(engine)
    assert engine.feed(ev.CommandFailed("c1", "OriginateLeg", "Timeout", leg_id="c1-L9"),
                       T0 + 11) == []
    assert engine.feed(ev.LegOriginateFailed("c1", "c1-L9", "failed"), T0 + 11) == []
    engine.feed(ev.LegAnswered("c1", "c1-L1", "tax-invoice", "2001"), T0 + 12)
    engine.feed(ev.PartyBridged("c1", "c1-L1-a", "Local/tax-invoice@x;1", "b1", 3, True),
                T0 + 12)
    assert engine.feed(ev.CommandFailed("c1", "OriginateLeg", "Timeout", leg_id="c1-L1"),
                       T0 + 13) == []
    assert engine.feed(ev.LegOriginateFailed("c1", "c1-L1", "failed"), T0 + 13) == []
    call = engine.calls["c1"]
    assert (call.state, call.legs[0].ended) == (CallState.THREE_WAY, False)
    assert call.attempts == [TargetAttempt("tax-invoice", "tax", "answered", "2001")]


def test_a_command_failing_for_a_leg_already_failed_changes_nothing(engine: Engine) -> None:
    _transfer(engine)
    engine.feed(ev.LegEnded("c1", "c1-L1", "tax-invoice", "TIMEOUT"), T0 + 30)
    assert engine.feed(ev.CommandFailed("c1", "OriginateLeg", "Timeout", leg_id="c1-L1"),
                       T0 + 31) == []
    assert engine.feed(ev.LegOriginateFailed("c1", "c1-L1", "failed"), T0 + 31) == []
    assert engine.calls["c1"].attempts == [TargetAttempt("tax-invoice", "tax", "timeout")]


# -- timers, cancel ----------------------------------------------------------------------


def test_an_originate_failure_settles_as_a_failed_leg(engine: Engine) -> None:
    _transfer(engine)
    assert engine.feed(ev.LegOriginateFailed("c1", "c1-L1", "failed"), T0 + 11) == [
        StartTimer("c1", "settle:c1-L1", T0 + 13)]
    assert engine.feed(ev.TimerFired("c1", "leg:c1-L7"), T0 + 12) == []
    assert engine.feed(ev.TimerFired("c1", "other"), T0 + 12) == []
    out = engine.feed(ev.TimerFired("c1", "settle:c1-L1"), T0 + 13)
    assert out == [*_failed(1, "tax-invoice", "tax", "failed", T0 + 13),
                   *_overflow(2, "tax-backup", "tax", T0 + 13)]


def test_the_guard_timer_of_a_bridged_leg_changes_nothing(engine: Engine) -> None:
    _bridge(engine)
    assert engine.feed(ev.TimerFired("c1", "leg:c1-L1"), T0 + 50) == []
    assert engine.calls["c1"].state is CallState.THREE_WAY


def test_a_leg_cancelled_by_a_requeue_is_over_and_keeps_who_answered(engine: Engine) -> None:
    _transfer(engine)
    engine.feed(ev.LegAnswered("c1", "c1-L1", "tax-invoice", "2001"), T0 + 12)
    out = engine.feed(ev.CallerLeftQueue("c1", ev.REQUEUED), T0 + 13)
    assert out == [
        PublishCallEvent("c1", "operator.left", T0 + 13, {"operator": "1001"}),
        PublishCallEvent("c1", "call.requeued", T0 + 13, {}),
        CancelTimer("c1", "leg:c1-L1"),
        HangupChannel("c1", "c1-L1-a"),
        PublishCallEvent("c1", "transfer.cancelled", T0 + 13,
                         {"queue": "tax-invoice", "reason": "operator_left"}),
    ]
    call = engine.calls["c1"]
    assert (call.state, call.legs[0].ended) == (CallState.QUEUED, True)
    assert call.attempts == [TargetAttempt("tax-invoice", "tax", "cancelled", "2001")]
    # the cancelled leg's own end, reported later, is nothing new
    assert engine.feed(ev.LegEnded("c1", "c1-L1", "tax-invoice", "CONTINUE"), T0 + 14) == []
    assert call.attempts == [TargetAttempt("tax-invoice", "tax", "cancelled", "2001")]


# -- emergencies -------------------------------------------------------------------------


def test_a_confirmed_emergency_is_sent_blind_and_the_operator_is_named(
    engine: Engine
) -> None:
    out = engine.feed(ev.TransferRequested("r2", "901", "desk", operator="1001",
                                           confirmed=True), T0 + 12)
    assert out == [
        ReplyToRequest("c1", "r2", "desk", "1001", SEAT, True, "emergency_transfer",
                       {"number": "110"}),
        BlindTransfer("c1", CALLER, "hotline-emergency", "110"),
        PublishCallEvent("c1", "emergency.transferred", T0 + 12, {
            "matter": "901", "number": "110", "source": "desk", "operator": "1001"}),
    ]
    call = engine.calls["c1"]
    assert (call.state, call.emergency, call.emergency_matter) == (
        CallState.CONCLUDING, "110", "901")
