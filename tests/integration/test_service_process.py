"""The service as a process: healthy while AMI is logged in, graceful on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from router.lab.lab import Lab
from tests.support.lab import logged_events
from tests.support.waiting import until


async def test_the_service_reports_health_and_stops_gracefully_on_sigterm(
    lab: Lab, tmp_path: Path, catalogue_path: Path
) -> None:
    inst = lab.instance
    health_file = tmp_path / "health.json"
    systemd = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # systemd's notify socket
    systemd.bind(str(tmp_path / "notify"))
    systemd.setblocking(False)
    env = {
        **os.environ,
        "ROUTER_AMI__PORT": str(inst.ports.ami),
        "ROUTER_AMI__SECRET": inst.secret("ami_secret"),
        "ROUTER_REDIS__URL": f"redis://127.0.0.1:{inst.ports.redis}/0",
        "ROUTER_REDIS__NAMESPACE": "proc",
        "ROUTER_MQTT__PORT": str(inst.ports.mqtt),
        "ROUTER_MQTT__TOPIC_PREFIX": "test/proc",
        "ROUTER_MQTT__CLIENT_ID": "router-proc",
        "ROUTER_CATALOGUE__PATH": str(catalogue_path),
        "ROUTER_SERVICE__HEALTH_FILE": str(health_file),
        "ROUTER_TICKETS__DB_PATH": str(tmp_path / "tickets.sqlite3"),
        "ROUTER_SERVICE__HEALTH_INTERVAL_S": "0.2",
        "ROUTER_LOG__FORMAT": "json", "ROUTER_HTTP__PORT": "0",
        "NOTIFY_SOCKET": str(tmp_path / "notify"),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "router", "run", env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        await until(health_file.exists, 15, "the health file")
        await until(lambda: json.loads(health_file.read_text())["ami_logged_in"], 15,
                    "AMI logged in")
        check = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "router", "health", env=env, stdout=subprocess.PIPE)
        out, _ = await check.communicate()
        assert check.returncode == 0
        assert json.loads(out)["mqtt_connected"] is True

        process.send_signal(signal.SIGTERM)
        async with asyncio.timeout(20):
            _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == 0
    assert logged_events(stderr)[-2:] == ["stopping", "stopped"]
    told = []
    while True:
        try:
            told.append(systemd.recv(4096).decode())
        except BlockingIOError:
            break
    systemd.close()
    # systemd hears: ready once (AMI resynced), the watchdog from the health loop, stopping
    first_ready = told.index("READY=1\nSTATUS=routing, 0 calls")
    assert set(told[:first_ready]) <= {"WATCHDOG=1"}
    assert told.count("READY=1\nSTATUS=routing, 0 calls") == 1
    assert told[-1] == "STOPPING=1\nSTATUS=draining"
    assert set(told[first_ready + 1:-1]) == {"WATCHDOG=1"}

    stale = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "router", "health", env={**env,
                                                        "ROUTER_SERVICE__HEALTH_INTERVAL_S":
                                                        "0.01"},
        stderr=subprocess.PIPE)
    _, err = await stale.communicate()
    assert stale.returncode == 1
    assert b"old (the service is stuck or stopped)" in err
