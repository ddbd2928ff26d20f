"""A unit at a glance from the queue board, and a live call rebuilt from a resync's
channels (router.core.adoption); expected values worked out by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.core.adoption import adopt, extension_of, specialist_in
from router.core.board import QueueBoard, QueueCaller, QueueMemberState, UnitState
from router.core.call import CallState
from router.core.commands import SetChannelVar
from router.core.events import ChannelSnapshot
from skills.catalogue import load_catalogue

DEFAULT_CATALOGUE = load_catalogue(Path(__file__).resolve().parents[2] / "skills" / "data" /
                                   "catalogue.yaml")

NOW = 1_795_485_600.0


def m(queue: str, who: str, status: int, paused: bool = False) -> QueueMemberState:
    return QueueMemberState(queue, who, f"Local/{who}@p/n", 0, status, paused)


def test_a_unit_counts_each_person_once_across_its_queues() -> None:
    board = QueueBoard()
    board.replace([
        m("q1", "A", 1), m("q2", "A", 1, paused=True),  # logged in, available
        m("q1", "B", 2),  # in use: logged in, not available
        m("q2", "C", 5, paused=True),  # unavailable and paused
        m("q1", "D", 0),  # unknown: not logged in
        m("q1", "F", 1, paused=True), m("q2", "F", 1, paused=True),  # paused everywhere
        m("q3", "E", 1),  # another unit's queue
    ], [QueueCaller("q1", "u1", NOW - 30), QueueCaller("q2", "u2", NOW - 12),
        QueueCaller("q3", "u3", NOW - 100)])
    assert board.unit(["q1", "q2"], NOW) == UnitState(
        logged_in=3, available=1, paused=2, callers_waiting=2, longest_wait_s=30.0)
    # a member leaving and a caller answered change the picture
    board.member(m("q1", "A", 1), removed=True)
    board.caller(QueueCaller("q1", "u1", NOW - 30), joined=False)
    assert board.unit(["q1", "q2"], NOW) == UnitState(
        logged_in=3, available=0, paused=3, callers_waiting=1, longest_wait_s=12.0)
    board.replace([], [])
    assert board.unit(["q1", "q2"], NOW) == UnitState(0, 0, 0, 0, 0.0)


@pytest.mark.parametrize(("channel", "extension"), [
    ("PJSIP/1001-0000002a", "1001"),
    ("PJSIP/trunk-a-0000001f", "trunk-a"),
    ("Local/1001@hotline-lab-party-00000002;1", "1001"),
    ("Local/2001;2", "2001"),
    ("SIP/2001-00000001", "2001-00000001"),
    ("1001", "1001"),
])
def test_the_endpoint_of_a_channel_name(channel: str, extension: str) -> None:
    assert extension_of(channel) == extension


CALLER = ChannelSnapshot("c1", "Local/77@hotline-lab-caller-1;1", "c1", "caller", "", "b1")
SEAT = ChannelSnapshot("s1", "Local/1002@hotline-lab-party-2;1", "c1", "operator", "", "b1")
LEG_A = ChannelSnapshot("c1-L2-a", "Local/tax-invoice@hotline-department-leg-3;1", "c1",
                        "department-leg", "c1-L2", "b1")
LEG_B = ChannelSnapshot("c1-L2-b", "Local/tax-invoice@hotline-department-leg-3;2", "c1",
                        "department-leg", "c1-L2", "b2")
MEMBER = ChannelSnapshot("m1", "Local/2005@hotline-lab-party-4;1", "c1", "member", "", "b2")
# another call's seat in another bridge, and this call's channel outside its bridge
OTHER = ChannelSnapshot("s9", "Local/1003@hotline-lab-party-9;1", "c9", "operator", "", "b9")


def test_a_live_three_way_call_is_adopted_as_the_transfer_of_the_unit_that_answered(
) -> None:
    call, commands = adopt(CALLER, (CALLER, SEAT, LEG_A, LEG_B, MEMBER, OTHER),
                           DEFAULT_CATALOGUE, NOW)
    assert (call.state, call.adopted, call.priority, call.caller_number) == (
        CallState.THREE_WAY, True, 2, "")
    assert (call.operator, call.operator_channel, call.operator_answered_at) == (
        "1002", SEAT.channel, NOW)
    (leg,) = call.legs
    assert (leg.leg_id, leg.queue, leg.unit, leg.started_at, leg.answered, leg.bridged,
            leg.specialist) == ("c1-L2", "tax-invoice", "tax", NOW, True, True, "2005")
    assert (call.transfer_requested_at, call.three_way_at, call.connected_unit) == (
        NOW, NOW, "tax")
    assert commands == [SetChannelVar("c1", CALLER.channel, "HOTLINE_TRANSFER_PENDING", ""),
                        SetChannelVar("c1", CALLER.channel, "HOTLINE_SURVEY", "yes")]


def test_adoption_without_the_seat_with_only_the_seat_and_alone() -> None:
    call, _ = adopt(CALLER, (CALLER, LEG_A, LEG_B), DEFAULT_CATALOGUE, NOW)
    assert (call.state, call.operator, call.legs[0].specialist) == (
        CallState.WITH_SPECIALIST, "", "")
    call, commands = adopt(CALLER, (CALLER, SEAT, OTHER), DEFAULT_CATALOGUE, NOW)
    assert (call.state, call.operator, call.legs, commands) == (
        CallState.WITH_OPERATOR, "1002", [], [])
    # a seat whose extension is no operator's is named by its extension
    stranger = ChannelSnapshot("s2", "PJSIP/8888-00000001", "c1", "operator", "", "b1")
    call, _ = adopt(CALLER, (CALLER, stranger), DEFAULT_CATALOGUE, NOW)
    assert (call.state, call.operator) == (CallState.WITH_OPERATOR, "8888")
    # not bridged: still waiting
    lone = ChannelSnapshot("c1", CALLER.channel, "c1", "caller", "", "")
    call, commands = adopt(lone, (lone, SEAT), DEFAULT_CATALOGUE, NOW)
    assert (call.state, call.operator, commands) == (CallState.QUEUED, "", [])


def test_the_specialist_on_a_legs_queue_side() -> None:
    live = (CALLER, LEG_A, LEG_B, MEMBER)
    assert specialist_in(live, "c1-L2-b", DEFAULT_CATALOGUE) == "2005"
    assert specialist_in((CALLER, LEG_A, LEG_B), "c1-L2-b", DEFAULT_CATALOGUE) == ""
    unbridged = ChannelSnapshot("c1-L2-b", LEG_B.channel, "c1", "department-leg", "c1-L2", "")
    assert specialist_in((unbridged, MEMBER), "c1-L2-b", DEFAULT_CATALOGUE) == ""
    assert specialist_in(live, "c1-L9-b", DEFAULT_CATALOGUE) == ""
    stranger = ChannelSnapshot("m2", "PJSIP/7777-00000002", "c1", "member", "", "b2")
    assert specialist_in((LEG_B, stranger), "c1-L2-b", DEFAULT_CATALOGUE) == "7777"
