"""Which counters one call record adds to (pure).

Counters are a function of the per-call records only, so ``metrics verify`` can recompute
every one of them and prove the live counters hold exactly one count per call.
A counter is either summed (``HINCRBY``) or a maximum (``*_max_ms``: kept only if larger).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from metrics.keys import Keys
from metrics.records import CallRecord

__all__ = [
    "COUNTERS",
    "WAIT_BUCKETS_S",
    "counter_increments",
    "hash_increments",
    "is_max",
    "key_of",
    "recompute",
]

WAIT_BUCKETS_S = (5, 10, 20, 30, 60)

# name -> meaning (docs/metrics.md)
COUNTERS = {
    "calls": "calls recorded (every final outcome)",
    "requests": "transfer requests in working time (a plan was accepted for the call)",
    "requests_rejected": "transfer requests refused (unknown matter, no district unit, busy)",
    "connected": "transfers answered by a specialist of the unit or its overflow",
    "three_way": "three-way calls established (transfer success)",
    "transfer_failed": "transfers where no target answered; caller kept with the operator",
    "abandoned_during_transfer": "callers who hung up while a department leg rang",
    "overflow_attempted": "targets after the plan's first that were rung",
    "overflow_connected": "transfers answered by a target after the plan's first",
    "after_hours": "requests outside the unit's working time (a ticket instead)",
    "emergency": "blind transfers to 110/119/120",
    "wait_count": "transfers answered: how many waits are summed",
    "wait_sum_ms": "request -> specialist in the call, summed (ms)",
    "wait_max_ms": "the longest such wait (ms)",
    **{f"wait_le_{b}s": f"waits up to {b} s" for b in WAIT_BUCKETS_S},
    f"wait_gt_{WAIT_BUCKETS_S[-1]}s": f"waits over {WAIT_BUCKETS_S[-1]} s",
    "talk_count": "specialists' parts of calls measured",
    "talk_sum_ms": "the specialist's part of the call, summed (ms)",
    "survey_resolution_answered": "callers who answered 'resolved?'",
    "resolved": "... and said yes",
    "unresolved": "... and said no",
    "survey_satisfaction_answered": "callers who rated their satisfaction",
    "satisfied": "... satisfied",
    "basically_satisfied": "... basically satisfied",
    "dissatisfied": "... dissatisfied",
    "bad_reviews": "unresolved or dissatisfied answers (差评)",
    # per target queue (scope queue:<queue>): one count per attempt, by its outcome
    "target_rung": "legs originated to this queue",
    "target_answered": "legs answered by a specialist",
    "target_timeout": "legs that rang out (QUEUESTATUS TIMEOUT)",
    "target_declined": "legs whose every specialist declined before the ring time (busy, "
                       "rejected)",
    "target_full": "legs refused by a full queue",
    "target_empty": "legs refused because no member was usable (JOINEMPTY/LEAVEEMPTY)",
    "target_skipped_busy": "targets skipped without ringing: every member busy or paused",
    "target_skipped_unavailable": "targets skipped without ringing: no member reachable "
                                  "(phones unregistered or logged out)",
    "target_failed": "legs that failed otherwise (originate, guard timer)",
    "target_cancelled": "legs cancelled (caller or operator gone)",
}

SKIPPED = frozenset({"skipped_busy", "skipped_unavailable"})  # never rung
_TARGET_OUTCOME = {o: o for o in ("answered", "timeout", "declined", "full", "empty",
                                  "skipped_busy",
                                  "skipped_unavailable", "cancelled")}


def is_max(name: str) -> bool:
    return name.endswith("_max_ms")


def _call_metrics(record: CallRecord) -> Counter[str]:
    metrics: Counter[str] = Counter(calls=1, requests_rejected=record.requests_rejected)
    if record.outcome == "after_hours_ticket":
        metrics["after_hours"] += 1
    if record.emergency:
        metrics["emergency"] += 1
    if record.transfer_requested:
        metrics["requests"] += 1
        # overflow: targets after the plan's first one (the first may be skipped when busy)
        overflow = record.targets[1:]
        metrics["overflow_attempted"] += sum(1 for t in overflow if t.outcome not in SKIPPED)
        if record.three_way_at is not None:
            metrics["connected"] += 1
            metrics["three_way"] += 1
            if any(t.outcome == "answered" for t in overflow):
                metrics["overflow_connected"] += 1
        if record.outcome in ("transfer_failed", "abandoned_during_transfer"):
            metrics[record.outcome] += 1
    wait = record.transfer_wait_s
    if wait is not None:
        metrics["wait_count"] += 1
        metrics["wait_sum_ms"] += round(wait * 1000)
        metrics["wait_max_ms"] = round(wait * 1000)
        bucket = next((f"wait_le_{b}s" for b in WAIT_BUCKETS_S if wait <= b),
                      f"wait_gt_{WAIT_BUCKETS_S[-1]}s")
        metrics[bucket] += 1
    talk = record.talk_s
    if talk is not None:
        metrics["talk_count"] += 1
        metrics["talk_sum_ms"] += round(talk * 1000)
    if record.survey_resolved is not None:
        metrics["survey_resolution_answered"] += 1
        metrics["resolved" if record.survey_resolved else "unresolved"] += 1
    if record.survey_satisfaction is not None:
        metrics["survey_satisfaction_answered"] += 1
        metrics[("satisfied", "basically_satisfied", "dissatisfied")[
            record.survey_satisfaction - 1]] += 1
    if record.bad_review:
        metrics["bad_reviews"] += 1
    return metrics


def hash_increments(record: CallRecord) -> list[tuple[str, str, int, dict[str, int]]]:
    """(day, scope, hour, {counter: amount}) per hash one record adds to; hour -1 is the day
    hash. The call's own scopes share one dict (the same counters go to each)."""
    metrics = {name: amount for name, amount in _call_metrics(record).items() if amount}
    scopes = ["total"]
    if record.unit:
        scopes.append(f"unit:{record.unit}")
    if record.matter:
        scopes.append(f"matter:{record.matter}")
    out = [(record.day, scope, hour, metrics) for scope in scopes for hour in (-1, record.hour)]
    targets: dict[str, Counter[str]] = {}
    for target in record.targets:
        outcome = _TARGET_OUTCOME.get(target.outcome, "failed")
        counts = targets.setdefault(target.queue, Counter())
        counts[f"target_{outcome}"] += 1
        if outcome not in SKIPPED:
            counts["target_rung"] += 1
    for queue, counts in targets.items():
        out += [(record.day, f"queue:{queue}", hour, dict(counts)) for hour in (-1, record.hour)]
    return out


