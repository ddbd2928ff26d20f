"""AMI framing: bytes in, whole messages out, whatever the TCP segmentation."""

from __future__ import annotations

import pytest

from router.ami.frames import AmiMessage, FrameDecoder, FrameError, encode_action
from router.errors import AmiInjectionError

STREAM = (
    "Asterisk Call Manager/11.0.0\r\n"
    "Response: Success\r\nActionID: 1\r\nMessage: Authentication accepted\r\n\r\n"
    "Event: UserEvent\r\nUserEvent: HotlineCallEntered\r\nCallerIDName: 张三\r\n"
    "ChanVariable: HOTLINE_CALL_ID=1.1\r\nChanVariable: HOTLINE_ROLE=caller\r\n\r\n"
).encode()


def _messages(items: list[AmiMessage | FrameError]) -> list[AmiMessage]:
    assert all(isinstance(i, AmiMessage) for i in items), items
    return [i for i in items if isinstance(i, AmiMessage)]


def test_decodes_banner_and_messages_keeping_repeated_headers_in_order() -> None:
    decoder = FrameDecoder()
    first, second = _messages(decoder.feed(STREAM))
    assert decoder.banner == "Asterisk Call Manager/11.0.0"
    assert first.headers == (("Response", "Success"), ("ActionID", "1"),
                             ("Message", "Authentication accepted"))
    assert second.get_all("ChanVariable") == ["HOTLINE_CALL_ID=1.1", "HOTLINE_ROLE=caller"]
    assert second.variables() == {"HOTLINE_CALL_ID": "1.1", "HOTLINE_ROLE": "caller"}
    assert second.get("callerIDname") == "张三"


@pytest.mark.parametrize("cut", range(1, len(STREAM)))
def test_a_stream_cut_at_any_byte_decodes_to_the_same_messages(cut: int) -> None:
    whole = _messages(FrameDecoder().feed(STREAM))
    decoder = FrameDecoder()
    parts = _messages(decoder.feed(STREAM[:cut])) + _messages(decoder.feed(STREAM[cut:]))
    assert parts == whole


def test_lf_only_line_ends_are_accepted() -> None:
    decoder = FrameDecoder(expect_banner=False)
    (message,) = _messages(decoder.feed(b"Event: Hangup\nUniqueid: 1.2\nCause: 16\n\n"))
    assert message.headers == (("Event", "Hangup"), ("Uniqueid", "1.2"), ("Cause", "16"))


def test_malformed_lines_are_counted_and_skipped_and_invalid_utf8_is_replaced() -> None:
    decoder = FrameDecoder(expect_banner=False)
    (message,) = _messages(decoder.feed(b"Event: X\r\nno colon here\r\nName: \xff\xfe\r\n\r\n"))
    assert message.headers == (("Event", "X"), ("Name", "\ufffd\ufffd"))
    assert decoder.malformed_lines == 1


def test_an_oversized_message_is_reported_once_and_the_stream_recovers() -> None:
    decoder = FrameDecoder(max_message_bytes=4096, expect_banner=False)
    out = decoder.feed(b"Event: Flood\r\nData: " + b"x" * 10_000)
    assert [type(i) for i in out] == [FrameError]
    assert isinstance(out[0], FrameError)
    assert out[0].reason == "oversized"
    assert decoder.feed(b"x" * 10_000) == []
    out = decoder.feed(b"\r\n\r\nEvent: After\r\n\r\n")
    assert [m.event for m in _messages(out)] == ["After"]


def test_encode_action_renders_headers_in_order() -> None:
    assert encode_action("Setvar", "a-1", [("Channel", "Local/1@x;1"), ("Value", "张")]) == (
        "Action: Setvar\r\nActionID: a-1\r\nChannel: Local/1@x;1\r\nValue: 张\r\n\r\n"
    ).encode()


@pytest.mark.parametrize("headers", [
    [("Value", "x\r\nAction: Originate")],
    [("Value", "x\nChannel: evil")],
    [("Value", "nul\x00")],
    [("Bad Name", "x")],
    [("Bad:Name", "x")],
])
def test_encode_action_refuses_anything_that_could_inject_headers(
    headers: list[tuple[str, str]]
) -> None:
    with pytest.raises(AmiInjectionError):
        encode_action("Setvar", "a-1", headers)


