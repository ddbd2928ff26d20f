"""Commands from desk applications over MQTT (schema v1, docs/mqtt.md).

Topics ``<prefix>/v1/operators/<id>/commands`` and ``<prefix>/v1/specialists/<id>/commands``::

    {"v": 1, "action": "transfer", "request_id": "desk-42", "matter": "101",
     "district": "pudong"}                                   (operators only)
    {"v": 1, "action": "pause", "request_id": "desk-43", "reason": "lunch"}
    {"v": 1, "action": "login" | "logout" | "unpause", "request_id": "desk-44"}

A command that does not fit the schema is answered on the party's replies topic with
``accepted: false``, ``reason: "invalid_command"`` and the validation errors; it never
reaches the core.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from router.core.events import PresenceRequested, TransferRequested
from router.payloads import PayloadRejected, load_command, schema_errors

__all__ = ["DeskCommand", "InvalidDeskCommand", "parse_desk_command"]

Role = Literal["operator", "specialist"]
_REQUEST_ID = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1]
    request_id: str = _REQUEST_ID


class TransferCommand(_Command):
    action: Literal["transfer"]
    matter: str = Field(pattern=r"^[0-9]{3}$")
    district: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]{0,31}$")
    # an emergency matter (110/119/120) is transferred only when confirmed
    confirm: bool = False


class PresenceCommand(_Command):
    action: Literal["login", "logout", "pause", "unpause"]
    reason: str = Field(default="", max_length=32, pattern=r"^[a-z0-9_-]*$")


DeskCommand = Annotated[TransferCommand | PresenceCommand, Field(discriminator="action")]
_ADAPTER: TypeAdapter[TransferCommand | PresenceCommand] = TypeAdapter(DeskCommand)


@dataclass(frozen=True, slots=True)
class InvalidDeskCommand:
    party: str
    role: Role
    request_id: str
    errors: tuple[str, ...]


def _where(loc: tuple[int | str, ...], kind: str) -> str:
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        return "action"
    # loc[0] is the union member ("transfer", "pause", ...): the payload's key follows
    return ".".join(str(p) for p in loc[1:]) or "<payload>"


def parse_desk_command(role: Role, party: str, payload: bytes
                       ) -> TransferRequested | PresenceRequested | InvalidDeskCommand:
    request_id = ""

    def invalid(*errors: str) -> InvalidDeskCommand:
        return InvalidDeskCommand(party, role, request_id, errors)

    try:
        raw = load_command(payload)
        if isinstance(raw.get("request_id"), str):
            request_id = raw["request_id"][:64]
        command = _ADAPTER.validate_python(raw)
    except PayloadRejected as exc:
        return invalid(exc.reason)
    except ValidationError as exc:
        return invalid(*schema_errors(exc, _where))
    if isinstance(command, TransferCommand):
        if role != "operator":
            return invalid("action: only operators transfer calls")
        return TransferRequested(request_id=command.request_id, matter_code=command.matter,
                                 source="desk", operator=party, district=command.district,
                                 confirmed=command.confirm)
    return PresenceRequested(party, command.action, "desk", reason=command.reason,
                             request_id=command.request_id, role=role)
