"""Live watch over the "two not below 90%" standards (pure).

Per unit, over a sliding window of the unit's working time (``window_working_min``), the
connection rate of its transfer requests and the resolution rate of its survey answers.
When a rate with at least ``min_sample`` calls falls below the standard the alert is raised;
it is cleared when the rate is back at or above it. Only changes are returned.

The cost is flat: calls are counted into one bucket per unit and minute, with running
totals per unit, and buckets that leave the window are dropped as it slides. A call costs
the same with one day or 400 days of history behind it, and memory holds only the window
(to the minute: a minute partly inside the window counts whole). What must survive a
restart, the raised alerts and the window's buckets, can be handed back with ``restore``
and ``observe`` (the service rebuilds them from Redis).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from metrics.rates import STANDARDS
from metrics.records import CallRecord
from router.core.hours import working_time_before
from skills.calendar import WorkCalendar
from skills.catalogue import Catalogue

__all__ = ["StandardAlert", "StandardsWatch"]

_MINUTE = 60.0


@dataclass(frozen=True, slots=True)
class StandardAlert:
    unit: str
    standard: str  # connection_rate | resolution_rate
    raised: bool
    rate: float
    sample: int
    threshold: float


@dataclass(slots=True)
class _Counts:
    """Answers and successes of each standard, for one minute or a whole window."""

    requests: int = 0
    connected: int = 0
    answers: int = 0
    resolved: int = 0

    def add(self, other: _Counts, sign: int = 1) -> None:
        self.requests += sign * other.requests
        self.connected += sign * other.connected
        self.answers += sign * other.answers
        self.resolved += sign * other.resolved

    def standard(self, name: str) -> tuple[int, int]:
        """(successes, sample) of ``name``."""
        if name == "connection_rate":
            return self.connected, self.requests
        return self.resolved, self.answers


@dataclass(slots=True)
class _UnitWindow:
    minutes: deque[tuple[float, _Counts]] = field(default_factory=deque)  # oldest first
    total: _Counts = field(default_factory=_Counts)

    def add(self, minute: float, counts: _Counts) -> None:
        minutes = self.minutes
        index = len(minutes)
        while index and minutes[index - 1][0] > minute:  # a late record: rarely far back
            index -= 1
        if index and minutes[index - 1][0] == minute:
            minutes[index - 1][1].add(counts)
        else:
            minutes.insert(index, (minute, counts))
        self.total.add(counts)

    def slide(self, since: float) -> None:
        minutes = self.minutes
        while minutes and minutes[0][0] + _MINUTE <= since:
            self.total.add(minutes.popleft()[1], -1)


@dataclass(slots=True)
class StandardsWatch:
    window_working_min: float = 60.0
    min_sample: int = 10
    units: dict[str, _UnitWindow] = field(default_factory=dict)
    raised: dict[tuple[str, str], bool] = field(default_factory=dict)

    def observe(self, record: CallRecord) -> None:
        if not record.unit:
            return
        counts = _Counts()
        if record.transfer_requested:
            counts.requests = 1
            counts.connected = int(record.three_way_at is not None)
        if record.survey_resolved is not None:
            counts.answers = 1
            counts.resolved = int(record.survey_resolved)
        if not counts.requests and not counts.answers:
            return
        at = record.transfer_requested_at or record.entered_at
        self.units.setdefault(record.unit, _UnitWindow()).add(at - at % _MINUTE, counts)

    def restore(self, unit: str, standard: str, raised: bool) -> None:
        """An alert state from before a restart: the next evaluation clears it when the
        rate is back, as if the process had never stopped."""
        self.raised[(unit, standard)] = raised

    def evaluate(self, catalogue: Catalogue, calendar: WorkCalendar, now: float
                 ) -> list[StandardAlert]:
        changes: list[StandardAlert] = []
        for unit_id in sorted(self.units):
            unit = catalogue.units.get(unit_id)
            if unit is None:  # the unit left the catalogue
                del self.units[unit_id]
                continue
            window = self.units[unit_id]
            window.slide(working_time_before(unit.hours, calendar, now,
                                             self.window_working_min))
            for standard in ("connection_rate", "resolution_rate"):
                good, sample = window.total.standard(standard)
                if sample < self.min_sample:
                    continue
                rate = good / sample
                low = rate < STANDARDS[standard]
                if self.raised.get((unit_id, standard), False) != low:
                    self.raised[(unit_id, standard)] = low
                    changes.append(StandardAlert(unit_id, standard, low, rate, sample,
                                                 STANDARDS[standard]))
            if not window.minutes:
                del self.units[unit_id]
        return changes
