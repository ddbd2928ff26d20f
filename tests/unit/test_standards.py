"""The live standards watch: raised below 90% with enough calls, cleared on recovery."""

from __future__ import annotations

from pathlib import Path

from metrics.records import CallRecord
from router.core.standards import StandardAlert, StandardsWatch
from skills.calendar import WorkCalendar
from skills.catalogue import load_catalogue

CATALOGUE = load_catalogue(Path(__file__).resolve().parents[2] / "skills" / "data" /
                           "catalogue.yaml")
CAL = WorkCalendar()
T = 1_795_485_600.0  # Tuesday 2026-11-24 10:00 Asia/Shanghai


def request(n: int, connected: bool, at: float) -> CallRecord:
    return CallRecord(call_id=f"c{n}", day="2026-11-24", hour=10, entered_at=at,
                      ended_at=at + 60, caller="-", priority=1,
                      outcome="transferred" if connected else "transfer_failed",
                      unit="tax", matter="101", transfer_requested=True,
                      transfer_requested_at=at, three_way_at=at + 5 if connected else None)


def test_a_connection_rate_below_90_percent_raises_and_recovery_clears() -> None:
    watch = StandardsWatch(window_working_min=60, min_sample=10)
    for n in range(8):
        watch.observe(request(n, True, T + n))
    for n in range(8, 10):
        watch.observe(request(n, False, T + n))
    assert watch.evaluate(CATALOGUE, CAL, T + 60) == [
        StandardAlert("tax", "connection_rate", True, 0.8, 10, 0.9)]
    assert watch.evaluate(CATALOGUE, CAL, T + 61) == []  # no change, no new alert
    for n in range(10, 20):
        watch.observe(request(n, True, T + n))
    assert watch.evaluate(CATALOGUE, CAL, T + 120) == [
        StandardAlert("tax", "connection_rate", False, 0.9, 20, 0.9)]


def test_too_few_calls_raise_nothing_and_old_calls_leave_the_window() -> None:
    watch = StandardsWatch(window_working_min=60, min_sample=10)
    for n in range(9):
        watch.observe(request(n, False, T + n))
    assert watch.evaluate(CATALOGUE, CAL, T + 60) == []
    watch.observe(request(9, False, T + 9))
    assert [a.raised for a in watch.evaluate(CATALOGUE, CAL, T + 60)] == [True]
    # two working hours later the window holds none of them: no sample, no change
    assert watch.evaluate(CATALOGUE, CAL, T + 3 * 3600) == []


def test_an_alert_raised_before_a_restart_is_cleared_when_the_rate_is_back() -> None:
    watch = StandardsWatch(window_working_min=60, min_sample=10)
    watch.restore("tax", "connection_rate", True)  # as Redis held it at start
    for n in range(10):
        watch.observe(request(n, True, T + n))
    assert watch.evaluate(CATALOGUE, CAL, T + 60) == [
        StandardAlert("tax", "connection_rate", False, 1.0, 10, 0.9)]


def test_the_window_holds_only_its_own_minutes_however_long_the_history() -> None:
    watch = StandardsWatch(window_working_min=60, min_sample=10)
    # one request a minute for 30 days up to 10:00 on Tuesday 24 November 2026, the
    # last 30 of them not connected
    minutes = 30 * 24 * 60
    for n in range(minutes):
        watch.observe(request(n, n < minutes - 30, T - (minutes - 1 - n) * 60))
    # at 10:00:30 the unit's last 60 working minutes began at 09:00:30: the minutes
    # 09:00 to 10:00 (61 of them) are in the window, 31 of them connected
    assert watch.evaluate(CATALOGUE, CAL, T + 30) == [
        StandardAlert("tax", "connection_rate", True, 31 / 61, 61, 0.9)]
    assert len(watch.units["tax"].minutes) == 61


def test_a_late_record_is_counted_in_its_own_minute() -> None:
    watch = StandardsWatch(window_working_min=60, min_sample=3)
    watch.observe(request(1, True, T + 120))
    watch.observe(request(2, False, T + 5))  # ended later, requested earlier
    watch.observe(request(3, False, T + 130))
    window = watch.units["tax"]
    assert [(m, c.requests, c.connected) for m, c in window.minutes] == [
        (T, 1, 0), (T + 120, 2, 1)]
    assert [a.rate for a in watch.evaluate(CATALOGUE, CAL, T + 200)] == [1 / 3]
