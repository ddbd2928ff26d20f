"""Composition root: settings -> logging -> catalogue -> adapters -> engine -> service."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable

from metrics.keys import Keys
from metrics.recorder import Recorder
from metrics.store import MetricsReader
from router.ami.client import AmiClient
from router.ami.parse import WANTED_EVENTS
from router.clock import SteadyClock
from router.config import Settings
from router.core.engine import Engine
from router.core.transfer import TransferPolicy
from router.effects.executor import Executor
from router.effects.gate import ActionGate
from router.effects.mqtt import MqttBus
from router.effects.redis_client import redis_client
from router.effects.systemd import SystemdNotifier
from router.effects.timers import Timers
from router.effects.topics import Topics
from router.errors import AmiLoginError, ConfigError, ConfigErrors
from router.event_queue import EventQueue
from router.inbox import Inbox
from router.journal import CallJournal
from router.log import asyncio_exception_handler, configure_logging, get_logger
from router.monitoring import Monitor
from router.service import Service
from router.tickets.desk import TicketDesk
from router.tickets.store import TicketStore
from router.web.endpoints import Endpoints
from router.web.server import HttpServer
from skills.calendar import WorkCalendar, load_calendar_overrides
from skills.catalogue import Catalogue, CatalogueInvalid, load_catalogue

__all__ = ["as_config_errors", "build_service", "load_calendar_checked",
           "load_catalogue_checked", "run_service"]


def as_config_errors(exc: CatalogueInvalid) -> ConfigErrors:
    """A catalogue's or calendar file's problems, as the settings' error tree reports them."""
    return ConfigErrors([ConfigError(p.file, p.path, p.reason) for p in exc.problems])


def load_catalogue_checked(settings: Settings) -> Catalogue:
    """The catalogue the settings name; its problems become ConfigErrors."""
    try:
        return load_catalogue(settings.catalogue.path)
    except CatalogueInvalid as exc:
        raise as_config_errors(exc) from exc


def load_calendar_checked(settings: Settings) -> WorkCalendar:
    """The working calendar with the administrator's overrides; problems -> ConfigErrors."""
    try:
        return load_calendar_overrides(settings.catalogue.calendar_overrides)
    except CatalogueInvalid as exc:
        raise as_config_errors(exc) from exc


def build_service(settings: Settings, clock: Callable[[], float] = time.time) -> Service:
    """Every component, each given only the ports it needs."""
    catalogue = load_catalogue_checked(settings)
    calendar = load_calendar_checked(settings)
    keys = Keys(settings.redis.namespace)
    topics = Topics(settings.mqtt.topic_prefix)
    steady = clock if isinstance(clock, SteadyClock) else SteadyClock(clock)
    events = EventQueue(settings.ami.event_queue_size)
    recorder = Recorder(redis_client(settings.redis), keys,
                        buffer_size=settings.redis.buffer_size)
    engine = Engine(catalogue, TransferPolicy(settings.transfer.originate_margin_s), calendar)
    ami = AmiClient(settings.ami, wanted=WANTED_EVENTS)
    bus = MqttBus(settings.mqtt, topics)
    timers = Timers(events.feed_nowait, steady)
    monitor = Monitor(settings, engine, recorder, bus, topics, steady)
    recorder.on_drop = monitor.metrics_dropped
    tickets = TicketDesk(TicketStore(settings.tickets.db_path,
                                     lambda kind, unit: topics.unit(unit, kind)),
                         bus, settings.tickets, events.feed_nowait, steady,
                         lambda unit: topics.unit(unit, "ticket-replies"), monitor.count_ticket)
    gate = ActionGate(recorder, ami.submit, settings.redis.journal_wait_s)
    executor = Executor(ami, bus, recorder, timers, topics, events.feed_nowait,
                        settings.dialplan, tickets.create_nowait,
                        incarnation=f"{round(steady() * 1000):x}", gate=gate)
    service = Service(
        settings=settings, engine=engine, ami=ami, bus=bus, recorder=recorder, topics=topics,
        events=events, clock=steady, timers=timers, monitor=monitor, tickets=tickets,
        executor=executor, gate=gate,
        inbox=Inbox(settings, topics, bus, engine, events, tickets.handle_command, ami,
                    steady),
        journal=CallJournal(engine, recorder, keys, events.feed_nowait),
    )
    if settings.http.enabled:
        endpoints = Endpoints(MetricsReader(recorder.client, keys), engine, monitor,
                              tickets.store, steady, settings.service.state_interval_s,
                              service.health, service.gauges)
        service.http = HttpServer(settings.http, endpoints.routes())
    return service


async def run_service(settings: Settings) -> int:
    """Run until SIGTERM/SIGINT; returns the process exit code."""
    configure_logging(settings.log.format, settings.log.level)
    log = get_logger(component="app")
    service = build_service(settings)
    service.systemd = SystemdNotifier.from_environ(os.environ)
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(asyncio_exception_handler)
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, service.request_stop)
    loop.add_signal_handler(signal.SIGHUP, service.request_reload)
    log.info("starting", ami=f"{settings.ami.host}:{settings.ami.port}",
             catalogue=str(settings.catalogue.path), matters=len(service.engine.catalogue.matters))
    try:
        await service.run()
    except BaseExceptionGroup as group:
        refused, rest = group.split(AmiLoginError)
        if rest is not None:
            raise
        assert refused is not None
        log.error("ami_login_refused", detail=str(refused.exceptions[0]))
        return 3
    return 0
