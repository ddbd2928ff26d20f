"""Record the AMI stream of real lab calls for the replay tests.

    python -m tests.replay.capture   (needs `python -m router lab up --name pytest ...`)

Runs the router in-process against the test lab, places the scenario's calls, and writes
every byte Asterisk sent to a second session of the router's own AMI user (same event
filters) to tests/replay/data/<scenario>.ami.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from router.ami.client import AmiClient
from router.config import default_lab_home
from router.lab.control import LabControl
from router.lab.lab import Lab
from tests.support.lab import Pbx, fast_catalogue, pump_events, router_settings, running_router

DATA = Path(__file__).resolve().parent / "data"


async def _tap(lab: Lab, sink: bytearray, ready: asyncio.Event) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", lab.instance.ports.ami)
    secret = lab.instance.secret("ami_secret")
    writer.write(f"Action: Login\r\nUsername: hotline-router\r\nSecret: {secret}\r\n\r\n"
                 .encode())
    ready.set()
    try:
        while data := await reader.read(65536):
            sink += data
    finally:
        writer.close()


async def main(lab: Lab) -> None:
    ami = AmiClient(lab.admin_ami())
    pbx = Pbx(lab, ami, LabControl(ami))
    stream = bytearray()
    with tempfile.TemporaryDirectory() as tmp:
        async with asyncio.TaskGroup() as group:
            link = group.create_task(ami.run())
            pump = group.create_task(pump_events(ami, pbx.events))
            await ami.connected.wait()
            await pbx.reset()
            ready = asyncio.Event()
            tap = group.create_task(_tap(lab, stream, ready))
            await ready.wait()
            async with running_router(router_settings(lab, fast_catalogue(Path(tmp)))):
                await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5, talk_s=6)
                await pbx.enable("2001", answer_after_s=0.5, talk_s=3)
                call_id = await pbx.control.place_call("13812345678", menu="1",
                                                       call_id="replay-1")
                await pbx.events.wait_for(pbx.event("Hangup", Uniqueid=call_id), 30)
            for task in (tap, link, pump):
                task.cancel()
    # keep only what the router's session received after its login response
    (DATA / "three_way_call.ami").write_bytes(bytes(stream))
    print(f"wrote {len(stream)} bytes", file=sys.stderr)


if __name__ == "__main__":
    lab = Lab(default_lab_home(), "pytest", int(sys.argv[1]) if len(sys.argv) > 1 else 25000)
    lab.up()
    try:
        asyncio.run(main(lab))
    finally:
        lab.down()
