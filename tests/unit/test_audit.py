"""The independent oracle (metrics.audit) against figures computed by hand, and the
writer's counting (metrics.counters) against the oracle for any record."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.audit import audit
from metrics.counters import counter_increments, hash_increments, key_of, recompute
from metrics.keys import Keys
from metrics.records import CallRecord, TargetAttempt

DAY = "2026-11-24"


def rec(call_id: str, hour: int, **values: Any) -> CallRecord:
    base: dict[str, Any] = {"call_id": call_id, "day": DAY, "hour": hour, "entered_at": 0.0,
                            "ended_at": 200.0, "caller": "138****5678", "priority": 2,
                            "outcome": "handled_by_operator", "unit": "tax"}
    return CallRecord(**{**base, **values})


# A: overflowed twice and answered by the third target, 12 s wait, 88 s talk, "resolved,
# basically satisfied"; B: every target failed, one request refused, "unresolved,
# dissatisfied"; C: after hours
A = rec("A", 10, outcome="transferred", matter="101", transfer_requested=True,
        transfer_requested_at=100.0, three_way_at=112.0, survey_resolved=True,
        survey_satisfaction=2,
        targets=(TargetAttempt("tax-invoice", "tax", "skipped_busy"),
                 TargetAttempt("tax-backup", "tax", "timeout"),
                 TargetAttempt("back-office-general", "back-office", "answered", "2006")))
B = rec("B", 11, outcome="transfer_failed", matter="102", transfer_requested=True,
        transfer_requested_at=50.0, requests_rejected=1, survey_resolved=False,
        survey_satisfaction=3, bad_review=True,
        targets=(TargetAttempt("tax-invoice", "tax", "timeout"),))
C = rec("C", 10, outcome="after_hours_ticket", matter="101")

A_CALL = {"calls": 1, "requests": 1, "overflow_attempted": 2, "connected": 1, "three_way": 1,
          "overflow_connected": 1, "wait_count": 1, "wait_sum_ms": 12000, "wait_max_ms": 12000,
          "wait_le_20s": 1, "talk_count": 1, "talk_sum_ms": 88000,
          "survey_resolution_answered": 1, "resolved": 1, "survey_satisfaction_answered": 1,
          "basically_satisfied": 1}
B_CALL = {"calls": 1, "requests": 1, "requests_rejected": 1, "transfer_failed": 1,
          "survey_resolution_answered": 1, "unresolved": 1, "survey_satisfaction_answered": 1,
          "dissatisfied": 1, "bad_reviews": 1}
C_CALL = {"calls": 1, "after_hours": 1}


def plus(*parts: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in parts:
        for name, n in part.items():
            out[name] = max(out.get(name, 0), n) if name.endswith("_max_ms") \
                else out.get(name, 0) + n
    return out


def expected() -> dict[tuple[str, int, str], int]:
    table: dict[tuple[str, int, str], int] = {}
    scopes = {
        ("total", -1): plus(A_CALL, B_CALL, C_CALL), ("unit:tax", -1): plus(A_CALL, B_CALL, C_CALL),
        ("matter:101", -1): plus(A_CALL, C_CALL), ("matter:102", -1): B_CALL,
        ("total", 10): plus(A_CALL, C_CALL), ("unit:tax", 10): plus(A_CALL, C_CALL),
        ("matter:101", 10): plus(A_CALL, C_CALL),
        ("total", 11): B_CALL, ("unit:tax", 11): B_CALL, ("matter:102", 11): B_CALL,
    }
    for hour in (-1, 10):
        scopes[("queue:tax-backup", hour)] = {"target_rung": 1, "target_timeout": 1}
        scopes[("queue:back-office-general", hour)] = {"target_rung": 1, "target_answered": 1}
    scopes[("queue:tax-invoice", 10)] = {"target_skipped_busy": 1}
    scopes[("queue:tax-invoice", 11)] = {"target_rung": 1, "target_timeout": 1}
    scopes[("queue:tax-invoice", -1)] = {"target_skipped_busy": 1, "target_rung": 1,
                                         "target_timeout": 1}
    for (scope, hour), counters in scopes.items():
        for name, n in counters.items():
            table[(scope, hour, name)] = n
    return table


def raw(record: CallRecord) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(record.to_json())
    return data


def writer(records: list[CallRecord]) -> dict[tuple[str, int, str], int]:
    return {(scope, hour, name): n for (_d, scope, name, hour), n in recompute(records).items()
            if n}


def test_the_oracle_gives_the_figures_worked_out_by_hand() -> None:
    assert audit([raw(A), raw(B), raw(C)]) == expected()


def test_the_writer_gives_the_same_figures() -> None:
    assert writer([A, B, C]) == expected()


@pytest.mark.parametrize(("wait_s", "bucket"), [
    (0.0, "wait_le_5s"), (5.0, "wait_le_5s"), (5.001, "wait_le_10s"), (10.0, "wait_le_10s"),
    (10.001, "wait_le_20s"), (20.0, "wait_le_20s"), (20.001, "wait_le_30s"),
    (30.0, "wait_le_30s"), (30.001, "wait_le_60s"), (60.0, "wait_le_60s"),
    (60.001, "wait_gt_60s"), (3600.0, "wait_gt_60s"),
])
def test_wait_buckets_close_at_exactly_5_10_20_30_and_60_s(wait_s: float, bucket: str
                                                           ) -> None:
    record = rec("W", 9, outcome="transferred", transfer_requested=True,
                 transfer_requested_at=1000.0, three_way_at=1000.0 + wait_s,
                 ended_at=5000.0)
    for counts in (audit([raw(record)]), writer([record])):
        buckets = {name for (scope, hour, name) in counts
                   if scope == "total" and hour == -1 and name.startswith("wait_")
                   and name not in ("wait_count", "wait_sum_ms", "wait_max_ms")}
        assert buckets == {bucket}
        assert counts.get(("total", -1, "wait_sum_ms"), 0) == round(wait_s * 1000)


_OUTCOMES = ("transferred", "handled_by_operator", "transfer_failed",
             "abandoned_during_transfer", "after_hours_ticket", "lost", "emergency_transfer")
_TARGETS = ("answered", "timeout", "declined", "full", "empty", "skipped_busy",
            "skipped_unavailable", "cancelled", "failed", "lost")


def _times(low: float, high: float) -> st.SearchStrategy[float | None]:
    # a call's times in order: request, three-way, the specialist leaving, the end
    return st.one_of(st.none(), st.floats(low, high, allow_nan=False).map(
        lambda x: round(x, 3)))


@st.composite
def records(draw: st.DrawFn) -> CallRecord:
    resolved = draw(st.sampled_from([None, True, False]))
    satisfaction = draw(st.sampled_from([None, 1, 2, 3]))
    return rec(
        draw(st.text("abc", min_size=1, max_size=4)), draw(st.integers(0, 23)),
        outcome=draw(st.sampled_from(_OUTCOMES)),
        matter=draw(st.sampled_from(["", "101", "205"])),
        unit=draw(st.sampled_from(["", "tax", "market"])),
        transfer_requested=draw(st.booleans()), transfer_requested_at=draw(_times(0, 100)),
        three_way_at=draw(_times(100, 400)), specialist_left_at=draw(_times(400, 500)),
        ended_at=draw(st.floats(500, 900, allow_nan=False)),
        requests_rejected=draw(st.integers(0, 3)), emergency=draw(st.sampled_from(["", "110"])),
        survey_resolved=resolved, survey_satisfaction=satisfaction,
        bad_review=resolved is False or satisfaction == 3,
        targets=tuple(TargetAttempt(draw(st.sampled_from(["q1", "q2", "q3"])), "tax",
                                    draw(st.sampled_from(_TARGETS)))
                      for _ in range(draw(st.integers(0, 4)))))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.lists(records(), max_size=6))
def test_the_writers_counting_agrees_with_the_oracle_for_any_records(
    batch: list[CallRecord]
) -> None:
    assert writer(batch) == audit([raw(r) for r in batch])
    for record in batch:  # and one record's increments are what it adds alone, in both
        alone = audit([raw(record)])  # of the writer's forms (the replay's and the hashes')
        assert {(s, h, n): v for (_d, s, n, h), v in counter_increments(record).items()
                if v} == alone
        hashed = {(scope, hour, name): amount
                  for day, scope, hour, counters in hash_increments(record)
                  for name, amount in counters.items()}
        assert hashed == alone
        assert {day for day, _s, _h, _c in hash_increments(record)} == {DAY}


def test_a_counter_hash_key_is_the_days_or_the_hours() -> None:
    keys = Keys("hl")
    assert key_of(keys, DAY, "unit:tax", -1) == "hl:v1:day:2026-11-24:unit:tax"
    assert key_of(keys, DAY, "unit:tax", 0) == "hl:v1:hour:2026-11-24T00:unit:tax"
    assert key_of(keys, DAY, "total", 23) == "hl:v1:hour:2026-11-24T23:total"
