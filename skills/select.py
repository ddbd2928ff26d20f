"""Pure target selection: which department queue first, and the overflow chain after it.

Ordering rules, applied in this order to the candidate teams (the teams of the matter's
responsible units that hold the matter's skill; for a district-level matter, only the
enterprise's district unit):

1. a team with an available specialist beats one without;
2. then the higher skill level among its available specialists (among all its members
   when none is available);
3. then the lighter load: fewer callers waiting, then the shorter longest wait;
4. then the team id, so equal teams are chosen the same way every time.

The plan is the chosen team, then the other candidates in the same order, then the chosen
unit's overflow chain followed into its targets' own chains (duplicates dropped). Teams
with no available specialist stay in the plan: whoever walks it skips them without ringing
(busy overflow) when live state says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from skills.catalogue import Catalogue

__all__ = ["Plan", "Rejection", "Target", "TeamState", "overflow_chain", "plan_transfer",
           "rank_teams"]


@dataclass(frozen=True, slots=True)
class TeamState:
    """Live state of one department queue, as the PBX reports it."""

    queue: str
    logged_in: int = 0
    available: int = 0
    ringing: int = 0
    paused: int = 0
    callers_waiting: int = 0
    longest_wait_s: float = 0.0
    best_available_level: int = 0


@dataclass(frozen=True, slots=True)
class Target:
    queue: str
    unit: str
    ring_timeout_s: int


@dataclass(frozen=True, slots=True)
class Plan:
    matter: str
    unit: str
    district: str
    targets: tuple[Target, ...]
    max_wait_s: int


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why no plan: ``unknown_matter``, ``no_unit_for_district`` or ``emergency`` (the
    matter goes to an emergency number, not to a department)."""

    reason: str
    detail: str = ""


def rank_teams(
    catalogue: Catalogue, queues: list[str], skill: str, states: Mapping[str, TeamState]
) -> list[str]:
    """Order candidate queues by the module's rules (best first)."""

    def key(queue: str) -> tuple[int, int, int, float, str]:
        state = states.get(queue)
        if state is not None and state.available > 0:
            level = state.best_available_level
        else:
            members = catalogue.members(queue)
            level = 5 - min(members.values()) if members else 0
        available = 1 if state is None or state.available > 0 else 0
        waiting = state.callers_waiting if state else 0
        longest = state.longest_wait_s if state else 0.0
        return (-available, -level, waiting, longest, queue)

    del skill  # candidates are already filtered on it; kept for the signature's meaning
    return sorted(queues, key=key)


def overflow_chain(catalogue: Catalogue, unit_id: str) -> list[str]:
    """The unit's overflow targets in its order, then each target unit's own fallbacks
    (breadth first: the administrator's list for this unit comes before anyone else's).
    The catalogue refuses loops, so every unit is expanded once."""
    chain: list[str] = []
    expanded, pending = {unit_id}, [unit_id]
    while pending:
        unit = pending.pop(0)
        for target in catalogue.units[unit].overflow:
            chain.append(target)
            target_unit = catalogue.unit_of(target)
            if target_unit not in expanded:
                expanded.add(target_unit)
                pending.append(target_unit)
    return chain


def plan_transfer(
    catalogue: Catalogue,
    matter_code: str,
    district: str | None,
    states: Mapping[str, TeamState] | None = None,
) -> Plan | Rejection:
    """The ordered targets for a transfer of ``matter_code`` for an enterprise in ``district``."""
    matter = catalogue.matter(matter_code)
    if matter is None:
        return Rejection("unknown_matter", matter_code)
    if matter.emergency is not None:
        return Rejection("emergency", matter.emergency)
    district = district or catalogue.spec.default_district or ""
    units = list(matter.units)
    if matter.level == "district":
        units = [u for u in units if catalogue.units[u].district == district]
        if not units:
            return Rejection("no_unit_for_district", district)
    candidates = [
        team_id
        for unit_id in units
        for team_id, team in catalogue.units[unit_id].teams.items()
        if matter.skill in team.skills
    ]
    ranked = rank_teams(catalogue, candidates, matter.skill, states or {})
    first_unit = catalogue.unit_of(ranked[0])
    chain = ranked + overflow_chain(catalogue, first_unit)
    seen: set[str] = set()
    targets: list[Target] = []
    for queue in chain:
        if queue in seen:
            continue
        seen.add(queue)
        unit = catalogue.unit_of(queue)
        targets.append(Target(queue, unit, catalogue.units[unit].ring_timeout_s))
    return Plan(
        matter=matter_code,
        unit=first_unit,
        district=district,
        targets=tuple(targets),
        max_wait_s=catalogue.units[first_unit].max_wait_s,
    )
