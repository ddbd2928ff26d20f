"""P8: recovery after an Asterisk restart — how soon the router routes again.

Asterisk is stopped and started under a running router. Baseline in the same run:
Asterisk's own time from start to FullyBooted, seen by an observer that reconnects every
50 ms. Measured: from that FullyBooted to the router's resync done (membership reconciled,
live channels compared: routing again). Target: <= 2 s after FullyBooted, every round.

    python -m bench.p8_restart_recovery [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bench.common import report
from bench.lab import bench_lab, bench_settings, running, temp_dir
from bench.p1_decision_latency import open_catalogue
from router.ami.client import AmiClient, LinkState
from router.config import AmiSettings
from router.lab.lab import Lab


async def measure(lab: Lab, rounds: int) -> dict[str, object]:
    tmp = temp_dir()
    admin = lab.admin_ami()
    observer = AmiClient(AmiSettings.model_validate({
        **admin.model_dump(), "reconnect_min_s": 0.05, "reconnect_max_s": 0.05}))
    ups: asyncio.Queue[float] = asyncio.Queue()

    async def watch() -> None:
        while True:
            item = await observer.events.get()
            if isinstance(item, LinkState) and item.up:
                ups.put_nowait(time.perf_counter())

    boot, recovery = [], []
    async with running(bench_settings(lab, open_catalogue(tmp), tmp)) as service, \
            asyncio.TaskGroup() as group:
        link = group.create_task(observer.run(), name="observer")
        watcher = group.create_task(watch(), name="observer-events")
        await ups.get()
        for _ in range(rounds):
            service.resynced.clear()
            await asyncio.to_thread(lab.stop_service, "asterisk")
            started = time.perf_counter()
            await asyncio.to_thread(lab.start_service, "asterisk")
            booted = await asyncio.wait_for(ups.get(), 30)
            await asyncio.wait_for(service.resynced.wait(), 30)
            routing = time.perf_counter()
            boot.append(booted - started)
            recovery.append(routing - booted)
        link.cancel()
        watcher.cancel()
    return {"rounds": rounds, "asterisk_boot_s": [round(b, 2) for b in boot],
            "router_routing_again_after_fully_booted_s": [round(r, 2) for r in recovery],
            "worst_s": round(max(recovery), 2), "target_s": 2.0}


def main(rounds: int) -> None:
    with bench_lab() as lab:
        result = asyncio.run(measure(lab, rounds))
    report("p8_restart_recovery", result, float(result["worst_s"]) <= 2.0)  # type: ignore[arg-type]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    main(parser.parse_args().rounds)
