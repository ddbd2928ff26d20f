"""Health: what the service says about its links, for probes and a container HEALTHCHECK.

Two questions, kept apart so that a probe restarts only what is really stuck:

* **live**: the event loop runs. The service writes a small JSON file every
  ``service.health_interval_s`` and answers ``GET /health/live``; a stale file or no answer
  means the process is stuck (restart it).
* **ready**: AMI is logged in *and* the calls and queues were resynced after that login, so
  the router can route (``GET /health/ready``, ``python -m router health``). Not ready right
  after a PBX restart is normal for a second or two; do not restart the router for it.

Redis and MQTT down, and a calendar year without its notice, are *warnings*: buffers fill,
deadlines use the statutory days, routing goes on. They are listed in ``warnings``.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = ["Health", "check_health_file", "write_health_file"]


@dataclass(frozen=True, slots=True)
class Health:
    at: float
    ami_logged_in: bool
    redis_reachable: bool
    mqtt_connected: bool
    calls_in_progress: int
    metrics_backlog: int
    mqtt_backlog: int
    ami_resynced: bool = False
    calendar: str = "official"  # "provisional": the coming days' year has no notice yet
    warnings: tuple[str, ...] = ()

    @property
    def ready(self) -> bool:
        return self.ami_logged_in and self.ami_resynced


def write_health_file(path: Path, health: Health) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(health)), encoding="utf-8")
    os.replace(tmp, path)


def health_warnings(*, redis_reachable: bool, mqtt_connected: bool, calendar: str
                    ) -> tuple[str, ...]:
    found = []
    if not redis_reachable:
        found.append("redis_unreachable")
    if not mqtt_connected:
        found.append("mqtt_disconnected")
    if calendar != "official":
        found.append("calendar_provisional")
    return tuple(found)


def check_health_file(path: Path, max_age_s: float, *, live_only: bool = False
                      ) -> tuple[bool, str]:
    """(ok, detail) for ``python -m router health [--live]``."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        data["warnings"] = tuple(data.get("warnings", ()))
        health = Health(**data)
    except (OSError, ValueError, TypeError) as exc:
        return False, f"no health file at {path}: {exc}"
    age = time.time() - health.at
    if age > max_age_s:
        return False, f"health file is {age:.0f} s old (the service is stuck or stopped)"
    if not live_only and not health.ami_logged_in:
        return False, "not ready: AMI is not logged in"
    if not live_only and not health.ami_resynced:
        return False, "not ready: AMI logged in, resync not finished"
    return True, json.dumps(asdict(health))
