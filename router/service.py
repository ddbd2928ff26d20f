"""The service: one consumer loop, event queue -> engine -> executor.

Tasks (one TaskGroup, each named): the AMI link, the AMI pump (parse, resync on every
login), the MQTT bus, the metrics recorder and the core consumer. Every source of events
(AMI, desk commands, timers, executor feedback) feeds one bounded queue, so the engine
sees one ordered stream and needs no lock.

Graceful stop (SIGTERM): new transfer requests are refused (``shutting_down``), calls in
progress keep being tracked, the AMI actions already written, the MQTT outbox and the
metrics buffer are drained (bounded wait), then the connections close.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from metrics.recorder import Recorder
from router.ami.client import AmiAction, AmiClient, LinkState
from router.ami.membership import reconcile_membership
from router.ami.parse import parse_event
from router.ami.snapshot import channel_snapshots, queue_snapshot
from router.config import Settings
from router.core import events as ev
from router.core.commands import ReplyToRequest
from router.core.engine import Engine
from router.desk import InvalidDeskCommand, parse_desk_command
from router.effects.executor import Executor
from router.effects.mqtt import MqttBus
from router.effects.timers import Timers
from router.effects.topics import Topics
from router.errors import AmiError, AmiParseError
from router.health import Health, write_health_file
from router.log import get_logger
from router.tickets.desk import TicketDesk
from router.tickets.store import TicketStore
from skills.catalogue import CatalogueInvalid, load_catalogue

__all__ = ["Service", "ServiceStats"]


@dataclass(slots=True)
class ServiceStats:
    events: int = 0
    parse_errors: int = 0
    resyncs: int = 0
    desk_rejected: int = 0


class _Stop(Exception):
    pass


class Service:
    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine,
        ami: AmiClient,
        bus: MqttBus,
        recorder: Recorder,
        topics: Topics,
        tickets: TicketStore,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.ami = ami
        self.bus = bus
        self.recorder = recorder
        self.topics = topics
        self.clock = clock
        self.events: asyncio.Queue[ev.Event] = asyncio.Queue(settings.ami.event_queue_size)
        self.timers = Timers(self._feed_nowait, clock)
        self.tickets = TicketDesk(tickets, bus, settings.tickets, self._feed_nowait, clock,
                                  lambda unit: topics.unit(unit, "ticket-replies"))
        self.executor = Executor(ami, bus, recorder, self.timers, topics, self._feed_nowait,
                                 settings.dialplan, self.tickets.create_nowait)
        self.stats = ServiceStats()
        self.stopping = False
        self.ready = asyncio.Event()  # set after the first resync
        self._stop = asyncio.Event()
        self._reloads: asyncio.Queue[str] = asyncio.Queue()
        self._log = get_logger(component="service")

    def request_stop(self) -> None:
        """Begin a graceful stop (SIGTERM handler)."""
        self.stopping = True
        self._stop.set()

    async def run(self) -> None:
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self.ami.run(), name="ami-link")
                group.create_task(self._pump(), name="ami-pump")
                group.create_task(self.bus.run(self._on_message,
                                               tuple(self.topics.subscriptions())),
                                  name="mqtt-bus")
                group.create_task(self._reloader(), name="catalogue-reloader")
                group.create_task(self.tickets.run(), name="ticket-desk")
                group.create_task(self.recorder.run(), name="metrics-recorder")
                group.create_task(self._consume(), name="router-core")
                if self.settings.service.health_file is not None:
                    group.create_task(self._report_health(self.settings.service.health_file),
                                      name="health")
                await self._stop.wait()
                self._log.info("stopping", calls_in_progress=len(self.engine.calls))
                await self._drain()
                raise _Stop
        except* _Stop:
            pass
        finally:
            self.timers.cancel_all()
        self._log.info("stopped")

    async def _drain(self) -> None:
        deadline = self.settings.service.drain_timeout_s
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(deadline):
                await self.events.join()
        await self.executor.drain(deadline)
        await self.bus.drain(deadline)
        await self.recorder.drain(deadline)

    def _feed_nowait(self, event: ev.Event) -> None:
        try:
            self.events.put_nowait(event)
        except asyncio.QueueFull:
            self._log.error("event_queue_full", dropped=type(event).__name__)

    async def _consume(self) -> None:
        while True:
            event = await self.events.get()
            self.stats.events += 1
            try:
                if self.stopping and isinstance(event, ev.TransferRequested):
                    self.executor.execute([ReplyToRequest(
                        event.call_id or "", event.request_id, event.source, event.operator,
                        event.operator_channel, False, "shutting_down")])
                else:
                    self.executor.execute(self.engine.feed(event, self.clock()))
            finally:
                self.events.task_done()

    async def _pump(self) -> None:
        while True:
            item = await self.ami.events.get()
            if isinstance(item, LinkState):
                if item.up:
                    await self._resync()
                else:
                    await self.events.put(ev.LinkDown(item.reason))
                continue
            try:
                event = parse_event(item)
            except AmiParseError as exc:
                self.stats.parse_errors += 1
                self._log.warning("ami_parse_error", error=str(exc))
                continue
            if event is not None:
                await self.events.put(event)

    async def _resync(self) -> None:
        """After each login: reconcile queue membership, then the calls in flight."""
        try:
            status = await self.ami.send(AmiAction("QueueStatus"))
            await self.events.put(queue_snapshot(status.events, self.clock()))
            changes = await reconcile_membership(self.ami, self.engine.catalogue,
                                                 self.settings.dialplan, status.events)
            response = await self.ami.send(AmiAction("CoreShowChannels"))
        except AmiError as exc:
            self._log.warning("resync_failed", error=type(exc).__name__, detail=str(exc))
            return
        self.stats.resyncs += 1
        snapshots = channel_snapshots(response.events)
        self._log.info("resynced", resyncs=self.stats.resyncs, channels=len(snapshots),
                       membership_changes=len(changes))
        await self.events.put(ev.Resynced(snapshots))
        self.ready.set()

    def health(self) -> Health:
        return Health(
            at=self.clock(),
            ami_logged_in=self.ami.connected.is_set(),
            redis_reachable=self.recorder.stats.connected or self.recorder.backlog == 0,
            mqtt_connected=self.bus.stats.connected,
            calls_in_progress=len(self.engine.calls),
            metrics_backlog=self.recorder.backlog,
            mqtt_backlog=self.bus.backlog,
        )

    async def _report_health(self, path: Path) -> None:
        while True:
            try:
                write_health_file(path, self.health())
            except OSError as exc:
                self._log.warning("health_file_unwritable", path=str(path), error=str(exc))
            await asyncio.sleep(self.settings.service.health_interval_s)

    async def _on_message(self, topic: str, payload: bytes) -> None:
        """An MQTT command: a desk application's (operators, specialists) or an admin's."""
        if topic == self.topics.admin_commands():
            await self._on_admin(payload)
            return
        unit = self.topics.unit_of_ticket_command(topic)
        if unit is not None:
            self.tickets.handle_command(unit, payload)
            return
        target = self.topics.party_of_command(topic)
        if target is None:
            return
        role, party = target
        reply_topic = self.topics.party(role, party, "replies")
        parsed = parse_desk_command(role, party, payload)
        if isinstance(parsed, InvalidDeskCommand):
            self.stats.desk_rejected += 1
            self._log.warning("desk_command_invalid", role=role, party=party,
                              errors=parsed.errors)
            self.bus.publish_nowait(reply_topic, {
                "v": 1, "request_id": parsed.request_id or None, "accepted": False,
                "reason": "invalid_command", "errors": list(parsed.errors)})
            return
        spec = self.engine.catalogue.spec
        if party not in (spec.operators if role == "operator" else spec.specialists):
            self.stats.desk_rejected += 1
            self._log.warning("desk_command_unknown_party", role=role, party=party)
            self.bus.publish_nowait(reply_topic, {
                "v": 1, "request_id": parsed.request_id, "accepted": False,
                "reason": "unknown_party"})
            return
        await self.events.put(parsed)

    async def _on_admin(self, payload: bytes) -> None:
        request_id: str | None = None
        try:
            command = json.loads(payload)
            request_id = command.get("request_id") if isinstance(command, dict) else None
            valid = isinstance(command, dict) and command.get("v") == 1 and command.get(
                "action") == "reload"
        except ValueError:
            valid = False
        if not valid:
            self.bus.publish_nowait(self.topics.admin_replies(), {
                "v": 1, "request_id": request_id, "accepted": False, "reason": "invalid_command",
                "errors": ['expected {"v": 1, "action": "reload", "request_id": "..."}']})
            return
        self.request_reload(str(request_id or ""))

    def request_reload(self, request_id: str = "") -> None:
        """Reload the catalogue (SIGHUP, or an MQTT admin command)."""
        self._reloads.put_nowait(request_id)

    async def _reloader(self) -> None:
        while True:
            request_id = await self._reloads.get()
            result = await self._reload()
            self.bus.publish_nowait(self.topics.admin_replies(), {
                "v": 1, "request_id": request_id or None, **result})

    async def _reload(self) -> dict[str, object]:
        path = self.settings.catalogue.path
        try:
            catalogue = load_catalogue(path)
        except CatalogueInvalid as exc:
            errors = [str(p) for p in exc.problems]
            self._log.error("catalogue_reload_refused", path=str(path), errors=errors)
            return {"accepted": False, "reason": "invalid_catalogue", "errors": errors}
        try:
            status = await self.ami.send(AmiAction("QueueStatus"))
            on_pbx = {e.get("Queue") for e in status.events if e.event == "QueueParams"}
            missing = sorted(set(catalogue.queues()) - on_pbx)
            if missing:
                errors = [f"{path}: units: team queue {q!r} does not exist on the PBX "
                          "(render-queues, then reload app_queue)" for q in missing]
                self._log.error("catalogue_reload_refused", path=str(path), errors=errors)
                return {"accepted": False, "reason": "queues_missing_on_pbx", "errors": errors}
            self.engine.replace_catalogue(catalogue)
            changes = await reconcile_membership(self.ami, catalogue, self.settings.dialplan,
                                                 status.events)
        except AmiError as exc:
            self._log.error("catalogue_reload_failed", error=type(exc).__name__, detail=str(exc))
            return {"accepted": False, "reason": "pbx_unreachable", "errors": [str(exc)]}
        self._log.info("catalogue_reloaded", path=str(path), matters=len(catalogue.matters),
                       membership_changes=len(changes))
        return {"accepted": True, "reason": "reloaded", "matters": len(catalogue.matters),
                "membership_changes": len(changes)}
