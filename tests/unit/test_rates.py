"""Rates against the standards, computed from hand-made call records (tables)."""

from __future__ import annotations

from collections import Counter

import pytest

from metrics.counters import recompute
from metrics.rates import Figures, figures
from metrics.records import CallRecord, TargetAttempt


def call(n: int, outcome: str, *, resolved: bool | None = None,
         satisfaction: int | None = None, waited: float | None = None) -> CallRecord:
    connected = outcome == "transferred"
    return CallRecord(
        call_id=f"c{n}", day="2026-11-24", hour=10, entered_at=0.0, ended_at=100.0,
        caller="138****0000", priority=1, outcome=outcome, matter="101", unit="tax",
        transfer_requested=outcome != "handled_by_operator",
        transfer_requested_at=10.0, three_way_at=10.0 + (waited or 0) if connected else None,
        targets=(TargetAttempt("tax-invoice", "tax", "answered" if connected else "timeout"),),
        survey_resolved=resolved, survey_satisfaction=satisfaction,
        bad_review=resolved is False or satisfaction == 3)


def unit_day(records: list[CallRecord]) -> dict[str, int]:
    totals: Counter[tuple[str, str, str, int]] = recompute(records)
    return {name: v for (day, scope, name, hour), v in totals.items()
            if scope == "unit:tax" and hour == -1}


# 20 transfers like the first month's mix: 18 connected (90%), surveys answered by 12
FIRST_MONTH = (
    [call(n, "transferred", resolved=True, satisfaction=1, waited=8) for n in range(10)]
    + [call(10, "transferred", resolved=False, satisfaction=3, waited=25),
       call(11, "transferred", resolved=True, satisfaction=2, waited=40)]
    + [call(n, "transferred", waited=12) for n in range(12, 18)]
    + [call(18, "transfer_failed"), call(19, "abandoned_during_transfer")]
)


@pytest.mark.parametrize(("records", "expected"), [
    (FIRST_MONTH, {"requests": 20, "connected": 18, "connection_rate": 0.9,
                   "transfer_success_rate": 0.9, "resolution_rate": 11 / 12,
                   "satisfaction_rate": 11 / 12, "bad_reviews": 1,
                   "abandoned_during_transfer": 1, "wait_max_s": 40.0}),
    (FIRST_MONTH[:17] + [call(30, "transfer_failed")] * 3,
     {"requests": 20, "connected": 17, "connection_rate": 0.85,
      "transfer_success_rate": 0.85, "resolution_rate": 11 / 12,
      "satisfaction_rate": 11 / 12, "bad_reviews": 1, "abandoned_during_transfer": 0,
      "wait_max_s": 40.0}),
    ([call(1, "handled_by_operator")],
     {"requests": 0, "connected": 0, "connection_rate": None,
      "transfer_success_rate": None, "resolution_rate": None, "satisfaction_rate": None,
      "bad_reviews": 0, "abandoned_during_transfer": 0, "wait_max_s": None}),
])
def test_rates_come_out_of_the_records(records: list[CallRecord], expected: dict[str, object]
                                       ) -> None:
    got = figures(unit_day(records))
    assert {k: getattr(got, k) for k in expected} == expected


def test_a_rate_below_90_percent_is_marked_and_exactly_90_is_not() -> None:
    assert figures(unit_day(FIRST_MONTH)).misses() == {
        "connection_rate": False, "resolution_rate": False,
        "transfer_success_rate": False, "satisfaction_rate": False}
    low = figures(unit_day(FIRST_MONTH[:17] + [call(30, "transfer_failed")] * 3))
    assert low.misses()["connection_rate"] is True


def test_every_figure_from_a_day_hash_with_a_distinct_value_per_counter() -> None:
    got = figures({"requests": "40", "connected": "36", "three_way": "35", "resolved": "27",
                   "survey_resolution_answered": "30", "satisfied": "20",
                   "basically_satisfied": "5", "survey_satisfaction_answered": "32",
                   "bad_reviews": "7", "overflow_attempted": "9", "overflow_connected": "4",
                   "abandoned_during_transfer": "3", "tickets_created": "6",
                   "tickets_overdue": "2", "wait_count": "36", "wait_sum_ms": "450000",
                   "wait_max_ms": "61500", "calls": "99"})
    assert got == Figures(
        requests=40, connected=36, three_way=35, connection_rate=36 / 40,
        transfer_success_rate=35 / 40, resolution_rate=27 / 30, satisfaction_rate=25 / 32,
        bad_reviews=7, overflow_attempted=9, overflow_connected=4,
        abandoned_during_transfer=3, tickets_created=6, tickets_overdue=2,
        wait_avg_s=450000 / 36 / 1000, wait_max_s=61.5)
    # 0.9 exactly meets the 90% standard; 0.875 transfer success and 0.78 satisfaction miss
    assert got.misses() == {"connection_rate": False, "resolution_rate": False,
                            "transfer_success_rate": True, "satisfaction_rate": True}


def test_a_day_with_nothing_counted_has_no_rates_and_misses_nothing() -> None:
    got = figures({})
    assert got == Figures(0, 0, 0, None, None, None, None, 0, 0, 0, 0, 0, 0, None, None)
    assert got.misses() == {"connection_rate": False, "resolution_rate": False,
                            "transfer_success_rate": False, "satisfaction_rate": False}
    # one answer each way: a rate of exactly 1 and of exactly 0
    one = figures({"requests": 1, "connected": 1, "three_way": 0,
                   "survey_resolution_answered": 1, "resolved": 0})
    assert (one.connection_rate, one.transfer_success_rate, one.resolution_rate,
            one.satisfaction_rate) == (1.0, 0.0, 0.0, None)
    assert one.misses() == {"connection_rate": False, "resolution_rate": True,
                            "transfer_success_rate": True, "satisfaction_rate": False}


def test_a_rate_whose_successes_were_never_counted_is_zero_not_missing() -> None:
    # the day had requests and answers but no success: the counters are simply absent
    got = figures({"requests": "4", "survey_resolution_answered": "2",
                   "survey_satisfaction_answered": "3", "wait_count": "0"})
    assert (got.connection_rate, got.transfer_success_rate, got.resolution_rate,
            got.satisfaction_rate, got.wait_avg_s, got.wait_max_s) == (
        0.0, 0.0, 0.0, 0.0, None, None)
    assert (got.connected, got.three_way, got.bad_reviews, got.tickets_created) == (0, 0, 0, 0)
    # only "basically satisfied" answers count as satisfied too
    assert figures({"survey_satisfaction_answered": "4",
                    "basically_satisfied": "3"}).satisfaction_rate == 0.75
