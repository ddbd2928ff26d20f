"""Working time and ticket deadlines (pure; the calendar is injected).

Everything is evaluated in Asia/Shanghai, whatever the host's time zone. A unit is open
when the day is a working day of the official calendar (or the unit works every day) and
the local time falls in one of its periods (two periods model a lunch break).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from skills.calendar import OfficialCalendar
from skills.model import Deadline, Hours

__all__ = [
    "HOTLINE_TZ",
    "deadline",
    "first_unknown_day",
    "is_open",
    "local",
    "next_working_day",
]

HOTLINE_TZ = ZoneInfo("Asia/Shanghai")
_MAX_DAYS = 400  # no real calendar closes a unit for longer


def local(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at, HOTLINE_TZ)


def _working(calendar: OfficialCalendar, hours: Hours, day: dt.date) -> bool:
    return hours.days == "every_day" or calendar.is_working_day(day)


def is_open(hours: Hours, calendar: OfficialCalendar, at: float) -> bool:
    now = local(at)
    if not _working(calendar, hours, now.date()):
        return False
    clock = now.time()
    return any(start <= clock < end for start, end in hours.intervals())


def next_working_day(calendar: OfficialCalendar, day: dt.date) -> dt.date:
    """The first working day after ``day``."""
    for offset in range(1, _MAX_DAYS):
        candidate = day + dt.timedelta(days=offset)
        if calendar.is_working_day(candidate):
            return candidate
    raise ValueError(f"no working day within {_MAX_DAYS} days after {day}")


def deadline(policy: Deadline, hours: Hours, calendar: OfficialCalendar, at: float
             ) -> dt.datetime:
    """When the unit must have contacted the enterprise about a ticket created ``at``."""
    created = local(at)
    if policy.policy == "next_working_day":
        hh, mm = (int(part) for part in policy.at.split(":"))
        day = next_working_day(calendar, created.date())
        return dt.datetime.combine(day, dt.time(hh, mm), HOTLINE_TZ)
    return _add_working_time(hours, calendar, created, dt.timedelta(hours=policy.hours))


def _add_working_time(hours: Hours, calendar: OfficialCalendar, start: dt.datetime,
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


def working_time_before(hours: Hours, calendar: OfficialCalendar, at: float,
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


def first_unknown_day(calendar: OfficialCalendar, at: float, horizon_days: int = 60
                      ) -> dt.date | None:
    """The first day within the horizon that the calendar data does not cover.

    Deadlines reach into the coming weeks: an administrator must supply next year's
    official notice before the package's data runs out, so the service raises an alert
    every day while this is not None.
    """
    today = local(at).date()
    for offset in range(horizon_days + 1):
        day = today + dt.timedelta(days=offset)
        if not calendar.day(day).known:
            return day
    return None
