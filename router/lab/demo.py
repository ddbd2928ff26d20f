"""``python -m router demo``: the main job on the embedded lab, start to finish.

Brings the lab up, runs the router, places a handful of simulated enterprise calls that
cover the flows (three-way transfer by phone and from a desk application, busy overflow,
an unknown matter code, a whole chain failing, an after-hours ticket, a caller hanging up
mid-transfer), prints
each call's outcome and the counters in Redis, and stops cleanly (the lab too, if the demo
started it).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiomqtt
import redis.asyncio as aioredis
import yaml

from router.ami.client import AmiClient
from router.ami.frames import AmiMessage
from router.app import build_service
from router.config import DEFAULT_CATALOGUE, Settings, default_lab_home, load_settings
from router.dialplan import OPERATOR_QUEUE
from router.lab.control import LabControl
from router.lab.lab import Lab
from router.log import configure_logging
from router.reports import print_table, unit_rows
from skills.catalogue import Catalogue

__all__ = ["run_demo"]


@dataclass(frozen=True, slots=True)
class Scenario:
    title: str
    caller: str
    setup: Callable[[LabControl], Awaitable[None]]
    desk: dict[str, Any] | None = None  # a desk command sent once the operator answered
    caller_hangs_up_after_s: float = 3600
    survey: str = ""  # the caller's keys when the survey starts (resolved, satisfaction)


async def _only(control: LabControl, parties: dict[str, dict[str, Any]],
                busy: tuple[str, ...] = ()) -> None:
    for ext in ("1001", "1002", "1003", "2001", "2002", "2003", "2004", "2005", "2006",
                "2101", "2102", "2201", "2301", "2401", "2501", "2601", "2701", "2702",
                "2801", "2901"):
        if ext in parties:
            await control.party(ext, **parties[ext])
            await control.device_state(ext, "NOT_INUSE")
        else:
            await control.device_state(ext, "INUSE" if ext in busy else "UNAVAILABLE")


OPERATOR = {"answer_after_s": 1, "transfer_after_s": 1, "talk_s": 7}
SPECIALIST = {"answer_after_s": 1, "talk_s": 5}

SCENARIOS = (
    Scenario("three-way transfer by phone: *5 101 VAT invoices -> tax invoice team",
             "13812345678",
             lambda c: _only(c, {"1001": {**OPERATOR, "transfer_matter": "101"},
                                 "2001": SPECIALIST}), survey="11"),
    Scenario("busy overflow: tax filing team all busy -> tax backup team answers",
             "13912340001",
             lambda c: _only(c, {"1001": {**OPERATOR, "transfer_matter": "105"},
                                 "2006": SPECIALIST}, busy=("2001", "2002")), survey="23"),
    Scenario("desk application transfer: matter 801 for a Pudong enterprise",
             "13700005555",
             lambda c: _only(c, {"1002": {"answer_after_s": 1, "talk_s": 7},
                                 "2701": SPECIALIST}),
             desk={"v": 1, "action": "transfer", "request_id": "demo-desk-1", "matter": "801",
                   "district": "pudong"}),
    Scenario("unknown matter code *5 999: refused with an error tone, call goes on",
             "13600006666",
             lambda c: _only(c, {"1001": {**OPERATOR, "transfer_matter": "999",
                                          "talk_s": 5}})),
    Scenario("whole chain busy: provident fund and back office busy -> operator told",
             "13500007777",
             lambda c: _only(c, {"1001": {**OPERATOR, "transfer_matter": "401", "talk_s": 5}},
                             busy=("2301", "2901"))),
    Scenario("after hours: the commerce commission is closed -> a sub-urgent ticket",
             "13300009999",
             lambda c: _only(c, {"1001": {**OPERATOR, "transfer_matter": "501",
                                          "talk_s": 6}})),
    Scenario("caller hangs up while the department rings",
             "13400008888",
             lambda c: _only(c, {"1001": {**OPERATOR, "transfer_matter": "301",
                                          "talk_s": 60},
                                 "2201": {"mode": "noanswer"}}),
             caller_hangs_up_after_s=6),
)


async def _demo(lab: Lab, settings: Settings) -> None:
    service = build_service(settings)
    admin = AmiClient(lab.admin_ami())
    control = LabControl(admin)

    async def next_event(name: str, **headers: str) -> AmiMessage:
        """The PBX's next event of this name and headers (the demo runs one call at a time)."""
        async with asyncio.timeout(60):
            while True:
                item = await admin.events.get()
                if isinstance(item, AmiMessage) and item.event == name and all(
                        item.get(k) == v for k, v in headers.items()):
                    return item

    redis = aioredis.Redis.from_url(settings.redis.url, decode_responses=True)
    prefix = f"{settings.redis.namespace}:v1"
    results: list[tuple[str, dict[str, Any]]] = []
    run = f"{int(time.time()) % 1_000_000:06d}"  # call ids are unique, as Asterisk's are
    async with asyncio.TaskGroup() as group:
        router = group.create_task(service.run(), name="router")
        link = group.create_task(admin.run(), name="demo-ami")
        await admin.connected.wait()
        await service.ready.wait()
        async with aiomqtt.Client(settings.mqtt.host, settings.mqtt.port,
                                  identifier="hotline-demo") as mqtt:
            await mqtt.subscribe(service.topics.root + "/calls/+/events", qos=1)

            async def ended(call_id: str) -> None:
                """The router's own word that the call is over (call.ended on MQTT)."""
                async with asyncio.timeout(60):
                    async for message in mqtt.messages:
                        event = json.loads(message.payload)
                        if event["call_id"] == call_id and event["kind"] == "call.ended":
                            return

            for number, scenario in enumerate(SCENARIOS, 1):
                print(f"\n[{number}] {scenario.title}", flush=True)
                await scenario.setup(control)
                call_id = await control.place_call(
                    scenario.caller, hangup_after_s=scenario.caller_hangs_up_after_s,
                    call_id=f"demo-{run}-{number}")
                if scenario.desk is not None:
                    seat = await next_event("AgentConnect", Queue=OPERATOR_QUEUE,
                                            Uniqueid=call_id)
                    topic = service.topics.party("operator", seat.get("MemberName") or "",
                                                 "commands")
                    await mqtt.publish(topic, json.dumps(scenario.desk).encode(), qos=1)
                if scenario.survey:
                    await next_event("UserEvent", UserEvent="HotlineSurveyStarted",
                                     Uniqueid=call_id)
                    await control.press(f"{call_id}-phone", scenario.survey)
                await ended(call_id)
                await service.recorder.drain(10)
                raw = await redis.get(f"{prefix}:call:{call_id}")
                record = json.loads(raw) if raw else {}
                results.append((scenario.title, record))
                tried = " -> ".join(f"{t['queue']}:{t['outcome']}"
                                    for t in record.get("targets", [])) or "-"
                ticket = f" ticket={record['ticket_id']}" if record.get("ticket_id") else ""
                survey = "" if record.get("survey_resolved") is None else (
                    f" survey: resolved={record['survey_resolved']}"
                    f" satisfaction={record['survey_satisfaction']}"
                    f"{' (bad review)' if record['bad_review'] else ''}")
                print(f"    call {call_id}: outcome={record.get('outcome')} "
                      f"matter={record.get('matter') or '-'} unit={record.get('unit') or '-'} "
                      f"specialist={record.get('specialist') or '-'} tried: {tried}{ticket}"
                      f"{survey}", flush=True)
        await _print_figures(settings, service.engine.catalogue, results[0][1].get("day", ""))
        service.request_stop()
        await router
        link.cancel()
    await redis.aclose()


