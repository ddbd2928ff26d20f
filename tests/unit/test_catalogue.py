"""The catalogue: the shipped first batch, and validation errors with file, path, reason."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from skills.catalogue import CatalogueInvalid, load_catalogue, parse_catalogue
from skills.render import CHAIN_FILE, QUEUES_FILE, render_operator_chain, render_queues

DEFAULT = Path(__file__).resolve().parents[2] / "skills" / "data" / "catalogue.yaml"


def test_the_default_catalogue_is_the_first_batch_of_54_matters() -> None:
    catalogue = load_catalogue(DEFAULT)
    units = catalogue.units
    enterprise = {c: m for c, m in catalogue.matters.items() if m.emergency is None}
    assert len(enterprise) == 54
    assert sorted(m.emergency for m in catalogue.matters.values() if m.emergency) == [
        "110", "119", "120"]
    assert sum(1 for m in catalogue.matters.values() if m.units == ("tax",)) == 25
    assert len(units) >= 8
    assert sorted(u for u, spec in units.items() if spec.level == "district") == [
        "huangpu", "pudong"]
    assert all(catalogue.members(q) for q in catalogue.queues())


def test_the_committed_generated_files_are_what_the_catalogue_renders() -> None:
    catalogue = load_catalogue(DEFAULT)
    assert QUEUES_FILE.read_text(encoding="utf-8") == render_queues(catalogue)
    assert CHAIN_FILE.read_text(encoding="utf-8") == render_operator_chain(catalogue)


def _broken(edit: str) -> list[tuple[str, str]]:
    data = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    exec(edit, {"data": data, "copy": copy})  # the edit under test, on a copy of the default file
    with pytest.raises(CatalogueInvalid) as exc:
        parse_catalogue(yaml.safe_dump(data, allow_unicode=True), "cat.yaml")
    assert {p.file for p in exc.value.problems} == {"cat.yaml"}
    return [(p.path, p.reason) for p in exc.value.problems]


@pytest.mark.parametrize(("edit", "expected"), [
    ("data['matters']['101']['units'] = ['nowhere']",
     [("matters.101.units", "unknown unit 'nowhere'")]),
    ("data['units']['market']['overflow'] = ['back-office-general', 'back-office-general']",
     [("units.market.overflow[1]", "overflow target 'back-office-general' is listed twice")]),
    ("data['units']['market']['overflow'] = ['hpf-service']; "
     "data['units']['hpf']['overflow'] = ['market-service']",
     [("units.hpf.overflow", "overflow chain loops: hpf → market → hpf"),
      ("units.market.overflow", "overflow chain loops: market → hpf → market")]),
    ("data['units']['pudong']['overflow'] = ['huangpu-service']; "
     "data['units']['huangpu']['overflow'] = ['back-office-general']; "
     "data['units']['back-office']['overflow'] = ['pudong-service']",
     [("units.back-office.overflow", "overflow chain loops: back-office → pudong → "
                                     "huangpu → back-office"),
      ("units.huangpu.overflow", "overflow chain loops: huangpu → back-office → pudong → "
                                 "huangpu"),
      ("units.pudong.overflow", "overflow chain loops: pudong → huangpu → back-office → "
                                "pudong")]),
    ("data['units']['market']['overflow'] = ['gone-team']",
     [("units.market.overflow[0]", "overflow target 'gone-team' points nowhere (no such team)")]),
    ("data['matters']['801']['units'] = ['tax']",
     [("matters.801.units", "a district-level matter needs at least one district unit"),
      ("matters.801.skill", "no team of tax has skill 'district-service'")]),
    ("data['specialists']['2401']['units'] = ['market']",
     [("units.commerce", "the unit has no specialist")]),
    ("data['units']['tax']['hours'] = {'periods': ['9:00-17:00']}",
     [("units.tax.hours.periods", "Value error, period '9:00-17:00' is not HH:MM-HH:MM")]),
    ("data['units']['tax']['hours'] = {'periods': ['13:00-17:00', '09:00-12:00']}",
     [("units.tax.hours.periods",
       "Value error, period '09:00-12:00' is empty or overlaps the one before")]),
    ("data['matters']['1010'] = copy.deepcopy(data['matters']['101'])",
     [("matters.1010", "a matter code is exactly 3 digits")]),
    ("data['units']['hpf']['teams']['Bad Queue'] = "
     "copy.deepcopy(data['units']['hpf']['teams']['hpf-service'])",
     [("units.hpf.teams.Bad Queue", "a team id is its queue name: lowercase letters, digits "
       "and '-', not a reserved queue")]),
])
def test_invalid_catalogues_are_refused_with_path_and_reason(
    edit: str, expected: list[tuple[str, str]]
) -> None:
    assert _broken(edit) == expected


def test_a_duplicate_matter_code_is_refused_with_both_lines() -> None:
    text = DEFAULT.read_text(encoding="utf-8")
    line = next(x for x in text.splitlines() if x.strip().startswith('"105":'))
    text = text.replace(line, line + "\n" + line.replace("VAT filing", "VAT filing again"))
    with pytest.raises(CatalogueInvalid) as exc:
        parse_catalogue(text, "cat.yaml")
    first = text.splitlines().index(line) + 1
    ((problem),) = exc.value.problems
    assert (problem.path, problem.reason) == (
        "105", f"duplicate matter code '105' at line {first + 1} (first at line {first})")


def test_a_file_that_is_not_yaml_is_refused() -> None:
    with pytest.raises(CatalogueInvalid) as exc:
        parse_catalogue("matters: [", "cat.yaml")
    assert exc.value.problems[0].reason.startswith("not valid YAML")


def test_the_committed_json_schema_is_the_models() -> None:
    import json  # noqa: PLC0415

    from skills.model import CatalogueFile  # noqa: PLC0415

    committed = json.loads((DEFAULT.parent / "catalogue.schema.json").read_text())
    assert committed == CatalogueFile.model_json_schema(), (
        "regenerate: python -m router catalogue schema > skills/data/catalogue.schema.json")
