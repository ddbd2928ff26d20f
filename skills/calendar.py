"""China's official working calendar: statutory holidays and make-up working days (调休).

Behind one small interface (:class:`WorkCalendar`): the ``chinese-calendar`` package (it
knows 2004 to its last published year and raises beyond), then the administrator's
override file, which wins: extra closures, and the State Council's notice for a year the
package does not know yet. A date past both is decided by the stated fallback rule —
Monday to Friday are working days, Saturday and Sunday are not — and reported as *not
known*, so the service raises an alert every day until the data is supplied.

Override file (YAML)::

    version: 1
    years:
      2027:                     # the official notice for 2027, once published
        holidays: ["2027-01-01", "2027-02-06", ...]
        workdays: ["2027-02-14", ...]          # make-up working days (weekends)
    closures: ["2026-12-31"]    # extra days off (any year)
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import chinese_calendar
import yaml
from chinese_calendar.constants import holidays as _package_holidays
from pydantic import BaseModel, ConfigDict, ValidationError

from skills.catalogue import CatalogueInvalid, CatalogueProblem

__all__ = ["FALLBACK_RULE", "DayKind", "OfficialCalendar", "load_calendar_overrides"]

FALLBACK_RULE = "Monday to Friday are working days; Saturday and Sunday are not"


@dataclass(frozen=True, slots=True)
class DayKind:
    working: bool
    known: bool  # False: decided by the fallback rule, data missing
    source: Literal["package", "override", "closure", "fallback"]
    name: str = ""


class _Year(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    holidays: tuple[dt.date, ...] = ()
    workdays: tuple[dt.date, ...] = ()


class _Overrides(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: Literal[1]
    years: dict[int, _Year] = {}
    closures: tuple[dt.date, ...] = ()


@functools.lru_cache(maxsize=4096)
def _package_day(date: dt.date) -> tuple[bool, str]:
    """The package's answer (its look-up validates the date range on every call: ~30 µs,
    and every transfer asks)."""
    _, name = chinese_calendar.get_holiday_detail(date)
    return chinese_calendar.is_workday(date), name or ""


def _package_years() -> tuple[int, int]:
    years = [day.year for day in _package_holidays]
    return min(years), max(years)


@dataclass(frozen=True, slots=True)
class OfficialCalendar:
    """The working calendar the hours and deadlines are computed on (pure look-ups)."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()
    override_years: frozenset[int] = frozenset()
    closures: frozenset[dt.date] = frozenset()
    package_years: tuple[int, int] = field(default_factory=_package_years)

    def day(self, date: dt.date) -> DayKind:
        if date in self.closures:
            return DayKind(False, True, "closure", "closure")
        if date.year in self.override_years:
            if date in self.holidays:
                return DayKind(False, True, "override", "holiday")
            if date in self.workdays:
                return DayKind(True, True, "override", "make-up working day")
            return DayKind(date.weekday() < 5, True, "override")
        first, last = self.package_years
        if first <= date.year <= last:
            working, name = _package_day(date)
            return DayKind(working, True, "package", name)
        return DayKind(date.weekday() < 5, False, "fallback", FALLBACK_RULE)

    def is_working_day(self, date: dt.date) -> bool:
        return self.day(date).working

    def known_until(self) -> dt.date:
        """The last date the data covers (package or override years)."""
        last = max([self.package_years[1], *self.override_years])
        return dt.date(last, 12, 31)


def load_calendar_overrides(path: Path | None) -> OfficialCalendar:
    """The official calendar with the administrator's overrides (none if ``path`` is None).

    Raises:
        CatalogueInvalid: the file does not parse, with file, path and reason.
    """
    if path is None:
        return OfficialCalendar()
    source = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        spec = _Overrides.model_validate(raw)
    except OSError as exc:
        raise CatalogueInvalid([CatalogueProblem(source, "", f"cannot read: {exc.strerror}")]
                               ) from exc
    except yaml.YAMLError as exc:
        raise CatalogueInvalid([CatalogueProblem(source, "", f"not valid YAML: {exc}")]) from exc
    except ValidationError as exc:
        raise CatalogueInvalid([
            CatalogueProblem(source, ".".join(str(p) for p in err["loc"]), err["msg"])
            for err in exc.errors()]) from exc
    problems = [
        CatalogueProblem(source, f"years.{year}", f"{day} is not in {year}")
        for year, spec_year in spec.years.items()
        for day in (*spec_year.holidays, *spec_year.workdays) if day.year != year
    ]
    if problems:
        raise CatalogueInvalid(problems)
    return OfficialCalendar(
        holidays=frozenset(d for y in spec.years.values() for d in y.holidays),
        workdays=frozenset(d for y in spec.years.values() for d in y.workdays),
        override_years=frozenset(spec.years),
        closures=frozenset(spec.closures),
    )
