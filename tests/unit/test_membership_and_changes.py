"""Queue membership the catalogue asks for, the changes that bring the PBX there, and
what a reload reports as changed; expected values read off skills/data/catalogue.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from skills.catalogue import Catalogue, load_catalogue
from skills.changes import catalogue_changes
from skills.membership import Member, MemberChange, desired_members, reconcile

DEFAULT = Path(__file__).resolve().parents[2] / "skills" / "data" / "catalogue.yaml"
CATALOGUE = load_catalogue(DEFAULT)
IFACE, STATE = "Local/{extension}@hotline-party/n", "Custom:hotline-{extension}"


def _variant(tmp_path: Path, change: Any) -> Catalogue:
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_catalogue(path)


def test_members_are_the_seats_and_the_specialists_with_a_teams_skill_at_5_minus_level(
) -> None:
    members = desired_members(CATALOGUE, IFACE, STATE)
    # the invoice team: 2001 holds tax-invoice at 5 (penalty 0), 2005 at 3 (penalty 2)
    assert {k: m for k, m in members.items() if k[0] == "tax-invoice"} == {
        ("tax-invoice", "Local/2001@hotline-party/n"): Member(
            "tax-invoice", "Local/2001@hotline-party/n", "2001", "Custom:hotline-2001", 0),
        ("tax-invoice", "Local/2005@hotline-party/n"): Member(
            "tax-invoice", "Local/2005@hotline-party/n", "2005", "Custom:hotline-2005", 2),
    }
    # the filing team: 2002 at 5, 2001 at 3
    assert sorted((m.name, m.penalty) for k, m in members.items()
                  if k[0] == "tax-declaration") == [("2001", 2), ("2002", 0)]
    # seats: each operator in the queue they serve, penalty 0
    assert members[("hotline-operators", "Local/1001@hotline-party/n")] == Member(
        "hotline-operators", "Local/1001@hotline-party/n", "1001", "Custom:hotline-1001")
    assert members[("hotline-operators-partners", "Local/1101@hotline-party/n")].name == "1101"
    assert ("hotline-operators", "Local/1101@hotline-party/n") not in members


def test_reconcile_adds_first_then_penalties_then_removals_each_in_order() -> None:
    def m(queue: str, iface: str, penalty: int = 0) -> Member:
        return Member(queue, iface, iface, f"S:{iface}", penalty)

    desired = {("q1", "a"): m("q1", "a", 0), ("q1", "b"): m("q1", "b", 2),
               ("q0", "z"): m("q0", "z"), ("q2", "a"): m("q2", "a", 1)}
    actual = {("q1", "a"): m("q1", "a", 1), ("q1", "c"): m("q1", "c"),
              ("q0", "y"): m("q0", "y"), ("q2", "a"): m("q2", "a", 1)}
    assert reconcile(desired, actual) == [
        MemberChange("add", m("q0", "z")), MemberChange("add", m("q1", "b", 2)),
        MemberChange("penalty", m("q1", "a", 0)),
        MemberChange("remove", m("q0", "y")), MemberChange("remove", m("q1", "c")),
    ]
    assert reconcile(desired, desired) == []


def test_a_reload_reports_each_changed_section_with_its_keys(tmp_path: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["matters"]["999"] = dict(data["matters"]["101"])
        data["matters"]["101"]["name"]["en"] = "VAT invoices"
        data["matters"]["998"] = dict(data["matters"]["102"])
        data["units"]["tax"]["ring_timeout_s"] = 25
        data["operator_queues"][0]["wait_s"] = 20

    new = _variant(tmp_path, change)
    assert catalogue_changes(CATALOGUE, new) == [
        "catalogue: matters added 998, 999; changed 101",
        "catalogue: units changed tax",
        "catalogue: operator_queues changed",
    ]
    assert catalogue_changes(new, CATALOGUE) == [
        "catalogue: matters removed 998, 999; changed 101",
        "catalogue: units changed tax",
        "catalogue: operator_queues changed",
    ]
    assert catalogue_changes(CATALOGUE, load_catalogue(DEFAULT)) == []
