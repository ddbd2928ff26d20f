"""P5: calls per second through the real Asterisk, with the router in the loop.

Every call is a whole enterprise-line call on Local channels: 12345, a seat answers, the
desk asks for a transfer, a specialist joins the three-way call, everyone hangs up, the
router records it. Baseline in the same run: a plain originate -> answer -> hangup loop at
the same rate on the same Asterisk. Target: >= 10 calls/s for 10 minutes
(``--seconds 600``) with 0 failed or unrecorded calls.

    python -m bench.p5_call_rate [--rate 10] [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from pathlib import Path

import aiomqtt
import yaml

from bench.common import report
from bench.lab import bench_lab, bench_settings, running, temp_dir
from metrics.keys import Keys
from router.ami.client import AmiAction, AmiClient
from router.lab.control import LabControl
from router.lab.lab import Lab

ROOT = Path(__file__).resolve().parents[1]
SEATS, SPECIALISTS = 40, 40


def call_catalogue(tmp: Path) -> Path:
    """The default catalogue, always open, with 40 seats and 40 invoice specialists."""
    data = yaml.safe_load((ROOT / "skills" / "data" / "catalogue.yaml").read_text())
    for unit in data["units"].values():
        unit["hours"] = {"days": "every_day", "periods": ["00:00-24:00"]}
    data["operators"] = {str(1001 + n): {"name": f"seat {n}", "extension": str(1001 + n)}
                         for n in range(SEATS)}
    for n in range(SPECIALISTS):
        data["specialists"][str(3001 + n)] = {"name": f"s{n}", "extension": str(3001 + n),
                                              "units": ["tax"], "skills": {"tax-invoice": 5}}
    path = tmp / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


async def baseline_loop(admin: AmiClient, rate: float, seconds: float) -> dict[str, float]:
    """Plain Local calls: originate, the far side answers, both hang up after 1 s."""
    placed = 0
    answered = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        response = await admin.send(AmiAction("Originate", (
            ("Channel", "Local/1@hotline-lab-caller/n"), ("Application", "Wait"),
            ("Data", "1"), ("Async", "true"))))
        placed += 1
        answered += int(response.ok)
        await asyncio.sleep(max(0.0, started + placed / rate - time.perf_counter()))
    elapsed = time.perf_counter() - started
    return {"placed": placed, "calls_per_s": round(placed / elapsed, 2),
            "originates_accepted": answered}


async def measure(lab: Lab, rate: float, seconds: float) -> dict[str, object]:
    tmp = temp_dir()
    settings = bench_settings(lab, call_catalogue(tmp), tmp)
    admin = AmiClient(lab.admin_ami())
    control = LabControl(admin)
    ended: dict[str, str] = {}
    all_placed: list[int] = []  # the number placed, once placing is over
    all_ended = asyncio.Event()
    kinds: dict[str, int] = {}
    async with running(settings) as service, asyncio.TaskGroup() as group, \
            aiomqtt.Client("127.0.0.1", settings.mqtt.port, identifier="p5-desk") as desk:
        link = group.create_task(admin.run(), name="admin")
        await admin.connected.wait()

        async def drain_admin() -> None:
            while True:
                item = await admin.events.get()
                del item

        drainer = group.create_task(drain_admin(), name="admin-events")
        # a seat stays 4 s (the desk asks at once), a specialist 2 s, the caller 5 s
        for ext, talk in [*((str(1001 + n), 4) for n in range(SEATS)),
                          *((str(3001 + n), 2) for n in range(SPECIALISTS))]:
            await control.party(ext, talk_s=talk)
            await control.device_state(ext, "NOT_INUSE")
        for ext in ("2001", "2005"):
            await control.device_state(ext, "UNAVAILABLE")
        base = await baseline_loop(admin, rate, min(seconds, 30))

        await desk.subscribe(f"{service.topics.root}/calls/+/events", qos=1)

        async def desk_app() -> None:
            """Asks for the transfer as soon as a seat has the call; notes each outcome."""
            async for message in desk.messages:
                event = json.loads(message.payload)
                kinds[event["kind"]] = kinds.get(event["kind"], 0) + 1
                if event["kind"] == "operator.answered":
                    topic = service.topics.party("operator", event["data"]["operator"],
                                                 "commands")
                    await desk.publish(topic, json.dumps({
                        "v": 1, "action": "transfer", "request_id": event["call_id"],
                        "matter": "101"}).encode(), qos=1)
                elif event["kind"] == "call.ended":
                    ended[event["call_id"]] = event["data"]["outcome"]
                    if all_placed and len(ended) >= all_placed[0]:
                        all_ended.set()

        app = group.create_task(desk_app(), name="desk-app")
        placed: list[str] = []
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            call_id = f"p5-{len(placed)}"
            await control.place_call("13800000000", call_id=call_id, hangup_after_s=5)
            placed.append(call_id)
            await asyncio.sleep(max(0.0, started + len(placed) / rate - time.perf_counter()))
        elapsed = time.perf_counter() - started
        all_placed.append(len(placed))
        if len(ended) >= len(placed):
            all_ended.set()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(all_ended.wait(), 60)
        await service.recorder.drain(30)
        recorded = 0
        for call_id in placed:
            raw = await service.recorder.client.get(Keys(settings.redis.namespace).call(call_id))
            recorded += raw is not None
        for task in (link, drainer, app):
            task.cancel()
    outcomes: dict[str, int] = {}
    for outcome in ended.values():
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {"seconds": round(elapsed, 1), "placed": len(placed),
            "calls_per_s": round(len(placed) / elapsed, 2), "ended": len(ended),
            "recorded": recorded, "outcomes": outcomes, "call_events": kinds,
            "failed_or_unrecorded": len(placed) - outcomes.get("transferred", 0)
            + len(placed) - recorded,
            "baseline_plain_loop": base,
            "ratio_to_baseline": round(len(placed) / elapsed / base["calls_per_s"], 3)}


def main(rate: float, seconds: float) -> None:
    with bench_lab() as lab:
        result = asyncio.run(measure(lab, rate, seconds))
    passed = float(result["calls_per_s"]) >= 10 * 0.98 and result["failed_or_unrecorded"] == 0  # type: ignore[arg-type]
    report("p5_call_rate", result, passed)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    main(args.rate, args.seconds)
