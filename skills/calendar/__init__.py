"""China's official working calendar: statutory holidays, notices and make-up working days.

See docs/calendar.md: the sources in order (the administrator's overrides, the official
data, the statutory computation, the day of the week), provisional years, and what to do
each year when the State Council publishes the next year's notice.
"""

from skills.calendar.calendar import (
    WorkCalendar,
    YearOverride,
    base_day,
    base_year_status,
    calendar_changes,
    years_in_view,
)
from skills.calendar.day import WEEKDAYS, Day, DayStatus, Source, YearStatus
from skills.calendar.overrides import load_calendar_overrides, parse_calendar_overrides

__all__ = [
    "WEEKDAYS",
    "Day",
    "DayStatus",
    "Source",
    "WorkCalendar",
    "YearOverride",
    "YearStatus",
    "base_day",
    "base_year_status",
    "calendar_changes",
    "load_calendar_overrides",
    "parse_calendar_overrides",
    "years_in_view",
]
