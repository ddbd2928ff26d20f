"""Live watch over the "two not below 90%" standards (pure).

Per unit, over a sliding window of the unit's working time (``window_working_min``), the
connection rate of its transfer requests and the resolution rate of its survey answers.
When a rate with at least ``min_sample`` calls falls below the standard the alert is raised;
it is cleared when the rate is back at or above it. Only changes are returned.
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


@dataclass(frozen=True, slots=True)
class StandardAlert:
    unit: str
    standard: str  # connection_rate | resolution_rate
    raised: bool
    rate: float
    sample: int
    threshold: float


@dataclass(slots=True)
class StandardsWatch:
    window_working_min: float = 60.0
    min_sample: int = 10
    # (at, unit, connected or None, resolved or None)
    seen: deque[tuple[float, str, bool | None, bool | None]] = field(default_factory=deque)
    raised: dict[tuple[str, str], bool] = field(default_factory=dict)

    def observe(self, record: CallRecord) -> None:
        if not record.unit:
            return
        connected = record.three_way_at is not None if record.transfer_requested else None
        at = record.transfer_requested_at or record.entered_at
        self.seen.append((at, record.unit, connected, record.survey_resolved))

    def evaluate(self, catalogue: Catalogue, calendar: WorkCalendar, now: float
                 ) -> list[StandardAlert]:
        horizon = now - 400 * 86400.0
        while self.seen and self.seen[0][0] < horizon:
            self.seen.popleft()
        changes: list[StandardAlert] = []
        for unit_id in sorted({unit for _, unit, _, _ in self.seen}):
            unit = catalogue.units.get(unit_id)
            if unit is None:
                continue
            since = working_time_before(unit.hours, calendar, now, self.window_working_min)
            window = [s for s in self.seen if s[1] == unit_id and s[0] >= since]
            for standard, index in (("connection_rate", 2), ("resolution_rate", 3)):
                answers = [s[index] for s in window if s[index] is not None]
                if len(answers) < self.min_sample:
                    continue
                rate = sum(1 for a in answers if a) / len(answers)
                low = rate < STANDARDS[standard]
                if self.raised.get((unit_id, standard), False) != low:
                    self.raised[(unit_id, standard)] = low
                    changes.append(StandardAlert(unit_id, standard, low, rate, len(answers),
                                                 STANDARDS[standard]))
        return changes
