"""Desk-application commands: schema-validated at the boundary."""

from __future__ import annotations

import pytest

from router.core.events import PresenceRequested, TransferRequested
from router.desk import InvalidDeskCommand, parse_desk_command


def test_a_valid_transfer_command_becomes_a_transfer_request() -> None:
    payload = b'{"v": 1, "action": "transfer", "request_id": "d-1", "matter": "801", ' \
              b'"district": "pudong"}'
    assert parse_desk_command("operator", "1001", payload) == TransferRequested(
        request_id="d-1", matter_code="801", source="desk", operator="1001", district="pudong")


def test_a_pause_with_a_reason_becomes_a_presence_request() -> None:
    payload = b'{"v": 1, "action": "pause", "request_id": "d-2", "reason": "lunch"}'
    assert parse_desk_command("specialist", "2001", payload) == PresenceRequested(
        "2001", "pause", "desk", reason="lunch", request_id="d-2", role="specialist")


@pytest.mark.parametrize(("role", "payload", "errors"), [
    ("operator", b"not json", ("payload is not JSON: invalid literal, expected 'null'",)),
    ("operator", b"\xff\xfe", ("payload is not UTF-8",)),
    ("operator", b'{"v": 1, "action": "transfer", "request_id": "d-1", "matter": '
     b'"\xef\xbc\x91\xef\xbc\x90\xef\xbc\x91"}',
     ("matter: String should match pattern '^[0-9]{3}$'",)),
    ("operator", b'{"v": 1, "action": "transfer", "request_id": "d\\r\\nx", "matter": "101"}',
     ("request_id: String should match pattern '^[A-Za-z0-9._:-]+$'",)),
    ("operator", b'{"v": 2, "action": "transfer", "request_id": "d-2", "matter": "101", '
     b'"extra": 1}',
     ("v: Input should be 1", "extra: Extra inputs are not permitted")),
    ("operator", b'{"v": 1, "action": "wipe", "request_id": "d-3"}',
     ("action: must be one of 'transfer', 'login', 'logout', 'pause', 'unpause'",)),
    # the sender's value is not echoed back, however large
    ("operator", b'{"v": 1, "action": [' + b"1," * 1000 + b'1], "request_id": "d-5"}',
     ("action: must be one of 'transfer', 'login', 'logout', 'pause', 'unpause'",)),
    ("specialist", b'{"v": 1, "action": "transfer", "request_id": "d-4", "matter": "101"}',
     ("action: only operators transfer calls",)),
])
def test_an_invalid_command_is_refused_with_every_reason(
    role: str, payload: bytes, errors: tuple[str, ...]
) -> None:
    result = parse_desk_command(role, "1001", payload)  # type: ignore[arg-type]
    assert isinstance(result, InvalidDeskCommand)
    assert result.errors == errors
