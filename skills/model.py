"""The catalogue file's schema (version 1): matters, units, teams, specialists.

One YAML file describes the enterprise line. Field names are the file's public contract;
``python -m router catalogue schema`` exports the JSON Schema for editors.
"""

from __future__ import annotations

import re
from datetime import time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "CatalogueFile",
    "DistrictSpec",
    "Hours",
    "MatterSpec",
    "Names",
    "SpecialistSpec",
    "TeamSpec",
    "UnitSpec",
]

QUEUE_NAME = r"^[a-z0-9][a-z0-9-]{1,62}$"
_PERIOD = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Names(_Spec):
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)


class DistrictSpec(_Spec):
    name: Names
    # what an operator keys after the matter code (*5 801 15 #)
    code: str = Field(pattern=r"^[0-9]{2}$")


class Hours(_Spec):
    """Working time: on working days (China's official calendar), these periods.

    ``periods`` are ``HH:MM-HH:MM`` in Asia/Shanghai; two periods model a lunch break.
    """

    periods: tuple[str, ...] = ("09:00-12:00", "13:00-17:30")
    # "working_days": the official calendar (holidays off, make-up days on);
    # "every_day": all days, e.g. a 24 h back office.
    days: Literal["working_days", "every_day"] = "working_days"

    @field_validator("periods")
    @classmethod
    def _periods_parse(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        last = time(0, 0)
        for period in value:
            match = _PERIOD.match(period)
            if match is None:
                raise ValueError(f"period {period!r} is not HH:MM-HH:MM")
            start = _clock(match.group(1), match.group(2))
            end = _clock(match.group(3), match.group(4))
            if not start < end or start < last:
                raise ValueError(f"period {period!r} is empty or overlaps the one before")
            last = end
        return value

    def intervals(self) -> tuple[tuple[time, time], ...]:
        out = []
        for period in self.periods:
            match = _PERIOD.match(period)
            assert match is not None  # validated
            out.append((_clock(match.group(1), match.group(2)),
                        _clock(match.group(3), match.group(4))))
        return tuple(out)


def _clock(hours: str, minutes: str) -> time:
    if hours == "24":
        return time(23, 59, 59, 999999)
    return time(int(hours), int(minutes))


class Deadline(_Spec):
    """When a unit must contact the enterprise about a ticket.

    ``next_working_day`` (the 2022 plan): before ``at`` on the next working day.
    ``working_hours``: within ``hours`` of the unit's working time.
    """

    policy: Literal["next_working_day", "working_hours"] = "next_working_day"
    at: str = Field(default="10:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    hours: int = Field(default=8, ge=1, le=240)


class TeamSpec(_Spec):
    """A team of a unit: one Asterisk queue (its id is the queue name)."""

    name: Names
    skills: tuple[str, ...] = Field(min_length=1)


class UnitSpec(_Spec):
    """A responsible unit: a city department or a district administrative service centre."""

    name: Names
    level: Literal["city", "district", "back_office"]
    district: str | None = None
    teams: dict[str, TeamSpec] = Field(min_length=1)
    hours: Hours = Hours()
    # Targets after this unit's own teams, in order: team ids of other units.
    overflow: tuple[str, ...] = ()
    ring_timeout_s: int = Field(default=20, ge=5, le=300)
    max_wait_s: int = Field(default=90, ge=10, le=1800)
    queue_maxlen: int = Field(default=5, ge=1, le=100)
    ticket_contact: str = Field(min_length=1)
    ticket_deadline: Deadline = Deadline()


class MatterSpec(_Spec):
    """A matter (事项) the operator keys as a 3-digit code."""

    name: Names
    priority: Literal[1, 2] = 1
    level: Literal["city", "district"] = "city"
    units: tuple[str, ...] = ()
    skill: str = ""
    # police, fire, ambulance: not the hotline's to solve (first-receiver rule): a blind
    # transfer to the emergency number, after the operator confirms; no units, no skill
    emergency: Literal["110", "119", "120"] | None = None


class SpecialistSpec(_Spec):
    name: str = Field(min_length=1)
    extension: str = Field(pattern=r"^[0-9]{2,10}$")
    units: tuple[str, ...] = Field(min_length=1)
    # skill id -> level 1 (novice) .. 5 ("老法师")
    skills: dict[str, int] = Field(min_length=1)

    @field_validator("skills")
    @classmethod
    def _levels(cls, value: dict[str, int]) -> dict[str, int]:
        for skill, level in value.items():
            if not 1 <= level <= 5:
                raise ValueError(f"skill {skill!r} level {level} is not 1..5")
        return value


OPERATOR_QUEUE_NAME = r"^hotline-operators(-[a-z0-9][a-z0-9-]{0,40})?$"


class OperatorSpec(_Spec):
    name: str = Field(min_length=1)
    extension: str = Field(pattern=r"^[0-9]{2,10}$")
    # the operator queue this seat serves: the hotline's own, or a partner pool
    queue: str = Field(default="hotline-operators", pattern=OPERATOR_QUEUE_NAME)


class OperatorQueueSpec(_Spec):
    """One step of the operator queue's overflow chain."""

    queue: str = Field(pattern=OPERATOR_QUEUE_NAME)
    # how long a caller waits here before the next step (the last step: the whole wait)
    wait_s: int = Field(ge=5, le=3600)
    name: Names | None = None


class CatalogueFile(_Spec):
    """The whole file."""

    version: Literal[1]
    districts: dict[str, DistrictSpec] = {}
    skills: dict[str, Names] = Field(min_length=1)
    units: dict[str, UnitSpec] = Field(min_length=1)
    matters: dict[str, MatterSpec] = Field(min_length=1)
    specialists: dict[str, SpecialistSpec] = Field(min_length=1)
    operators: dict[str, OperatorSpec] = {}
    # the operator queue first (the national standard: answered within 15 s), then the
    # partner seats elsewhere in the city that take calls when hotline seats are short
    operator_queues: tuple[OperatorQueueSpec, ...] = (
        OperatorQueueSpec(queue="hotline-operators", wait_s=600),)
    default_district: str | None = None
    # caller-number prefix -> district, for district-level matters the operator did not key
    caller_districts: dict[str, str] = {}
