"""China's working calendar, unit hours and ticket deadlines, as tables."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from router.core.hours import HOTLINE_TZ, deadline, is_open, next_working_day
from skills.calendar import OfficialCalendar, load_calendar_overrides
from skills.catalogue import CatalogueInvalid
from skills.model import Deadline, Hours

CAL = OfficialCalendar()
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


def test_past_the_packages_data_the_fallback_rule_decides_and_says_so() -> None:
    monday, saturday = dt.date(2027, 1, 4), dt.date(2027, 1, 9)
    assert CAL.known_until() == dt.date(2026, 12, 31)
    assert (CAL.day(monday).working, CAL.day(monday).known) == (True, False)
    assert (CAL.day(saturday).working, CAL.day(saturday).known) == (False, False)
    assert next_working_day(CAL, dt.date(2026, 12, 31)) == dt.date(2027, 1, 1)


def test_the_administrators_notice_for_a_new_year_and_closures_override(tmp_path: Path) -> None:
    notice = tmp_path / "calendar.yaml"
    notice.write_text("version: 1\nyears:\n  2027:\n    holidays: ['2027-01-01']\n"
                      "    workdays: ['2027-01-09']\nclosures: ['2026-12-30']\n")
    calendar = load_calendar_overrides(notice)
    assert calendar.known_until() == dt.date(2027, 12, 31)
    assert calendar.day(dt.date(2027, 1, 1)).working is False
    assert (calendar.day(dt.date(2027, 1, 9)).working, calendar.day(dt.date(2027, 1, 9)).known
            ) == (True, True)
    assert calendar.day(dt.date(2026, 12, 30)).working is False
    assert next_working_day(calendar, dt.date(2026, 12, 29)) == dt.date(2026, 12, 31)


def test_an_override_file_with_a_date_in_the_wrong_year_is_refused(tmp_path: Path) -> None:
    notice = tmp_path / "calendar.yaml"
    notice.write_text("version: 1\nyears:\n  2027:\n    holidays: ['2026-10-01']\n")
    with pytest.raises(CatalogueInvalid) as exc:
        load_calendar_overrides(notice)
    assert [(p.path, p.reason) for p in exc.value.problems] == [
        ("years.2027", "2026-10-01 is not in 2027")]


def test_the_calendar_alert_names_the_first_day_past_the_data() -> None:
    from router.core.hours import first_unknown_day  # noqa: PLC0415

    assert first_unknown_day(CAL, at("2026-06-01 09:00")) is None
    assert first_unknown_day(CAL, at("2026-11-22 09:00")) == dt.date(2027, 1, 1)


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
