"""P2: the router's overhead on the real lab — request to specialist answered.

Router arm: a desk application asks for a transfer (MQTT) on a live call; the clock stops
when the department queue connects the specialist (AgentConnect). Dialplan arm, interleaved
with it: the same department leg started straight from the dialplan (an Originate into
``hotline-department-leg``), no router. Targets: p95 difference <= 20 ms; the router arm
sustains >= 0.8 x the dialplan arm's rate.

    python -m bench.p2_router_overhead [--rounds 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import time

import aiomqtt

from bench.common import percentile, report, summary_ms
from bench.lab import bench_lab, bench_settings, running, temp_dir
from bench.p1_decision_latency import open_catalogue
from router.ami.client import AmiAction, AmiClient, LinkState
from router.ami.frames import AmiMessage
from router.lab.control import LabControl
from router.lab.lab import Lab
from router.service import Service


async def free(service: Service) -> None:
    """Until the specialist is free again, as the router's own queue board sees it."""
    async with asyncio.timeout(20):
        while True:
            await asyncio.sleep(0.05)
            if service.engine.board.team("tax-invoice", time.time()).available == 1:
                return


async def measure(lab: Lab, rounds: int) -> dict[str, object]:
    tmp = temp_dir()
    admin = AmiClient(lab.admin_ami())
    control = LabControl(admin)
    waiters: dict[tuple[str, str], asyncio.Future[float]] = {}

    async def watch() -> None:
        while True:
            item = await admin.events.get()
            if isinstance(item, LinkState) or not isinstance(item, AmiMessage):
                continue
            if item.event == "AgentConnect":
                key = (item.get("Queue") or "", item.get("Uniqueid") or "")
                future = waiters.pop(key, None)
                if future is not None and not future.done():
                    future.set_result(time.perf_counter())

    def expect(queue: str, uniqueid: str) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        waiters[(queue, uniqueid)] = future
        return future

    router_arm, dialplan_arm = [], []
    settings = bench_settings(lab, open_catalogue(tmp), tmp)
    async with running(settings) as service, asyncio.TaskGroup() as group, \
            aiomqtt.Client("127.0.0.1", settings.mqtt.port, identifier="p2-desk",
                           # a desk application sends its commands without Nagle's delay
                           # (docs/mqtt.md), as the router and the broker do
                           socket_options=((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)
                           ) as desk:
        link = group.create_task(admin.run(), name="admin")
        watcher = group.create_task(watch(), name="admin-events")
        await admin.connected.wait()
        for ext in ("1001", "2001"):
            await control.party(ext, talk_s=2)
            await control.device_state(ext, "NOT_INUSE")
        for ext in ("2005", "1002", "1003", "1101"):
            await control.device_state(ext, "UNAVAILABLE")
        topic = service.topics.party("operator", "1001", "commands")
        for n in range(rounds):
            # router arm: a live call with the seat, then the desk's request
            call_id = f"p2-{n}"
            seated = expect("hotline-operators", call_id)
            await control.place_call("13800000000", call_id=call_id, hangup_after_s=6)
            await asyncio.wait_for(seated, 15)
            answered = expect("tax-invoice", f"{call_id}-L1-b")
            started = time.perf_counter()
            await desk.publish(topic, json.dumps({"v": 1, "action": "transfer",
                                                  "request_id": call_id,
                                                  "matter": "101"}).encode(), qos=1)
            router_arm.append(await asyncio.wait_for(answered, 15) - started)
            await control.hangup(call_id)
            await free(service)
            # dialplan arm: the same leg, straight from the dialplan
            leg = f"p2-direct-{n}"
            answered = expect("tax-invoice", f"{leg}-b")
            started = time.perf_counter()
            await admin.send(AmiAction("Originate", (
                ("Channel", "Local/tax-invoice@hotline-department-leg/n"),
                ("Application", "Wait"), ("Data", "1"), ("Async", "true"),
                ("ChannelId", f"{leg}-a"), ("OtherChannelId", f"{leg}-b"),
                ("Variable", "HOTLINE_RING_TIMEOUT_S=15"))))
            dialplan_arm.append(await asyncio.wait_for(answered, 15) - started)
            await free(service)
        link.cancel()
        watcher.cancel()
    routed, direct = summary_ms(router_arm), summary_ms(dialplan_arm)
    difference = percentile([r - d for r, d in zip(router_arm, dialplan_arm, strict=True)], 95)
    return {"rounds": rounds, "router_arm": routed, "dialplan_arm": direct,
            "router_arm_ms": [round(v * 1000, 1) for v in router_arm],
            "dialplan_arm_ms": [round(v * 1000, 1) for v in dialplan_arm],
            "p95_difference_ms": round(difference * 1000, 2),
            "rate_ratio": round(direct["mean_ms"] / routed["mean_ms"], 3),
            "target": "p95 difference <= 20 ms; rate ratio >= 0.8"}


def main(rounds: int) -> None:
    with bench_lab() as lab:
        result = asyncio.run(measure(lab, rounds))
    passed = float(result["p95_difference_ms"]) <= 20 and float(result["rate_ratio"]) >= 0.8  # type: ignore[arg-type]
    report("p2_router_overhead", result, passed)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    main(parser.parse_args().rounds)
