"""Target selection on a small catalogue: each ordering rule and its tie-breaks, the
overflow chain followed breadth first, duplicates dropped, emergencies refused."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from skills.catalogue import Catalogue, parse_catalogue
from skills.select import (
    Plan,
    Rejection,
    Target,
    TeamState,
    overflow_chain,
    plan_transfer,
    rank_teams,
)

NAME = {"zh": "名", "en": "Name"}


def _unit(teams: dict[str, list[str]], overflow: list[str], ring: int = 20,
          wait: int = 90) -> dict[str, Any]:
    return {"name": NAME, "level": "city", "ticket_contact": "desk", "ring_timeout_s": ring,
            "max_wait_s": wait, "overflow": overflow,
            "teams": {tid: {"name": NAME, "skills": skills} for tid, skills in teams.items()}}


def _specialist(sid: str, units: list[str], skills: dict[str, int]) -> dict[str, Any]:
    return {"name": f"specialist {sid}", "extension": sid, "units": units, "skills": skills}


DATA: dict[str, Any] = {
    "version": 1,
    "skills": dict.fromkeys(("s0", "s2", "s3", "s5", "tax"), NAME),
    "units": {
        # ranking: a-none has no member (nobody holds s0); the others one member each,
        # of level 2, 3 and 5
        "alpha": _unit({"a-none": ["s0"], "b-two": ["s2"], "c-three": ["s3"],
                        "d-five": ["s5"]}, []),
        # the chain: ua → ub (two teams) → uc
        "ua": _unit({"ua-1": ["tax"]}, ["ub-1", "ub-2"], ring=15, wait=120),
        "ub": _unit({"ub-1": ["tax"], "ub-2": ["tax"]}, ["uc-1"], ring=25),
        "uc": _unit({"uc-1": ["tax"]}, [], ring=30),
    },
    "matters": {
        "201": {"name": NAME, "units": ["ua", "ub"], "skill": "tax"},
        "901": {"name": NAME, "emergency": "110"},
        "903": {"name": NAME, "emergency": "120"},
    },
    "specialists": {
        "1002": _specialist("1002", ["alpha"], {"s2": 2}),
        "1003": _specialist("1003", ["alpha"], {"s3": 3}),
        "1005": _specialist("1005", ["alpha"], {"s5": 5}),
        "2004": _specialist("2004", ["ua", "ub", "uc"], {"tax": 4}),
    },
}


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return parse_catalogue(yaml.safe_dump(DATA, allow_unicode=True, sort_keys=False),
                           "select.yaml")


@pytest.mark.parametrize(("queues", "states", "expected"), [
    # nobody available on either: the members' best level decides (5 beats 2)
    (["b-two", "d-five"],
     {"b-two": TeamState("b-two"), "d-five": TeamState("d-five")},
     ["d-five", "b-two"]),
    # no live state: the members' best level too
    (["b-two", "d-five"], {}, ["d-five", "b-two"]),
    # a team without members has level 0: below an available level-1 team
    (["a-none", "d-five"], {"d-five": TeamState("d-five", available=1, best_available_level=1)},
     ["d-five", "a-none"]),
    # no state, members of level 3 == an available team reporting level 3: the id decides
    (["b-two", "c-three"], {"b-two": TeamState("b-two", available=1, best_available_level=3)},
     ["b-two", "c-three"]),
    # no state (nobody waiting, no wait) vs the same level with a caller waiting 0.5 s
    (["b-two", "c-three"],
     {"c-three": TeamState("c-three", available=1, best_available_level=2,
                           longest_wait_s=0.5)},
     ["b-two", "c-three"]),
    # same availability, level and queue length: the shorter longest wait first
    (["b-two", "c-three"],
     {"b-two": TeamState("b-two", available=1, best_available_level=3, callers_waiting=2,
                         longest_wait_s=30.0),
      "c-three": TeamState("c-three", available=1, best_available_level=3,
                           callers_waiting=2, longest_wait_s=10.0)},
     ["c-three", "b-two"]),
])
def test_teams_rank_by_availability_level_load_then_id(
    catalogue: Catalogue, queues: list[str], states: dict[str, TeamState],
    expected: list[str]
) -> None:
    assert rank_teams(catalogue, queues, "any", states) == expected


def test_the_overflow_chain_follows_each_named_unit_once_breadth_first(
    catalogue: Catalogue
) -> None:
    assert overflow_chain(catalogue, "ua") == ["ub-1", "ub-2", "uc-1"]
    assert overflow_chain(catalogue, "ub") == ["uc-1"]
    assert overflow_chain(catalogue, "uc") == []


def test_a_plan_drops_repeated_queues_and_goes_on_after_them(catalogue: Catalogue) -> None:
    # candidates ua-1, ub-1, ub-2 (all level 4: by id), then ua's chain ub-1, ub-2, uc-1
    assert plan_transfer(catalogue, "201", None) == Plan(
        matter="201", unit="ua", district="", max_wait_s=120,
        targets=(Target("ua-1", "ua", 15), Target("ub-1", "ub", 25),
                 Target("ub-2", "ub", 25), Target("uc-1", "uc", 30)))


@pytest.mark.parametrize(("code", "expected"), [
    ("901", Rejection("emergency", "110")),
    ("903", Rejection("emergency", "120")),
    ("555", Rejection("unknown_matter", "555")),
])
def test_an_emergency_or_unknown_matter_is_refused_with_its_number_or_code(
    catalogue: Catalogue, code: str, expected: Rejection
) -> None:
    assert plan_transfer(catalogue, code, "anywhere") == expected
