"""``lab up | down | status | logs``: the embedded local lab every test and the demo use."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from router.config import AmiSettings
from router.lab import processes
from router.lab.instance import LAB_ADMIN_USER, LabInstance
from router.lab.rootfs import LabError, LabRoot, ensure_root

__all__ = ["Lab", "LabError"]

SERVICES = ("asterisk", "redis", "mosquitto")


class Lab:
    def __init__(self, home: Path, name: str = "default", port_base: int | None = None,
                 say: Callable[[str], None] = print) -> None:
        self.instance = LabInstance(home, name, port_base)
        self.home = home
        self.say = say

    def _marker(self, service: str) -> str:
        if service == "asterisk":
            return self.instance.asterisk_marker
        if service == "redis":  # redis-server retitles itself "redis-server <addr>:<port>"
            return f"redis-server 127.0.0.1:{self.instance.ports.redis}"
        return str(self.instance.dir / service)

    def running(self) -> dict[str, bool]:
        return {s: processes.alive(processes.read_pid(self.instance.pid_file(s)),
                                   self._marker(s)) for s in SERVICES}

    def up(self, *, refresh: bool = False) -> LabRoot:
        """Start whatever is not running yet (idempotent) and wait until each is ready."""
        for tool in ("redis-server", "mosquitto", "unshare"):
            if shutil.which(tool) is None:
                raise LabError(f"{tool} is missing: apt-get install redis-server mosquitto "
                               "(make test installs them)")
        root = ensure_root(self.home, refresh=refresh, say=self.say)
        inst = self.instance
        running = self.running()
        if not any(running.values()):
            inst.write_config(root)
        ports = inst.ports
        for service in SERVICES:
            if not running[service]:
                processes.start_detached(self._argv(service, root), inst.pid_file(service),
                                         inst.log_file(service))
        for service, port in (("redis", ports.redis), ("mosquitto", ports.mqtt),
                              ("asterisk", ports.ami)):
            if not processes.wait_port(port, 30):
                raise LabError(f"{service} did not open port {port}; see "
                               f"{inst.log_file(service)}")
        asyncio.run(self._wait_asterisk_booted(30))
        return root

    def stop_service(self, service: str) -> bool:
        """Stop one of the lab's servers (fault tests: broker outage, Redis restart)."""
        return processes.stop(self.instance.pid_file(service), self._marker(service))

    def kill_service(self, service: str) -> None:
        """SIGKILL one server, as a crash would, and wait until it is gone."""
        if not processes.kill(self.instance.pid_file(service), self._marker(service)):
            raise LabError(f"{service} was not running, or did not die on SIGKILL")

    def start_service(self, service: str) -> None:
        """Start one stopped server again with the lab's configuration, and wait for it."""
        inst = self.instance
        if self.running()[service]:
            return
        root = ensure_root(self.home, say=self.say)
        processes.start_detached(self._argv(service, root), inst.pid_file(service),
                                 inst.log_file(service))
        port = {"redis": inst.ports.redis, "mosquitto": inst.ports.mqtt,
                "asterisk": inst.ports.ami}[service]
        if not processes.wait_port(port, 30):
            raise LabError(f"{service} did not open port {port}")
        if service == "asterisk":
            asyncio.run(self._wait_asterisk_booted(30))

    def _argv(self, service: str, root: LabRoot) -> list[str]:
        inst = self.instance
        if service == "asterisk":
            # a killed Asterisk leaves its control socket: it would refuse to start
            for stale in (inst.dir / "asterisk" / "run").glob("asterisk.*"):
                stale.unlink(missing_ok=True)
            return inst.asterisk_argv(root)
        if service == "redis":
            return ["redis-server", str(inst.dir / "redis" / "redis.conf")]
        return ["mosquitto", "-c", str(inst.dir / "mosquitto" / "mosquitto.conf")]

    def down(self) -> list[str]:
        stopped = [s for s in SERVICES
                   if processes.stop(self.instance.pid_file(s), self._marker(s))]
        leftover = self._mounts()
        if leftover:
            raise LabError(f"mounts left behind: {leftover}")
        return stopped

    def status(self) -> dict[str, str]:
        running = self.running()
        values = self.instance.status_values(self.asterisk_version())
        values["LAB_STATE"] = ("up" if all(running.values()) else
                               "down" if not any(running.values()) else "partial")
        for service in SERVICES:
            pid = processes.read_pid(self.instance.pid_file(service))
            values[f"{service.upper()}_PID"] = str(pid) if running[service] else ""
        return values

    def asterisk_version(self) -> str:
        from router.lab.rootfs import _read_stamp  # noqa: PLC0415 - status without a build

        stamp = _read_stamp(self.home / "asterisk-root")
        return stamp.asterisk_version if stamp else ""

    def logs(self, service: str, lines: int = 50) -> str:
        path = self.instance.log_file(service)
        if service == "asterisk":
            path = self.instance.dir / "asterisk" / "log" / "messages.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def admin_ami(self) -> AmiSettings:
        """AMI settings of the lab's own control user (all classes; lab only)."""
        from pydantic import SecretStr  # noqa: PLC0415

        return AmiSettings(port=self.instance.ports.ami, username=LAB_ADMIN_USER,
                           secret=SecretStr(self.instance.secret("lab_ami_secret")),
                           reconnect_min_s=0.1, reconnect_max_s=1.0)

    async def _wait_asterisk_booted(self, timeout_s: float) -> None:
        from router.ami.client import AmiAction, AmiClient  # noqa: PLC0415

        client = AmiClient(self.admin_ami())
        deadline = time.monotonic() + timeout_s
        async with asyncio.TaskGroup() as group:
            task = group.create_task(client.run(), name="lab-ami")
            try:
                async with asyncio.timeout(max(1.0, deadline - time.monotonic())):
                    await client.connected.wait()
                    await client.send(AmiAction("CoreStatus"))
            except TimeoutError as exc:
                raise LabError(f"Asterisk did not boot in {timeout_s:g} s; see "
                               f"{self.instance.log_file('asterisk')}") from exc
            finally:
                task.cancel()

    def _mounts(self) -> list[str]:
        mark = f"/asterisk-root/lab/{self.instance.name}"
        try:
            text = Path("/proc/self/mountinfo").read_text(encoding="utf-8")
        except OSError:
            return []
        return [line.split()[4] for line in text.splitlines() if mark in line]
