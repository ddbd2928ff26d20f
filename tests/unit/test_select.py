"""Target selection: the ordering rules, as a table."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from skills.catalogue import load_catalogue, parse_catalogue
from skills.select import Plan, Rejection, Target, TeamState, plan_transfer

DEFAULT = Path(__file__).resolve().parents[2] / "skills" / "data" / "catalogue.yaml"
CATALOGUE = load_catalogue(DEFAULT)


def test_a_city_matter_goes_to_its_skill_team_then_the_units_overflow_chain() -> None:
    assert plan_transfer(CATALOGUE, "101", None) == Plan(
        matter="101", unit="tax", district="huangpu", max_wait_s=90,
        targets=(Target("tax-invoice", "tax", 20), Target("tax-backup", "tax", 20),
                 Target("back-office-general", "back-office", 20)))


def test_the_chain_goes_on_into_the_fallbacks_of_the_units_it_names() -> None:
    # Pudong's desk overflows to Huangpu's, whose own fallback is the back office: after
    # Pudong's list (Huangpu, then the back office) nothing is repeated
    plan = plan_transfer(CATALOGUE, "801", "pudong")
    assert isinstance(plan, Plan)
    assert [t.queue for t in plan.targets] == [
        "pudong-service", "huangpu-service", "back-office-general"]
    # when Pudong names only Huangpu, Huangpu's fallback is still reached
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    data["units"]["pudong"]["overflow"] = ["huangpu-service"]
    edited = parse_catalogue(yaml.safe_dump(data, allow_unicode=True), "cat.yaml")
    plan = plan_transfer(edited, "801", "pudong")
    assert isinstance(plan, Plan)
    assert [(t.queue, t.unit) for t in plan.targets] == [
        ("pudong-service", "pudong"), ("huangpu-service", "huangpu"),
        ("back-office-general", "back-office")]


@pytest.mark.parametrize(("district", "first"), [
    ("pudong", "pudong-service"), ("huangpu", "huangpu-service"), (None, "huangpu-service")])
def test_a_district_matter_goes_to_the_enterprises_district_centre(
    district: str | None, first: str
) -> None:
    plan = plan_transfer(CATALOGUE, "801", district)
    assert isinstance(plan, Plan)
    assert plan.targets[0].queue == first


@pytest.mark.parametrize(("code", "district", "rejection"), [
    ("999", None, Rejection("unknown_matter", "999")),
    ("", None, Rejection("unknown_matter", "")),
    ("801", "xuhui", Rejection("no_unit_for_district", "xuhui")),
])
def test_requests_that_cannot_be_planned_are_rejected_with_a_reason(
    code: str, district: str | None, rejection: Rejection
) -> None:
    assert plan_transfer(CATALOGUE, code, district) == rejection


@pytest.mark.parametrize(("states", "expected"), [
    # rule 1: a team with an available specialist first
    ({"tax-invoice": TeamState("tax-invoice", available=0, logged_in=2),
      "tax-registration": TeamState("tax-registration", available=1, best_available_level=3)},
     ["tax-registration", "tax-invoice"]),
    # rule 2: then the higher skill level among the available
    ({"tax-invoice": TeamState("tax-invoice", available=1, best_available_level=3),
      "tax-registration": TeamState("tax-registration", available=1, best_available_level=5)},
     ["tax-registration", "tax-invoice"]),
    # rule 3: then fewer callers waiting
    ({"tax-invoice": TeamState("tax-invoice", available=1, best_available_level=5,
                               callers_waiting=2),
      "tax-registration": TeamState("tax-registration", available=1, best_available_level=5,
                                    callers_waiting=0)},
     ["tax-registration", "tax-invoice"]),
    # rule 4: then the id
    ({"tax-invoice": TeamState("tax-invoice", available=1, best_available_level=5),
      "tax-registration": TeamState("tax-registration", available=1, best_available_level=5)},
     ["tax-invoice", "tax-registration"]),
])
def test_candidate_teams_are_ranked_by_the_rules(
    states: dict[str, TeamState], expected: list[str]
) -> None:
    from skills.select import rank_teams  # noqa: PLC0415

    assert rank_teams(CATALOGUE, ["tax-registration", "tax-invoice"], "x", states) == expected
