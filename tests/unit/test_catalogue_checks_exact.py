"""Every cross-check of the catalogue with its exact path and reason, the top-level and
key checks, district resolution, and the generated files' operator queues."""

from __future__ import annotations

import copy
from datetime import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from skills.catalogue import Catalogue, CatalogueInvalid, CatalogueProblem, parse_catalogue
from skills.model import Hours
from skills.render import render_operator_chain, render_queues

DEFAULT = Path(__file__).resolve().parents[2] / "skills" / "data" / "catalogue.yaml"
NAME = {"zh": "名", "en": "Name"}


def _default() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    return data


def _edited(edits: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    """The default catalogue with each ``path -> value`` set (a new key is appended)."""
    data = _default()
    for path, value in edits.items():
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = copy.deepcopy(value)
    return data


def _problems(data: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(CatalogueInvalid) as exc:
        parse_catalogue(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "cat.yaml")
    return [(p.file, p.path, p.reason) for p in exc.value.problems]


@pytest.mark.parametrize(("edits", "expected"), [
    # units
    ({("units", "huangpu", "district"): None},
     [("units.huangpu.district", "a district unit must name its district")]),
    ({("units", "pudong", "district"): "nowhere"},
     [("units.pudong.district", "unknown district 'nowhere'")]),
    ({("units", "market", "teams", "hpf-service"): {"name": NAME, "skills": ["hpf"]}},
     [("units.hpf.teams.hpf-service", "team id already used by unit market")]),
    ({("units", "tax", "teams", "tax-backup", "skills"): ["tax-general", "nope"]},
     [("units.tax.teams.tax-backup.skills", "unknown skill 'nope'")]),
    # matters
    ({("matters", "901", "units"): ["tax"]},
     [("matters.901", "an emergency matter goes to its number: no units, no skill")]),
    ({("matters", "902", "skill"): "tax-invoice"},
     [("matters.902", "an emergency matter goes to its number: no units, no skill")]),
    ({("matters", "999"): {"name": NAME, "units": ["nowhere"], "skill": "tax-invoice"}},
     [("matters.999.units", "unknown unit 'nowhere'")]),  # checked after the emergencies
    ({("matters", "101", "units"): []},
     [("matters.101.units", "a matter needs at least one responsible unit")]),
    ({("matters", "101", "skill"): "nope"},
     [("matters.101.skill", "unknown skill 'nope'"),
      ("matters.101.skill", "no team of tax has skill 'nope'")]),
    ({("matters", "101", "units"): ["tax", "market"], ("matters", "101", "skill"): "hpf"},
     [("matters.101.skill", "no team of tax, market has skill 'hpf'")]),
    # people
    ({("operator_queues",): [{"queue": "hotline-operators-partners", "wait_s": 600},
                             {"queue": "hotline-operators", "wait_s": 15}]},
     [("operator_queues", "the chain starts with the hotline's own hotline-operators")]),
    ({("operator_queues",): [{"queue": "hotline-operators", "wait_s": 15},
                             {"queue": "hotline-operators-partners", "wait_s": 600},
                             {"queue": "hotline-operators-partners", "wait_s": 30}]},
     [("operator_queues[2]", "operator queue 'hotline-operators-partners' listed twice")]),
    ({("operators", "1101", "queue"): "hotline-operators-east"},
     [("operators.1101.queue", "'hotline-operators-east' is not in operator_queues")]),
    ({("specialists", "2901", "units"): ["back-office", "nowhere"]},
     [("specialists.2901.units", "unknown unit 'nowhere'")]),
    ({("specialists", "2901", "skills"): {"general": 4, "nope": 2}},
     [("specialists.2901.skills", "unknown skill 'nope'")]),
    # districts
    ({("default_district",): "nowhere"},
     [("default_district", "unknown district 'nowhere'")]),
    ({("districts", "xuhui", "code"): "01"},
     [("districts.xuhui.code", "code 01 already used by huangpu")]),
    ({("caller_districts", "02a"): "pudong"},
     [("caller_districts.02a", "a caller-number prefix is digits only")]),
    ({("caller_districts", "0217"): "nowhere"},
     [("caller_districts.0217", "unknown district 'nowhere'")]),
])
def test_each_cross_check_names_its_path_and_reason(
    edits: dict[tuple[str, ...], Any], expected: list[tuple[str, str]]
) -> None:
    assert _problems(_edited(edits)) == [("cat.yaml", path, reason) for path, reason in expected]


def _ring(size: int) -> dict[str, Any]:
    """``size`` units, each overflowing to the next one's desk, the last to the first's."""
    ids = [f"u{n:02d}" for n in range(size)]
    return {
        "version": 1,
        "skills": {"general": NAME},
        "units": {uid: {"name": NAME, "level": "city", "ticket_contact": "desk",
                        "teams": {f"{uid}-desk": {"name": NAME, "skills": ["general"]}},
                        "overflow": [f"{ids[(n + 1) % size]}-desk"]}
                  for n, uid in enumerate(ids)},
        "matters": {"101": {"name": NAME, "units": ["u00"], "skill": "general"}},
        "specialists": {"2001": {"name": "王芳", "extension": "2001", "units": ids,
                                 "skills": {"general": 5}}},
    }


def test_overflow_loops_stop_being_listed_after_the_fifty_first() -> None:
    ids = [f"u{n:02d}" for n in range(52)]
    # each unit's loop goes round the whole ring: u07 → u08 → … → u51 → u00 → … → u07
    expected = [
        ("cat.yaml", f"units.{ids[k]}.overflow",
         "overflow chain loops: " + " → ".join([*ids[k:], *ids[:k], ids[k]]))
        for k in range(51)]
    assert _problems(_ring(52)) == expected


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_a_top_level_that_is_not_a_mapping_is_refused_as_such(text: str) -> None:
    with pytest.raises(CatalogueInvalid) as exc:
        parse_catalogue(text, "cat.yaml")
    assert exc.value.problems == [
        CatalogueProblem("cat.yaml", "", "the top level must be a mapping")]


def test_a_repeated_key_that_is_not_a_matter_code_is_called_a_key() -> None:
    with pytest.raises(CatalogueInvalid) as exc:
        parse_catalogue("version: 1\nversion: 1\n", "cat.yaml")
    assert exc.value.problems == [CatalogueProblem(
        "cat.yaml", "version", "duplicate key 'version' at line 2 (first at line 1)")]


MINIMAL = """\
version: 1
skills:
  tax: {zh: 税务, en: Tax}
units:
  tax:
    name: {zh: 税务局, en: Tax office}
    level: city
    teams:
      tax-desk: {name: {zh: 专席, en: Desk}, skills: [tax]}
    ticket_contact: 工单岗
matters:
  101: {name: {zh: 发票, en: Invoices}, units: [tax], skill: tax}
specialists:
  2001: {name: 王芳, extension: "2001", units: [tax], skills: {tax: 5}}
"""


def test_unquoted_codes_and_extensions_are_read_as_strings() -> None:
    catalogue = parse_catalogue(MINIMAL, "cat.yaml")
    assert list(catalogue.matters) == ["101"]
    assert list(catalogue.spec.specialists) == ["2001"]
    assert catalogue.members("tax-desk") == {"2001": 0}


def test_a_number_key_inside_a_list_item_is_an_extra_key_not_a_type_error() -> None:
    text = MINIMAL + "operator_queues:\n  - {queue: hotline-operators, wait_s: 15, 5: x}\n"
    with pytest.raises(CatalogueInvalid) as exc:
        parse_catalogue(text, "cat.yaml")
    assert exc.value.problems == [
        CatalogueProblem("cat.yaml", "operator_queues.0.5", "Extra inputs are not permitted")]


@pytest.fixture(scope="module")
def districts() -> Catalogue:
    return parse_catalogue(yaml.safe_dump(_edited({("caller_districts", "021"): "xuhui"}),
                                          allow_unicode=True, sort_keys=False), "cat.yaml")


@pytest.mark.parametrize(("keyed", "caller", "expected"), [
    ("15", "", "pudong"),                # a district's 2-digit code
    ("04", "", "xuhui"),
    ("01", "", "huangpu"),
    ("pudong", "", "pudong"),            # its id
    ("99", "0216 5555", "huangpu"),      # an unknown code: the caller's number decides
    (None, "(0215) 5555-1234", "pudong"),  # digits only, the longest prefix wins
    (None, "021 7777", "xuhui"),
    (None, "02160000", "huangpu"),
    (None, "13812345678", None),
])
def test_the_district_is_the_keyed_one_else_the_longest_caller_prefix(
    districts: Catalogue, keyed: str | None, caller: str, expected: str | None
) -> None:
    assert districts.resolve_district(keyed, caller) == expected


def test_a_period_to_midnight_ends_at_the_last_microsecond_of_the_day() -> None:
    assert Hours(periods=("00:00-24:00",)).intervals() == (
        (time(0, 0), time(23, 59, 59, 999999)),)


THREE_STEPS = [{"queue": "hotline-operators", "wait_s": 15},
               {"queue": "hotline-operators-east", "wait_s": 60},
               {"queue": "hotline-operators-west", "wait_s": 600}]


@pytest.fixture(scope="module")
def three_steps() -> Catalogue:
    data = _edited({("operator_queues",): THREE_STEPS, ("operators", "1101", "queue"):
                    "hotline-operators-east"})
    return parse_catalogue(yaml.safe_dump(data, allow_unicode=True, sort_keys=False),
                           "cat.yaml")


def test_a_chain_of_three_operator_queues_overflows_each_to_the_next(
    three_steps: Catalogue
) -> None:
    timeout = ' same => n,GotoIf($["${QUEUESTATUS}" != "TIMEOUT"]?done)'
    event = (" same => n,UserEvent(HotlineOperatorOverflow,Version: 1,CallId: "
             "${HOTLINE_CALL_ID},FromQueue: {0},ToQueue: {1})")
    assert render_operator_chain(three_steps) == "\n".join([
        "; GENERATED from the catalogue by `python -m router catalogue render-queues`; do not"
        " edit.",
        "; The operator queue's overflow chain (operator_queues in the catalogue).",
        "[hotline-operator-queues]",
        "exten => s,1,Queue(hotline-operators,c,,,15,,hotline-operator-connected)",
        timeout,
        event.replace("{0}", "hotline-operators").replace("{1}", "hotline-operators-east"),
        " same => n,Queue(hotline-operators-east,c,,,60,,hotline-operator-connected)",
        timeout,
        event.replace("{0}", "hotline-operators-east").replace("{1}", "hotline-operators-west"),
        " same => n,Queue(hotline-operators-west,c,,,600,,hotline-operator-connected)",
        " same => n(done),Return()",
    ]) + "\n"


def test_a_partner_queue_without_a_name_is_labelled_by_its_queue(
    three_steps: Catalogue
) -> None:
    text = render_queues(three_steps)
    assert ("\n; hotline-operators-east\n[hotline-operators-east](hotline-operator-pool)\n"
            "\n; hotline-operators-west\n[hotline-operators-west](hotline-operator-pool)\n"
            ) in text
