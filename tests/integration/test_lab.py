"""The lab itself: idempotent, side by side with another lab, nothing left behind."""

from __future__ import annotations

from pathlib import Path

from router.config import default_lab_home
from router.lab import processes
from router.lab.lab import SERVICES, Lab


def test_a_second_lab_runs_beside_the_first_and_leaves_nothing_behind(lab: Lab) -> None:
    other = Lab(default_lab_home(), name="pytest-second", port_base=26000, say=print)
    other.up()
    try:
        first = other.status()
        assert first["LAB_STATE"] == "up"
        assert (first["AMI_PORT"], first["REDIS_URL"], first["MQTT_PORT"]) == (
            "26038", "redis://127.0.0.1:26079/0", "26083")
        assert first["ASTERISK_VERSION"].split(":")[-1].startswith("22.")
        assert lab.status()["LAB_STATE"] == "up"  # the test lab is untouched
        other.up()  # idempotent: nothing restarted
        assert {k: v for k, v in other.status().items() if k.endswith("_PID")} == {
            k: v for k, v in first.items() if k.endswith("_PID")}
    finally:
        stopped = other.down()
    assert sorted(stopped) == sorted(SERVICES)
    pids = [int(first[f"{s.upper()}_PID"]) for s in SERVICES]
    assert not [pid for pid in pids if Path(f"/proc/{pid}").exists()
                and processes.alive(pid, "")]
    mounts = Path("/proc/self/mountinfo").read_text()
    assert "/lab/pytest-second" not in mounts
    assert other.status()["LAB_STATE"] == "down"
    assert lab.status()["LAB_STATE"] == "up"
