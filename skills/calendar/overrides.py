"""The administrator's calendar file: a new year's notice, extra holidays, closures.

::

    version: 1
    years:
      2027:
        notice: "国办发明电〔2026〕N号"   # the State Council's notice: 2027 becomes official
        holidays: ["2027-02-09", ...]      # days off added (the statutory days stay off)
        workdays: ["2027-02-20", ...]      # make-up working days (Saturdays or Sundays)
    closures: ["2026-12-31"]               # extra days off, any year

A year block *adds* to the published sources; it never removes a day off silently. A
make-up working day on one of the sources' holidays, or a holiday on one of their make-up
working days, contradicts them and is refused, unless the block says ``replace: true``:
then the block is the whole year (only the days it lists, then weekdays) and the year is
official.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from skills.calendar.calendar import WorkCalendar, YearOverride, base_day
from skills.calendar.day import WEEKDAYS, DayStatus
from skills.files import CatalogueInvalid, CatalogueProblem, parse_yaml, read_config_text

__all__ = ["load_calendar_overrides", "parse_calendar_overrides"]


class _Year(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    notice: str = Field(default="", max_length=200)
    holidays: tuple[dt.date, ...] = Field(default=(), max_length=366)
    workdays: tuple[dt.date, ...] = Field(default=(), max_length=366)
    replace: bool = False


class _Overrides(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: Literal[1]
    years: dict[int, _Year] = Field(default={}, max_length=200)
    closures: tuple[dt.date, ...] = Field(default=(), max_length=10_000)


def load_calendar_overrides(path: Path | None) -> WorkCalendar:
    """The working calendar with the administrator's overrides (none if ``path`` is None).

    Raises:
        CatalogueInvalid: every problem, with file, key and reason.
    """
    if path is None:
        return WorkCalendar()
    return parse_calendar_overrides(read_config_text(path), str(path))


def parse_calendar_overrides(text: str, source: str) -> WorkCalendar:
    raw = parse_yaml(text, source, key_label=lambda _key: "year")
    try:
        spec = _Overrides.model_validate(raw)
    except ValidationError as exc:
        raise CatalogueInvalid([
            CatalogueProblem(source, ".".join(str(p) for p in err["loc"]), err["msg"])
            for err in exc.errors()]) from exc
    problems = [CatalogueProblem(source, key, reason)
                for year, block in spec.years.items()
                for key, reason in _check_year(year, block)]
    if problems:
        raise CatalogueInvalid(problems)
    return WorkCalendar(
        years=MappingProxyType({
            year: YearOverride(year, frozenset(block.holidays), frozenset(block.workdays),
                               block.notice, block.replace)
            for year, block in spec.years.items()}),
        closures=frozenset(spec.closures),
        source=source,
    )


def _check_year(year: int, block: _Year) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    where = f"years.{year}"
    for kind, days in (("holidays", block.holidays), ("workdays", block.workdays)):
        problems += [(f"{where}.{kind}", f"{day} is not in {year}")
                     for day in days if day.year != year]
    both = sorted(set(block.holidays) & set(block.workdays))
    problems += [(f"{where}.workdays",
                  f"{day} is listed both as a holiday and as a make-up working day")
                 for day in both]
    for day in block.workdays:
        if day.weekday() < 5:
            problems.append((f"{where}.workdays", f"{day} is a {WEEKDAYS[day.weekday()]}: a "
                             "make-up working day (调休上班) is a Saturday or a Sunday"))
    if block.replace:
        return problems
    for day in block.workdays:
        found = base_day(day)
        if day.year == year and found.status is DayStatus.HOLIDAY:
            problems.append((f"{where}.workdays", (
                f"{day} is a holiday ({found.name or 'statutory'}) in the {found.source} data; "
                "an override adds days and cannot make a holiday a working day: "
                f"write the whole year with replace: true to do that")))
    for day in block.holidays:
        found = base_day(day)
        if day.year == year and found.status is DayStatus.MAKEUP:
            problems.append((f"{where}.holidays", (
                f"{day} is a make-up working day in the {found.source} data; an override "
                "cannot make it a holiday: write the whole year with replace: true, or "
                "list it under closures if the centre is closed that day")))
    return problems
