"""Working time and ticket deadlines (pure; the calendar is injected).

Everything is evaluated in Asia/Shanghai, whatever the host's time zone. A unit is open
when the day is a working day of the official calendar (or the unit works every day) and
the local time falls in one of its periods (two periods model a lunch break).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from skills.calendar import WorkCalendar
from skills.model import Deadline, Hours

__all__ = [
    "HOTLINE_TZ",
    "CalendarOutlook",
    "calendar_outlook",
    "deadline",
    "is_open",
    "local",
    "next_working_day",
    "provisional_between",
]

HOTLINE_TZ = ZoneInfo("Asia/Shanghai")
_MAX_DAYS = 400  # no real calendar closes a unit for longer


def local(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, HOTLINE_TZ)


def _working(calendar: WorkCalendar, hours: Hours, day: dt.date) -> bool:
    return hours.days == "every_day" or calendar.is_working_day(day)


def is_open(hours: Hours, calendar: WorkCalendar, at: float) -> bool:
    now = local(at)
    if not _working(calendar, hours, now.date()):
        return False
    clock = now.time()
    return any(start <= clock < end for start, end in hours.intervals())


def next_working_day(calendar: WorkCalendar, day: dt.date) -> dt.date:
    """The first working day after ``day``."""
    for offset in range(1, _MAX_DAYS):
        candidate = day + dt.timedelta(days=offset)
        if calendar.is_working_day(candidate):
            return candidate
    raise ValueError(f"no working day within {_MAX_DAYS} days after {day}")


def deadline(policy: Deadline, hours: Hours, calendar: WorkCalendar, at: float
             ) -> dt.datetime:
    """When the unit must have contacted the enterprise about a ticket created ``at``."""
    created = local(at)
    if policy.policy == "next_working_day":
        hh, mm = (int(part) for part in policy.at.split(":"))
        day = next_working_day(calendar, created.date())
        return dt.datetime.combine(day, dt.time(hh, mm), HOTLINE_TZ)
    return _add_working_time(hours, calendar, created, dt.timedelta(hours=policy.hours))


def _add_working_time(hours: Hours, calendar: WorkCalendar, start: dt.datetime,
                      left: dt.timedelta) -> dt.datetime:
    day = start.date()
    for _ in range(_MAX_DAYS):
        if _working(calendar, hours, day):
            for open_at, close_at in hours.intervals():
                begin = max(dt.datetime.combine(day, open_at, HOTLINE_TZ), start)
                end = dt.datetime.combine(day, close_at, HOTLINE_TZ)
                if begin >= end:
                    continue
                if end - begin >= left:
                    return begin + left
                left -= end - begin
        day += dt.timedelta(days=1)
    raise ValueError(f"no working time within {_MAX_DAYS} days after {start}")


def working_time_before(hours: Hours, calendar: WorkCalendar, at: float,
                        minutes: float) -> float:
    """The instant ``minutes`` of the unit's working time before ``at`` (a sliding window
    of working time: nights, weekends and holidays are skipped)."""
    end = local(at)
    left = dt.timedelta(minutes=minutes)
    day = end.date()
    for _ in range(_MAX_DAYS):
        if _working(calendar, hours, day):
            for open_at, close_at in reversed(hours.intervals()):
                begin = dt.datetime.combine(day, open_at, HOTLINE_TZ)
                stop = min(dt.datetime.combine(day, close_at, HOTLINE_TZ), end)
                if stop <= begin:
                    continue
                if stop - begin >= left:
                    return (stop - left).timestamp()
                left -= stop - begin
        day -= dt.timedelta(days=1)
    return 0.0


def provisional_between(calendar: WorkCalendar, first: dt.date, last: dt.date) -> bool:
    """True if a decision that looked at the days ``first``..``last`` relied on a
    provisional year (a deadline that may move when the year's notice comes)."""
    return any(calendar.year_status(year) != "official"
               for year in range(first.year, last.year + 1))


@dataclass(frozen=True, slots=True)
class CalendarOutlook:
    """How far the calendar's official data reaches, seen from one day (a warning, never a
    failure: routing goes on with the statutory days)."""

    today: dt.date
    horizon_days: int
    first_provisional_day: dt.date | None
    provisional_days: int  # days within the horizon whose year has no notice yet
    years: tuple[tuple[int, str], ...]  # (year, "official" | "provisional" | "unknown")

    @property
    def current(self) -> bool:
        return self.first_provisional_day is None

    def as_json(self) -> dict[str, object]:
        first = self.first_provisional_day
        return {"current": self.current, "today": self.today.isoformat(),
                "horizon_days": self.horizon_days,
                "first_provisional_day": first.isoformat() if first else None,
                "provisional_days": self.provisional_days,
                "years": {str(year): status for year, status in self.years}}


def calendar_outlook(calendar: WorkCalendar, at: float, horizon_days: int = 60
                     ) -> CalendarOutlook:
    today = local(at).date()
    days = [today + dt.timedelta(days=offset) for offset in range(horizon_days + 1)]
    provisional = [day for day in days if calendar.day(day).provisional]
    years = sorted({day.year for day in days})
    return CalendarOutlook(today, horizon_days, provisional[0] if provisional else None,
                           len(provisional),
                           tuple((year, calendar.year_status(year)) for year in years))
