"""Presence of operators and specialists: log in/out, pause with a reason, resume (pure).

Pauses are honoured by selection through the queue board (a paused member is not
available), and by Asterisk itself (a paused member is never rung).
"""

from __future__ import annotations

from typing import Literal

from router.core.commands import Command, ReplyToParty, SetPresence
from router.core.events import PresenceRequested
from skills.catalogue import Catalogue

__all__ = ["LOGGED_OUT", "presence_commands"]

LOGGED_OUT = "logged-out"
Role = Literal["operator", "specialist"]


def presence_commands(catalogue: Catalogue, event: PresenceRequested) -> list[Command]:
    spec = catalogue.spec
    extensions: list[tuple[Role, str, str]] = [
        *(("specialist", pid, p.extension) for pid, p in spec.specialists.items()),
        *(("operator", pid, p.extension) for pid, p in spec.operators.items()),
    ]
    found: tuple[str, Role, str] | None = None  # (party, role, extension)
    for role, party_id, extension in extensions:
        if event.role not in (None, role):
            continue
        if (party_id if event.role else extension) == event.who:
            found = (party_id, role, extension)
    if found is None:
        if event.source == "desk" and event.role is not None:
            return [ReplyToParty(event.who, event.role, event.request_id, False, "unknown_party")]
        return []
    party_id, role, extension = found
    paused = event.action in ("logout", "pause")
    reason = LOGGED_OUT if event.action == "logout" else (
        (event.reason or "paused") if event.action == "pause" else "")
    out: list[Command] = [SetPresence(party_id, role, extension, paused, reason, event.source)]
    if event.source == "desk":
        out.append(ReplyToParty(party_id, role, event.request_id, True, "accepted"))
    return out
