"""The service: one consumer loop, event queue -> engine -> executor.

The components are built in router.app; here they run as tasks of one TaskGroup, each
named: the AMI link, the AMI pump (parse, resync on every login), the MQTT bus, the
reloader, the ticket desk, monitoring, HTTP, the metrics recorder, the journal gate and
the core consumer. Every source of events (AMI, desk commands, timers, executor feedback,
reloads, shutdown) feeds one bounded queue, so the engine sees one ordered stream.

Graceful stop (SIGTERM): a ShutdownRequested event joins the queue, after which the engine
refuses new transfer requests (``shutting_down``); calls in progress keep being tracked,
the AMI actions already written, the MQTT outbox and the metrics buffer are drained
(bounded wait), then the connections close.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path

from metrics.recorder import Recorder
from router.ami.client import AmiAction, AmiClient, LinkState
from router.ami.membership import reconcile_membership
from router.ami.parse import parse_event
from router.ami.snapshot import channel_snapshots, queue_snapshot
from router.clock import SteadyClock
from router.config import Settings
from router.core import events as ev
from router.core.engine import Engine
from router.effects.executor import Executor
from router.effects.gate import ActionGate
from router.effects.mqtt import MqttBus
from router.effects.systemd import SystemdNotifier
from router.effects.timers import Timers
from router.effects.topics import Topics
from router.errors import AmiError, AmiParseError
from router.event_queue import EventQueue
from router.health import Health, health_warnings, write_health_file
from router.inbox import Inbox
from router.journal import CallJournal
from router.log import get_logger
from router.monitoring import Monitor
from router.tickets.desk import TicketDesk
from router.web.endpoints import Gauge
from router.web.server import HttpServer

__all__ = ["Service", "ServiceStats"]


@dataclass(slots=True)
class ServiceStats:
    events: int = 0
    parse_errors: int = 0
    resyncs: int = 0
    clock_steps: int = 0


class _Stop(Exception):
    pass


class Service:
    """Runs the components app.py built, each as a named task, and the consumer loop."""

    def __init__(
        self,
        *,
        settings: Settings,
        engine: Engine,
        ami: AmiClient,
        bus: MqttBus,
        recorder: Recorder,
        topics: Topics,
        events: EventQueue,
        clock: SteadyClock,
        timers: Timers,
        monitor: Monitor,
        tickets: TicketDesk,
        executor: Executor,
        gate: ActionGate,
        inbox: Inbox,
        journal: CallJournal,
    ) -> None:
        self.settings = settings
        self.engine = engine
        self.ami = ami
        self.bus = bus
        self.recorder = recorder
        self.topics = topics
        self.events = events
        self.clock = clock  # every reader shares it, so a wall-clock step is seen once
        self.timers = timers
        self.monitor = monitor
        self.tickets = tickets
        self.executor = executor
        self.gate = gate
        self.inbox = inbox
        self.journal = journal
        self.http: HttpServer | None = None  # app.py attaches it (its pages read the service)
        self.systemd = SystemdNotifier(None)  # app.py attaches the real one under systemd
        self.stats = ServiceStats()
        self.ready = asyncio.Event()  # set after the first resync
        self.resynced = asyncio.Event()  # set after every resync (clear it to wait for one)
        self.synced = False  # ready: resynced since the current login
        self._stop = asyncio.Event()
        self._log = get_logger(component="service")

    def request_reload(self, request_id: str = "") -> None:
        """Reload the catalogue and the calendar (SIGHUP, or an MQTT admin command)."""
        self.inbox.request_reload(request_id)

    def request_stop(self) -> None:
        """Begin a graceful stop (SIGTERM handler)."""
        self.events.feed_nowait(ev.ShutdownRequested())  # the engine refuses new requests from here
        self._stop.set()

    async def run(self) -> None:
        await self.journal.restore()
        try:
            async with asyncio.TaskGroup() as group:
                group.create_task(self.ami.run(), name="ami-link")
                group.create_task(self._pump(), name="ami-pump")
                group.create_task(self.bus.run(self.inbox.on_message,
                                               tuple(self.topics.subscriptions())),
                                  name="mqtt-bus")
                group.create_task(self.inbox.reloader(), name="catalogue-reloader")
                group.create_task(self.tickets.run(), name="ticket-desk")
                group.create_task(self.monitor.run(), name="monitor")
                if self.http is not None:
                    group.create_task(self.http.run(), name="http")
                group.create_task(self.recorder.run(), name="metrics-recorder")
                group.create_task(self.gate.run(), name="journal-gate")
                group.create_task(self._consume(), name="router-core")
                group.create_task(self._report_health(self.settings.service.health_file),
                                  name="health")
                await self._stop.wait()
                self.systemd.stopping()
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

    async def _consume(self) -> None:
        while True:
            event = await self.events.get()
            self.stats.events += 1
            try:
                now = self.clock()
                self._apply_clock_step(now)
                commands = self.engine.feed(event, now)
                touched = self.journal.write(event)
                # the PBX is acted on only once the journal says what is being done
                self.executor.execute(commands, journal_mark=self.recorder.mark)
                self.journal.forget_ended(touched)  # after the call's record
                self.monitor.watch_standards(commands)
            finally:
                self.events.task_done()

    def _apply_clock_step(self, now: float) -> None:
        """Before the next event: if the wall clock stepped, the core's times move too."""
        delta = self.clock.take_step()
        if delta:
            self.stats.clock_steps += 1
            self._log.warning("wall_clock_step", delta_s=round(delta, 3),
                              calls_in_progress=len(self.engine.calls))
            self.engine.feed(ev.ClockStepped(delta), now)

    async def _pump(self) -> None:
        while True:
            item = await self.ami.events.get()
            if isinstance(item, LinkState):
                if item.up:
                    await self._resync()
                else:
                    self.synced = False
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
        self.synced = self.ami.connected.is_set()
        self.ready.set()
        self.resynced.set()

    def health(self, redis_reachable: bool | None = None) -> Health:
        if redis_reachable is None:
            redis_reachable = self.recorder.stats.connected or self.recorder.backlog == 0
        calendar = "official" if self.monitor.calendar_outlook().current else "provisional"
        logged_in = self.ami.connected.is_set()
        return Health(
            at=self.clock(),
            ami_logged_in=logged_in,
            redis_reachable=redis_reachable,
            mqtt_connected=self.bus.stats.connected,
            calls_in_progress=len(self.engine.calls),
            metrics_backlog=self.recorder.backlog,
            mqtt_backlog=self.bus.backlog,
            ami_resynced=logged_in and self.synced,
            calendar=calendar,
            warnings=health_warnings(redis_reachable=redis_reachable,
                                     mqtt_connected=self.bus.stats.connected,
                                     calendar=calendar),
        )

    def gauges(self) -> list[Gauge]:
        """The process's own figures for /metrics."""
        outlook = self.monitor.calendar_outlook()
        return [
            ("hotline_calendar_provisional_days",
             f"days of the next {outlook.horizon_days} in a year without its State Council "
             "notice (deadlines use the statutory days only)", outlook.provisional_days),
            ("hotline_calls_in_progress", "calls the router tracks", len(self.engine.calls)),
            ("hotline_ami_up", "1 if the AMI link is logged in",
             int(self.ami.connected.is_set())),
            ("hotline_mqtt_up", "1 if connected to the broker", int(self.bus.stats.connected)),
            ("hotline_metrics_backlog", "metrics waiting for Redis", self.recorder.backlog),
            ("hotline_metrics_dropped", "metrics dropped (buffer full)",
             self.recorder.stats.dropped),
            ("hotline_mqtt_backlog", "messages waiting for the broker", self.bus.backlog),
            ("hotline_mqtt_command_errors", "MQTT commands whose handling failed (logged)",
             self.bus.stats.command_errors),
            ("hotline_desk_rejected", "desk commands refused (invalid, unknown party)",
             self.inbox.rejected),
            ("hotline_http_handler_errors", "HTTP requests whose handler failed (answered 500)",
             self.http.handler_errors if self.http else 0),
            ("hotline_ami_reconnects", "AMI reconnects since start", self.ami.stats.reconnects),
            ("hotline_ami_late_pings", "AMI pings answered late behind an event backlog",
             self.ami.stats.late_pings),
            ("hotline_journal_actions_held", "AMI actions that waited for their journal entry",
             self.gate.held),
            ("hotline_journal_not_durable",
             "AMI actions sent before their journal entry was written (Redis failing or slow)",
             self.gate.not_durable),
            ("hotline_event_queue_dropped", "events dropped: the core's queue was full",
             self.events.dropped),
        ]

    async def _report_health(self, path: Path | None) -> None:
        """The health file and systemd's watchdog, every ``health_interval_s``: this loop
        runs only while the event loop does."""
        while True:
            health = self.health()
            if path is not None:
                try:
                    write_health_file(path, health)
                except OSError as exc:
                    self._log.warning("health_file_unwritable", path=str(path),
                                      error=str(exc))
            if health.ready:
                self.systemd.ready(f"routing, {health.calls_in_progress} calls")
            self.systemd.watchdog()
            await asyncio.sleep(self.settings.service.health_interval_s)
