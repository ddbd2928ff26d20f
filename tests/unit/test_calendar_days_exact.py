"""The working calendar's days, field by field: closures, override blocks, replaced years,
notices that make a year official, reload reports and the python-holidays source."""

from __future__ import annotations

import datetime as dt
from types import MappingProxyType

import pytest
from holidays.countries.china import ChinaStaticHolidays

from skills.calendar import (
    Day,
    DayStatus,
    WorkCalendar,
    YearOverride,
    base_year_status,
    calendar_changes,
    parse_calendar_overrides,
)
from skills.calendar.sources import python_holidays_day
from skills.catalogue import CatalogueInvalid

D = dt.date

NOTICE = "国办发明电〔2026〕9号"
BLOCK_2027 = YearOverride(2027, holidays=frozenset({D(2027, 2, 9)}),
                          workdays=frozenset({D(2027, 2, 20)}), notice=NOTICE)
WITH_NOTICE = WorkCalendar(years=MappingProxyType({2027: BLOCK_2027}),
                           closures=frozenset({D(2026, 12, 30)}))
REPLACED = WorkCalendar(years=MappingProxyType({2027: YearOverride(2027, notice="R-2027",
                                                                   replace=True)}))


@pytest.mark.parametrize(("calendar", "date", "expected"), [
    # a closure: a holiday named "closure", whatever the sources say
    (WITH_NOTICE, D(2026, 12, 30),
     Day(D(2026, 12, 30), DayStatus.HOLIDAY, "overrides", "official", "closure")),
    # a holiday the block adds: named by the block's notice
    (WITH_NOTICE, D(2027, 2, 9),
     Day(D(2027, 2, 9), DayStatus.HOLIDAY, "overrides", "official", NOTICE)),
    # a make-up working day the block adds (a Saturday)
    (WITH_NOTICE, D(2027, 2, 20),
     Day(D(2027, 2, 20), DayStatus.MAKEUP, "overrides", "official", NOTICE)),
    # an unlisted statutory day of a year the notice made official: still the law's holiday
    (WITH_NOTICE, D(2027, 1, 1),
     Day(D(2027, 1, 1), DayStatus.HOLIDAY, "statutory", "official", "New Year's Day")),
    # replace: true: unlisted days are weekdays (New Year's Day 2027 is a Friday)
    (REPLACED, D(2027, 1, 1),
     Day(D(2027, 1, 1), DayStatus.WORKING, "overrides", "official", "R-2027")),
    (REPLACED, D(2027, 1, 2),
     Day(D(2027, 1, 2), DayStatus.WEEKEND, "overrides", "official", "R-2027")),
])
def test_each_override_kind_gives_a_day_with_its_source_year_status_and_name(
    calendar: WorkCalendar, date: dt.date, expected: Day
) -> None:
    assert calendar.day(date) == expected


def test_a_closure_on_the_first_of_january_is_counted_as_a_changed_day() -> None:
    old = REPLACED
    new = WorkCalendar(years=REPLACED.years, closures=frozenset({D(2027, 1, 1)}))
    assert calendar_changes(old, new, [2027]) == ["2027: official, 1 day changed"]


def test_a_year_only_python_holidays_has_a_notice_for_is_official(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    assert base_year_status(2027) == "provisional"
    # a python-holidays release that brings 2027's notice before chinese_calendar does
    monkeypatch.setitem(ChinaStaticHolidays.special_public_holidays, 2027, ())
    assert base_year_status(2027) == "official"
    assert WorkCalendar().year_status(2027) == "official"


@pytest.mark.parametrize(("date", "expected"), [
    (D(2026, 1, 1), (DayStatus.HOLIDAY, "New Year's Day")),
    (D(2026, 1, 4), (DayStatus.MAKEUP, "")),     # a Sunday worked for New Year
    (D(2026, 1, 5), (DayStatus.WORKING, "")),    # a Monday
    (D(2026, 1, 10), (DayStatus.WEEKEND, "")),   # a Saturday
])
def test_python_holidays_names_holidays_and_leaves_other_days_unnamed(
    date: dt.date, expected: tuple[DayStatus, str]
) -> None:
    assert python_holidays_day(date) == expected


def test_an_overrides_schema_error_names_the_file_key_and_reason() -> None:
    with pytest.raises(CatalogueInvalid) as exc:
        parse_calendar_overrides("version: 2\n", "calendar.yaml")
    assert [(p.file, p.path, p.reason) for p in exc.value.problems] == [
        ("calendar.yaml", "version", "Input should be 1")]


def test_a_parsed_year_block_keeps_its_year_days_and_notice() -> None:
    calendar = parse_calendar_overrides(
        "version: 1\nyears:\n  2027:\n    notice: N-7\n    holidays: ['2027-02-09']\n"
        "    workdays: ['2027-02-20']\n", "calendar.yaml")
    assert dict(calendar.years) == {2027: YearOverride(
        2027, frozenset({D(2027, 2, 9)}), frozenset({D(2027, 2, 20)}), "N-7", False)}
    assert (calendar.closures, calendar.source) == (frozenset(), "calendar.yaml")


def test_a_make_up_day_of_another_year_is_refused_under_workdays() -> None:
    with pytest.raises(CatalogueInvalid) as exc:
        parse_calendar_overrides(
            "version: 1\nyears:\n  2026:\n    workdays: ['2025-12-27']\n", "calendar.yaml")
    assert [(p.file, p.path, p.reason) for p in exc.value.problems] == [
        ("calendar.yaml", "years.2026.workdays", "2025-12-27 is not in 2026")]
