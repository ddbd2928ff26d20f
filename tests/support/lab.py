"""Test harness over the real lab: the PBX seen through the lab's admin AMI user, a router
running in-process against it, and observers for MQTT and Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiomqtt
import redis.asyncio as aioredis
import yaml
from pydantic import SecretStr

from router.ami.client import AmiAction, AmiClient, LinkState
from router.ami.frames import AmiMessage
from router.app import build_service
from router.config import (
    AmiSettings,
    CatalogueSettings,
    HttpSettings,
    MqttSettings,
    RedisSettings,
    ServiceSettings,
    Settings,
    TicketSettings,
)
from router.lab.control import LabControl
from router.lab.lab import Lab
from router.service import Service
from skills.catalogue import Catalogue, load_catalogue
from tests.support.waiting import Recorder, eventually, until

DEFAULT_CATALOGUE = Path(__file__).resolve().parents[2] / "skills" / "data" / "catalogue.yaml"


@dataclass
class Pbx:
    """The lab's Asterisk, as a test sees it."""

    lab: Lab
    ami: AmiClient
    control: LabControl
    events: Recorder[AmiMessage] = field(default_factory=Recorder)
    catalogue: Catalogue = field(default_factory=lambda: load_catalogue(DEFAULT_CATALOGUE))

    def extensions(self) -> list[str]:
        spec = self.catalogue.spec
        return sorted({o.extension for o in spec.operators.values()}
                      | {s.extension for s in spec.specialists.values()})

    async def channels(self) -> list[AmiMessage]:
        response = await self.ami.send(AmiAction("CoreShowChannels"))
        return [e for e in response.events if e.event == "CoreShowChannel"]

    async def reset(self) -> None:
        """No call in progress; every party logged out (UNAVAILABLE) with default behaviour."""
        for channel in await self.channels():
            with contextlib.suppress(Exception):
                await self.ami.send(AmiAction("Hangup", (("Channel", channel.get("Channel")
                                                           or ""),)))

        async def idle() -> bool:
            return not await self.channels()

        deadline = asyncio.get_running_loop().time() + 10
        while not await idle():
            assert asyncio.get_running_loop().time() < deadline, "channels left after reset"
            await asyncio.sleep(0.05)
        for ext in self.extensions():
            await self.control.party(ext)
            await self.control.device_state(ext, "UNAVAILABLE")
        self.events.items.clear()

    async def enable(self, extension: str, **behaviour: Any) -> None:
        """Log a party in (NOT_INUSE) with this behaviour for their next call."""
        await self.control.party(extension, **behaviour)
        await self.control.device_state(extension, "NOT_INUSE")

    async def answer_survey(self, call_id: str, resolved: str, satisfaction: str) -> None:
        """The enterprise keys its survey answers when the survey starts."""
        await self.events.wait_for(self.event("UserEvent", UserEvent="HotlineSurveyStarted",
                                              Uniqueid=call_id), 15, "the survey")
        await self.control.press(f"{call_id}-phone", resolved + satisfaction)

    def event(self, name: str, **headers: str) -> Any:
        def match(message: AmiMessage) -> bool:
            return message.event == name and all(
                message.get(k) == v for k, v in headers.items())
        return match


async def pump_events(ami: AmiClient, sink: Recorder[AmiMessage]) -> None:
    while True:
        item = await ami.events.get()
        if not isinstance(item, LinkState):
            await sink.add(item)


@dataclass
class Bus:
    """Every message under the router's MQTT prefix, decoded."""

    client: aiomqtt.Client
    prefix: str
    messages: Recorder[tuple[str, dict[str, Any]]] = field(default_factory=Recorder)

    def call_events(self, call_id: str) -> list[dict[str, Any]]:
        topic = f"{self.prefix}/v1/calls/{call_id}/events"
        return [p for t, p in self.messages.items if t == topic]

    async def wait_call_event(self, call_id: str, kind: str, timeout: float = 20) -> dict[str, Any]:
        topic = f"{self.prefix}/v1/calls/{call_id}/events"
        _, payload = await self.messages.wait_for(
            lambda m: m[0] == topic and m[1].get("kind") == kind, timeout, f"{kind} on {topic}")
        return payload

    async def publish(self, topic: str, payload: dict[str, Any] | bytes) -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        await self.client.publish(topic, body, qos=1)


@dataclass
class RouterUnderTest:
    service: Service
    settings: Settings
    redis: aioredis.Redis

    @property
    def keys_prefix(self) -> str:
        return f"{self.settings.redis.namespace}:v1"

    async def settled(self) -> None:
        """Everything the router decided so far is written to Redis and the broker."""
        await self.service.recorder.drain(10)
        await self.service.bus.drain(10)

    async def record(self, call_id: str) -> dict[str, Any]:
        await self.settled()
        raw = await self.redis.get(f"{self.keys_prefix}:call:{call_id}")
        assert raw is not None, f"no record for {call_id}"
        data: dict[str, Any] = json.loads(raw)
        return data


class SteppableWall:
    """The router's wall clock in tests: the real one, until a test steps it."""

    def __init__(self) -> None:
        self.offset_s = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset_s


OPEN_ALWAYS = {"days": "every_day", "periods": ["00:00-24:00"]}
CLOSED_ALWAYS = {"days": "working_days", "periods": []}


