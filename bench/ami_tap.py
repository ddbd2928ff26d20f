"""A timing tap on an AMI link, run as its own process (P1).

It forwards bytes between the router and Asterisk unchanged and notes, on its own clock
(``time.perf_counter``, CLOCK_MONOTONIC), when the end of each ``HotlineTransferRequest``
UserEvent was written to the router's socket and when the end of each ``Originate`` action
was read from it. Being a separate process, its timestamps are not delayed by the router's
event loop: what lies between the two is the router — reading, parsing, deciding, the
journal, writing.

    python -m bench.ami_tap --listen 27990 --to 127.0.0.1:27038 --out taps.jsonl
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from pathlib import Path
from typing import TextIO

# (marker the message must hold, the header whose value names it)
_REQUEST = (b"\r\nUserEvent: HotlineTransferRequest\r\n", re.compile(rb"\nRequestId: (\S+)"))
_ORIGINATE = (b"Action: Originate\r\n", re.compile(rb"\nActionID: (\S+)"))
_END = b"\r\n\r\n"


async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, kind: str,
                wanted: tuple[bytes, re.Pattern[bytes]], out: TextIO,
                stamp_after_write: bool) -> None:
    marker, name = wanted
    pending = b""
    while chunk := await reader.read(65536):
        if stamp_after_write:
            writer.write(chunk)
        now = time.perf_counter()
        pending += chunk
        *messages, pending = pending.split(_END)
        for message in messages:
            match = name.search(message) if marker in message else None
            if match:
                out.write(json.dumps({"kind": kind, "id": match.group(1).decode(),
                                      "t": now}) + "\n")
        if not stamp_after_write:
            writer.write(chunk)
        await writer.drain()
    writer.close()


async def serve(listen: int, host: str, port: int, out_path: Path) -> None:
    out = out_path.open("a", encoding="utf-8", buffering=1)

    async def link(router_reader: asyncio.StreamReader,
                   router_writer: asyncio.StreamWriter) -> None:
        pbx_reader, pbx_writer = await asyncio.open_connection(host, port)
        async with asyncio.TaskGroup() as group:
            # to the router: stamped once the UserEvent is handed to its socket
            group.create_task(_pump(pbx_reader, router_writer, "request_in", _REQUEST, out,
                                    stamp_after_write=True), name="to-router")
            # to Asterisk: stamped as the Originate arrives from the router
            group.create_task(_pump(router_reader, pbx_writer, "originate_out", _ORIGINATE,
                                    out, stamp_after_write=False), name="to-pbx")

    server = await asyncio.start_server(link, "127.0.0.1", listen)
    print("listening", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--to", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    host, _, port = args.to.rpartition(":")
    asyncio.run(serve(args.listen, host, int(port), args.out))
