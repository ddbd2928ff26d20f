"""``python -m router calendar show YEAR [--unit U] [--json] | check [--days N]``.

``show`` lists each day of a year: its status (working, holiday, make-up working day,
weekend), the source that decided it and whether the year is provisional. ``check`` is for
cron and monitoring: exit 0 when every day of the next N (60) is in a year with its
official notice, 1 when some are provisional or unknown (the notice must be added).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from router.core.hours import HOTLINE_TZ, CalendarOutlook, calendar_outlook
from skills.calendar import WEEKDAYS, WorkCalendar
from skills.catalogue import Catalogue

__all__ = ["add_calendar_parser", "outlook_line", "run_calendar"]

_YEAR_MEANING = {
    "official": "official: the State Council's notice is known",
    "provisional": "provisional: only the statutory holidays are known; bridging days and "
                   "make-up working days come with the State Council's notice",
    "unknown": "unknown: outside the lunar tables; Monday to Friday count as working days",
}


def add_calendar_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    calendar = sub.add_parser("calendar", help="the working calendar: show a year, check ahead")
    actions = calendar.add_subparsers(dest="calendar_action", required=True)
    show = actions.add_parser("show", help="each day of a year, its status and source")
    show.add_argument("year", type=int)
    show.add_argument("--unit", help="as this unit sees it (a unit may work every day)")
    show.add_argument("--json", action="store_true")
    show.add_argument("--config", type=str, default=None)
    check = actions.add_parser("check", help="exit 1 if the coming days lack their notice")
    check.add_argument("--days", type=int, default=60)
    check.add_argument("--today", type=dt.date.fromisoformat, default=None,
                       help="YYYY-MM-DD (Asia/Shanghai; default today)")
    check.add_argument("--json", action="store_true")
    check.add_argument("--config", type=str, default=None)


def run_calendar(args: argparse.Namespace, calendar: WorkCalendar, catalogue: Catalogue
                 ) -> int:
    if args.calendar_action == "check":
        today = args.today or dt.datetime.now(HOTLINE_TZ).date()
        noon = dt.datetime.combine(today, dt.time(12), HOTLINE_TZ).timestamp()
        outlook = calendar_outlook(calendar, noon, args.days)
        print(json.dumps(outlook.as_json()) if args.json else outlook_line(outlook))
        return 0 if outlook.current else 1
    every_day = False
    if args.unit is not None:
        unit = catalogue.units.get(args.unit)
        if unit is None:
            print(f"error: no unit {args.unit!r} in {catalogue.source}", file=sys.stderr)
            return 2
        every_day = unit.hours.days == "every_day"
    rows = _year(calendar, args.year, every_day)
    status = calendar.year_status(args.year)
    if args.json:
        print(json.dumps({"year": args.year, "year_status": status, "unit": args.unit,
                          "days": rows}, ensure_ascii=False))
        return 0
    print(f"{args.year}: {_YEAR_MEANING[status]}")
    if args.unit is not None:
        print(f"unit {args.unit}: " + ("works every day (the calendar does not close it)"
                                       if every_day else "works on working days"))
    for row in rows:
        print(f"{row['date']} {row['weekday'][:3]}  {row['status']:<20} {row['source']:<16} "
              f"{row['name']}")
    return 0


def _year(calendar: WorkCalendar, year: int, every_day: bool) -> list[dict[str, Any]]:
    rows, day = [], dt.date(year, 1, 1)
    while day.year == year:
        row = calendar.day(day).as_json()
        row["unit_working"] = every_day or row["working"]
        rows.append(row)
        day += dt.timedelta(days=1)
    return rows


def outlook_line(outlook: CalendarOutlook) -> str:
    """One line for ``report`` and ``calendar check``."""
    years = ", ".join(f"{year} {status}" for year, status in outlook.years)
    if outlook.current:
        return f"calendar: official for the next {outlook.horizon_days} days ({years})"
    first = outlook.first_provisional_day
    assert first is not None
    return (f"calendar: WARNING {outlook.provisional_days} of the next "
            f"{outlook.horizon_days} days are provisional from {first} "
            f"({WEEKDAYS[first.weekday()]}; {years}): add the State Council's notice to the "
            "calendar overrides file, check-config, reload (docs/calendar.md)")
