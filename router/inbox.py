"""Inbound MQTT commands and catalogue reloads (the service's mailbox).

Desk applications (operators' transfers and presence, specialists' presence), the units'
ticket systems and administrators (reload) all speak to the router here. Each command is
validated at the boundary; what is malformed or unauthorised is answered with a reason on
the sender's replies topic and never reaches the core.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from router.ami.client import AmiAction, AmiClient
from router.ami.membership import reconcile_membership
from router.config import CatalogueSettings, Settings
from router.core.events import ConfigReplaced
from router.core.hours import local
from router.desk import InvalidDeskCommand, parse_desk_command
from router.effects.mqtt import MqttBus
from router.effects.topics import Topics
from router.errors import AmiError
from router.event_queue import EventQueue
from router.log import get_logger
from router.payloads import PayloadRejected, load_command, schema_errors
from router.ports import CoreView
from skills.calendar import (
    WorkCalendar,
    calendar_changes,
    load_calendar_overrides,
    years_in_view,
)
from skills.catalogue import Catalogue, CatalogueInvalid, load_catalogue
from skills.changes import catalogue_changes

__all__ = ["AdminCommand", "Inbox"]


class AdminCommand(BaseModel):
    """``<p>/v1/admin/commands``: ``{"v": 1, "action": "reload", "request_id": "..."}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1]
    action: Literal["reload"]
    request_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")


