"""Bad input, generated (hypothesis): nothing the peer or a desk sends can crash the
router, inject headers, or grow memory without bound."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from router.ami.frames import AmiMessage, FrameDecoder, FrameError, encode_action
from router.ami.parse import parse_event
from router.desk import InvalidDeskCommand, parse_desk_command
from router.errors import AmiInjectionError, AmiParseError
from router.masking import mask_number

NAMES = st.sampled_from(["Event", "UserEvent", "Channel", "Uniqueid", "CallId", "Queue",
                         "MemberName", "ChanVariable", "Response", "ActionID", "Cause",
                         "BridgeNumChannels", "CallPriority", "Matter", "Status", "Penalty"])
VALUES = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                        blacklist_characters="\r\n"), max_size=40)
MESSAGES = st.lists(st.tuples(NAMES, VALUES), min_size=1, max_size=12)


def wire(messages: list[list[tuple[str, str]]]) -> bytes:
    return b"Asterisk Call Manager/11.0.0\r\n" + b"".join(
        ("".join(f"{k}: {v}\r\n" for k, v in m) + "\r\n").encode() for m in messages)


@given(st.lists(MESSAGES, min_size=1, max_size=6), st.lists(st.integers(0, 2000), max_size=8))
@settings(max_examples=300, deadline=None)
def test_any_segmentation_decodes_the_same_messages(
    messages: list[list[tuple[str, str]]], cuts: list[int]
) -> None:
    data = wire(messages)
    whole = FrameDecoder().feed(data)
    decoder, parts, last = FrameDecoder(), [], 0
    for cut in sorted({min(c, len(data)) for c in cuts}):
        parts += decoder.feed(data[last:cut])
        last = cut
    parts += decoder.feed(data[last:])
    assert parts == whole
    assert all(isinstance(m, AmiMessage) for m in whole)


VARIABLES = st.tuples(st.just("ChanVariable"), st.builds(
    "{}={}".format, st.sampled_from(["HOTLINE_CALL_ID", "HOTLINE_LEG_ID", "OTHER"]), VALUES))
CR_VALUES = st.text(alphabet=st.characters(blacklist_categories=("Cs",),
                                           blacklist_characters="\n"), max_size=40)


@given(st.lists(st.lists(st.one_of(st.tuples(NAMES, CR_VALUES), VARIABLES), min_size=1,
                         max_size=12), min_size=1, max_size=4),
       st.sampled_from(["\r\n", "\n"]))
@settings(max_examples=300, deadline=None)
def test_header_lookups_agree_with_the_headers_sent(
    messages: list[list[tuple[str, str]]], eol: str
) -> None:
    if eol == "\n":  # a bare-LF peer's CR before a line end is read as a CRLF line end
        messages = [[(k, v.rstrip("\r")) for k, v in m] for m in messages]
    data = ("Asterisk Call Manager/11.0.0" + eol + "".join(
        "".join(f"{k}: {v}{eol}" for k, v in m) + eol for m in messages)).encode()
    decoded = FrameDecoder().feed(data)
    assert [m.headers for m in decoded if isinstance(m, AmiMessage)] == [
        tuple(m) for m in messages]
    for message, sent in zip(decoded, messages, strict=True):
        assert isinstance(message, AmiMessage)
        for name in {k for k, _ in sent}:
            values = [v for k, v in sent if k == name]
            assert (message.get(name), message.get_all(name)) == (values[0], values)
        assert message.get("Absent") is None
        variables = message.variables()
        for name in ("HOTLINE_CALL_ID", "HOTLINE_LEG_ID", "OTHER", "ABSENT"):
            assert message.variable(name) == variables.get(name)


@given(st.binary(max_size=4000))
@settings(max_examples=500, deadline=None)
def test_arbitrary_bytes_never_raise_and_the_buffer_stays_bounded(data: bytes) -> None:
    decoder = FrameDecoder(max_message_bytes=1024)
    for offset in range(0, len(data), 97):
        for item in decoder.feed(data[offset:offset + 97]):
            assert isinstance(item, AmiMessage | FrameError)
            if isinstance(item, AmiMessage):
                with contextlib.suppress(AmiParseError):
                    parse_event(item)
    assert len(decoder._buffer) <= 1024 + 97 + 1  # the bound under test


@pytest.mark.parametrize("raw", [
    "Event: Hangup\r\nChannel: 张三\r\n\r\n".encode("gb18030"),  # a GB18030 peer
    b"Event: Hangup\x00\r\nCause: 1\x006\r\n\r\n",  # NUL bytes
    b"Event: Hangup\r\nno colon\r\n:empty name\r\n\r\n",  # headers without ": "
    b"Event: Hangup\nCause: 16\n\n",  # LF only
    b"Event: Hangup\r\nCause: 16\r\n",  # no blank line (yet)
])
def test_odd_frames_are_decoded_or_held_without_raising(raw: bytes) -> None:
    decoder = FrameDecoder(expect_banner=False)
    for item in decoder.feed(raw):
        assert isinstance(item, AmiMessage | FrameError)


def test_a_ten_megabyte_message_without_terminator_is_dropped_in_bounded_memory() -> None:
    decoder = FrameDecoder(expect_banner=False)
    errors = []
    for _ in range(160):  # 10 MiB in 64 KiB reads
        errors += decoder.feed(b"x" * 65536)
        assert len(decoder._buffer) <= (1 << 20) + 65536
    assert [e.reason for e in errors if isinstance(e, FrameError)] == ["oversized"]
    assert [m.event for m in decoder.feed(b"\r\n\r\nEvent: Next\r\n\r\n")
            if isinstance(m, AmiMessage)] == ["Next"]


@given(st.lists(st.tuples(st.text(max_size=12), st.text(max_size=30)), max_size=6))
@settings(max_examples=300, deadline=None)
def test_an_action_either_renders_exactly_its_headers_or_is_refused(
    headers: list[tuple[str, str]]
) -> None:
    try:
        frame = encode_action("Setvar", "a-1", headers)
    except AmiInjectionError:
        return
    lines = frame.decode().split("\r\n")
    assert lines[-2:] == ["", ""]
    assert len(lines) - 2 == 2 + len(headers)  # Action, ActionID, then exactly these


@given(st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_a_desk_payload_never_raises(payload: bytes) -> None:
    result = parse_desk_command("operator", "1001", payload)
    assert result is not None
    if isinstance(result, InvalidDeskCommand):
        assert result.errors


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_a_masked_number_never_shows_more_than_seven_digits(number: str) -> None:
    masked = mask_number(number)
    assert sum(ch.isdigit() for ch in masked) <= 7
