"""P9: the standards watch costs the same per call with 0 or 400 days of history behind it.

The consumer loop observes every ended call and re-evaluates the "two not below 90%"
windows of every unit. Baseline in the same run: the same 2,000 calls on a watch with no
history. Router arm: a watch that has first seen 200,000 calls spread over 400 days (the
figure at which the old design, which kept every record, cost 58 ms a call). Targets: per
call cost within 1.5x of the baseline; the history leaves at most 5 MB behind in RSS.

    python -m bench.p9_standards_cost [--history 200000]
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

from bench.common import report, rss_bytes, summary_ms
from metrics.records import CallRecord
from router.core.standards import StandardsWatch
from skills.calendar import WorkCalendar
from skills.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = load_catalogue(ROOT / "skills" / "data" / "catalogue.yaml")
CALENDAR = WorkCalendar()
NOW = 1_795_485_600.0  # Tuesday 2026-11-24 10:00 Asia/Shanghai
UNITS = sorted(CATALOGUE.units)
DAYS = 400


def _record(n: int, at: float) -> CallRecord:
    return CallRecord(call_id=f"c{n}", day="2026-11-24", hour=10, entered_at=at,
                      ended_at=at + 60, caller="-", priority=1,
                      outcome="transferred" if n % 10 else "transfer_failed",
                      unit=UNITS[n % len(UNITS)], matter="101", transfer_requested=True,
                      transfer_requested_at=at, three_way_at=at + 5 if n % 10 else None,
                      survey_resolved=bool(n % 7))


def _per_call(watch: StandardsWatch, calls: int, start: float) -> list[float]:
    """Seconds per call: observe it, then evaluate every unit (what the service does)."""
    took = []
    for n in range(calls):
        at = start + n * 0.5
        record = _record(n, at)
        began = time.perf_counter()
        watch.observe(record)
        watch.evaluate(CATALOGUE, CALENDAR, at + 1)
        took.append(time.perf_counter() - began)
    return took


def main(history: int, calls: int) -> None:
    gc.collect()
    baseline = _per_call(StandardsWatch(), calls, NOW)
    rss_before = rss_bytes()
    watch = StandardsWatch()
    span = DAYS * 86400.0
    for n in range(history):  # oldest first, as the calls ended
        at = NOW - span + n * span / history
        watch.observe(_record(n, at))
        if n % 1000 == 0:
            watch.evaluate(CATALOGUE, CALENDAR, at + 1)
    loaded = _per_call(watch, calls, NOW)
    gc.collect()
    rss_growth = rss_bytes() - rss_before
    base, arm = summary_ms(baseline), summary_ms(loaded)
    ratio = round(arm["mean_ms"] / base["mean_ms"], 3)
    report("p9_standards_cost", {
        "history_calls": history, "history_days": DAYS, "measured_calls": calls,
        "with_history": arm, "without_history": base, "ratio_mean": ratio,
        "rss_growth_mb": round(rss_growth / 2**20, 2),
        "minutes_held": sum(len(w.minutes) for w in watch.units.values()),
    }, passed=ratio <= 1.5 and rss_growth <= 5 * 2**20)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--history", type=int, default=200_000)
    parser.add_argument("--calls", type=int, default=2_000)
    args = parser.parse_args()
    main(args.history, args.calls)
