"""The calendar's published sources, each a pure function of the date.

* **chinese_calendar** (the ``chinesecalendar`` package) holds the State Council's notice
  for every year from 2004 to its last release's year: holidays, bridging days and make-up
  working days (调休).
* **python-holidays** (the ``holidays`` package, released monthly) holds the notices too;
  it is consulted for a notice year that chinese_calendar does not have yet, so upgrading
  either package brings a new year's notice.
* **statutory**: the full-day holidays fixed by the law on public holidays (全国年节及纪念日
  放假办法, revised 2024; earlier years under the rules then in force), computed by
  python-holidays for any year its lunar tables cover: New Year's Day, Spring Festival
  (New Year's Eve and days 1-3 of the first lunar month), Qingming, Labour Day (1-2 May),
  Dragon Boat, Mid-Autumn and National Day (1-3 October). A year known only this way is
  *provisional*: its bridging days and make-up working days come with the notice.

python-holidays was chosen over a bare lunar-calendar package because it encodes the law's
revisions year by year (the eve in 2008-2013 and from 2025, Labour Day's second day from
2025), is typed, and is maintained by many hands; its own "observed" guesses for a year
without a notice are not used (they are not the State Council's).
"""

from __future__ import annotations

import datetime as dt
import functools

import chinese_calendar
from chinese_calendar.constants import holidays as _chinese_calendar_holidays
from holidays import HolidayBase, country_holidays
from holidays.countries.china import ChinaStaticHolidays

from skills.calendar.day import DayStatus, weekday_status

__all__ = [
    "CHINESE_CALENDAR_YEARS",
    "chinese_calendar_day",
    "python_holidays_day",
    "python_holidays_has_notice",
    "statutory_days",
]

_years = [day.year for day in _chinese_calendar_holidays]
CHINESE_CALENDAR_YEARS = range(min(_years), max(_years) + 1)

# python-holidays' English names of the statutory full-day holidays (a date holding two
# holidays carries both names, joined by "; ")
_STATUTORY_NAMES = frozenset({
    "New Year's Day", "Chinese New Year's Eve", "Chinese New Year (Spring Festival)",
    "Tomb-Sweeping Day", "Labor Day", "Dragon Boat Festival", "Mid-Autumn Festival",
    "National Day"})


@functools.lru_cache(maxsize=4096)
def chinese_calendar_day(date: dt.date) -> tuple[DayStatus, str]:
    """The notice's word on ``date`` (a year in CHINESE_CALENDAR_YEARS). Cached: the
    package validates its range on every call (~30 µs) and every transfer asks."""
    working = chinese_calendar.is_workday(date)
    _, name = chinese_calendar.get_holiday_detail(date)
    if working:
        return (DayStatus.MAKEUP if date.weekday() >= 5 else DayStatus.WORKING), name or ""
    return (DayStatus.HOLIDAY if name else DayStatus.WEEKEND), name or ""


@functools.lru_cache(maxsize=64)
def _notice_year(year: int) -> HolidayBase:
    return country_holidays("CN", years=year, language="en_US")


def python_holidays_has_notice(year: int) -> bool:
    """True if python-holidays carries the State Council's notice for ``year`` (its table
    of substituted days for the year is the notice's bridging and make-up days)."""
    return year in ChinaStaticHolidays.special_public_holidays


def python_holidays_day(date: dt.date) -> tuple[DayStatus, str]:
    """The notice's word on ``date`` as python-holidays has it (a notice year)."""
    year = _notice_year(date.year)
    name = year.get(date)
    if name is not None:
        return DayStatus.HOLIDAY, str(name)
    if date in year.weekend_workdays:
        return DayStatus.MAKEUP, ""
    return weekday_status(date), ""


@functools.lru_cache(maxsize=256)
def statutory_days(year: int) -> dict[dt.date, str] | None:
    """The statutory full-day holidays of ``year`` (date -> name); None where the lunar
    tables do not reach (the year is then unknown, not provisional)."""
    found = country_holidays("CN", years=year, observed=False, language="en_US")
    if not found:
        return None
    days = {}
    for date, names in found.items():
        statutory = [n for n in str(names).split("; ") if n in _STATUTORY_NAMES]
        if statutory:
            days[date] = "; ".join(statutory)
    return days
