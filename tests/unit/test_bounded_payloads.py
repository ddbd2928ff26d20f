"""Inbound commands are bounded before they are decoded: nesting, size, encoding, shape.
Generated payloads for every command topic are refused with a reason, never an exception."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from router.desk import InvalidDeskCommand, parse_desk_command
from router.payloads import PayloadRejected, load_command, nesting_depth

TRANSFER = {"v": 1, "action": "transfer", "request_id": "desk-1", "matter": "101"}


@pytest.mark.parametrize(("payload", "depth"), [
    (b'{"a": 1}', 1), (b'{"a": [1, {"b": []}]}', 4), (b'"[[[[["', 0),
    (b'{"a": "\\"[[["}', 1), (b"[" * 5000, 5), (b'{"k": "]]]]"}', 1),
])
def test_nesting_is_counted_outside_strings_and_the_scan_stops_at_the_limit(
    payload: bytes, depth: int
) -> None:
    assert nesting_depth(payload, stop_at=5) == depth


@pytest.mark.parametrize(("payload", "reason"), [
    (b"[" * 5000, "payload is 5000 bytes; the limit is 4096"),
    (b"[" * 100, "payload nests deeper than 4 levels"),
    (json.dumps({**TRANSFER, "matter": json.loads("[" * 500 + "]" * 500)}).encode(),
     "payload nests deeper than 4 levels"),
    (json.dumps({**TRANSFER, "pad": "x" * 5000}).encode(),
     "payload is 5082 bytes; the limit is 4096"),
    (b"\xff\xfe", "payload is not UTF-8"),
    (b"[1, 2]", "payload is not a JSON object"),
    (b'{"v": 1', "payload is not JSON: unexpected end of data"),
])
def test_hostile_payloads_are_refused_with_a_reason(payload: bytes, reason: str) -> None:
    with pytest.raises(PayloadRejected) as exc:
        load_command(payload)
    assert exc.value.reason == reason


def test_a_deeply_nested_transfer_is_an_invalid_command_answered_at_once() -> None:
    payload = b'{"v": 1, "action": "transfer", "request_id": "r9", "matter": ' + \
        b"[" * 5000 + b"]" * 5000 + b"}"
    refused = parse_desk_command("operator", "1001", payload)
    assert refused == InvalidDeskCommand("1001", "operator", "", (
        "payload is 10062 bytes; the limit is 4096",))
    small = b'{"v": 1, "action": "transfer", "request_id": "r9", "matter": ' + \
        b"[" * 1000 + b"]" * 1000 + b"}"
    assert parse_desk_command("operator", "1001", small) == InvalidDeskCommand(
        "1001", "operator", "", ("payload nests deeper than 4 levels",))


JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=20))
JSON_VALUES = st.recursive(JSON_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=40)


@given(st.one_of(
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(["v", "action", "request_id", "matter", "district",
                                     "confirm", "reason", "ticket_id", "note", "extra"]),
                    JSON_VALUES, max_size=8).map(lambda v: json.dumps(v).encode()),
    st.integers(1, 20_000).map(lambda n: b'{"v": 1, "matter": ' + b"[" * n),
    st.binary(max_size=300),
))
@settings(max_examples=400, deadline=None, derandomize=True)
def test_any_payload_on_a_desk_topic_is_a_command_or_a_reasoned_refusal(payload: bytes
                                                                       ) -> None:
    for role in ("operator", "specialist"):
        parsed = parse_desk_command(role, "1001", payload)
        if isinstance(parsed, InvalidDeskCommand):
            assert parsed.errors
            assert all(isinstance(e, str) and len(e) < 600 for e in parsed.errors)