async def _print_figures(settings: Settings, catalogue: Catalogue, day: str) -> None:
    """The day's report (python -m router report), for the units that had calls."""
    rows = [row for row in await unit_rows(settings, catalogue, day, None)
            if row["requests"] or row["tickets_created"]]
    print(f"\nthe day's figures in Redis (every call of {day} in this lab), as "
          "`python -m router report` prints them:")
    print_table(day, rows)


def _demo_catalogue(directory: Path) -> Path:
    """The default catalogue, every unit open at any hour (the demo must work on a Sunday
    night) except the commerce commission, which is closed: it shows the ticket path."""
    data = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    for unit_id, unit in data["units"].items():
        unit["hours"] = ({"days": "working_days", "periods": []} if unit_id == "commerce"
                         else {"days": "every_day", "periods": ["00:00-24:00"]})
    path = directory / "demo-catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def run_demo() -> int:
    configure_logging("console", "warning")
    lab = Lab(default_lab_home(), say=lambda text: print(text, file=sys.stderr))
    started_here = not any(lab.running().values())
    print("hotline-router demo: bringing the lab up (Asterisk 22, Redis, Mosquitto)...",
          flush=True)
    lab.up()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = load_settings(None, env={
                **os.environ, "ROUTER_CATALOGUE__PATH": str(_demo_catalogue(Path(tmp))),
                "ROUTER_TICKETS__DB_PATH": str(lab.instance.dir / "demo-tickets.sqlite3")})
            configure_logging("json", os.environ.get("HOTLINE_DEMO_LOG", "warning"))
            asyncio.run(_demo(lab, settings))
    finally:
        if started_here:
            lab.down()
            print("\nlab stopped.")
    return 0
