"""Health: what the service says about its links, for a container HEALTHCHECK.

The service writes a small JSON file every ``service.health_interval_s``; ``python -m router
health`` reads it and exits 0 only if it is fresh and AMI is logged in. Redis and MQTT
being down degrade the service (buffers fill) but do not make it unhealthy: routing goes on.
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
    calendar_current: bool = True

    @property
    def healthy(self) -> bool:
        return self.ami_logged_in


def write_health_file(path: Path, health: Health) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(health)), encoding="utf-8")
    os.replace(tmp, path)


def check_health_file(path: Path, max_age_s: float) -> tuple[bool, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        health = Health(**data)
    except (OSError, ValueError, TypeError) as exc:
        return False, f"no health file at {path}: {exc}"
    age = time.time() - health.at
    if age > max_age_s:
        return False, f"health file is {age:.0f} s old (the service is stuck or stopped)"
    if not health.healthy:
        return False, "AMI is not logged in"
    return True, json.dumps(asdict(health))
