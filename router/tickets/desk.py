"""The ticket desk: stores tickets the core asks for, delivers the outbox, sweeps overdue
tickets and answers the units' ticket commands.

Three named tasks: ``ticket-creator`` (stores each CreateTicket, then feeds TicketStored or
TicketFailed back to the core), ``ticket-outbox`` (publishes undelivered outbox messages in
order with QoS 1 and marks each delivered only after the broker's PUBACK: a broker outage
delays, never loses; a restart re-sends what was not acknowledged, with the same ticket id)
and ``ticket-sweeper`` (marks tickets overdue at their due time and publishes the
escalation). Ticket commands and the CLI change tickets through the same store.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from router.config import TicketSettings
from router.core.commands import CreateTicket
from router.core.events import Event, TicketFailed, TicketStored
from router.effects.mqtt import MqttBus
from router.errors import StoreError
from router.log import get_logger
from router.payloads import PayloadRejected, load_command, schema_errors
from router.tickets.lifecycle import TicketAction
from router.tickets.model import Ticket
from router.tickets.store import Refused, TicketStore

__all__ = ["DeskStats", "TicketCommand", "TicketDesk"]


class TicketCommand(BaseModel):
    """A unit's command on ``<p>/v1/units/<unit>/ticket-commands`` (schema v1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1]
    action: Literal["ack", "contacted", "close"]
    ticket_id: str = Field(pattern=r"^T\d{8}-\d{4,}$")
    request_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    note: str = Field(default="", max_length=500)


@dataclass(slots=True)
class DeskStats:
    created: int = 0
    duplicates: int = 0
    failed: int = 0
    delivered: int = 0
    overdue: int = 0


class TicketDesk:
    def __init__(self, store: TicketStore, bus: MqttBus, settings: TicketSettings,
                 feed: Callable[[Event], None], clock: Callable[[], float],
                 reply_topic: Callable[[str], str],
                 count: Callable[[str, Ticket, float], None] = lambda _k, _t, _a: None
                 ) -> None:
        self._count = count
        self.store = store
        self._bus = bus
        self._settings = settings
        self._feed = feed
        self._clock = clock
        self._reply_topic = reply_topic
        self._requests: asyncio.Queue[CreateTicket] = asyncio.Queue()
        self._wake_outbox = asyncio.Event()
        self._log = get_logger(component="tickets")
        self.stats = DeskStats()

    def create_nowait(self, command: CreateTicket) -> None:
        self._requests.put_nowait(command)

    async def run(self) -> None:
        async with asyncio.TaskGroup() as group:
            group.create_task(self._creator(), name="ticket-creator")
            group.create_task(self._outbox(), name="ticket-outbox")
            group.create_task(self._sweeper(), name="ticket-sweeper")

    async def _creator(self) -> None:
        while True:
            command = await self._requests.get()
            try:
                ticket, created = await asyncio.to_thread(self.store.create, command)
            except StoreError as exc:
                self.stats.failed += 1
                self._log.error("ticket_store_failed", call_id=command.call_id, error=str(exc))
                self._feed(TicketFailed(command.call_id, "store_unavailable"))
                continue
            if created:
                self.stats.created += 1
                self._count("created", ticket, ticket.created_at)
                self._log.info("ticket_created", call_id=command.call_id, ticket_id=ticket.id,
                               unit=ticket.unit, matter=ticket.matter, reason=ticket.reason,
                               due=ticket.due_local.isoformat(timespec="minutes"))
            else:
                self.stats.duplicates += 1
            self._wake_outbox.set()
            self._feed(TicketStored(command.call_id, ticket.id, ticket.unit, ticket.due_at,
                                    ticket.reason, created, ticket.calendar_provisional))

    async def _outbox(self) -> None:
        while True:
            try:
                pending = await asyncio.to_thread(self.store.pending)
            except StoreError as exc:
                self._log.error("ticket_outbox_unreadable", error=str(exc))
                pending = []
            for message in pending:
                await self._bus.publish_confirmed(message.topic, message.payload.encode())
                await asyncio.to_thread(self.store.mark_delivered, message.seq, self._clock())
                self.stats.delivered += 1
            if not pending:
                self._wake_outbox.clear()
                with contextlib.suppress(TimeoutError):
                    # the CLI writes to the same store: look again now and then
                    async with asyncio.timeout(self._settings.outbox_poll_s):
                        await self._wake_outbox.wait()

    async def _sweeper(self) -> None:
        while True:
            now = self._clock()
            try:
                for ticket in await asyncio.to_thread(self.store.due_before, now):
                    updated = await asyncio.to_thread(self.store.apply, ticket.id,
                                                      TicketAction.OVERDUE, "sweeper", now)
                    if updated is not None and not isinstance(updated, Refused):
                        self.stats.overdue += 1
                        self._count("overdue", updated, now)
                        self._log.warning("ticket_overdue", ticket_id=ticket.id,
                                          unit=ticket.unit,
                                          due=ticket.due_local.isoformat(timespec="minutes"))
                        self._wake_outbox.set()
            except StoreError as exc:
                self._log.error("ticket_sweep_failed", error=str(exc))
            await asyncio.sleep(self._settings.sweep_interval_s)

    def handle_command(self, unit: str, payload: bytes) -> None:
        """A unit's system acknowledges, reports contact with, or closes one of its tickets."""
        request_id: str | None = None
        try:
            raw = load_command(payload)
            request_id = _request_id(raw.get("request_id"))
            command = TicketCommand.model_validate(raw)
        except PayloadRejected as exc:
            self._reply(unit, request_id, False, "invalid_command", errors=[exc.reason])
            return
        except ValidationError as exc:
            errors = schema_errors(exc)
            self._reply(unit, request_id, False, "invalid_command", errors=errors)
            return
        ticket = self.store.get(command.ticket_id)
        if ticket is None or ticket.unit != unit:
            self._reply(unit, command.request_id, False, "unknown_ticket")
            return
        result = self.store.apply(ticket.id, TicketAction(command.action), f"unit:{unit}",
                                  self._clock(), command.note)
        if isinstance(result, Refused):
            self._reply(unit, command.request_id, False, "illegal_transition",
                        detail=result.reason, status=result.ticket.status.value)
            return
        assert result is not None
        self._wake_outbox.set()
        self._reply(unit, command.request_id, True, "accepted", status=result.status.value)

    def _reply(self, unit: str, request_id: str | None, accepted: bool, reason: str,
               **extra: object) -> None:
        self._bus.publish_nowait(self._reply_topic(unit), {
            "v": 1, "request_id": request_id, "accepted": accepted, "reason": reason, **extra})


def _request_id(value: object) -> str | None:
    """The sender's request id echoed in a refusal: a short string, or nothing."""
    return value[:64] if isinstance(value, str) else None
