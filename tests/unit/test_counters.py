"""Counters are a pure function of the per-call records."""

from __future__ import annotations

from metrics.counters import counter_increments, recompute
from metrics.records import CallRecord, TargetAttempt


def record(**overrides: object) -> CallRecord:
    values: dict[str, object] = {
        "call_id": "c1", "day": "2026-11-23", "hour": 10, "entered_at": 0.0, "ended_at": 60.0,
        "caller": "138****5678", "priority": 1, "outcome": "transferred", "matter": "101",
        "unit": "tax", "transfer_requested": True, "transfer_requested_at": 8.0,
        "three_way_at": 20.0, "specialist_left_at": 50.0, "survey_resolved": True,
        "survey_satisfaction": 3, "bad_review": True,
        "targets": (TargetAttempt("tax-invoice", "tax", "timeout"),
                    TargetAttempt("tax-backup", "tax", "answered", "2006")),
    }
    values.update(overrides)
    return CallRecord(**values)  # type: ignore[arg-type]


def test_an_overflowed_transfer_counts_once_per_scope_per_day_and_hour() -> None:
    day = {(scope, name): n for (d, scope, name, hour), n in counter_increments(record()).items()
           if hour == -1}
    assert day == {
        **{(scope, name): amount
           for scope in ("total", "unit:tax", "matter:101")
           for name, amount in (
               ("calls", 1), ("requests", 1), ("connected", 1), ("three_way", 1),
               ("overflow_attempted", 1), ("overflow_connected", 1), ("wait_count", 1),
               ("wait_sum_ms", 12000), ("wait_max_ms", 12000), ("wait_le_20s", 1),
               ("talk_count", 1), ("talk_sum_ms", 30000), ("survey_resolution_answered", 1),
               ("resolved", 1), ("survey_satisfaction_answered", 1), ("dissatisfied", 1),
               ("bad_reviews", 1))},
        ("queue:tax-invoice", "target_rung"): 1, ("queue:tax-invoice", "target_timeout"): 1,
        ("queue:tax-backup", "target_rung"): 1, ("queue:tax-backup", "target_answered"): 1,
    }
    hours = {hour for (_, _, _, hour) in counter_increments(record())}
    assert hours == {-1, 10}


def test_a_call_without_a_transfer_counts_only_as_a_call() -> None:
    plain = record(outcome="handled_by_operator", matter="", unit="", transfer_requested=False,
                   transfer_requested_at=None, three_way_at=None, specialist_left_at=None,
                   survey_resolved=None, survey_satisfaction=None, bad_review=False,
                   targets=())
    assert counter_increments(plain) == {("2026-11-23", "total", "calls", -1): 1,
                                         ("2026-11-23", "total", "calls", 10): 1}


def test_recompute_sums_records_and_keeps_the_largest_wait() -> None:
    totals = recompute([record(call_id="a"), record(call_id="b", outcome="transfer_failed",
                                                    three_way_at=None),
                        record(call_id="c", transfer_requested_at=19.0)])
    assert totals[("2026-11-23", "unit:tax", "requests", -1)] == 3
    assert totals[("2026-11-23", "unit:tax", "three_way", -1)] == 2
    assert totals[("2026-11-23", "unit:tax", "transfer_failed", -1)] == 1
    assert totals[("2026-11-23", "unit:tax", "wait_sum_ms", -1)] == 13000
    assert totals[("2026-11-23", "unit:tax", "wait_max_ms", -1)] == 12000
