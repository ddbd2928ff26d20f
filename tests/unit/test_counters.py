"""Counters are a pure function of the per-call records."""

from __future__ import annotations

from metrics.counters import counter_increments, recompute
from metrics.records import CallRecord, TargetAttempt


def record(**overrides: object) -> CallRecord:
    values: dict[str, object] = {
        "call_id": "c1", "day": "2026-11-23", "hour": 10, "entered_at": 0.0, "ended_at": 60.0,
        "caller": "138****5678", "priority": 1, "outcome": "transferred", "matter": "101",
        "unit": "tax", "transfer_requested": True, "three_way_at": 20.0,
        "targets": (TargetAttempt("tax-invoice", "tax", "timeout"),
                    TargetAttempt("tax-backup", "tax", "answered", "2006")),
    }
    values.update(overrides)
    return CallRecord(**values)  # type: ignore[arg-type]


def test_an_overflowed_transfer_counts_once_per_scope_per_day_and_hour() -> None:
    day = {(scope, name): n for (d, scope, name, hour), n in counter_increments(record()).items()
           if hour == -1}
    assert day == {
        **{(scope, name): 1
           for scope in ("total", "unit:tax", "matter:101")
           for name in ("calls", "requests", "connected", "three_way", "overflow_attempted",
                        "overflow_connected")},
        ("queue:tax-invoice", "target_rung"): 1, ("queue:tax-invoice", "target_timeout"): 1,
        ("queue:tax-backup", "target_rung"): 1, ("queue:tax-backup", "target_answered"): 1,
    }
    hours = {hour for (_, _, _, hour) in counter_increments(record())}
    assert hours == {-1, 10}


def test_a_call_without_a_transfer_counts_only_as_a_call() -> None:
    plain = record(outcome="handled_by_operator", matter="", unit="", transfer_requested=False,
                   three_way_at=None, targets=())
    assert counter_increments(plain) == {("2026-11-23", "total", "calls", -1): 1,
                                         ("2026-11-23", "total", "calls", 10): 1}


def test_recompute_sums_records() -> None:
    totals = recompute([record(call_id="a"), record(call_id="b", outcome="transfer_failed",
                                                    three_way_at=None)])
    assert totals[("2026-11-23", "unit:tax", "requests", -1)] == 2
    assert totals[("2026-11-23", "unit:tax", "three_way", -1)] == 1
    assert totals[("2026-11-23", "unit:tax", "transfer_failed", -1)] == 1