def test_on_a_crlf_link_a_bare_line_feed_in_a_value_does_not_split_the_message() -> None:
    # values as recorded from real Asterisks: a dialplan AppData ending in LF, a caller
    # name looked up with a trailing newline, a note with one inside
    decoder = FrameDecoder()
    items = decoder.feed(
        b"Asterisk Call Manager/11.0.0\r\n"
        b"Event: Newexten\r\nAppData: l_tmp=OK\n\r\nUniqueid: 1.1\r\n\r\n"
        + "Event: Newchannel\r\nCallerIDName: 张三\n\n\r\nUniqueid: 1.2\r\n\r\n".encode()
        + b"Event: UserEvent\r\nNote: a\nb\r\nUniqueid: 1.3\r\n\r\n"
        b"Event: C\r\nX: 1\n\r\n\r\n")
    assert [m.headers for m in _messages(items)] == [
        (("Event", "Newexten"), ("AppData", "l_tmp=OK"), ("Uniqueid", "1.1")),
        (("Event", "Newchannel"), ("CallerIDName", "张三"), ("Uniqueid", "1.2")),
        (("Event", "UserEvent"), ("Note", "a b"), ("Uniqueid", "1.3")),
        (("Event", "C"), ("X", "1"))]
    assert [m.get("Uniqueid") for m in _messages(items)[:3]] == ["1.1", "1.2", "1.3"]
    assert decoder.malformed_lines == 0


def test_a_peer_framing_with_bare_line_feeds_after_its_banner_is_read_as_such() -> None:
    decoder = FrameDecoder()
    items = decoder.feed(b"Asterisk Call Manager/11.0.0\nEvent: A\nX: 1\r\n\nEvent: B\n\n")
    assert decoder.banner == "Asterisk Call Manager/11.0.0"
    assert [m.headers for m in _messages(items)] == [(("Event", "A"), ("X", "1")),
                                                      (("Event", "B"),)]


def test_unwanted_events_are_skipped_unparsed_unless_they_answer_an_action() -> None:
    decoder = FrameDecoder(expect_banner=False, wanted=frozenset({"Hangup"}))
    items = decoder.feed(b"Event: Newexten\r\nChannel: x\r\n\r\n"
                         b"Event: Hangup\r\nCause: 16\r\n\r\n"
                         b"Event: HangupRequest\r\nChannel: x\r\n\r\n"
                         b"Event: CoreShowChannel\r\nActionID: 7\r\n\r\n"
                         b"Response: Success\r\nActionID: 8\r\n\r\n")
    assert [(m.event, m.action_id) for m in _messages(items)] == [
        ("Hangup", None), ("CoreShowChannel", "7"), (None, "8")]
    assert decoder.skipped == 2


def test_one_channel_variable_is_read_without_building_the_mapping() -> None:
    (message,) = _messages(FrameDecoder(expect_banner=False).feed(
        b"Event: Hangup\r\nChanVariable: HOTLINE_CALL_ID=1.1\r\n"
        b"ChanVariable: HOTLINE_CALL_ID_OLD=9\r\nChanVariable:HOTLINE_LEG_ID=1.1-L2\r\n"
        b"ChanVariable: EMPTY=\r\n\r\n"))
    assert (message.variable("HOTLINE_CALL_ID"), message.variable("HOTLINE_LEG_ID"),
            message.variable("EMPTY"), message.variable("MISSING")) == (
        "1.1", "1.1-L2", "", None)
    built = AmiMessage((("Event", "Hangup"), ("chanvariable", "HOTLINE_CALL_ID=2.2")))
    assert built.variable("HOTLINE_CALL_ID") == "2.2"  # header names are case-insensitive


@pytest.mark.parametrize(("wire", "value"), [
    (b"Event: X\r\nA: q\r\r\n\r\n", "q\r"),  # a CR ending the last value, CRLF framing
    (b"Event: X\r\nA: q\r\r\nB: 1\r\n\r\n", "q\r"),
    (b"Event: X\r\nA:q\r\n\r\n", "q"),
    (b"Event: X\r\nA:  q\r\n\r\n", " q"),  # one space after the colon is the separator
])
def test_a_value_is_exactly_what_the_peer_put_between_separator_and_line_end(
    wire: bytes, value: str
) -> None:
    (message,) = _messages(FrameDecoder(expect_banner=False).feed(wire))
    assert (message.get("A"), dict(message.headers)["A"]) == (value, value)
