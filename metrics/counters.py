"""Which counters one call record adds to (pure).

Counters are a function of the per-call records only, so ``metrics verify`` can recompute
every one of them and prove the live counters hold exactly one count per call.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from metrics.keys import Keys
from metrics.records import CallRecord

__all__ = ["COUNTERS", "counter_increments", "recompute"]

# name -> meaning (docs/metrics.md)
COUNTERS = {
    "calls": "calls recorded (every final outcome)",
    "requests": "transfer requests (a plan was accepted for the call)",
    "requests_rejected": "transfer requests refused (unknown matter, no district unit, busy)",
    "connected": "transfers answered by a specialist of the unit or its overflow",
    "three_way": "three-way calls established (transfer success)",
    "transfer_failed": "transfers where no target answered; caller kept with the operator",
    "abandoned_during_transfer": "callers who hung up while a department leg rang",
    "overflow_attempted": "targets after the first that were rung",
    "overflow_connected": "transfers answered by a target after the first",
    # per target queue (scope queue:<queue>): one count per attempt, by its outcome
    "target_rung": "legs originated to this queue",
    "target_answered": "legs answered by a specialist",
    "target_timeout": "legs that rang out (QUEUESTATUS TIMEOUT)",
    "target_full": "legs refused by a full queue",
    "target_empty": "legs refused because no member was usable (JOINEMPTY/LEAVEEMPTY)",
    "target_skipped_busy": "targets skipped without ringing: nobody available",
    "target_failed": "legs that failed otherwise (originate, guard timer)",
    "target_cancelled": "legs cancelled (caller or operator gone)",
}


def counter_increments(record: CallRecord) -> Counter[tuple[str, str, str, int]]:
    """(day, scope, counter, hour) -> amount for one record; hour -1 means the day hash."""
    metrics: Counter[str] = Counter(calls=1, requests_rejected=record.requests_rejected)
    if record.transfer_requested:
        metrics["requests"] += 1
        rung = [t for t in record.targets if t.outcome not in ("skipped_busy",)]
        metrics["overflow_attempted"] += max(0, len(rung) - 1)
        if record.three_way_at is not None:
            metrics["connected"] += 1
            metrics["three_way"] += 1
            if record.targets and record.targets[-1].outcome == "answered" and len(rung) > 1:
                metrics["overflow_connected"] += 1
        if record.outcome in ("transfer_failed", "abandoned_during_transfer"):
            metrics[record.outcome] += 1
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
        names = [f"target_{outcome}"] + (["target_rung"] if outcome != "skipped_busy" else [])
        for name in names:
            out[(record.day, f"queue:{target.queue}", name, -1)] += 1
            out[(record.day, f"queue:{target.queue}", name, record.hour)] += 1
    return out


_TARGET_OUTCOME = {o: o for o in ("answered", "timeout", "full", "empty", "skipped_busy",
                                  "cancelled")}


def recompute(records: Iterable[CallRecord]) -> Counter[tuple[str, str, str, int]]:
    total: Counter[tuple[str, str, str, int]] = Counter()
    for record in records:
        total.update(counter_increments(record))
    return total


def key_of(keys: Keys, day: str, scope: str, hour: int) -> str:
    return keys.day(day, scope) if hour < 0 else keys.hour(day, hour, scope)