def counter_increments(record: CallRecord) -> Counter[tuple[str, str, str, int]]:
    """(day, scope, counter, hour) -> amount for one record; hour -1 means the day hash.

    A ``*_max_ms`` entry is a candidate maximum, not an increment.
    """
    metrics = _call_metrics(record)
    scopes = ["total"]
    if record.unit:
        scopes.append(f"unit:{record.unit}")
    if record.matter:
        scopes.append(f"matter:{record.matter}")
    out: Counter[tuple[str, str, str, int]] = Counter()
    for scope in scopes:
        for name, amount in metrics.items():
            if amount:
                out[(record.day, scope, name, -1)] += amount
                out[(record.day, scope, name, record.hour)] += amount
    for target in record.targets:
        outcome = _TARGET_OUTCOME.get(target.outcome, "failed")
        names = [f"target_{outcome}"] + (["target_rung"] if outcome not in SKIPPED else [])
        for name in names:
            out[(record.day, f"queue:{target.queue}", name, -1)] += 1
            out[(record.day, f"queue:{target.queue}", name, record.hour)] += 1
    return out


def recompute(records: Iterable[CallRecord]) -> Counter[tuple[str, str, str, int]]:
    """The counters a set of records implies (sums, and maxima for ``*_max_ms``)."""
    total: Counter[tuple[str, str, str, int]] = Counter()
    for record in records:
        for key, amount in counter_increments(record).items():
            total[key] = max(total[key], amount) if is_max(key[2]) else total[key] + amount
    return total


def key_of(keys: Keys, day: str, scope: str, hour: int) -> str:
    return keys.day(day, scope) if hour < 0 else keys.hour(day, hour, scope)
