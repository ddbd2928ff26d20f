"""China's working calendar, unit hours and ticket deadlines, as tables."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from router.core.hours import HOTLINE_TZ, deadline, is_open
from skills.calendar import WorkCalendar
from skills.model import Deadline, Hours

CAL = WorkCalendar()
OFFICE = Hours(periods=("09:00-12:00", "13:00-17:30"))
NEXT_10 = Deadline()


def at(text: str) -> float:
    """A Shanghai wall-clock time as Unix seconds."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=HOTLINE_TZ).timestamp()


def shanghai(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=HOTLINE_TZ)


@pytest.mark.parametrize(("when", "due"), [
    # a Friday 17:30 before the Tomb-sweeping holiday (Sat 4 - Mon 6 April 2026)
    ("2026-04-03 17:30", "2026-04-07 10:00"),
    # Friday 27 February 2026: Saturday 28 is a make-up working day
    ("2026-02-27 17:30", "2026-02-28 10:00"),
    # the make-up Saturday 14 February, eve of the Spring Festival holiday (15-23 February)
    ("2026-02-14 17:30", "2026-02-24 10:00"),
    # the last day of National Day week; Saturday 10 October is a make-up working day
    ("2026-10-09 20:00", "2026-10-10 10:00"),
    # an ordinary Tuesday night
    ("2026-11-24 22:00", "2026-11-25 10:00"),
    # a Wednesday at 08:00: still the next working day, not the same day
    ("2026-11-25 08:00", "2026-11-26 10:00"),
])
def test_a_ticket_is_due_before_10_on_the_next_working_day(when: str, due: str) -> None:
    assert deadline(NEXT_10, OFFICE, CAL, at(when)) == shanghai(due)


@pytest.mark.parametrize(("when", "open_"), [
    ("2026-04-03 17:29", True), ("2026-04-03 17:30", False),   # closing time
    ("2026-11-24 12:30", False), ("2026-11-24 13:00", True),   # the lunch break
    ("2026-02-28 10:00", True),                                  # a make-up Saturday
    ("2026-11-28 10:00", False),                                 # an ordinary Saturday
    ("2026-10-05 10:00", False),                                 # National Day week
])
def test_units_are_open_in_their_periods_on_working_days(when: str, open_: bool) -> None:
    assert is_open(OFFICE, CAL, at(when)) is open_


def test_working_time_does_not_depend_on_the_host_time_zone() -> None:
    before = os.environ.get("TZ")
    try:
        for zone in ("America/New_York", "UTC", "Asia/Kolkata"):
            os.environ["TZ"] = zone
            time.tzset()
            assert is_open(OFFICE, CAL, at("2026-11-24 09:30")) is True
            assert deadline(NEXT_10, OFFICE, CAL, at("2026-04-03 17:30")) == shanghai(
                "2026-04-07 10:00")
    finally:
        if before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = before
        time.tzset()


def test_within_n_working_hours_counts_only_working_time() -> None:
    policy = Deadline(policy="working_hours", hours=4)
    # Friday 16:00 before Tomb-sweeping: 1.5 h on Friday, 2.5 h from Tuesday 09:00
    assert deadline(policy, OFFICE, CAL, at("2026-04-03 16:00")) == shanghai(
        "2026-04-07 11:30")
    # across the lunch break
    assert deadline(policy, OFFICE, CAL, at("2026-11-24 10:00")) == shanghai(
        "2026-11-24 15:00")


def test_a_window_of_working_time_skips_nights_weekends_and_lunch() -> None:
    from router.core.hours import working_time_before  # noqa: PLC0415

    # Tuesday 09:30, 60 working minutes back: 30 min on Tuesday, 30 before Monday's close
    assert working_time_before(OFFICE, CAL, at("2026-11-24 09:30"), 60) == at(
        "2026-11-23 17:00")
    # across the lunch break
    assert working_time_before(OFFICE, CAL, at("2026-11-24 13:30"), 60) == at(
        "2026-11-24 11:30")
    # Tuesday after the Tomb-sweeping holiday: back to Friday 3 April
    assert working_time_before(OFFICE, CAL, at("2026-04-07 09:00"), 30) == at(
        "2026-04-03 17:00")
