"""systemd's notify protocol (``Type=notify``, ``WatchdogSec=``): one datagram per state.

``READY=1`` once the router can route (AMI logged in and resynced), ``WATCHDOG=1`` from the
health loop (it runs only while the event loop does, so a stuck loop is restarted by
systemd), ``STOPPING=1`` when a graceful stop begins. Without ``NOTIFY_SOCKET`` (not under
systemd) every call does nothing. Written here rather than taken from a library: the
protocol is one ``sendto`` of ``KEY=VALUE`` lines, and python-systemd needs libsystemd's
headers to build.
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["SystemdNotifier"]


@dataclass(slots=True)
class SystemdNotifier:
    address: str | None
    sent: list[str] = field(default_factory=list)  # what was sent (status, tests)
    _ready: bool = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> SystemdNotifier:
        return cls(environ.get("NOTIFY_SOCKET") or None)

    def _send(self, state: str) -> None:
        if self.address is None:
            return
        # an abstract socket is written "@name" in the variable and "\0name" on the wire
        target = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock, \
                contextlib.suppress(OSError):  # systemd gone: nothing to tell
            sock.setblocking(False)
            sock.sendto(state.encode(), target)
            self.sent.append(state)

    def ready(self, status: str) -> None:
        if not self._ready:
            self._ready = True
            self._send(f"READY=1\nSTATUS={status}")

    def watchdog(self) -> None:
        self._send("WATCHDOG=1")

    def stopping(self) -> None:
        self._send("STOPPING=1\nSTATUS=draining")
