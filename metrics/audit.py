"""The figures recomputed from the call records by code that shares nothing with the
writer (pure): the independent oracle of ``python -m router metrics audit``.

``metrics verify`` replays the writer's own counting (metrics.counters) and so proves each
call was counted once; this module proves each was counted *right*. It reads the records
as the JSON they are stored as, and applies the definitions of docs/metrics.md directly,
one rule per counter, written out again rather than imported. A bad review, for instance,
is recomputed from the survey answers (resolved "no", or "dissatisfied"), not taken from
the record's flag.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["AUDITED", "audit"]

Raw = Mapping[str, Any]
# (scope, hour, counter); hour -1 is the day hash
Figure = tuple[str, int, str]

_NOT_RUNG = ("skipped_busy", "skipped_unavailable")
_TARGET_KINDS = ("answered", "timeout", "declined", "full", "empty", "skipped_busy",
                 "skipped_unavailable", "cancelled")


def _wait_bucket(seconds: float) -> str:
    if seconds <= 5:
        return "wait_le_5s"
    if seconds <= 10:
        return "wait_le_10s"
    if seconds <= 20:
        return "wait_le_20s"
    if seconds <= 30:
        return "wait_le_30s"
    if seconds <= 60:
        return "wait_le_60s"
    return "wait_gt_60s"


def _ms(seconds: float) -> int:
    return round(seconds * 1000)


def _call_figures(r: Raw) -> dict[str, int]:
    """The day counters one call adds to its scopes (a ``*_max_ms`` is a candidate)."""
    got: dict[str, int] = {"calls": 1}
    if r["requests_rejected"]:
        got["requests_rejected"] = r["requests_rejected"]
    if r["outcome"] == "after_hours_ticket":
        got["after_hours"] = 1
    if r["emergency"] != "":
        got["emergency"] = 1
    requested, joined = r["transfer_requested"], r["three_way_at"] is not None
    later_targets = list(r.get("targets") or [])[1:]
    if requested:
        got["requests"] = 1
        rung_later = len([t for t in later_targets if t["outcome"] not in _NOT_RUNG])
        if rung_later:
            got["overflow_attempted"] = rung_later
        if joined:
            got["connected"] = got["three_way"] = 1
            if [t for t in later_targets if t["outcome"] == "answered"]:
                got["overflow_connected"] = 1
        if r["outcome"] == "transfer_failed":
            got["transfer_failed"] = 1
        if r["outcome"] == "abandoned_during_transfer":
            got["abandoned_during_transfer"] = 1
    if joined and r["transfer_requested_at"] is not None:
        wait = r["three_way_at"] - r["transfer_requested_at"]
        got["wait_count"] = 1
        got["wait_sum_ms"] = got["wait_max_ms"] = _ms(wait)
        got[_wait_bucket(wait)] = 1
    if joined:
        left = r["specialist_left_at"] if r["specialist_left_at"] is not None \
            else r["ended_at"]
        got["talk_count"] = 1
        got["talk_sum_ms"] = _ms(left - r["three_way_at"])
    resolved, satisfaction = r["survey_resolved"], r["survey_satisfaction"]
    if resolved is not None:
        got["survey_resolution_answered"] = 1
        got["resolved" if resolved is True else "unresolved"] = 1
    if satisfaction is not None:
        got["survey_satisfaction_answered"] = 1
        got[{1: "satisfied", 2: "basically_satisfied", 3: "dissatisfied"}[satisfaction]] = 1
    if resolved is False or satisfaction == 3:
        got["bad_reviews"] = 1
    return {name: n for name, n in got.items() if n}


def _target_figures(r: Raw) -> dict[str, dict[str, int]]:
    """queue -> counters, one count per attempt at the queue."""
    per_queue: dict[str, dict[str, int]] = defaultdict(dict)
    for target in r.get("targets") or []:
        counts = per_queue[target["queue"]]
        kind = target["outcome"] if target["outcome"] in _TARGET_KINDS else "failed"
        counts[f"target_{kind}"] = counts.get(f"target_{kind}", 0) + 1
        if kind not in _NOT_RUNG:
            counts["target_rung"] = counts.get("target_rung", 0) + 1
    return per_queue


def audit(records: Iterable[Raw]) -> dict[Figure, int]:
    """Every record-derived counter of the day and hour hashes the records imply."""
    total: dict[Figure, int] = defaultdict(int)

    def add(scope: str, hour: int, name: str, amount: int) -> None:
        for at in (-1, hour):
            key = (scope, at, name)
            total[key] = max(total[key], amount) if name.endswith("_max_ms") \
                else total[key] + amount

    for r in records:
        scopes = ["total"] + [f"{kind}:{r[kind]}" for kind in ("unit", "matter") if r[kind]]
        for name, amount in _call_figures(r).items():
            for scope in scopes:
                add(scope, r["hour"], name, amount)
        for queue, counts in _target_figures(r).items():
            for name, amount in counts.items():
                add(f"queue:{queue}", r["hour"], name, amount)
    return dict(total)


AUDITED = frozenset({
    "calls", "requests", "requests_rejected", "connected", "three_way", "transfer_failed",
    "abandoned_during_transfer", "overflow_attempted", "overflow_connected", "after_hours",
    "emergency", "wait_count", "wait_sum_ms", "wait_max_ms", "wait_le_5s", "wait_le_10s",
    "wait_le_20s", "wait_le_30s", "wait_le_60s", "wait_gt_60s", "talk_count",
    "talk_sum_ms", "survey_resolution_answered", "resolved", "unresolved",
    "survey_satisfaction_answered", "satisfied", "basically_satisfied", "dissatisfied",
    "bad_reviews", *(f"target_{k}" for k in (*_TARGET_KINDS, "failed", "rung")),
})
