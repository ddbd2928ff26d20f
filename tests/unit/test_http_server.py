"""The HTTP server: a handler that fails answers 500, is counted, and the next request is
served; an oversized request head is refused."""

from __future__ import annotations

import asyncio

from router.config import HttpSettings
from router.web.server import HttpServer, Response


async def _get(port: int, head: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(head)
    await writer.drain()
    answer = await reader.read()
    writer.close()
    return answer


async def test_a_failing_handler_is_a_500_and_the_server_goes_on() -> None:
    async def broken() -> Response:
        raise KeyError("unit")

    async def fine() -> Response:
        return Response(200, b"ok\n")

    server = HttpServer(HttpSettings(port=0), {"/broken": broken, "/fine": fine})
    task = asyncio.create_task(server.run(), name="http-under-test")
    try:
        await asyncio.wait_for(server.started.wait(), 5)
        failed = await _get(server.port, b"GET /broken HTTP/1.1\r\nHost: x\r\n\r\n")
        assert failed.split(b"\r\n", 1)[0] == b"HTTP/1.1 500 Internal Server Error"
        ok = await _get(server.port, b"GET /fine HTTP/1.1\r\nHost: x\r\n\r\n")
        assert ok.split(b"\r\n", 1)[0] == b"HTTP/1.1 200 OK"
        assert ok.endswith(b"\r\n\r\nok\n")
        big = await _get(server.port, b"GET /fine HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n")
        assert big.split(b"\r\n", 1)[0] == b"HTTP/1.1 400 Bad Request"
        assert server.handler_errors == 1
    finally:
        task.cancel()
