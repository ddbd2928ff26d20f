"""MQTT topics, version 1 (public API, docs/mqtt.md).

Every topic starts with ``<prefix>/v1/`` (prefix ``hotline`` unless configured). Payloads
are UTF-8 JSON objects with ``"v": 1``. Published with QoS 1: a consumer may see a message
twice after a reconnect and must de-duplicate on ``event_id`` (events) or ``request_id``
(replies).

================================================  =========  ==================================
topic                                             direction  payload
================================================  =========  ==================================
``<p>/v1/calls/<call id>/events``                 out        one step of a call
``<p>/v1/operators/<operator>/commands``          in         a desk application's command
``<p>/v1/operators/<operator>/replies``           out        the answer to a command
``<p>/v1/operators/<operator>/notices``           out        news about the operator's call
``<p>/v1/operators/<operator>/presence``          out        logged in / paused (retained)
``<p>/v1/specialists/<id>/commands``              in         presence commands
``<p>/v1/specialists/<id>/replies``               out        the answer to a command
``<p>/v1/specialists/<id>/presence``              out        logged in / paused (retained)
``<p>/v1/units/<unit>/tickets``                   out        tickets created/updated (outbox)
``<p>/v1/units/<unit>/escalations``               out        overdue tickets (outbox)
``<p>/v1/units/<unit>/ticket-commands``           in         ack / contacted / close
``<p>/v1/units/<unit>/ticket-replies``            out        the answer to a ticket command
``<p>/v1/alerts/<kind>``                          out        e.g. calendar data missing
``<p>/v1/admin/commands``                         in         e.g. reload the catalogue
``<p>/v1/admin/replies``                          out        the answer
``<p>/v1/router/status``                          out        ``online`` / ``offline`` (retained)
================================================  =========  ==================================
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["TOPICS_VERSION", "Topics"]

TOPICS_VERSION = "v1"
Role = Literal["operator", "specialist"]


@dataclass(frozen=True, slots=True)
class Topics:
    prefix: str = "hotline"

    @property
    def root(self) -> str:
        return f"{self.prefix}/{TOPICS_VERSION}"

    def call_events(self, call_id: str) -> str:
        return f"{self.root}/calls/{call_id}/events"

    def all_call_events(self) -> str:
        return f"{self.root}/calls/+/events"

    def party(self, role: str, party: str, leaf: str) -> str:
        """``<root>/<operators|specialists>/<id>/<commands|replies|presence|notices>``."""
        return f"{self.root}/{role}s/{party}/{leaf}"

    def party_of_command(self, topic: str) -> tuple[Role, str] | None:
        """(role, id) a command topic names, or None if it is not a party command topic."""
        parts = topic.split("/")
        head = self.root.split("/")
        if len(parts) != len(head) + 3 or parts[: len(head)] != head or parts[-1] != "commands":
            return None
        family, party = parts[len(head)], parts[len(head) + 1]
        roles: dict[str, Role] = {"operators": "operator", "specialists": "specialist"}
        role = roles.get(family)
        return (role, party) if role and party else None

    def subscriptions(self) -> list[str]:
        return [f"{self.root}/operators/+/commands", f"{self.root}/specialists/+/commands",
                f"{self.root}/units/+/ticket-commands", self.admin_commands()]

    def unit(self, unit: str, leaf: str) -> str:
        """``<root>/units/<unit>/<tickets|escalations|ticket-commands|ticket-replies>``."""
        return f"{self.root}/units/{unit}/{leaf}"

    def unit_of_ticket_command(self, topic: str) -> str | None:
        parts = topic.split("/")
        head = self.root.split("/")
        if (len(parts) == len(head) + 3 and parts[: len(head)] == head
                and parts[len(head)] == "units" and parts[-1] == "ticket-commands"):
            return parts[len(head) + 1] or None
        return None

    def alerts(self, kind: str) -> str:
        return f"{self.root}/alerts/{kind}"

    def admin_commands(self) -> str:
        return f"{self.root}/admin/commands"

    def admin_replies(self) -> str:
        return f"{self.root}/admin/replies"

    def status(self) -> str:
        return f"{self.root}/router/status"

