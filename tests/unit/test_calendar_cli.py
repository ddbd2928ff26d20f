"""What the administrator runs: ``calendar show|check``, ``check-config`` on files saved in
the wrong encoding, and health that separates a warning from a failure."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest

from router.cli import main
from router.config import DEFAULT_CATALOGUE
from router.core.hours import HOTLINE_TZ
from router.health import Health, check_health_file, health_warnings, write_health_file
from skills.catalogue import CatalogueInvalid, load_catalogue

GBK_NOTE = "# 2027年国务院放假通知\n"  # "the State Council's 2027 holiday notice"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_calendar_show_lists_each_day_with_status_source_and_the_years_status(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, "calendar", "show", "2027", "--json")
    shown = json.loads(out)
    days = {d["date"]: d for d in shown["days"]}
    assert (code, shown["year"], shown["year_status"], len(days)) == (0, 2027, "provisional", 365)
    assert days["2027-01-01"] == {
        "date": "2027-01-01", "weekday": "Friday", "status": "holiday", "working": False,
        "source": "statutory", "name": "New Year's Day", "year_status": "provisional",
        "unit_working": False}
    assert (days["2027-01-02"]["status"], days["2027-01-02"]["source"]) == ("weekend", "weekday")
    assert (days["2027-01-04"]["status"], days["2027-01-04"]["working"]) == ("working", True)


def test_calendar_show_as_a_unit_that_works_every_day_sees_the_holiday_as_working(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = _run(capsys, "calendar", "show", "2026")
    lines = out.splitlines()
    assert (code, lines[0]) == (0, "2026: official: the State Council's notice is known")
    assert "2026-10-01 Thu  holiday              chinese_calendar National Day" in lines
    assert "2026-02-14 Sat  make-up working day  chinese_calendar Spring Festival" in lines
    code, out, _ = _run(capsys, "calendar", "show", "2026", "--unit", "tax", "--json")
    tax = {d["date"]: d for d in json.loads(out)["days"]}
    assert (tax["2026-10-01"]["working"], tax["2026-10-01"]["unit_working"]) == (False, False)
    code, out, _ = _run(capsys, "calendar", "show", "2026", "--unit", "back-office", "--json")
    back = {d["date"]: d for d in json.loads(out)["days"]}
    assert (back["2026-10-01"]["working"], back["2026-10-01"]["unit_working"]) == (False, True)
    assert _run(capsys, "calendar", "show", "2026", "--unit", "nowhere") == (
        2, "", f"error: no unit 'nowhere' in {DEFAULT_CATALOGUE}\n")


@pytest.mark.parametrize(("today", "code", "line"), [
    ("2026-06-01", 0, "calendar: official for the next 60 days (2026 official)"),
    ("2026-12-02", 1, "calendar: WARNING 31 of the next 60 days are provisional from "
                      "2027-01-01 (Friday; 2026 official, 2027 provisional): add the State "
                      "Council's notice to the calendar overrides file, check-config, reload "
                      "(docs/calendar.md)"),
])
def test_calendar_check_exits_1_while_the_coming_days_lack_their_notice(
    capsys: pytest.CaptureFixture[str], today: str, code: int, line: str
) -> None:
    assert _run(capsys, "calendar", "check", "--today", today) == (code, line + "\n", "")


def test_calendar_check_passes_once_the_notice_is_in_the_overrides(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    overrides = tmp_path / "calendar.yaml"
    overrides.write_text("version: 1\nyears:\n  2027:\n    notice: '国办发明电〔2026〕N号'\n",
                         encoding="utf-8")
    monkeypatch.setenv("ROUTER_CATALOGUE__CALENDAR_OVERRIDES", str(overrides))
    code, out, _ = _run(capsys, "calendar", "check", "--today", "2026-12-02", "--json")
    assert (code, json.loads(out)["years"]) == (0, {"2026": "official", "2027": "official"})


@pytest.mark.parametrize("kind", ["settings", "catalogue", "calendar"])
def test_a_file_saved_as_gbk_is_refused_with_its_byte_offset_and_a_hint(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"{kind}.yaml"
    path.write_bytes(b"version: 1\n" + GBK_NOTE.encode("gbk"))
    argv = {"settings": ["check-config", str(path)],
            "catalogue": ["check-config", "--catalogue", str(path)],
            "calendar": ["check-config", "--calendar", str(path)]}[kind]
    # "# 2027" is 6 bytes after the 11 of the first line: the first GBK byte is at 17
    assert _run(capsys, *argv) == (2, "", (
        f"error: {path}: <file>: not UTF-8: byte 17 (line 2) is 0xc4; saved as GBK? save the "
        "file as UTF-8\n"))


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "skills" / "data" / "catalogue.yaml"
    path = tmp_path / "catalogue.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    assert len(load_catalogue(path).matters) == len(load_catalogue(source).matters)
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"version: 1\n\xff\xfe")
    with pytest.raises(CatalogueInvalid) as exc:
        load_catalogue(binary)
    assert str(exc.value) == (f"{binary}: <file>: not UTF-8: byte 11 (line 2) is 0xff; "
                              "save the file as UTF-8")


def test_check_config_reports_the_calendar_and_its_years(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    overrides = tmp_path / "calendar.yaml"
    overrides.write_text("version: 1\nyears:\n  2030:\n    holidays: ['2030-03-01']\n",
                         encoding="utf-8")
    code, out, _ = _run(capsys, "check-config", "--calendar", str(overrides))
    this_year = dt.datetime.now(HOTLINE_TZ).year
    years = sorted({this_year, this_year + 1, 2030})
    from skills.calendar import load_calendar_overrides  # noqa: PLC0415

    calendar = load_calendar_overrides(overrides)
    listed = ", ".join(f"{y} {calendar.year_status(y)}" for y in years)
    assert (code, out) == (0, f"ok: calendar {overrides}: {listed}\n")
    assert calendar.year_status(2030) == "provisional"  # an added day is not a notice


def test_an_unexpected_error_is_one_line_not_a_traceback(
    capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "report", "--date", "2026-13-01")
    assert (code, out) == (1, "")
    assert err == ("error: unexpected ValueError: month must be in 1..12 "
                   "(set ROUTER_DEBUG=1 for the traceback)\n")


def _health(**overrides: object) -> Health:
    values: dict[str, object] = {
        "at": time.time(), "ami_logged_in": True, "redis_reachable": True,
        "mqtt_connected": True, "calls_in_progress": 0, "metrics_backlog": 0,
        "mqtt_backlog": 0, "ami_resynced": True, "calendar": "official", "warnings": ()}
    return Health(**{**values, **overrides})  # type: ignore[arg-type]


def test_a_provisional_calendar_is_a_warning_and_readiness_needs_a_resync(
    tmp_path: Path
) -> None:
    assert health_warnings(redis_reachable=False, mqtt_connected=True,
                           calendar="provisional") == ("redis_unreachable",
                                                       "calendar_provisional")
    path = tmp_path / "health.json"
    write_health_file(path, _health(calendar="provisional",
                                    warnings=("calendar_provisional",)))
    ok, detail = check_health_file(path, 30)
    assert (ok, json.loads(detail)["warnings"]) == (True, ["calendar_provisional"])
    write_health_file(path, _health(ami_resynced=False))
    assert check_health_file(path, 30) == (
        False, "not ready: AMI logged in, resync not finished")
    assert check_health_file(path, 30, live_only=True)[0] is True
    write_health_file(path, _health(ami_logged_in=False, ami_resynced=False))
    assert check_health_file(path, 30) == (False, "not ready: AMI is not logged in")
    write_health_file(path, _health(at=time.time() - 100))
    assert check_health_file(path, 30, live_only=True)[1].endswith(
        "s old (the service is stuck or stopped)")
