"""Monitoring: what the service tells supervisors and monitoring systems, beside routing.

The units' live state (Redis hash, wallboard), the live watch over the 90% standards, the
ticket counters and the daily calendar alert. Nothing here is on the call path: it reads
the engine's state and writes through the recorder's and the bus's buffers.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable

from metrics.keys import Keys
from metrics.recorder import Recorder
from metrics.store import MetricsReader, MetricsUnavailable
from router.config import Settings
from router.core.board import UnitState
from router.core.commands import Command, RecordCall
from router.core.hours import CalendarOutlook, calendar_outlook, local, working_time_before
from router.core.standards import StandardsWatch
from router.effects.memory import release_memory
from router.effects.mqtt import MqttBus
from router.effects.topics import Topics
from router.log import get_logger
from router.ports import CoreView
from router.tickets.model import Ticket

__all__ = ["Monitor"]


class Monitor:
    def __init__(self, settings: Settings, core: CoreView, recorder: Recorder, bus: MqttBus,
                 topics: Topics, clock: Callable[[], float]) -> None:
        self._settings = settings
        self._core = core
        self._recorder = recorder
        self._bus = bus
        self._topics = topics
        self._clock = clock
        self.keys = Keys(settings.redis.namespace)
        self.standards = StandardsWatch(settings.alerts.window_working_min,
                                        settings.alerts.min_sample)
        self._log = get_logger(component="monitor")
        self._dropped_alerted_at = -1e9

    async def _trim_after_peaks(self) -> None:
        """After a peak, once calls are down to half of it, hand the memory back."""
        peak = 0
        while True:
            await asyncio.sleep(30)
            calls = len(self._core.calls)
            peak = max(peak, calls)
            if peak >= 200 and calls <= peak // 2:
                release_memory()
                self._log.info("memory_released", peak_calls=peak, calls=calls)
                peak = calls

    def metrics_dropped(self, dropped: int) -> None:
        """The metrics buffer overflowed (Redis down too long): counted, and alerted at most
        once a minute."""
        now = self._clock()
        if now - self._dropped_alerted_at < 60:
            return
        self._dropped_alerted_at = now
        self._log.error("metrics_buffer_overflow", dropped=dropped,
                        buffer_size=self._settings.redis.buffer_size)
        self._bus.publish_nowait(self._topics.alerts("metrics"), {
            "v": 1, "alert": "metrics_buffer_overflow", "dropped": dropped,
            "buffer_size": self._settings.redis.buffer_size})

    async def run(self) -> None:
        await self._restore_standards()
        async with asyncio.TaskGroup() as group:
            group.create_task(self._evaluate_standards(), name="standards-watch")
            group.create_task(self._watch_calendar(), name="calendar-watch")
            group.create_task(self._publish_unit_states(), name="unit-state")
            group.create_task(self._trim_after_peaks(), name="memory-trim")

    def unit_states(self) -> dict[str, UnitState]:
        now, catalogue = self._clock(), self._core.catalogue
        return {uid: self._core.board.unit(list(unit.teams), now)
                for uid, unit in catalogue.units.items()}

    async def _publish_unit_states(self) -> None:
        """Keep ``<ns>:v1:state:unit:<unit>`` equal to the board (written on change)."""
        keys, last = self.keys, dict[str, UnitState]()
        while True:
            for unit, state in self.unit_states().items():
                if last.get(unit) != state:
                    last[unit] = state
                    self._recorder.state_nowait(keys.unit_state(unit), {
                        "logged_in": str(state.logged_in), "available": str(state.available),
                        "paused": str(state.paused),
                        "callers_waiting": str(state.callers_waiting),
                        "longest_wait_s": f"{state.longest_wait_s:.0f}",
                        "updated_at": f"{self._clock():.0f}"})
            await asyncio.sleep(self._settings.service.state_interval_s)

    def watch_standards(self, commands: list[Command]) -> None:
        records = [c.record for c in commands if isinstance(c, RecordCall)]
        if not records:
            return
        for record in records:
            self.standards.observe(record)
        self._publish_alerts()

    async def _restore_standards(self) -> None:
        """What a restart must not forget: the alerts raised (from their Redis hashes, so
        that a unit back at 90% is cleared) and the calls of the window (from the per-call
        records of the days it reaches back to; those this process records come live)."""
        started, catalogue = self._clock(), self._core.catalogue
        reader = MetricsReader(self._recorder.client, self.keys)
        window = self.standards.window_working_min
        earliest = min((working_time_before(unit.hours, self._core.calendar, started,
                                            window) for unit in catalogue.units.values()),
                       default=started)
        first, today = local(max(earliest, started - 31 * 86400)).date(), local(started).date()
        restored = raised = 0
        try:
            for unit in catalogue.units:
                for standard, state in (await reader.alerts(unit)).items():
                    if standard in ("connection_rate", "resolution_rate") and state == "1":
                        self.standards.restore(unit, standard, True)
                        raised += 1
            day = first
            while day <= today:
                for record in await reader.records(day.isoformat()):
                    if record.ended_at < started:
                        self.standards.observe(record)
                        restored += 1
                day += dt.timedelta(days=1)
        except MetricsUnavailable as exc:
            self._log.warning("standards_restore_failed", error=str(exc))
            return
        self._log.info("standards_restored", records=restored, alerts_raised=raised)
        self._publish_alerts()

    async def _evaluate_standards(self) -> None:
        """The window slides with time: an alert clears when its bad calls leave it, even
        if no new call ends meanwhile."""
        while True:
            await asyncio.sleep(self._settings.alerts.evaluate_interval_s)
            self._publish_alerts()

    def _publish_alerts(self) -> None:
        keys = self.keys
        for alert in self.standards.evaluate(self._core.catalogue, self._core.calendar,
                                             self._clock()):
            log = self._log.error if alert.raised else self._log.info
            log("standard_alert", unit=alert.unit, standard=alert.standard,
                raised=alert.raised, rate=round(alert.rate, 4), sample=alert.sample)
            self._bus.publish_nowait(self._topics.alerts("standards"), {
                "v": 1, "unit": alert.unit, "standard": alert.standard,
                "state": "raised" if alert.raised else "cleared", "rate": alert.rate,
                "sample": alert.sample, "threshold": alert.threshold,
                "window_working_min": self.standards.window_working_min})
            self._recorder.state_nowait(keys.alerts(alert.unit), {
                alert.standard: "1" if alert.raised else "0",
                f"{alert.standard}_rate": f"{alert.rate:.4f}",
                f"{alert.standard}_sample": str(alert.sample)})

    def count_ticket(self, kind: str, ticket: Ticket, at: float) -> None:
        when = local(at)
        self._recorder.count_ticket_nowait(kind, ticket.id, when.date().isoformat(), when.hour,
                                          ticket.unit)

    def calendar_outlook(self) -> CalendarOutlook:
        """The calendar seen from today: computed on demand (61 cached look-ups)."""
        return calendar_outlook(self._core.calendar, self._clock(),
                                self._settings.service.calendar_horizon_days)

    async def _watch_calendar(self) -> None:
        """A warning while the coming days fall in a year without its notice: raised on MQTT
        and in Redis, repeated once a (Shanghai) day, cleared when a reload brings the
        notice. Routing goes on with the statutory days meanwhile; health is not failed."""
        raised_on = ""
        while True:
            outlook = self.calendar_outlook()
            today = outlook.today.isoformat()
            if not outlook.current and raised_on != today:
                raised_on = today
                self._calendar_alert(outlook, raised=True)
            elif outlook.current and raised_on:
                raised_on = ""
                self._calendar_alert(outlook, raised=False)
            await asyncio.sleep(self._settings.service.calendar_check_interval_s)

    def _calendar_alert(self, outlook: CalendarOutlook, *, raised: bool) -> None:
        first = outlook.first_provisional_day
        log = self._log.warning if raised else self._log.info
        log("calendar_provisional", state="raised" if raised else "cleared",
            first_provisional_day=first.isoformat() if first else None,
            provisional_days=outlook.provisional_days)
        body = {"v": 1, "alert": "calendar_provisional",
                "state": "raised" if raised else "cleared", **outlook.as_json(),
                "action": "when the State Council's notice for the year is published, write "
                          "it into the calendar overrides file (catalogue.calendar_overrides),"
                          " run check-config, then reload (docs/calendar.md)"}
        self._bus.publish_nowait(self._topics.alerts("calendar"), body)
        self._recorder.state_nowait(self.keys.calendar_alert(), {
            "raised": "1" if raised else "0",
            "first_provisional_day": first.isoformat() if first else "",
            "provisional_days": str(outlook.provisional_days),
            "years": ",".join(f"{y}:{s}" for y, s in outlook.years),
            "updated_at": f"{self._clock():.0f}"})
