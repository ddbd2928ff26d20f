"""Counters and figures at their edges; every expected value is worked out by hand."""

from __future__ import annotations

import pytest

from metrics.counters import counter_increments
from metrics.rates import Figures, figures
from metrics.records import CallRecord


def _record(**overrides: object) -> CallRecord:
    values: dict[str, object] = {
        "call_id": "c1", "day": "2026-11-24", "hour": 10, "entered_at": 0.0,
        "ended_at": 100.0, "caller": "138****0000", "priority": 1,
        "outcome": "transferred", "unit": "tax", "transfer_requested": True,
        "transfer_requested_at": 10.0, "three_way_at": 10.0,
    }
    values.update(overrides)
    return CallRecord(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(("wait", "bucket", "wait_ms", "talk_ms"), [
    (1.0, "wait_le_5s", 1000, 89000), (5.0, "wait_le_5s", 5000, 85000),
    (5.5, "wait_le_10s", 5500, 84500), (10.0, "wait_le_10s", 10000, 80000),
    (20.0, "wait_le_20s", 20000, 70000), (20.5, "wait_le_30s", 20500, 69500),
    (30.0, "wait_le_30s", 30000, 60000), (60.0, "wait_le_60s", 60000, 30000),
    (60.5, "wait_gt_60s", 60500, 29500),
])
def test_a_wait_falls_in_the_first_bucket_it_does_not_exceed(
    wait: float, bucket: str, wait_ms: int, talk_ms: int
) -> None:
    record = _record(three_way_at=10.0 + wait)
    day = {name: n for (_, scope, name, hour), n in counter_increments(record).items()
           if scope == "total" and hour == -1}
    assert day == {"calls": 1, "requests": 1, "connected": 1, "three_way": 1,
                   "wait_count": 1, "wait_sum_ms": wait_ms, "wait_max_ms": wait_ms,
                   bucket: 1, "talk_count": 1, "talk_sum_ms": talk_ms}


def test_a_record_whose_hour_is_the_day_slot_gets_both_increments_there() -> None:
    # the day hash is hour -1: a record claiming hour -1 adds twice to the same counter
    plain = _record(hour=-1, unit="", outcome="handled_by_operator",
                    transfer_requested=False, transfer_requested_at=None, three_way_at=None)
    assert counter_increments(plain) == {("2026-11-24", "total", "calls", -1): 2}


@pytest.mark.parametrize(("counters", "avg", "max_"), [
    # waits counted but their sum and maximum never written: zero, not one millisecond
    ({"wait_count": "2"}, 0.0, 0.0),
    ({"wait_count": "4", "wait_sum_ms": "10000", "wait_max_ms": "4000"}, 2.5, 4.0),
    ({"wait_sum_ms": "10000", "wait_max_ms": "4000"}, None, None),
])
def test_the_wait_figures_from_the_counters_that_are_there(
    counters: dict[str, str], avg: float | None, max_: float | None
) -> None:
    got = figures(counters)
    assert got == Figures(0, 0, 0, None, None, None, None, 0, 0, 0, 0, 0, 0, avg, max_)
