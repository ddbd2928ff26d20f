"""What the HTTP endpoint serves: Prometheus figures, health, the wallboard and its feed.

Every figure is the same as in Redis: today's counters are read back from the day hashes
(cached for a second), the live state comes from the engine's queue board.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import asdict
from importlib.resources import files
from typing import Any

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from metrics.rates import STANDARDS, figures
from metrics.store import MetricsReader, MetricsUnavailable
from router.core.hours import local
from router.health import Health
from router.monitoring import Monitor
from router.ports import CoreView
from router.tickets.lifecycle import TicketStatus
from router.tickets.store import TicketStore
from router.web.server import Handler, Response, Stream

__all__ = ["Endpoints", "Gauge"]

Gauge = tuple[str, str, float]  # name, help, value: the process's own figures

_RATES = ("connection_rate", "transfer_success_rate", "resolution_rate", "satisfaction_rate")
_COUNTS = ("requests", "connected", "three_way", "bad_reviews", "overflow_attempted",
           "overflow_connected", "abandoned_during_transfer", "tickets_created",
           "tickets_overdue")


class Endpoints:
    def __init__(self, reader: MetricsReader, core: CoreView, monitor: Monitor,
                 tickets: TicketStore, clock: Callable[[], float], state_interval_s: float,
                 health: Callable[[bool | None], Health],
                 gauges: Callable[[], list[Gauge]]) -> None:
        self._reader = reader
        self._core = core
        self._monitor = monitor
        self._tickets = tickets
        self._clock = clock
        self._state_interval_s = state_interval_s
        self._health = health
        self._gauges = gauges
        self._cache: tuple[float, dict[str, dict[str, int]]] = (0.0, {})

    def routes(self) -> dict[str, Handler]:
        return {"/metrics": self.metrics, "/health": self.health,
                "/health/live": self.live, "/health/ready": self.health,
                "/wallboard": self.page,
                "/wallboard/state": self.state_json, "/wallboard/events": self.events}

    async def _today(self) -> dict[str, dict[str, int]]:
        """unit -> today's day counters (and "total"), read at most once a second."""
        at, cached = self._cache
        if time.monotonic() - at < 1.0:
            return cached
        day = local(self._clock()).date().isoformat()
        scopes = ["total", *(f"unit:{u}" for u in self._core.catalogue.units)]
        try:
            counters = {scope.removeprefix("unit:"): await self._reader.counters(day, scope)
                        for scope in scopes}
        except MetricsUnavailable:
            counters = cached
        self._cache = (time.monotonic(), counters)
        return counters

    async def snapshot(self) -> dict[str, Any]:
        catalogue = self._core.catalogue
        today = await self._today()
        states = self._monitor.unit_states()
        now = local(self._clock())
        due_today: dict[str, int] = {}
        for ticket in self._tickets.search(limit=10_000):
            if ticket.status is not TicketStatus.CLOSED and \
                    ticket.status is not TicketStatus.CONTACTED and \
                    ticket.due_local.date() == now.date():
                due_today[ticket.unit] = due_today.get(ticket.unit, 0) + 1
        units = []
        for uid, unit in catalogue.units.items():
            got, state = figures(today.get(uid, {})), states[uid]
            units.append({
                "unit": uid, "zh": unit.name.zh, "en": unit.name.en,
                "requests": got.requests, "connected": got.connected,
                "connection_rate": got.connection_rate,
                "below_standard": got.misses()["connection_rate"],
                "available": state.available, "logged_in": state.logged_in,
                "callers_waiting": state.callers_waiting,
                "longest_wait_s": round(state.longest_wait_s),
                "tickets_due_today": due_today.get(uid, 0)})
        return {"at": now.isoformat(timespec="seconds"), "standard": STANDARDS,
                "units": units}

    async def state_json(self) -> Response:
        body = json.dumps(await self.snapshot(), ensure_ascii=False).encode()
        return Response(200, body, "application/json; charset=utf-8")

    async def events(self) -> Stream:
        async def chunks() -> AsyncIterator[bytes]:
            last, quiet = "", 0.0
            interval = self._state_interval_s
            while True:
                data = json.dumps(await self.snapshot(), ensure_ascii=False)
                if data != last:
                    last, quiet = data, 0.0
                    yield f"event: state\ndata: {data}\n\n".encode()
                elif quiet >= 15:
                    quiet = 0.0
                    yield b": keep-alive\n\n"
                await asyncio.sleep(interval)
                quiet += interval

        return Stream(chunks)

    async def page(self) -> Response:
        html = files("router.web").joinpath("wallboard.html").read_bytes()
        return Response(200, html, "text/html; charset=utf-8")

    async def live(self) -> Response:
        """Liveness: answering at all proves the event loop runs."""
        return Response(200, b'{"live": true}', "application/json; charset=utf-8")

    async def health(self) -> Response:
        """Readiness (``/health`` and ``/health/ready``): 200 when AMI is logged in and
        resynced; warnings (Redis, MQTT, a provisional calendar) are listed, not failed."""
        health = self._health(await self._reader.ping())
        return Response(200 if health.ready else 503, json.dumps(asdict(health)).encode(),
                        "application/json; charset=utf-8")

    async def metrics(self) -> Response:
        registry = CollectorRegistry()
        registry.register(_Figures(await self.snapshot(), await self._today(), self._gauges()))
        return Response(200, generate_latest(registry),
                        "text/plain; version=0.0.4; charset=utf-8")


class _Figures(Collector):
    def __init__(self, snapshot: dict[str, Any], today: dict[str, dict[str, int]],
                 gauges: list[Gauge]) -> None:
        self._snapshot, self._today, self._gauges = snapshot, today, gauges

    def collect(self) -> Any:
        counts = {name: GaugeMetricFamily(f"hotline_{name}_today",
                                          f"{name} today (Asia/Shanghai)", labels=["unit"])
                  for name in _COUNTS}
        rates = {name: GaugeMetricFamily(f"hotline_{name}", f"{name} today", labels=["unit"])
                 for name in _RATES}
        for unit, counters in self._today.items():
            got = figures(counters)
            for name in _COUNTS:
                counts[name].add_metric([unit], getattr(got, name))
            for name in _RATES:
                value = getattr(got, name)
                if value is not None:
                    rates[name].add_metric([unit], value)
        live = {key: GaugeMetricFamily(f"hotline_unit_{key}", help_, labels=["unit"])
                for key, help_ in (("available", "specialists available now"),
                                   ("logged_in", "specialists logged in"),
                                   ("callers_waiting", "legs waiting in the unit's queues"),
                                   ("longest_wait_s", "longest wait now, seconds"),
                                   ("tickets_due_today", "tickets due today, not contacted"))}
        for unit in self._snapshot["units"]:
            for key, family in live.items():
                family.add_metric([unit["unit"]], unit[key])
        yield from counts.values()
        yield from rates.values()
        yield from live.values()
        for name, help_, value in self._gauges:
            family = GaugeMetricFamily(name, help_)
            family.add_metric([], value)
            yield family
