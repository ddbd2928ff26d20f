"""P5: a race to saturation through the real Asterisk — the router's three-way call against
the same call made by the dialplan alone — then a soak at the design rate.

Both arms make one call shape on Local channels: the caller waits in the operator queue, a
seat answers, a department leg is started into the tax-invoice queue, a specialist answers
and the leg joins the caller's bridge (caller, seat, specialist), then everyone hangs up.

- router arm: the caller dials 12345; when the seat has the call (``operator.answered``)
  the desk asks for the transfer on MQTT; the router originates the leg and records the
  call.
- dialplan arm: ``hotline-lab-direct`` (asterisk_conf/lab/extensions_lab.conf) starts the
  same leg from the seat's pre-bridge gosub, with no router.

At each offered rate one step of each arm runs, interleaved (the arm that goes first
alternates). A step passes when every call placed in it was set up (the specialist's
AgentConnect; for the router arm also recorded ``transferred``), the p95 set-up time —
QueueCallerJoin on the operator queue to the specialist's AgentConnect — is at most 2 s,
and the generator placed calls at >= 95% of the rate. An arm's maximum sustained rate is
the highest rate it passed below its first failed step. Targets: the router arm's maximum
>= 0.9 x the dialplan arm's; the soak (router arm at 10 calls/s for ``--soak-s``) 0 lost.

    python -m bench.p5_call_rate [--rates 5,10,15] [--step-s 20] [--soak-s 600]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiomqtt
import yaml

from bench.common import percentile, report
from bench.lab import bench_lab, bench_settings, running, temp_dir
from metrics.keys import Keys
from router.ami.client import AmiAction, AmiClient, LinkState
from router.ami.frames import AmiMessage
from router.dialplan import CONTEXT_LAB_DIRECT
from router.lab.control import LabControl
from router.lab.lab import Lab
from router.service import Service

ROOT = Path(__file__).resolve().parents[1]
SEATS, SPECIALISTS = 300, 120
SEAT_TALK_S, SPECIALIST_TALK_S, CALLER_HANGUP_S = 3, 1, 4
SETUP_LIMIT_S = 2.0
OPERATOR_QUEUE = "hotline-operators"
# only what the clock needs reaches the benchmark's own AMI session (a regex on the event)
ADMIN_FILTER = "Event: (AgentConnect|QueueCallerJoin|Hangup)"


def call_catalogue(tmp: Path) -> Path:
    """The default catalogue, always open, with the benchmark's seats and invoice
    specialists."""
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


def parties_for(rate: float) -> tuple[int, int]:
    """Seats and specialists logged in at ``rate``: those a steady stream keeps busy plus
    a margin. The department queue rings all its free members (ringall), so an idle crowd
    of specialists would make every leg ring dozens of phones; a real team is a handful."""
    seats = min(SEATS, math.ceil(rate * SEAT_TALK_S * 1.3) + 10)
    specialists = min(SPECIALISTS, math.ceil(rate * SPECIALIST_TALK_S * 1.3) + 6)
    return seats, specialists


@dataclass(slots=True)
class Watch:
    """When each call joined the operator queue, when its specialist answered, when its
    caller hung up, and (router arm) its recorded outcome."""

    joined: dict[str, float] = field(default_factory=dict)
    connected: dict[str, float] = field(default_factory=dict)
    hung_up: set[str] = field(default_factory=set)
    outcomes: dict[str, str] = field(default_factory=dict)
    direct: dict[str, str] = field(default_factory=dict)  # caller ID digits -> call key
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def on_ami(self, message: AmiMessage) -> None:
        now = time.perf_counter()
        uniqueid = message.get("Uniqueid") or ""
        if message.event == "QueueCallerJoin" and message.get("Queue") == OPERATOR_QUEUE:
            self.joined.setdefault(uniqueid, now)
        elif message.event == "AgentConnect" and message.get("Queue") != OPERATOR_QUEUE:
            key = (uniqueid.split("-L")[0] if uniqueid.startswith("p5r-")
                   else self.direct.get(message.get("CallerIDNum") or ""))
            if key:
                self.connected.setdefault(key, now)
        elif message.event == "Hangup" and uniqueid.startswith(("p5r-", "p5d-")) \
                and not uniqueid.endswith("-phone"):
            self.hung_up.add(uniqueid)
            self.changed.set()

    def on_call_event(self, event: dict[str, object]) -> None:
        if event["kind"] == "call.ended":
            data = event["data"]
            assert isinstance(data, dict)
            self.outcomes[str(event["call_id"])] = str(data["outcome"])
            self.changed.set()

    async def until_done(self, keys: list[str], recorded: bool, timeout_s: float) -> None:
        def done() -> bool:
            return all(k in self.hung_up and (not recorded or k in self.outcomes)
                       for k in keys)

        async with asyncio.timeout(timeout_s):
            while not done():
                self.changed.clear()
                await self.changed.wait()


@dataclass(slots=True)
class Bench:
    control: LabControl
    watch: Watch
    records: Callable[[str], Awaitable[str | None]] | None = None  # call id -> its record
    numbers: itertools.count[int] = field(default_factory=itertools.count)
    logged_in: tuple[int, int] = (0, 0)

    async def staff(self, rate: float) -> None:
        """Log in (NOT_INUSE) the parties ``rate`` needs, the rest out (UNAVAILABLE)."""
        want = parties_for(rate)
        if want == self.logged_in:
            return
        for base, count, wanted in ((1001, SEATS, want[0]), (3001, SPECIALISTS, want[1])):
            for n in range(count):
                await self.control.device_state(str(base + n),
                                                "NOT_INUSE" if n < wanted else "UNAVAILABLE")
        self.logged_in = want

    async def step(self, arm: str, rate: float, seconds: float) -> dict[str, object]:
        await self.staff(rate)
        keys: list[str] = []
        started = time.perf_counter()
        async with asyncio.TaskGroup() as group:  # placing never waits on a reply
            while time.perf_counter() - started < seconds:
                n = next(self.numbers)
                key = f"p5{'r' if arm == 'router' else 'd'}-{n}"
                entry = None
                if arm == "dialplan":
                    digits = f"9{n:07d}"
                    self.watch.direct[digits] = key
                    entry = (CONTEXT_LAB_DIRECT, digits)
                group.create_task(self._place(key, entry), name=f"place-{key}")
                keys.append(key)
                await asyncio.sleep(max(0.0, started + len(keys) / rate - time.perf_counter()))
            placing_s = time.perf_counter() - started
        try:
            await self.watch.until_done(keys, arm == "router", CALLER_HANGUP_S + 60)
            drained = True
        except TimeoutError:
            drained = False
        result = self._judge(arm, rate, keys, placing_s, drained)
        if arm == "router" and self.records is not None:
            # why calls failed: the departments each tried and what came of it
            tried: dict[str, int] = {}
            for key in [k for k in keys if self.watch.outcomes.get(k) != "transferred"][:50]:
                raw = await self.records(key)
                for attempt in json.loads(raw)["targets"] if raw else []:
                    step = f"{attempt['queue']}:{attempt['outcome']}"
                    tried[step] = tried.get(step, 0) + 1
            result["failed_calls_attempts"] = tried
        return result

    async def _place(self, key: str, entry: tuple[str, str] | None) -> None:
        if entry is None:
            await self.control.place_call("13800000000", call_id=key,
                                          hangup_after_s=CALLER_HANGUP_S)
        else:
            await self.control.place_call("13900000000", call_id=key,
                                          hangup_after_s=CALLER_HANGUP_S, entry=entry)

    def _judge(self, arm: str, rate: float, keys: list[str], placing_s: float,
               drained: bool) -> dict[str, object]:
        watch = self.watch
        setups = [watch.connected[k] - watch.joined[k] for k in keys
                  if k in watch.connected and k in watch.joined]
        not_set_up = [k for k in keys if k not in watch.connected]
        not_transferred = [k for k in keys if arm == "router"
                           and watch.outcomes.get(k) != "transferred"]
        failed = sorted(set(not_set_up) | set(not_transferred))
        p95 = percentile(setups, 95)
        placed_rate = len(keys) / placing_s
        passed = (not failed and drained and p95 <= SETUP_LIMIT_S
                  and placed_rate >= 0.95 * rate)
        outcomes: dict[str, int] = {}
        for k in keys:
            outcome = watch.outcomes.get(k, "none") if arm == "router" else "direct"
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        return {"arm": arm, "rate": rate, "placed": len(keys),
                "placed_per_s": round(placed_rate, 2), "failed": len(failed),
                "failed_examples": failed[:5], "drained": drained,
                "setup_p50_ms": round(percentile(setups, 50) * 1000, 1),
                "setup_p95_ms": round(p95 * 1000, 1),
                "setup_max_ms": round(max(setups, default=float("nan")) * 1000, 1),
                "outcomes": outcomes, "passed": passed}


async def measure(lab: Lab, rates: list[float], step_s: float,
                  soak_s: float) -> dict[str, object]:
    tmp = temp_dir()
    settings = bench_settings(lab, call_catalogue(tmp), tmp)
    admin = AmiClient(lab.admin_ami())
    watch = Watch()
    keys = Keys(settings.redis.namespace)
    bench = Bench(LabControl(admin), watch)
    async with running(settings) as service, asyncio.TaskGroup() as group, \
            aiomqtt.Client("127.0.0.1", settings.mqtt.port, identifier="p5-desk",
                           socket_options=((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)
                           ) as desk:
        link = group.create_task(admin.run(), name="admin")
        await admin.connected.wait()
        await admin.send(AmiAction("Filter", (("Operation", "Add"),
                                              ("Filter", ADMIN_FILTER))))

        async def drain_admin() -> None:
            while True:
                item = await admin.events.get()
                if not isinstance(item, LinkState):
                    watch.on_ami(item)

        drainer = group.create_task(drain_admin(), name="admin-events")
        for ext, talk in [*((str(1001 + n), SEAT_TALK_S) for n in range(SEATS)),
                          *((str(3001 + n), SPECIALIST_TALK_S) for n in range(SPECIALISTS))]:
            await bench.control.party(ext, talk_s=talk)
        for ext in ("2001", "2005"):  # the catalogue's own invoice specialists
            await bench.control.device_state(ext, "UNAVAILABLE")
        app = group.create_task(desk_app(service, desk, watch), name="desk-app")

        async def record(call_id: str) -> str | None:
            raw = await service.recorder.client.get(keys.call(call_id))
            return raw.decode() if isinstance(raw, bytes) else raw

        bench.records = record
        await desk.subscribe(f"{service.topics.root}/calls/+/events", qos=1)

        steps: list[dict[str, object]] = []
        climbing = {"router": True, "dialplan": True}
        best = {"router": 0.0, "dialplan": 0.0}
        for index, rate in enumerate(rates):
            order = ["router", "dialplan"] if index % 2 == 0 else ["dialplan", "router"]
            for arm in order:
                if not climbing[arm]:
                    continue
                result = await bench.step(arm, rate, step_s)
                steps.append(result)
                print(json.dumps(result), flush=True)
                if result["passed"]:
                    best[arm] = rate
                else:
                    climbing[arm] = False
            if not any(climbing.values()):
                break
        soak = await bench.step("router", 10.0, soak_s) if soak_s > 0 else {}
        await service.recorder.drain(30)
        for task in (link, drainer, app):
            task.cancel()
    ratio = round(best["router"] / best["dialplan"], 3) if best["dialplan"] else 0.0
    return {"rates": rates, "step_s": step_s, "steps": steps,
            "router_max_calls_per_s": best["router"],
            "dialplan_max_calls_per_s": best["dialplan"],
            "ceiling_reached": [arm for arm, up in climbing.items() if up],
            "ratio": ratio, "soak": soak,
            "parties": {"seats": SEATS, "specialists": SPECIALISTS,
                        "talk_s": {"seat": SEAT_TALK_S, "specialist": SPECIALIST_TALK_S,
                                   "caller": CALLER_HANGUP_S}},
            "target": "router max >= 0.9 x dialplan max; soak at 10 calls/s: 0 lost"}


async def desk_app(service: Service, desk: aiomqtt.Client, watch: Watch) -> None:
    """Asks for the transfer as soon as a seat has the call; notes each outcome."""
    async for message in desk.messages:
        event = json.loads(message.payload)
        watch.on_call_event(event)
        if event["kind"] == "operator.answered":
            topic = service.topics.party("operator", event["data"]["operator"], "commands")
            await desk.publish(topic, json.dumps({
                "v": 1, "action": "transfer", "request_id": event["call_id"],
                "matter": "101"}).encode(), qos=1)


def main(rates: list[float], step_s: float, soak_s: float) -> None:
    with bench_lab() as lab:
        result = asyncio.run(measure(lab, rates, step_s, soak_s))
    soak = result["soak"]
    assert isinstance(soak, dict)
    passed = (float(result["ratio"]) >= 0.9  # type: ignore[arg-type]
              and (not soak or (soak["failed"] == 0 and soak["drained"])))
    report("p5_call_rate", result, passed)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="10,20,30,40,50,60,70,80")
    parser.add_argument("--step-s", type=float, default=20.0)
    parser.add_argument("--soak-s", type=float, default=600.0)
    args = parser.parse_args()
    main([float(r) for r in args.rates.split(",")], args.step_s, args.soak_s)
