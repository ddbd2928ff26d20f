"""AMI messages -> domain events, and commands -> AMI actions (pure)."""

from __future__ import annotations

import pytest

from router.ami import render
from router.ami.frames import AmiMessage
from router.ami.parse import parse_event
from router.core import events as ev
from router.core.commands import OriginateLeg, ReplyToRequest
from router.errors import AmiInjectionError, AmiParseError


def msg(*pairs: tuple[str, str]) -> AmiMessage:
    return AmiMessage(tuple(pairs))


CALLER_VARS = (("ChanVariable", "HOTLINE_CALL_ID=1.10"), ("ChanVariable", "HOTLINE_ROLE=caller"))


def test_call_entered_comes_from_the_users_event_not_the_snapshot_priority() -> None:
    message = msg(("Event", "UserEvent"), ("Channel", "Local/5@c-1;1"), ("Uniqueid", "1.10"),
                  ("CallerIDNum", "13812345678"), *CALLER_VARS, ("Priority", "8"),
                  ("UserEvent", "HotlineCallEntered"), ("Version", "1"), ("CallId", "1.10"),
                  ("CallPriority", "1"))
    assert parse_event(message) == ev.CallEntered("1.10", "Local/5@c-1;1", "13812345678", 1)


def test_agent_connect_on_the_operator_queue_is_the_operator_answering() -> None:
    message = msg(("Event", "AgentConnect"), ("Channel", "Local/5@c-1;1"), *CALLER_VARS,
                  ("DestChannel", "Local/1001@p-2;1"), ("Queue", "hotline-operators"),
                  ("MemberName", "1001"), ("CallerIDNum", "13812345678"))
    assert parse_event(message) == ev.OperatorAnswered(
        "1.10", "Local/5@c-1;1", "Local/1001@p-2;1", "1001", "13812345678")


def test_agent_connect_on_a_department_queue_is_the_leg_answered() -> None:
    message = msg(("Event", "AgentConnect"), ("Channel", "Local/tax-invoice@d-3;2"),
                  ("ChanVariable", "HOTLINE_CALL_ID=1.10"), ("ChanVariable",
                                                             "HOTLINE_LEG_ID=1.10-L1"),
                  ("DestChannel", "Local/2001@p-4;1"), ("Queue", "tax-invoice"),
                  ("MemberName", "2001"))
    assert parse_event(message) == ev.LegAnswered("1.10", "1.10-L1", "tax-invoice", "2001")


@pytest.mark.parametrize(("event", "declined"), [("AgentCalled", False),
                                               ("AgentRingNoAnswer", True)])
def test_a_specialist_rung_or_declining_on_a_leg_is_seen_operators_are_not(
    event: str, declined: bool
) -> None:
    leg = msg(("Event", event), ("Channel", "Local/tax-invoice@d-3;2"),
              ("ChanVariable", "HOTLINE_CALL_ID=1.10"), ("ChanVariable", "HOTLINE_LEG_ID=1.10-L1"),
              ("Queue", "tax-invoice"), ("MemberName", "2001"), ("RingTime", "0"))
    assert parse_event(leg) == ev.MemberRung("1.10", "1.10-L1", "tax-invoice", "2001",
                                             declined)
    seat = msg(("Event", event), ("Channel", "Local/5@c-1;1"), *CALLER_VARS,
               ("Queue", "hotline-operators"), ("MemberName", "1001"))
    assert parse_event(seat) is None


def test_a_failed_leg_originate_is_matched_by_its_action_id() -> None:
    message = msg(("Event", "OriginateResponse"), ("ActionID", "leg:1.10-L2"),
                  ("Response", "Failure"), ("Reason", "0"))
    assert parse_event(message) == ev.LegOriginateFailed("1.10", "1.10-L2",
                                                         "originate failed (reason 0)")


@pytest.mark.parametrize("message", [
    msg(("Event", "UserEvent"), ("UserEvent", "HotlineCallEntered"), ("CallPriority", "1")),
    msg(("Event", "UserEvent"), ("UserEvent", "HotlineCallEntered"), ("CallId", "1.1"),
        ("Channel", "x"), ("CallPriority", "one")),
    msg(("Event", "UserEvent"), ("UserEvent", "HotlineCallEntered"), ("CallId", "1.1"),
        ("Channel", "x"), ("CallPriority", "3")),
    msg(("Event", "Hangup"), ("ChanVariable", "HOTLINE_CALL_ID=1.1"), ("Channel", "x")),
    msg(("Event", "UserEvent"), ("UserEvent", "HotlineTransferRequest"), ("CallId", "")),
])
def test_a_missing_or_bad_header_is_a_parse_error_never_an_empty_value(
    message: AmiMessage
) -> None:
    with pytest.raises(AmiParseError):
        parse_event(message)


def test_events_the_router_does_not_use_are_ignored() -> None:
    assert parse_event(msg(("Event", "Newexten"), ("Channel", "x"))) is None
    assert parse_event(msg(("Event", "Hangup"), ("Uniqueid", "1.2"), ("Cause", "16"))) is None
    assert parse_event(msg(("Event", "UserEvent"), ("UserEvent", "SomethingElse"))) is None


def test_a_department_leg_is_a_local_channel_that_bridge_adds_the_caller() -> None:
    action = render.originate_leg(OriginateLeg("1.10", "1.10-L1", "tax-invoice",
                                               "Local/5@c-1;1", 1, 20, 30))
    assert (action.name, action.action_id) == ("Originate", "leg:1.10-L1")
    assert action.headers == (
        ("Channel", "Local/tax-invoice@hotline-department-leg/n"),
        ("Application", "BridgeAdd"), ("Data", "Local/5@c-1;1"), ("Timeout", "30000"),
        ("Async", "true"), ("ChannelId", "1.10-L1-a"), ("OtherChannelId", "1.10-L1-b"),
        ("Variable", "HOTLINE_CALL_ID=1.10"), ("Variable", "HOTLINE_LEG_ID=1.10-L1"),
        ("Variable", "HOTLINE_RING_TIMEOUT_S=20"), ("Variable", "HOTLINE_PRIORITY=1"))


@pytest.mark.parametrize(("queue", "channel"), [
    ("tax,invoice", "Local/5@c-1;1"),
    ("tax-invoice", "Local/5@c-1;1,evil"),
    ("tax-invoice", "Local/5@c-1;1&PJSIP/x"),
    ("Tax Invoice", "Local/5@c-1;1"),
    ("tax-invoice", ""),
])
def test_values_that_would_split_a_dial_string_or_argument_are_refused(
    queue: str, channel: str
) -> None:
    with pytest.raises(AmiInjectionError):
        render.originate_leg(OriginateLeg("1.10", "1.10-L1", queue, channel, 1, 20, 30))


def test_the_phone_reply_sets_hotline_reply_on_the_operators_channel() -> None:
    accepted = ReplyToRequest("c", "r", "phone", "1001", "Local/1001@p;1", True, "accepted")
    refused = ReplyToRequest("c", "r", "phone", "1001", "Local/1001@p;1", False, "unknown_matter")
    assert [render.reply_on_phone(c).headers for c in (accepted, refused)  # type: ignore[union-attr]
            ] == [
        (("Channel", "Local/1001@p;1"), ("Variable", "HOTLINE_REPLY"), ("Value", "accepted")),
        (("Channel", "Local/1001@p;1"), ("Variable", "HOTLINE_REPLY"),
         ("Value", "rejected-unknown_matter")),
    ]
