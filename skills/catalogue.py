"""Load and validate a catalogue file into an immutable :class:`Catalogue`.

Every problem is reported with the file, the path inside it and a reason, all at once, so an
administrator can fix a file in one pass. Nothing here touches the PBX.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from skills.files import CatalogueInvalid, CatalogueProblem, parse_yaml, read_config_text
from skills.model import QUEUE_NAME, CatalogueFile, MatterSpec, TeamSpec, UnitSpec

__all__ = [
    "Catalogue",
    "CatalogueInvalid",
    "CatalogueProblem",
    "load_catalogue",
    "parse_catalogue",
]

RESERVED_QUEUES = frozenset({"hotline-operators"})
_MATTER_CODE = re.compile(r"^[0-9]{3}$")


@dataclass(frozen=True, slots=True)
class Catalogue:
    """A validated catalogue with the look-ups routing needs."""

    spec: CatalogueFile
    source: str
    team_unit: dict[str, str] = field(default_factory=dict)

    @property
    def matters(self) -> dict[str, MatterSpec]:
        return self.spec.matters

    @property
    def units(self) -> dict[str, UnitSpec]:
        return self.spec.units

    def matter(self, code: str) -> MatterSpec | None:
        return self.spec.matters.get(code)

    def team(self, queue: str) -> TeamSpec:
        return self.spec.units[self.team_unit[queue]].teams[queue]

    def unit_of(self, queue: str) -> str:
        return self.team_unit[queue]

    def resolve_district(self, keyed: str | None, caller_number: str) -> str | None:
        """The enterprise's district: keyed by the operator (district id, or its 2-digit
        code on the phone), else the longest caller-number prefix that maps one, else
        None (selection then uses ``default_district``)."""
        if keyed:
            if keyed in self.spec.districts:
                return keyed
            for did, district in self.spec.districts.items():
                if district.code == keyed:
                    return did
        digits = "".join(ch for ch in caller_number if ch.isdigit())
        for prefix in sorted(self.spec.caller_districts, key=len, reverse=True):
            if digits.startswith(prefix):
                return self.spec.caller_districts[prefix]
        return None

    def operator_queues(self) -> list[str]:
        return [step.queue for step in self.spec.operator_queues]

    def queues(self) -> list[str]:
        return sorted(self.team_unit)

    def members(self, queue: str) -> dict[str, int]:
        """Specialist id -> queue penalty for ``queue``: lower penalty is rung first.

        A specialist belongs to a team of a unit they serve when they hold one of the
        team's skills; the penalty is ``5 - level`` of their best such skill, so a level-5
        specialist ("老法师") has penalty 0.
        """
        unit = self.team_unit[queue]
        team = self.team(queue)
        out: dict[str, int] = {}
        for sid, spec in self.spec.specialists.items():
            if unit not in spec.units:
                continue
            levels = [spec.skills[s] for s in team.skills if s in spec.skills]
            if levels:
                out[sid] = 5 - max(levels)
        return out


def load_catalogue(path: Path) -> Catalogue:
    """Read and validate ``path``.

    Raises:
        CatalogueInvalid: listing every problem with file, path and reason.
    """
    return parse_catalogue(read_config_text(path), str(path))


def parse_catalogue(text: str, source: str) -> Catalogue:
    raw = parse_yaml(text, source, key_label=_key_label)
    if not isinstance(raw, dict):
        raise CatalogueInvalid([CatalogueProblem(source, "", "the top level must be a mapping")])
    _stringify_keys(raw)
    try:
        spec = CatalogueFile.model_validate(raw)
    except ValidationError as exc:
        raise CatalogueInvalid([
            CatalogueProblem(source, ".".join(str(p) for p in err["loc"]), err["msg"])
            for err in exc.errors()
        ]) from exc
    problems = [CatalogueProblem(source, path, reason) for path, reason in _cross_check(spec)]
    if problems:
        raise CatalogueInvalid(problems)
    team_unit = {team: uid for uid, unit in spec.units.items() for team in unit.teams}
    return Catalogue(spec=spec, source=source, team_unit=team_unit)


def _cross_check(spec: CatalogueFile) -> list[tuple[str, str]]:
    return [*_check_units(spec), *_check_matters(spec), *_check_people(spec),
            *_check_districts(spec)]


def _check_units(spec: CatalogueFile) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    add = problems.append
    seen_teams: dict[str, str] = {}
    for uid, unit in spec.units.items():
        if unit.level == "district":
            if unit.district is None:
                add((f"units.{uid}.district", "a district unit must name its district"))
            elif unit.district not in spec.districts:
                add((f"units.{uid}.district", f"unknown district {unit.district!r}"))
        for tid, team in unit.teams.items():
            if not re.match(QUEUE_NAME, tid) or tid in RESERVED_QUEUES:
                add((f"units.{uid}.teams.{tid}",
                     "a team id is its queue name: lowercase letters, digits and '-', "
                     "not a reserved queue"))
            if tid in seen_teams:
                add((f"units.{uid}.teams.{tid}", f"team id already used by unit {seen_teams[tid]}"))
            seen_teams[tid] = uid
            for skill in team.skills:
                if skill not in spec.skills:
                    add((f"units.{uid}.teams.{tid}.skills", f"unknown skill {skill!r}"))
    for uid, unit in spec.units.items():
        chain_seen: set[str] = set()
        for index, target in enumerate(unit.overflow):
            where = f"units.{uid}.overflow[{index}]"
            if target not in seen_teams:
                add((where, f"overflow target {target!r} points nowhere (no such team)"))
            elif target in chain_seen:
                add((where, f"overflow target {target!r} is listed twice"))
            chain_seen.add(target)
    problems += _check_overflow_loops(spec, seen_teams)
    return problems


def _check_overflow_loops(spec: CatalogueFile, team_unit: dict[str, str]
                          ) -> list[tuple[str, str]]:
    """A unit's overflow chain is followed into the chains of the units it names (their
    own fallbacks); a chain that comes back to a unit already on the path is a loop: the
    call would be offered to the same people again, so it is refused with the path."""
    def successors(uid: str) -> list[str]:
        return [team_unit[t] for t in spec.units[uid].overflow
                if t in team_unit and team_unit[t] != uid]

    problems: list[tuple[str, str]] = []
    for start in spec.units:
        stack: list[list[str]] = [[start]]
        while stack:
            path = stack.pop()
            for nxt in successors(path[-1]):
                if nxt == start:
                    problems.append((f"units.{start}.overflow",
                                     f"overflow chain loops: {' → '.join([*path, start])}"))
                elif nxt not in path:
                    stack.append([*path, nxt])
            if len(problems) > 50:
                return problems
    return problems


def _check_matters(spec: CatalogueFile) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    add = problems.append
    for code, matter in spec.matters.items():
        where = f"matters.{code}"
        if not _MATTER_CODE.match(code):
            add((where, "a matter code is exactly 3 digits"))
        if matter.emergency is not None:
            if matter.units or matter.skill:
                add((where, "an emergency matter goes to its number: no units, no skill"))
            continue
        if not matter.units:
            add((f"{where}.units", "a matter needs at least one responsible unit"))
        if matter.skill not in spec.skills:
            add((f"{where}.skill", f"unknown skill {matter.skill!r}"))
        for unit_id in matter.units:
            if unit_id not in spec.units:
                add((f"{where}.units", f"unknown unit {unit_id!r}"))
        known = [spec.units[u] for u in matter.units if u in spec.units]
        if matter.level == "district" and not any(u.level == "district" for u in known):
            add((f"{where}.units", "a district-level matter needs at least one district unit"))
        if known and not any(
            matter.skill in team.skills for u in known for team in u.teams.values()
        ):
            add((f"{where}.skill", f"no team of {', '.join(matter.units)} has skill "
                 f"{matter.skill!r}"))
    return problems


def _check_people(spec: CatalogueFile) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    add = problems.append
    chain = [step.queue for step in spec.operator_queues]
    if not chain or chain[0] != "hotline-operators":
        add(("operator_queues", "the chain starts with the hotline's own hotline-operators"))
    for index, queue in enumerate(chain):
        if queue in chain[:index]:
            add((f"operator_queues[{index}]", f"operator queue {queue!r} listed twice"))
    for oid, operator in spec.operators.items():
        if operator.queue not in chain:
            add((f"operators.{oid}.queue", f"{operator.queue!r} is not in operator_queues"))
    staffed: set[str] = set()
    for sid, specialist in spec.specialists.items():
        for unit_id in specialist.units:
            if unit_id not in spec.units:
                add((f"specialists.{sid}.units", f"unknown unit {unit_id!r}"))
            else:
                staffed.add(unit_id)
        for skill in specialist.skills:
            if skill not in spec.skills:
                add((f"specialists.{sid}.skills", f"unknown skill {skill!r}"))
    for uid in spec.units:
        if uid not in staffed:
            add((f"units.{uid}", "the unit has no specialist"))
    return problems


def _check_districts(spec: CatalogueFile) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    add = problems.append
    if spec.default_district is not None and spec.default_district not in spec.districts:
        add(("default_district", f"unknown district {spec.default_district!r}"))
    codes: dict[str, str] = {}
    for did, district in spec.districts.items():
        if district.code in codes:
            add((f"districts.{did}.code", f"code {district.code} already used by "
                 f"{codes[district.code]}"))
        codes[district.code] = did
    for prefix, did in spec.caller_districts.items():
        if not prefix.isdigit():
            add((f"caller_districts.{prefix}", "a caller-number prefix is digits only"))
        if did not in spec.districts:
            add((f"caller_districts.{prefix}", f"unknown district {did!r}"))
    return problems


def _key_label(key: str) -> str:
    return "matter code" if _MATTER_CODE.match(key) else "key"


def _stringify_keys(node: Any) -> None:
    """YAML reads ``101:`` as an int; codes and extensions are strings."""
    if isinstance(node, dict):
        for key in list(node):
            value = node.pop(key)
            _stringify_keys(value)
            node[str(key)] = value
    elif isinstance(node, list):
        for item in node:
            _stringify_keys(item)