def fast_catalogue(tmp: Path, ring_timeout_s: int = 5,
                   hours: dict[str, object] | None = None) -> Path:
    """The default catalogue with short ring timeouts, so failure paths take seconds, and
    units open at any hour (or as ``hours`` says), so tests never depend on the clock."""
    data = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    for unit in data["units"].values():
        unit["ring_timeout_s"] = ring_timeout_s
        unit["hours"] = hours or OPEN_ALWAYS
    path = tmp / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def router_settings(lab: Lab, catalogue: Path) -> Settings:
    inst = lab.instance
    ns = f"t{uuid.uuid4().hex[:10]}"
    return Settings(
        ami=AmiSettings(port=inst.ports.ami, secret=SecretStr(inst.secret("ami_secret")),
                        ping_interval_s=2, reconnect_min_s=0.1, reconnect_max_s=1),
        redis=RedisSettings(url=f"redis://127.0.0.1:{inst.ports.redis}/0", namespace=ns),
        mqtt=MqttSettings(port=inst.ports.mqtt, topic_prefix=f"test/{ns}",
                          client_id=f"router-{ns}", reconnect_min_s=0.1, reconnect_max_s=1),
        catalogue=CatalogueSettings(path=catalogue),
        tickets=TicketSettings(db_path=catalogue.parent / f"tickets-{ns}.sqlite3",
                               sweep_interval_s=0.2, outbox_poll_s=0.2),
        http=HttpSettings(port=0),
        service=ServiceSettings(state_interval_s=0.2),
    )


@contextlib.asynccontextmanager
async def running_router(settings: Settings, clock: Callable[[], float] = time.time
                         ) -> AsyncIterator[RouterUnderTest]:
    service = build_service(settings, clock)
    password = settings.redis.password
    redis = aioredis.Redis.from_url(settings.redis.url, decode_responses=True,
                                    password=password.get_secret_value() if password else None)
    task = asyncio.create_task(service.run(), name="router-under-test")
    try:
        async with asyncio.timeout(15):
            await service.ready.wait()
        await until(lambda: service.bus.stats.connected, 10, "router's MQTT connection")
        yield RouterUnderTest(service, settings, redis)
    finally:
        service.request_stop()
        async with asyncio.timeout(20):
            await task
        await redis.aclose()


def router_env(lab: Lab, catalogue: Path, tickets_db: Path, name: str) -> dict[str, str]:
    """The environment of a ``python -m router run`` process on the test lab; ``name`` is
    made unique to this run (the lab's Redis outlives it)."""
    inst = lab.instance
    name = f"{name}-{uuid.uuid4().hex[:8]}"
    return {**os.environ, "ROUTER_AMI__PORT": str(inst.ports.ami),
            "ROUTER_AMI__SECRET": inst.secret("ami_secret"),
            "ROUTER_REDIS__URL": f"redis://127.0.0.1:{inst.ports.redis}/0",
            "ROUTER_REDIS__NAMESPACE": name, "ROUTER_MQTT__PORT": str(inst.ports.mqtt),
            "ROUTER_MQTT__TOPIC_PREFIX": f"test/{name}", "ROUTER_MQTT__CLIENT_ID": f"r-{name}",
            "ROUTER_CATALOGUE__PATH": str(catalogue), "ROUTER_TICKETS__DB_PATH": str(tickets_db),
            "ROUTER_LOG__FORMAT": "json", "ROUTER_HTTP__PORT": "0"}


def logged_events(stderr: bytes) -> list[str]:
    """The ``event`` of each JSON log line in a router's stderr, in order."""
    return [json.loads(line)["event"] for line in stderr.decode(errors="replace").splitlines()
            if line.startswith("{")]


# every router process a test started; tests/integration/conftest.py kills what is left
# after each test (a router left running acts on the shared lab: it rings the next test's
# specialists and answers its requests)
STARTED_ROUTERS: list[asyncio.subprocess.Process] = []


async def router_process(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """``python -m router run`` logging to ``log``, returned once it has resynced with the
    PBX. (A file, not a pipe: an undrained pipe would block the router's logging.)"""
    start = log.stat().st_size if log.exists() else 0
    with log.open("ab") as sink:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "router", "run", env=env, stdout=subprocess.DEVNULL,
            stderr=sink)
    STARTED_ROUTERS.append(process)

    async def resynced() -> bool | None:
        if process.returncode is not None:
            raise AssertionError(f"the router exited: {log.read_text()[start:][-2000:]}")
        return True if "resynced" in logged_events(log.read_bytes()[start:]) else None

    await eventually(resynced, 20, "resync of the router")
    return process


@contextlib.asynccontextmanager
async def observe_bus(lab: Lab, prefix: str) -> AsyncIterator[Bus]:
    """A test's own MQTT client on everything under the router's prefix, decoded."""
    async with aiomqtt.Client("127.0.0.1", lab.instance.ports.mqtt,
                              identifier=f"observer-{uuid.uuid4().hex[:12]}") as client:
        await client.subscribe(f"{prefix}/#", qos=1)
        observer = Bus(client, prefix)

        async def collect() -> None:
            async for message in client.messages:
                raw = message.payload if isinstance(message.payload, bytes) else b""
                try:
                    payload = json.loads(raw)
                except (ValueError, RecursionError):  # the hostile payloads tests send
                    payload = {"raw": raw.decode("utf-8", "replace")[:200]}
                await observer.messages.add((str(message.topic), payload))

        task = asyncio.create_task(collect(), name="test-mqtt-observer")
        try:
            yield observer
        finally:
            task.cancel()


async def metrics_verify(env: dict[str, str], day: str) -> str:
    """``python -m router metrics verify`` for the router ``env`` describes: its last line."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "router", "metrics", "verify", "--date", day, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out, _ = await process.communicate()
    assert process.returncode == 0, out.decode()
    return out.decode().strip().splitlines()[-1]
