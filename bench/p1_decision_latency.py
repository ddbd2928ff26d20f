"""P1: routing decision latency on the wire — a transfer request's bytes in, the
department leg's Originate bytes out.

The router runs against the lab's Asterisk at 10 x design load: 10,000 calls in progress
and 30 transfer requests a second. Each request is a real ``HotlineTransferRequest``
UserEvent emitted by Asterisk (the AMI UserEvent action). Between the router and Asterisk
sits a timing tap in its own process (bench/ami_tap.py): the clock starts when the event's
last byte is handed to the router's socket and stops when the Originate's last byte
arrives from it — reading, framing, parsing, the decision, the call journal's write and
the action's encoding are all inside. The 10,000 calls are loaded first and what their
loading published is delivered before the clock runs (in service they arrive over hours).
Baseline in the same run, interleaved: AMI Ping round
trips on an idle link of their own. Targets: p99 <= 10 x Ping p99, and <= 10 ms.

    python -m bench.p1_decision_latency [--requests 600]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import time
from pathlib import Path

import yaml

from bench.common import report, summary_ms
from bench.lab import bench_lab, bench_settings, running, temp_dir
from router.ami.client import AmiAction, AmiClient
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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def measure(lab: Lab, requests: int) -> dict[str, object]:
    tmp = temp_dir()
    taps = tmp / "taps.jsonl"
    tap_port = free_port()
    tap = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.ami_tap", "--listen", str(tap_port), "--to",
        f"127.0.0.1:{lab.instance.ports.ami}", "--out", str(taps),
        stdout=asyncio.subprocess.PIPE, cwd=ROOT)
    assert tap.stdout is not None
    await asyncio.wait_for(tap.stdout.readline(), 10)
    settings = bench_settings(lab, open_catalogue(tmp), tmp)
    settings = settings.model_copy(update={"ami": settings.ami.model_copy(
        update={"port": tap_port})})
    emitter, pinger_link = AmiClient(lab.admin_ami()), AmiClient(lab.admin_ami())
    calls = TEN_X * DESIGN_IN_PROGRESS
    pings: list[float] = []
    try:
        async with running(settings) as service, asyncio.TaskGroup() as group:
            links = [group.create_task(c.run(), name=f"admin-{n}")
                     for n, c in enumerate((emitter, pinger_link))]
            for client in (emitter, pinger_link):
                await client.connected.wait()
                await client.send(AmiAction("Filter", (("Operation", "Add"),
                                                       ("Filter", "Event: BenchNothing"))))
            for n in range(calls):
                call_id = f"bench-{n}"
                await service.events.put(ev.CallEntered(call_id, f"Local/{n}@bench;1",
                                                        "13800000000", 1))
                await service.events.put(ev.OperatorAnswered(
                    call_id, f"Local/{n}@bench;1", f"Local/s{n}@bench;1", "1001"))
            # the board believes the invoice team has someone available; the PBX queue
            # is empty, so each leg ends at once (JOINEMPTY) and costs the PBX little
            await service.events.put(ev.MemberChanged(QueueMemberState(
                "tax-invoice", "bench", "Local/bench@bench/n", 0, 1, False)))
            await service.events.join()
            assert len(service.engine.calls) == calls, "calls not loaded"
            # 10,000 calls arrive over hours, not in one burst: before the clock runs, the
            # burst's 20,000 call events, 10,000 journal entries and gauges are delivered
            assert await service.bus.drain(300), "MQTT backlog not delivered"
            assert await service.recorder.drain(300), "Redis backlog not written"

            interval = 1 / (TEN_X * DESIGN_REQUESTS_PER_S)
            started = time.perf_counter()
            for n in range(requests):
                await emitter.send(AmiAction("UserEvent", (
                    ("UserEvent", "HotlineTransferRequest"), ("Version", "1"),
                    ("CallId", f"bench-{n}"), ("RequestId", f"r{n}"), ("Matter", "101"),
                    ("District", ""), ("Channel", f"Local/s{n}@bench;1"))))
                # the baseline, interleaved: one Ping between two requests
                await asyncio.sleep(max(0.0, started + (n + 0.5) * interval
                                        - time.perf_counter()))
                sent = time.perf_counter()
                await pinger_link.send(AmiAction("Ping"))
                pings.append(time.perf_counter() - sent)
                await asyncio.sleep(max(0.0, started + (n + 1) * interval
                                        - time.perf_counter()))
            await until_originated(taps, requests)
            for link in links:
                link.cancel()
    finally:
        tap.terminate()
        await tap.wait()
    latencies = pair(taps)
    decision, ping = summary_ms(latencies), summary_ms(pings)
    return {"calls_in_progress": calls, "requests": requests, "measured": len(latencies),
            "requests_per_s": TEN_X * DESIGN_REQUESTS_PER_S, "decision": decision,
            "ami_ping_rtt": ping, "clock": "AMI bytes in -> Originate bytes out (tap)",
            "ratio_p99_to_ping_p99": round(decision["p99_ms"] / ping["p99_ms"], 3),
            "target": "p99 <= 10 x ping p99 and <= 10 ms"}


def _records(taps: Path) -> list[dict[str, object]]:
    if not taps.exists():
        return []
    return [json.loads(line) for line in taps.read_text().splitlines() if line]


async def until_originated(taps: Path, requests: int, timeout_s: float = 30) -> None:
    """Until the tap has seen an Originate for every request (the file is the only
    channel from the tap; it is read again each 50 ms)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if sum(r["kind"] == "originate_out" for r in _records(taps)) >= requests:
            return
        await asyncio.sleep(0.05)


def pair(taps: Path) -> list[float]:
    """Each request's latency: its UserEvent in to its leg's Originate out."""
    came: dict[str, float] = {}
    went: dict[str, float] = {}
    for record in _records(taps):
        ident, t = str(record["id"]), float(record["t"])  # type: ignore[arg-type]
        if record["kind"] == "request_in":
            came["bench-" + ident.removeprefix("r")] = t
        else:
            went.setdefault(ident.removeprefix("leg:").rsplit("-L", 1)[0], t)
    return [went[call] - came[call] for call in came if call in went]


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
