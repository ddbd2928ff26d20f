"""The MQTT adapter (the only code that imports aiomqtt).

Outbound messages go into a bounded outbox that the call path fills without waiting; one
task publishes them with QoS 1 and removes each only after the broker's PUBACK, so a broker
outage delays messages but loses none the outbox could hold (what overflows is counted).
Inbound commands are handed to a callback in arrival order. The connection is supervised:
reconnect with exponential backoff and jitter, resubscribe, and a retained ``online`` status
with an ``offline`` last will.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import ssl
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiomqtt

from router.config import MqttSettings
from router.effects.topics import Topics
from router.log import get_logger

__all__ = ["BusStats", "CommandHandler", "MqttBus", "Outgoing"]

CommandHandler = Callable[[str, bytes], Awaitable[None]]
_WINDOW = 20  # messages in flight (awaiting PUBACK) at once, as paho's default


@dataclass(frozen=True, slots=True)
class Outgoing:
    topic: str
    payload: bytes
    qos: int = 1
    retain: bool = False
    delivered: asyncio.Future[None] | None = None  # resolved on the broker's PUBACK


@dataclass(slots=True)
class BusStats:
    published: int = 0
    dropped: int = 0
    connects: int = 0
    commands: int = 0
    command_errors: int = 0  # handler faults caught (each logged as mqtt_command_failed)
    connected: bool = False


class MqttBus:
    def __init__(self, settings: MqttSettings, topics: Topics) -> None:
        self._settings = settings
        self._topics = topics
        self._outbox: deque[Outgoing] = deque()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._log = get_logger(component="mqtt", host=settings.host, port=settings.port)
        self.stats = BusStats()
        self.connected = asyncio.Event()

    @property
    def backlog(self) -> int:
        return len(self._outbox)

    def publish_nowait(self, topic: str, payload: dict[str, Any], *, qos: int | None = None,
                       retain: bool = False) -> None:
        """Queue a JSON message; never blocks. The newest message is dropped when full."""
        if len(self._outbox) >= self._settings.outbox_size:
            self.stats.dropped += 1
            self._log.warning("mqtt_outbox_full", topic=topic, dropped=self.stats.dropped)
            return
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        self._outbox.append(Outgoing(topic, body, self._settings.qos if qos is None else qos,
                                     retain))
        self._idle.clear()
        self._wake.set()

    async def publish_confirmed(self, topic: str, payload: bytes) -> None:
        """Publish with QoS 1 and return once the broker has it (PUBACK), however long a
        broker outage lasts. For the durable ticket outbox, which marks a message
        delivered only after this returns."""
        delivered: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._outbox.append(Outgoing(topic, payload, 1, False, delivered))
        self._idle.clear()
        self._wake.set()
        await delivered

    async def drain(self, timeout_s: float) -> bool:
        """Wait until everything queued is delivered (graceful stop); False on timeout."""
        self._wake.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self._idle.wait()
        return not self._outbox

    async def run(self, on_command: CommandHandler | None = None,
                  subscriptions: tuple[str, ...] = ()) -> None:
        """Stay connected forever: publish the outbox, hand messages on ``subscriptions``
        to ``on_command``."""
        failures = 0
        while True:
            try:
                async with self._client() as client:
                    failures = 0
                    self.stats.connects += 1
                    self.stats.connected = True
                    self.connected.set()
                    self._log.info("mqtt_connected", connects=self.stats.connects)
                    await client.publish(self._topics.status(), b"online", qos=1, retain=True)
                    for topic in subscriptions:
                        await client.subscribe(topic, qos=1)
                    async with asyncio.TaskGroup() as group:
                        group.create_task(self._send(client), name="mqtt-sender")
                        if on_command is not None:
                            group.create_task(self._receive(client, on_command),
                                              name="mqtt-receiver")
            except* (aiomqtt.MqttError, OSError) as exc:
                self._log.warning("mqtt_disconnected", reason=str(exc.exceptions[0]))
            finally:
                self.stats.connected = False
                self.connected.clear()
            failures += 1
            delay = min(self._settings.reconnect_max_s,
                        self._settings.reconnect_min_s * 2 ** min(failures - 1, 10))
            await asyncio.sleep(delay * (0.5 + random.random() / 2))  # noqa: S311

    def _client(self) -> aiomqtt.Client:
        settings = self._settings
        tls: ssl.SSLContext | None = None
        if settings.tls:
            tls = ssl.create_default_context(
                cafile=str(settings.tls_ca_file) if settings.tls_ca_file else None
            )
        return aiomqtt.Client(
            settings.host,
            settings.port,
            identifier=settings.client_id,
            username=settings.username,
            password=settings.password.get_secret_value() if settings.password else None,
            keepalive=settings.keepalive_s,
            tls_context=tls,
            will=aiomqtt.Will(self._topics.status(), b"offline", qos=1, retain=True),
            timeout=10,
            # each event and PUBACK goes out at once, not held for the ACK of the last
            # small packet (Nagle with Linux's 40 ms delayed ACK)
            socket_options=((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),),
        )

    async def _send(self, client: aiomqtt.Client) -> None:
        """Publish the outbox in order with up to ``_WINDOW`` messages awaiting their PUBACK;
        a message leaves the outbox only once acknowledged, the oldest first."""
        async with asyncio.TaskGroup() as group:
            inflight: deque[asyncio.Task[None]] = deque()
            while True:
                while len(inflight) < _WINDOW and len(inflight) < len(self._outbox):
                    item = self._outbox[len(inflight)]
                    inflight.append(group.create_task(
                        client.publish(item.topic, item.payload, qos=item.qos,
                                       retain=item.retain),
                        name="mqtt-publish"))
                if not inflight:
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                await inflight.popleft()
                item = self._outbox.popleft()
                self.stats.published += 1
                if item.delivered is not None and not item.delivered.done():
                    item.delivered.set_result(None)
                if not self._outbox:
                    self._idle.set()

    async def _receive(self, client: aiomqtt.Client, on_command: CommandHandler) -> None:
        async for message in client.messages:
            self.stats.commands += 1
            payload = message.payload if isinstance(message.payload, bytes) else \
                str(message.payload).encode()
            try:
                await on_command(str(message.topic), payload)
            except Exception as exc:
                # a bug in a handler, not a bad payload (those are refused with a reply):
                # logged as one JSON line, counted, and the next message is served
                self.stats.command_errors += 1
                self._log.error("mqtt_command_failed", topic=str(message.topic),
                                error=type(exc).__name__, detail=str(exc)[:200],
                                size=len(payload))
