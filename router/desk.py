"""Commands from operators' desk applications over MQTT (schema v1, docs/mqtt.md).

Topic ``<prefix>/v1/operators/<operator>/commands``, payload::

    {"v": 1, "action": "transfer", "request_id": "desk-42", "matter": "101",
     "district": "pudong"}

A command that does not fit the schema is answered on the operator's replies topic with
``accepted: false`` and ``reason: "invalid_command"`` and the validation errors; it never
reaches the core.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from router.core.events import TransferRequested

__all__ = ["DeskCommand", "InvalidDeskCommand", "parse_desk_command"]


class DeskCommand(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1]
    action: Literal["transfer"]
    request_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    matter: str = Field(pattern=r"^[0-9]{3}$")
    district: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]{0,31}$")


@dataclass(frozen=True, slots=True)
class InvalidDeskCommand:
    operator: str
    request_id: str
    errors: tuple[str, ...]


def parse_desk_command(operator: str, payload: bytes) -> TransferRequested | InvalidDeskCommand:
    request_id = ""
    try:
        raw = json.loads(payload.decode("utf-8"))
        if isinstance(raw, dict) and isinstance(raw.get("request_id"), str):
            request_id = raw["request_id"][:64]
        command = DeskCommand.model_validate(raw)
    except UnicodeDecodeError:
        return InvalidDeskCommand(operator, request_id, ("payload is not UTF-8",))
    except json.JSONDecodeError as exc:
        return InvalidDeskCommand(operator, request_id, (f"payload is not JSON: {exc.msg}",))
    except ValidationError as exc:
        return InvalidDeskCommand(operator, request_id, tuple(
            f"{'.'.join(str(p) for p in err['loc']) or '<payload>'}: {err['msg']}"
            for err in exc.errors()))
    return TransferRequested(request_id=command.request_id, matter_code=command.matter,
                             source="desk", operator=operator, district=command.district)
