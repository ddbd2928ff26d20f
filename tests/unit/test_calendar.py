"""The working calendar: its sources against the State Council's notices, provisional years,
overrides that merge, and the deadlines that depend on them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from router.core.hours import (
    HOTLINE_TZ,
    calendar_outlook,
    deadline,
    next_working_day,
    provisional_between,
)
from skills.calendar import DayStatus, WorkCalendar, calendar_changes, load_calendar_overrides
from skills.calendar.sources import (
    CHINESE_CALENDAR_YEARS,
    chinese_calendar_day,
    python_holidays_day,
    python_holidays_has_notice,
    statutory_days,
)
from skills.catalogue import CatalogueInvalid
from skills.model import Deadline, Hours
from tests.unit.notices import STATUTORY, days_off, makeup_days

D = dt.date
CAL = WorkCalendar()
OFFICE = Hours(periods=("09:00-12:00", "13:00-17:30"))


def at(text: str) -> float:
    return dt.datetime.fromisoformat(text).replace(tzinfo=HOTLINE_TZ).timestamp()


def every_day(year: int) -> list[dt.date]:
    return [D(year, 1, 1) + dt.timedelta(days=n)
            for n in range((D(year + 1, 1, 1) - D(year, 1, 1)).days)]


def notice_status(day: dt.date) -> DayStatus:
    """What the notice (tests/unit/notices.py) says of ``day``, weekdays otherwise."""
    if day in days_off(day.year):
        return DayStatus.HOLIDAY
    if day in makeup_days(day.year):
        return DayStatus.MAKEUP
    return DayStatus.WEEKEND if day.weekday() >= 5 else DayStatus.WORKING


def _kind(status: DayStatus) -> str:
    return {DayStatus.WORKING: "working", DayStatus.MAKEUP: "make-up",
            DayStatus.HOLIDAY: "off", DayStatus.WEEKEND: "off"}[status]


@pytest.mark.parametrize("year", [2025, 2026])
def test_both_official_sources_say_what_the_notice_says_on_every_day_of_the_year(
    year: int
) -> None:
    assert python_holidays_has_notice(year)
    assert year in CHINESE_CALENDAR_YEARS
    for day in every_day(year):
        expected = notice_status(day)
        assert chinese_calendar_day(day)[0] is expected, day
        assert CAL.day(day).status is expected, day
        # python-holidays lists the days off, not the weekend days inside a holiday period
        assert _kind(python_holidays_day(day)[0]) == _kind(expected), day


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_the_statutory_computation_gives_the_laws_thirteen_days(year: int) -> None:
    assert set(statutory_days(year) or {}) == STATUTORY[year]


def test_every_statutory_day_is_a_day_off_in_every_year_the_official_data_knows() -> None:
    checked = 0
    for year in range(2008, CHINESE_CALENDAR_YEARS.stop):
        for day in statutory_days(year) or {}:
            assert not chinese_calendar_day(day)[0].working, day
            checked += 1
    # 2008-2013: 11 days a year (eve, days 1-2), 2014-2024: 11 (days 1-3), 2025-2026: 13;
    # less two dates holding two holidays: Mid-Autumn on 3 October 2009 and 1 October 2020
    assert checked == 6 * 11 + 11 * 11 + 2 * 13 - 2


def test_past_the_official_data_the_statutory_days_are_off_and_the_year_is_provisional() -> None:
    assert CHINESE_CALENDAR_YEARS.stop == 2027
    assert not python_holidays_has_notice(2027)
    new_year, national, monday = CAL.day(D(2027, 1, 1)), CAL.day(D(2027, 10, 1)), \
        CAL.day(D(2027, 1, 4))
    assert (new_year.status, new_year.source, new_year.year_status, new_year.name) == (
        DayStatus.HOLIDAY, "statutory", "provisional", "New Year's Day")
    assert (national.status, national.source, national.provisional) == (
        DayStatus.HOLIDAY, "statutory", True)
    assert (monday.status, monday.source) == (DayStatus.WORKING, "weekday")
    # the eve of the Spring Festival 2027 is a Friday: off by law, even before the notice
    assert CAL.day(D(2027, 2, 5)).status is DayStatus.HOLIDAY
    assert CAL.day(D(2027, 2, 9)).status is DayStatus.WORKING  # bridging days: the notice's
    assert (CAL.year_status(2026), CAL.year_status(2027), CAL.year_status(2101)) == (
        "official", "provisional", "unknown")
    assert CAL.day(D(2101, 1, 3)).source == "weekday"


def test_a_ticket_raised_on_new_years_eve_evening_is_due_after_the_holiday_provisionally(
) -> None:
    due = deadline(Deadline(), OFFICE, CAL, at("2026-12-31 18:00"))
    assert due == dt.datetime(2027, 1, 4, 10, 0, tzinfo=HOTLINE_TZ)
    assert provisional_between(CAL, D(2026, 12, 31), due.date()) is True
    assert provisional_between(CAL, D(2026, 12, 1), D(2026, 12, 31)) is False
    assert next_working_day(CAL, D(2027, 9, 30)) == D(2027, 10, 4)


def _overrides(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(CatalogueInvalid) as exc:
        load_calendar_overrides(path)
    return [(p.file, p.path, p.reason) for p in exc.value.problems]


def test_an_added_holiday_keeps_every_other_day_of_the_year(tmp_path: Path) -> None:
    calendar = load_calendar_overrides(_overrides(
        tmp_path, "version: 1\nyears:\n  2026:\n    holidays: ['2026-12-31']\n"))
    added = calendar.day(D(2026, 12, 31))
    assert (added.status, added.source, added.year_status) == (
        DayStatus.HOLIDAY, "overrides", "official")
    for day in every_day(2026):
        if day != D(2026, 12, 31):
            assert calendar.day(day).status is notice_status(day), day
    assert calendar_changes(CAL, calendar, [2026, 2027]) == ["2026: official, 1 day changed"]
    saturday = load_calendar_overrides(_overrides(
        tmp_path, "version: 1\nyears:\n  2026:\n    holidays: ['2026-12-26']\n"))
    assert saturday.day(D(2026, 12, 26)).source == "overrides"
    assert calendar_changes(CAL, saturday, [2026]) == []  # a Saturday was off already


def test_a_make_up_day_on_a_holiday_is_refused_with_file_key_and_reason(tmp_path: Path) -> None:
    path = _overrides(tmp_path, "version: 1\nyears:\n  2026:\n    workdays: ['2026-10-03']\n"
                                "    holidays: ['2026-02-14']\n")
    assert _problems(path) == [
        (str(path), "years.2026.workdays",
         "2026-10-03 is a holiday (National Day) in the chinese_calendar data; an override "
         "adds days and cannot make a holiday a working day: write the whole year with "
         "replace: true to do that"),
        (str(path), "years.2026.holidays",
         "2026-02-14 is a make-up working day in the chinese_calendar data; an override "
         "cannot make it a holiday: write the whole year with replace: true, or list it "
         "under closures if the centre is closed that day"),
    ]


def test_a_statutory_day_of_a_provisional_year_cannot_be_made_a_working_day(
    tmp_path: Path
) -> None:
    path = _overrides(tmp_path, "version: 1\nyears:\n  2027:\n    workdays: ['2027-02-06']\n")
    assert _problems(path) == [(
        str(path), "years.2027.workdays",
        "2027-02-06 is a holiday (Chinese New Year (Spring Festival)) in the statutory data; "
        "an override adds days and cannot make a holiday a working day: write the whole year "
        "with replace: true to do that")]


def test_malformed_year_blocks_are_refused_each_with_its_reason(tmp_path: Path) -> None:
    path = _overrides(tmp_path, (
        "version: 1\nyears:\n  2027:\n    holidays: ['2026-10-01', '2027-02-20']\n"
        "    workdays: ['2027-02-20', '2027-02-19']\n"))
    assert [(key, reason) for _, key, reason in _problems(path)] == [
        ("years.2027.holidays", "2026-10-01 is not in 2027"),
        ("years.2027.workdays", "2027-02-20 is listed both as a holiday and as a make-up "
                                "working day"),
        ("years.2027.workdays", "2027-02-19 is a Friday: a make-up working day (调休上班) "
                                "is a Saturday or a Sunday"),
    ]


def test_a_repeated_year_and_an_unknown_key_are_refused(tmp_path: Path) -> None:
    repeated = _overrides(tmp_path, "version: 1\nyears:\n  2027:\n    holidays: []\n"
                                    "  2027:\n    workdays: []\n")
    assert _problems(repeated) == [
        (str(repeated), "2027", "duplicate year '2027' at line 5 (first at line 3)")]
    unknown = _overrides(tmp_path, "version: 1\nyears:\n  2027:\n    holiday: []\n")
    assert [(k, r) for _, k, r in _problems(unknown)] == [
        ("years.2027.holiday", "Extra inputs are not permitted")]


def test_replace_true_makes_the_block_the_whole_year(tmp_path: Path) -> None:
    calendar = load_calendar_overrides(_overrides(tmp_path, (
        "version: 1\nyears:\n  2026:\n    replace: true\n    holidays: ['2026-10-01']\n"
        "    workdays: ['2026-10-03']\n")))
    assert [calendar.day(d).status for d in (D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 3),
                                             D(2026, 2, 17), D(2026, 2, 14))] == [
        DayStatus.HOLIDAY, DayStatus.WORKING, DayStatus.MAKEUP, DayStatus.WORKING,
        DayStatus.WEEKEND]
    assert {calendar.day(d).source for d in every_day(2026)} == {"overrides"}


# An example notice for 2027, invented for the test (the real one is not published yet): the
# Spring Festival from the eve, Friday 5 February, to Friday 12 February, Saturday 20
# February worked in exchange.
NOTICE_2027 = ("version: 1\nyears:\n  2027:\n    notice: 'example notice for the test'\n"
               "    holidays: ['2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08',\n"
               "               '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12']\n"
               "    workdays: ['2027-02-20']\n")


def test_a_notice_in_the_overrides_makes_the_year_official_and_keeps_the_statutory_days(
    tmp_path: Path
) -> None:
    calendar = load_calendar_overrides(_overrides(tmp_path, NOTICE_2027))
    assert calendar.year_status(2027) == "official"
    national = calendar.day(D(2027, 10, 1))  # not listed: still off by law
    assert (national.status, national.source, national.provisional) == (
        DayStatus.HOLIDAY, "statutory", False)
    assert calendar.day(D(2027, 2, 10)).status is DayStatus.HOLIDAY
    assert calendar.day(D(2027, 2, 20)).status is DayStatus.MAKEUP
    # 9-12 February become holidays and 20 February a make-up day: five days change
    assert calendar_changes(CAL, calendar, [2026, 2027, 2028]) == [
        "2027: provisional → official, 5 days changed"]
    assert deadline(Deadline(), OFFICE, calendar, at("2027-02-08 18:00")) == dt.datetime(
        2027, 2, 15, 10, 0, tzinfo=HOTLINE_TZ)
    assert deadline(Deadline(), OFFICE, CAL, at("2027-02-08 18:00")) == dt.datetime(
        2027, 2, 9, 10, 0, tzinfo=HOTLINE_TZ)


def test_closures_are_days_off_in_any_year(tmp_path: Path) -> None:
    calendar = load_calendar_overrides(_overrides(tmp_path, (
        "version: 1\nclosures: ['2026-12-30', '2027-03-01']\n")))
    assert [(calendar.day(d).status, calendar.day(d).name) for d in (D(2026, 12, 30),
                                                                     D(2027, 3, 1))] == [
        (DayStatus.HOLIDAY, "closure"), (DayStatus.HOLIDAY, "closure")]
    assert next_working_day(calendar, D(2026, 12, 29)) == D(2026, 12, 31)


def test_the_outlook_counts_the_provisional_days_ahead() -> None:
    december = calendar_outlook(CAL, at("2026-12-02 09:00"))
    assert december.as_json() == {
        "current": False, "today": "2026-12-02", "horizon_days": 60,
        "first_provisional_day": "2027-01-01", "provisional_days": 31,  # 1-31 January
        "years": {"2026": "official", "2027": "provisional"}}
    in_2027 = calendar_outlook(CAL, at("2027-02-08 18:00"))
    assert (in_2027.first_provisional_day, in_2027.provisional_days) == (D(2027, 2, 8), 61)
    june = calendar_outlook(CAL, at("2026-06-01 09:00"))
    assert (june.current, june.first_provisional_day, june.provisional_days) == (True, None, 0)
