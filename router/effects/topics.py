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
``<p>/v1/router/status``                          out        ``online`` / ``offline`` (retained)
================================================  =========  ==================================
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TOPICS_VERSION", "Topics"]

TOPICS_VERSION = "v1"


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

    def operator_commands(self, operator: str = "+") -> str:
        return f"{self.root}/operators/{operator}/commands"

    def operator_replies(self, operator: str) -> str:
        return f"{self.root}/operators/{operator}/replies"

    def operator_notices(self, operator: str) -> str:
        return f"{self.root}/operators/{operator}/notices"

    def status(self) -> str:
        return f"{self.root}/router/status"

    def operator_of_command(self, topic: str) -> str | None:
        """The operator a command topic names, or None if it is not a command topic."""
        head = f"{self.root}/operators/"
        if not topic.startswith(head) or not topic.endswith("/commands"):
            return None
        operator = topic[len(head):-len("/commands")]
        return operator if operator and "/" not in operator else None
