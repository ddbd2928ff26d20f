"""P1: routing decision latency — a transfer request in, the department leg's Originate out.

Measured inside the running router against the lab's Asterisk, at 10 x design load:
10,000 calls in progress and 30 transfer requests a second. The clock starts when the
request enters the router's event queue and stops when the Originate is written to the AMI
socket. Baseline in the same run, interleaved: AMI Ping round trips on the same connection.
Targets: p99 <= 10 x Ping p99, and <= 10 ms.

    python -m bench.p1_decision_latency [--requests 600]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from pathlib import Path

import yaml

from bench.common import report, summary_ms
from bench.lab import bench_lab, bench_settings, running, temp_dir
from router.ami.client import AmiAction, AmiResponse
from router.core import events as ev
from router.core.board import QueueMemberState
from router.lab.lab import Lab

ROOT = Path(__file__).resolve().parents[1]
DESIGN_IN_PROGRESS, DESIGN_REQUESTS_PER_S = 1_000, 3
TEN_X = 10


def open_catalogue(tmp: Path) -> Path:
    data = yaml.safe_load((ROOT / "skills" / "data" / "catalogue.yaml").read_text())
    for unit in data["units"].values():
        unit["hours"] = {"days": "every_day", "periods": ["00:00-24:00"]}
    path = tmp / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


async def measure(lab: Lab, requests: int) -> dict[str, object]:
    tmp = temp_dir()
    async with running(bench_settings(lab, open_catalogue(tmp), tmp)) as service:
        now = time.time()
        calls = TEN_X * DESIGN_IN_PROGRESS
        for n in range(calls):
            call_id = f"bench-{n}"
            await service.events.put(ev.CallEntered(call_id, f"Local/{n}@bench;1",
                                                    "13800000000", 1))
            await service.events.put(ev.OperatorAnswered(call_id, f"Local/{n}@bench;1",
                                                         f"Local/s{n}@bench;1", "1001"))
        # the board believes the invoice team has someone available; the PBX queue is
        # empty, so each leg ends at once (JOINEMPTY) and costs the PBX almost nothing
        await service.events.put(ev.MemberChanged(QueueMemberState(
            "tax-invoice", "bench", "Local/bench@bench/n", 0, 1, False)))
        await service.events.join()
        assert len(service.engine.calls) == calls, "calls not loaded"

        entered: dict[str, float] = {}
        latencies: list[float] = []
        submit = service.ami.submit

        def timed_submit(action: AmiAction) -> asyncio.Future[AmiResponse]:
            future = submit(action)  # the frame is written before submit returns
            if action.name == "Originate" and action.action_id:
                call_id = action.action_id.removeprefix("leg:").rsplit("-L", 1)[0]
                if call_id in entered:
                    latencies.append(time.perf_counter() - entered.pop(call_id))
            return future

        service.ami.submit = timed_submit  # type: ignore[method-assign]
        pings: list[float] = []

        async def ping_baseline() -> None:
            while True:
                started = time.perf_counter()
                await service.ami.send(AmiAction("Ping"))
                pings.append(time.perf_counter() - started)
                await asyncio.sleep(0.05)

        pinger = asyncio.create_task(ping_baseline(), name="ping-baseline")
        interval = 1 / (TEN_X * DESIGN_REQUESTS_PER_S)
        started = time.perf_counter()
        for n in range(requests):
            call_id = f"bench-{n}"
            entered[call_id] = time.perf_counter()
            service.events.feed_nowait(ev.TransferRequested(
                f"r{n}", "101", "phone", call_id=call_id, operator_channel=f"Local/s{n}@b;1"))
            await asyncio.sleep(max(0.0, started + (n + 1) * interval - time.perf_counter()))
        await service.events.join()
        pinger.cancel()
        del now
    decision, ping = summary_ms(latencies), summary_ms(pings)
    return {"calls_in_progress": calls, "requests": requests,
            "requests_per_s": TEN_X * DESIGN_REQUESTS_PER_S, "decision": decision,
            "ami_ping_rtt": ping,
            "ratio_p99_to_ping_p99": round(decision["p99_ms"] / ping["p99_ms"], 3),
            "target": "p99 <= 10 x ping p99 and <= 10 ms"}


def main(requests: int) -> None:
    with bench_lab() as lab:
        result = asyncio.run(measure(lab, requests))
    decision = result["decision"]
    assert isinstance(decision, dict)
    passed = decision["p99_ms"] <= 10 and float(result["ratio_p99_to_ping_p99"]) <= 10  # type: ignore[arg-type]
    report("p1_decision_latency", result, passed)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=600)
    main(parser.parse_args().requests)
