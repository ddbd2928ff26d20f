"""The working calendar the hours and deadlines are computed on (pure look-ups).

A day is classified by the first source that knows it: the administrator's overrides, the
official data (chinese_calendar, then python-holidays), the statutory computation, then
the day of the week. Overrides *merge*: a year block adds holidays and make-up working
days to what the sources say; only a block with ``replace: true`` stands alone.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from skills.calendar.day import Day, DayStatus, YearStatus, weekday_status
from skills.calendar.sources import (
    CHINESE_CALENDAR_YEARS,
    chinese_calendar_day,
    python_holidays_day,
    python_holidays_has_notice,
    statutory_days,
)

__all__ = ["WorkCalendar", "YearOverride", "base_day", "base_year_status", "calendar_changes",
           "years_in_view"]


@dataclass(frozen=True, slots=True)
class YearOverride:
    """One ``years:`` block of the overrides file."""

    year: int
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()  # make-up working days (weekend days)
    notice: str = ""  # the State Council notice's reference: the year is then official
    replace: bool = False  # the block is the whole year: the sources are not consulted

    @property
    def official(self) -> bool:
        return bool(self.notice) or self.replace


def base_year_status(year: int) -> YearStatus:
    """The year's status from the packaged sources alone."""
    if year in CHINESE_CALENDAR_YEARS or python_holidays_has_notice(year):
        return "official"
    return "provisional" if statutory_days(year) is not None else "unknown"


@functools.lru_cache(maxsize=8192)
def base_day(date: dt.date) -> Day:
    """``date`` as the packaged sources classify it (no overrides; cached: every transfer
    and every deadline asks)."""
    if date.year in CHINESE_CALENDAR_YEARS:
        status, name = chinese_calendar_day(date)
        return Day(date, status, "chinese_calendar", "official", name)
    if python_holidays_has_notice(date.year):
        status, name = python_holidays_day(date)
        return Day(date, status, "python-holidays", "official", name)
    statutory = statutory_days(date.year)
    if statutory is None:
        return Day(date, weekday_status(date), "weekday", "unknown")
    if date in statutory:
        return Day(date, DayStatus.HOLIDAY, "statutory", "provisional", statutory[date])
    return Day(date, weekday_status(date), "weekday", "provisional")


@dataclass(frozen=True, slots=True)
class WorkCalendar:
    years: Mapping[int, YearOverride] = field(default_factory=lambda: MappingProxyType({}))
    closures: frozenset[dt.date] = frozenset()  # extra days off, any year
    source: str = ""  # the overrides file, for messages

    def year_status(self, year: int) -> YearStatus:
        block = self.years.get(year)
        if block is not None and block.official:
            return "official"
        return base_year_status(year)

    def day(self, date: dt.date) -> Day:
        block = self.years.get(date.year)
        status = self.year_status(date.year)
        if date in self.closures:
            return Day(date, DayStatus.HOLIDAY, "overrides", status, "closure")
        if block is not None:
            if date in block.holidays:
                return Day(date, DayStatus.HOLIDAY, "overrides", status, block.notice)
            if date in block.workdays:
                return Day(date, DayStatus.MAKEUP, "overrides", status, block.notice)
            if block.replace:
                return Day(date, weekday_status(date), "overrides", status, block.notice)
        found = base_day(date)
        if found.year_status != status:
            # a notice in the overrides makes the year official; unlisted days keep their
            # classification from the sources (statutory days stay holidays)
            return Day(date, found.status, found.source, status, found.name)
        return found

    def is_working_day(self, date: dt.date) -> bool:
        return self.day(date).working


def years_in_view(year: int, *calendars: WorkCalendar) -> list[int]:
    """The years worth reporting: this one, the next, and every year an overrides file
    names."""
    return sorted({year, year + 1, *(y for calendar in calendars for y in calendar.years)})


def calendar_changes(old: WorkCalendar, new: WorkCalendar, years: Iterable[int]
                     ) -> list[str]:
    """What a reload changed, one line per year: ``2027: provisional → official, 9 days
    changed`` (a day changed if it became a working day or a day off: a weekend day
    relabelled a holiday changes nothing for the units)."""
    lines = []
    for year in sorted(set(years)):
        day, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
        changed = 0
        while day <= end:
            changed += old.day(day).working is not new.day(day).working
            day += dt.timedelta(days=1)
        before, after = old.year_status(year), new.year_status(year)
        if changed == 0 and before == after:
            continue
        status = before if before == after else f"{before} → {after}"
        lines.append(f"{year}: {status}, {changed} day{'s' if changed != 1 else ''} changed")
    return lines
