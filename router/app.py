"""Composition root: settings -> logging -> catalogue -> adapters -> engine -> service."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Callable

from metrics.keys import Keys
from metrics.recorder import Recorder
from router.ami.client import AmiClient
from router.ami.parse import WANTED_EVENTS
from router.config import Settings
from router.core.engine import Engine
from router.core.transfer import TransferPolicy
from router.effects.mqtt import MqttBus
from router.effects.redis_client import redis_client
from router.effects.topics import Topics
from router.errors import AmiLoginError, ConfigError, ConfigErrors
from router.log import configure_logging, get_logger
from router.service import Service
from router.tickets.store import TicketStore
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
    catalogue = load_catalogue_checked(settings)
    topics = Topics(settings.mqtt.topic_prefix)
    recorder = Recorder(redis_client(settings.redis), Keys(settings.redis.namespace),
                        buffer_size=settings.redis.buffer_size)
    calendar = load_calendar_checked(settings)
    return Service(
        settings=settings,
        engine=Engine(catalogue, TransferPolicy(settings.transfer.originate_margin_s),
                      calendar),
        tickets=TicketStore(settings.tickets.db_path,
                            lambda kind, unit: topics.unit(unit, kind)),
        ami=AmiClient(settings.ami, wanted=WANTED_EVENTS),
        bus=MqttBus(settings.mqtt, topics),
        recorder=recorder,
        topics=topics,
        clock=clock,
    )


async def run_service(settings: Settings) -> int:
    """Run until SIGTERM/SIGINT; returns the process exit code."""
    configure_logging(settings.log.format, settings.log.level)
    log = get_logger(component="app")
    service = build_service(settings)
    loop = asyncio.get_running_loop()
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
