"""A small asyncio HTTP/1.1 server for GET endpoints (no threads, no framework).

Each request is read with a size limit and a deadline, routed by path, answered and the
connection closed; a streaming route (server-sent events) keeps it open and writes until
the client goes away. Anything but GET on a known path is answered 404/405.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

from router.config import HttpSettings
from router.log import get_logger

__all__ = ["HttpServer", "Response", "Stream"]

_MAX_HEAD = 8192
_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 400: "Bad Request",
            500: "Internal Server Error", 503: "Service Unavailable"}


@dataclass(frozen=True, slots=True)
class Response:
    status: int
    body: bytes
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Stream:
    """A streamed response: each chunk is written as it comes (text/event-stream)."""

    chunks: Callable[[], AsyncIterator[bytes]]
    content_type: str = "text/event-stream; charset=utf-8"


Handler = Callable[[], Awaitable[Response | Stream]]


@dataclass(slots=True)
class HttpServer:
    settings: HttpSettings
    routes: dict[str, Handler]
    port: int = 0
    started: asyncio.Event = field(default_factory=asyncio.Event)
    handler_errors: int = 0

    async def run(self) -> None:
        log = get_logger(component="http")
        server = await asyncio.start_server(self._serve, self.settings.host, self.settings.port)
        self.port = server.sockets[0].getsockname()[1]
        log.info("http_listening", host=self.settings.host, port=self.port)
        self.started.set()
        async with server:
            await server.serve_forever()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            async with asyncio.timeout(5):
                head = await reader.readuntil(b"\r\n\r\n")
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                ConnectionError):
            writer.close()
            return
        try:
            if len(head) > _MAX_HEAD:
                await self._send(writer, Response(400, b"request too large\n"))
                return
            method, _, rest = head.decode("latin-1").partition(" ")
            path = rest.split(" ", 1)[0].split("?", 1)[0]
            handler = self.routes.get(path)
            if handler is None:
                await self._send(writer, Response(404, b"not found\n"))
            elif method != "GET":
                await self._send(writer, Response(405, b"GET only\n"))
            else:
                result = await handler()
                if isinstance(result, Stream):
                    await self._stream(writer, result)
                else:
                    await self._send(writer, result)
        except ConnectionError:
            pass
        except Exception as exc:
            # a fault in one handler answers 500 and is logged as one JSON line and
            # counted; it never ends the server or the service
            self.handler_errors += 1
            get_logger(component="http").error("http_handler_failed", error=type(exc).__name__,
                                                detail=str(exc)[:200])
            with contextlib.suppress(ConnectionError, OSError):
                await self._send(writer, Response(500, b"internal error\n"))
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError, OSError):
                await writer.wait_closed()

    async def _send(self, writer: asyncio.StreamWriter, response: Response) -> None:
        headers = [f"HTTP/1.1 {response.status} {_REASONS.get(response.status, 'OK')}",
                   f"Content-Type: {response.content_type}",
                   f"Content-Length: {len(response.body)}", "Connection: close",
                   "Cache-Control: no-store",
                   *(f"{k}: {v}" for k, v in response.headers)]
        writer.write(("\r\n".join(headers) + "\r\n\r\n").encode() + response.body)
        await writer.drain()

    async def _stream(self, writer: asyncio.StreamWriter, stream: Stream) -> None:
        writer.write(("HTTP/1.1 200 OK\r\n"
                      f"Content-Type: {stream.content_type}\r\n"
                      "Cache-Control: no-store\r\nConnection: close\r\n\r\n").encode())
        await writer.drain()
        async for chunk in stream.chunks():
            writer.write(chunk)
            await writer.drain()
