"""P6: the metrics write path — call records with all their counters, into the lab's Redis.

Baseline in the same run: ``redis-benchmark`` SETs, pipelined 16 deep, on the same server.
The router writes each record with one Lua script that stores it and updates ~50 counters
(day and hour hashes of total, unit, matter and target scopes), so the comparison is in
Redis operations per second. Target: >= 0.3 x the pipelined rate; and no awaited Redis
round trip on the call path (handing a record over takes microseconds, Redis up or down).

    python -m bench.p6_metrics_writes [--records 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import subprocess
import time

import redis.asyncio as aioredis

from bench.common import report
from bench.lab import bench_lab
from metrics.counters import counter_increments
from metrics.keys import Keys
from metrics.recorder import Recorder
from metrics.records import CallRecord, TargetAttempt
from router.lab.lab import Lab


def record(n: int) -> CallRecord:
    return CallRecord(
        call_id=f"p6-{n}", day="2026-11-24", hour=10 + n % 8, entered_at=0.0, ended_at=90.0,
        caller="138****0000", priority=1, outcome="transferred", operator="1001",
        matter=("101", "105", "201", "301")[n % 4], unit=("tax", "tax", "market", "hrss")[n % 4],
        transfer_requested=True, transfer_requested_at=5.0, three_way_at=12.0,
        specialist_left_at=80.0, survey_resolved=True, survey_satisfaction=1,
        targets=(TargetAttempt("tax-invoice", "tax", "timeout"),
                 TargetAttempt("tax-backup", "tax", "answered", "2006")))


def redis_benchmark(port: int) -> float:
    out = subprocess.run(["redis-benchmark", "-p", str(port), "-t", "set", "-P", "16",
                          "-n", "200000", "-q"], capture_output=True, text=True, check=True)
    match = re.search(r"SET: ([\d.]+) requests per second", out.stdout.replace("\r", "\n"))
    assert match, out.stdout
    return float(match.group(1))


async def measure(lab: Lab, records: int) -> dict[str, object]:
    url = f"redis://127.0.0.1:{lab.instance.ports.redis}/0"
    client = aioredis.Redis.from_url(url, decode_responses=True)
    keys = Keys(f"p6{int(time.time())}")
    recorder = Recorder(client, keys, buffer_size=records + 10, batch=500)
    ops_per_record = 3 + len(counter_increments(record(0)))  # EVALSHA's SET, SADD, HINCRBYs
    baseline = await asyncio.to_thread(redis_benchmark, lab.instance.ports.redis)

    # the call path: handing a record over, Redis up
    handed: list[float] = []
    for n in range(records):
        started = time.perf_counter()
        recorder.record_nowait(record(n))
        handed.append(time.perf_counter() - started)
    writer = asyncio.create_task(recorder.run(), name="recorder")
    started = time.perf_counter()
    await recorder.drain(600)
    elapsed = time.perf_counter() - started
    writer.cancel()
    await client.aclose()

    # ... and Redis unreachable: the hand-over is the same
    down = Recorder(aioredis.Redis.from_url("redis://127.0.0.1:1/0"), keys, buffer_size=10_000)
    handed_down: list[float] = []
    for n in range(1000):
        started_down = time.perf_counter()
        down.record_nowait(record(n))
        handed_down.append(time.perf_counter() - started_down)
    written = recorder.stats.records_written
    ops = written * ops_per_record / elapsed
    return {
        "records": records, "records_written": written, "records_per_s": round(written / elapsed),
        "redis_ops_per_record": ops_per_record, "redis_ops_per_s": round(ops),
        "baseline_pipelined_set_per_s": round(baseline), "ratio": round(ops / baseline, 3),
        "target_ratio": 0.3,
        "handover_us_p99_redis_up": round(sorted(handed)[int(0.99 * len(handed))] * 1e6, 1),
        "handover_us_p99_redis_down": round(
            sorted(handed_down)[int(0.99 * len(handed_down))] * 1e6, 1),
    }


def main(records: int) -> None:
    with bench_lab() as lab:
        result = asyncio.run(measure(lab, records))
    passed = float(result["ratio"]) >= 0.3 and result["records_written"] == records  # type: ignore[arg-type]
    report("p6_metrics_writes", result, passed)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    main(parser.parse_args().records)
