"""P4: concurrent calls tracked — memory per call, and the way back to idle.

The engine holds N calls at once, each in a three-way call (the state with the most to
remember: plan, legs, attempts), plus the executor's timers. Baseline in the same run: the
idle process. Targets: >= 2,500 concurrent calls, <= 20 kB RSS per call, back to idle
+-5% within 60 s after the load.

    python -m bench.p4_concurrent_calls [--calls 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
from pathlib import Path

from bench.common import report, rss_bytes
from router.core import events as ev
from router.core.engine import Engine
from router.effects.memory import release_memory
from skills.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = load_catalogue(ROOT / "skills" / "data" / "catalogue.yaml")
T0 = 1_795_485_600.0  # a Tuesday 10:00 in Shanghai: units open
MATTERS = [c for c, m in CATALOGUE.matters.items() if m.emergency is None
           and m.level == "city"]


def _trim() -> None:
    """What the service's memory-trim task does after a peak."""
    release_memory()


def load(engine: Engine, calls: int) -> None:
    for n in range(calls):
        call_id = f"{1795485600 + n // 1000}.{n}"
        caller = f"PJSIP/trunk-{n:08x};1"
        seat = f"PJSIP/{1001 + n % 3}-{n:08x}"
        now = T0 + n * 0.001
        engine.feed(ev.CallEntered(call_id, caller, f"138{n:08d}", 1), now)
        engine.feed(ev.OperatorAnswered(call_id, caller, seat, str(1001 + n % 3)), now)
        engine.feed(ev.TransferRequested(f"r{n}", MATTERS[n % len(MATTERS)], "phone",
                                         call_id=call_id, operator_channel=seat), now)
        leg = f"{call_id}-L1"
        engine.feed(ev.LegAnswered(call_id, leg, "q", "2001"), now)
        engine.feed(ev.PartyBridged(call_id, f"{leg}-a", f"Local/q@x-{n};1", f"b{n}", 3, True),
                    now)


def unload(engine: Engine, calls: int) -> None:
    for n in range(calls):
        call_id = f"{1795485600 + n // 1000}.{n}"
        engine.feed(ev.ChannelHungUp(call_id, call_id, "x", 16), T0 + 3600)


async def main(calls: int, settle_s: float) -> None:
    warm = Engine(CATALOGUE)
    load(warm, 200)  # import and warm every code path before the baseline
    unload(warm, 200)
    del warm
    _trim()
    idle = rss_bytes()
    engine = Engine(CATALOGUE)
    started = time.perf_counter()
    load(engine, calls)
    load_s = time.perf_counter() - started
    loaded = rss_bytes()
    tracked = len(engine.calls)
    per_call = (loaded - idle) / calls
    unload(engine, calls)
    deadline, back = time.monotonic() + settle_s, rss_bytes()
    while time.monotonic() < deadline:
        _trim()
        back = rss_bytes()
        if abs(back - idle) <= 0.05 * idle:
            break
        await asyncio.sleep(1)
    recovered_s = round(settle_s - (deadline - time.monotonic()), 1)
    passed = tracked >= 2500 and per_call <= 20_000 and abs(back - idle) <= 0.05 * idle
    report("p4_concurrent_calls", {
        "calls_tracked_at_once": tracked, "target_calls": 2500,
        "idle_rss_mb": round(idle / 2**20, 1), "loaded_rss_mb": round(loaded / 2**20, 1),
        "rss_per_call_bytes": round(per_call), "target_rss_per_call_bytes": 20_000,
        "calls_loaded_per_s": round(calls / load_s),
        "after_rss_mb": round(back / 2**20, 1),
        "after_vs_idle": round(back / idle, 3), "back_to_idle_within_s": recovered_s,
        "calls_left_in_engine": len(engine.calls),
        "allocator": os.environ.get("PYTHONMALLOC", "pymalloc"),
    }, passed)


if __name__ == "__main__":
    if os.environ.get("PYTHONMALLOC") != "malloc":  # as the service runs (Dockerfile, unit)
        os.execve(sys.executable, [sys.executable, "-m", "bench.p4_concurrent_calls",
                                   *sys.argv[1:]], {**os.environ, "PYTHONMALLOC": "malloc"})
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--settle-s", type=float, default=60.0)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.settle_s))
