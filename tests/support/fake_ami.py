"""A fault-injecting AMI peer, for faults a real PBX cannot be made to produce on demand:
dropped links mid-action, half-open links, split TCP reads, malformed frames."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field

from router.ami.frames import AmiMessage, FrameDecoder
from tests.support.waiting import Recorder

SECRET = "s3cret"


@dataclass
class FakeAmi:
    secret: str = SECRET
    answer_pings: bool = True
    silent: set[str] = field(default_factory=set)  # actions never answered
    lists: dict[str, list[list[tuple[str, str]]]] = field(default_factory=dict)
    on_action: Callable[[AmiMessage], None] | None = None
    received: Recorder[tuple[int, AmiMessage]] = field(default_factory=Recorder)
    connections: int = 0
    port: int = 0
    _server: asyncio.Server | None = None
    _writer: asyncio.StreamWriter | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.drop()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def drop(self) -> None:
        """Close the current connection (a link reset)."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None

    async def send(self, raw: bytes) -> None:
        assert self._writer is not None, "no client connected"
        self._writer.write(raw)
        await self._writer.drain()

    async def event(self, **headers: str) -> None:
        await self.send(_frame(headers))

    def actions(self, name: str) -> list[tuple[int, AmiMessage]]:
        return [(n, m) for n, m in self.received.items if m.get("Action") == name]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number = self.connections
        self._writer = writer
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        writer.write(b"Asterisk Call Manager/11.0.0\r\n")
        decoder = FrameDecoder(expect_banner=False)
        with contextlib.suppress(ConnectionError, OSError):
            while data := await reader.read(65536):
                for message in decoder.feed(data):
                    if isinstance(message, AmiMessage):
                        await self.received.add((number, message))
                        await self._answer(writer, message)

    async def _answer(self, writer: asyncio.StreamWriter, message: AmiMessage) -> None:
        action = message.get("Action") or ""
        action_id = message.get("ActionID") or ""
        if self.on_action is not None:
            self.on_action(message)
        if action in self.silent or (action == "Ping" and not self.answer_pings):
            return
        if action == "Login":
            if message.get("Secret") != self.secret:
                writer.write(_frame({"Response": "Error", "ActionID": action_id,
                                     "Message": "Authentication failed"}))
                return
            writer.write(_frame({"Response": "Success", "ActionID": action_id,
                                 "Message": "Authentication accepted"}))
            writer.write(_frame({"Event": "FullyBooted", "Privilege": "system,all",
                                 "Status": "Fully Booted"}))
            return
        if action in self.lists or action in ("QueueStatus", "CoreShowChannels"):
            writer.write(_frame({"Response": "Success", "ActionID": action_id,
                                 "EventList": "start", "Message": "will follow"}))
            for item in self.lists.get(action, []):
                writer.write(_frame([*item, ("ActionID", action_id)]))
            writer.write(_frame({"Event": f"{action}Complete", "ActionID": action_id,
                                 "EventList": "Complete"}))
            return
        message_text = {"QueueAdd": "Added interface to queue", "Ping": "Pong"}.get(action, "ok")
        writer.write(_frame({"Response": "Success", "ActionID": action_id,
                             "Message": message_text}))


def _frame(headers: dict[str, str] | list[tuple[str, str]]) -> bytes:
    pairs = headers.items() if isinstance(headers, dict) else headers
    return ("".join(f"{k}: {v}\r\n" for k, v in pairs) + "\r\n").encode()
