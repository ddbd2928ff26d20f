"""Desk-application commands: schema-validated at the boundary."""

from __future__ import annotations

import pytest

from router.core.events import TransferRequested
from router.desk import InvalidDeskCommand, parse_desk_command


def test_a_valid_transfer_command_becomes_a_transfer_request() -> None:
    payload = b'{"v": 1, "action": "transfer", "request_id": "d-1", "matter": "801", ' \
              b'"district": "pudong"}'
    assert parse_desk_command("1001", payload) == TransferRequested(
        request_id="d-1", matter_code="801", source="desk", operator="1001", district="pudong")


@pytest.mark.parametrize(("payload", "errors"), [
    (b"not json", ("payload is not JSON: Expecting value",)),
    (b"\xff\xfe", ("payload is not UTF-8",)),
    (b'{"v": 1, "action": "transfer", "request_id": "d-1", "matter": "\xef\xbc\x91\xef\xbc\x90'
     b'\xef\xbc\x91"}',
     ("matter: String should match pattern '^[0-9]{3}$'",)),
    (b'{"v": 1, "action": "transfer", "request_id": "d\\r\\nx", "matter": "101"}',
     ("request_id: String should match pattern '^[A-Za-z0-9._:-]+$'",)),
    (b'{"v": 2, "action": "wipe", "request_id": "d-2", "matter": "101", "extra": 1}',
     ("v: Input should be 1", "action: Input should be 'transfer'",
      "extra: Extra inputs are not permitted")),
])
def test_an_invalid_command_is_refused_with_every_reason(
    payload: bytes, errors: tuple[str, ...]
) -> None:
    result = parse_desk_command("1001", payload)
    assert isinstance(result, InvalidDeskCommand)
    assert result.errors == errors