class Inbox:
    def __init__(self, settings: Settings, topics: Topics, bus: MqttBus, core: CoreView,
                 events: EventQueue, ticket_command: Callable[[str, bytes], None],
                 ami: AmiClient, clock: Callable[[], float]) -> None:
        self._settings = settings
        self._topics = topics
        self._bus = bus
        self._core = core
        self._events = events
        self._ticket_command = ticket_command
        self._ami = ami
        self._clock = clock
        self.rejected = 0  # desk commands refused (invalid, unknown party)
        self._reloads: asyncio.Queue[str] = asyncio.Queue()
        self._log = get_logger(component="inbox")

    async def on_message(self, topic: str, payload: bytes) -> None:
        """An MQTT command: a desk application's (operators, specialists) or an admin's."""
        if topic == self._topics.admin_commands():
            await self._on_admin(payload)
            return
        unit = self._topics.unit_of_ticket_command(topic)
        if unit is not None:
            self._ticket_command(unit, payload)
            return
        target = self._topics.party_of_command(topic)
        if target is None:
            return
        role, party = target
        reply_topic = self._topics.party(role, party, "replies")
        parsed = parse_desk_command(role, party, payload)
        if isinstance(parsed, InvalidDeskCommand):
            self.rejected += 1
            self._log.warning("desk_command_invalid", role=role, party=party,
                              errors=parsed.errors)
            self._bus.publish_nowait(reply_topic, {
                "v": 1, "request_id": parsed.request_id or None, "accepted": False,
                "reason": "invalid_command", "errors": list(parsed.errors)})
            return
        spec = self._core.catalogue.spec
        if party not in (spec.operators if role == "operator" else spec.specialists):
            self.rejected += 1
            self._log.warning("desk_command_unknown_party", role=role, party=party)
            self._bus.publish_nowait(reply_topic, {
                "v": 1, "request_id": parsed.request_id, "accepted": False,
                "reason": "unknown_party"})
            return
        await self._events.put(parsed)

    async def _on_admin(self, payload: bytes) -> None:
        request_id: str | None = None
        try:
            raw = load_command(payload, max_bytes=512, max_depth=1)
            request_id = raw["request_id"][:64] if isinstance(raw.get("request_id"), str) \
                else None
            command = AdminCommand.model_validate(raw)
        except PayloadRejected as exc:
            errors = [exc.reason]
        except ValidationError as exc:
            errors = schema_errors(exc)
        else:
            self.request_reload(command.request_id)
            return
        self._bus.publish_nowait(self._topics.admin_replies(), {
            "v": 1, "request_id": request_id, "accepted": False, "reason": "invalid_command",
            "errors": errors})

    def request_reload(self, request_id: str = "") -> None:
        """Reload the catalogue and the calendar (SIGHUP, or an MQTT admin command)."""
        self._reloads.put_nowait(request_id)

    async def reloader(self) -> None:
        while True:
            request_id = await self._reloads.get()
            result = await self._reload()
            self._bus.publish_nowait(self._topics.admin_replies(), {
                "v": 1, "request_id": request_id or None, **result})

    async def _reload(self) -> dict[str, object]:
        """Re-read everything the router reads from files (the catalogue with its units'
        working hours, the calendar overrides), validate it whole, and hand it to the engine
        through the event queue as one snapshot. A file with problems changes nothing."""
        settings = self._settings.catalogue
        try:
            # parsed in a worker thread, with a deadline: routing never waits for a file
            async with asyncio.timeout(self._settings.service.reload_timeout_s):
                catalogue, calendar = await asyncio.to_thread(_load, settings)
        except TimeoutError:
            errors = [f"reading and validating the files took over "
                      f"{self._settings.service.reload_timeout_s} s"]
            self._log.error("config_reload_refused", reason="reload_timeout", errors=errors)
            return {"accepted": False, "reason": "reload_timeout", "errors": errors}
        except _Refused as exc:
            self._log.error("config_reload_refused", reason=exc.reason, errors=exc.errors)
            return {"accepted": False, "reason": exc.reason, "errors": exc.errors}
        path = settings.path
        try:
            status = await self._ami.send(AmiAction("QueueStatus"))
            on_pbx = {e.get("Queue") for e in status.events if e.event == "QueueParams"}
            missing = sorted(set(catalogue.queues()) - on_pbx)
            if missing:
                errors = [f"{path}: units: team queue {q!r} does not exist on the PBX "
                          "(render-queues, then reload app_queue)" for q in missing]
                self._log.error("config_reload_refused", reason="queues_missing_on_pbx",
                                errors=errors)
                return {"accepted": False, "reason": "queues_missing_on_pbx", "errors": errors}
            engine = self._core
            changes = [*catalogue_changes(engine.catalogue, catalogue),
                       *calendar_changes(engine.calendar, calendar,
                                         years_in_view(local(self._clock()).year,
                                                       engine.calendar, calendar))]
            await self._events.put(ConfigReplaced(catalogue, calendar))
            membership = await reconcile_membership(self._ami, catalogue,
                                                    self._settings.dialplan, status.events)
        except AmiError as exc:
            self._log.error("config_reload_failed", error=type(exc).__name__, detail=str(exc))
            return {"accepted": False, "reason": "pbx_unreachable", "errors": [str(exc)]}
        self._log.info("config_reloaded", path=str(path), matters=len(catalogue.matters),
                       membership_changes=len(membership), changes=changes)
        return {"accepted": True, "reason": "reloaded", "matters": len(catalogue.matters),
                "membership_changes": len(membership), "changes": changes}


class _Refused(Exception):
    def __init__(self, reason: str, errors: list[str]) -> None:
        self.reason, self.errors = reason, errors
        super().__init__(reason)


def _load(settings: CatalogueSettings) -> tuple[Catalogue, WorkCalendar]:
    """Both files, or _Refused with every problem (runs in a worker thread: parsing a file
    must not hold up the event loop)."""
    try:
        catalogue = load_catalogue(settings.path)
    except CatalogueInvalid as exc:
        raise _Refused("invalid_catalogue", [str(p) for p in exc.problems]) from exc
    try:
        calendar = load_calendar_overrides(settings.calendar_overrides)
    except CatalogueInvalid as exc:
        raise _Refused("invalid_calendar", [str(p) for p in exc.problems]) from exc
    return catalogue, calendar

