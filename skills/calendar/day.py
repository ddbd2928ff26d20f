"""One classified day: its status, the source that decided it, and the year's status."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum
from typing import Literal

__all__ = ["WEEKDAYS", "Day", "DayStatus", "Source", "YearStatus", "weekday_status"]

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# Where a day's classification came from, in the order the sources are consulted:
#   overrides         the administrator's calendar file (their word wins)
#   chinese_calendar  the State Council's notices as packaged by chinese-calendar
#   python-holidays   the notices as packaged by python-holidays (its years past the first)
#   statutory         the full-day holidays fixed by law, computed (lunar dates included)
#   weekday           Monday to Friday work, Saturday and Sunday do not
Source = Literal["overrides", "chinese_calendar", "python-holidays", "statutory", "weekday"]

# official: the year's notice is known (bridging days and make-up working days included);
# provisional: only the statutory days are known, the notice is not (out yet);
# unknown: not even the statutory days (outside the lunar tables): weekdays only.
YearStatus = Literal["official", "provisional", "unknown"]


class DayStatus(Enum):
    WORKING = "working"
    HOLIDAY = "holiday"
    MAKEUP = "make-up working day"  # 调休上班: a Saturday or Sunday worked instead
    WEEKEND = "weekend"

    @property
    def working(self) -> bool:
        return self in (DayStatus.WORKING, DayStatus.MAKEUP)


@dataclass(frozen=True, slots=True)
class Day:
    date: dt.date
    status: DayStatus
    source: Source
    year_status: YearStatus
    name: str = ""  # the holiday's name, "closure", or the notice's reference

    @property
    def working(self) -> bool:
        return self.status.working

    @property
    def provisional(self) -> bool:
        """True if the year's notice is not known: this day may still change."""
        return self.year_status != "official"

    def as_json(self) -> dict[str, object]:
        return {"date": self.date.isoformat(), "weekday": WEEKDAYS[self.date.weekday()],
                "status": self.status.value, "working": self.working, "source": self.source,
                "name": self.name, "year_status": self.year_status}


def weekday_status(date: dt.date) -> DayStatus:
    return DayStatus.WEEKEND if date.weekday() >= 5 else DayStatus.WORKING
