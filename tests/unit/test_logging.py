"""Logs are events with bound context, and never carry a whole caller number."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest
import structlog
from structlog.testing import capture_logs

from router.core import events as ev
from router.core.engine import Engine
from skills.catalogue import load_catalogue

CATALOGUE = load_catalogue(Path(__file__).resolve().parents[2] / "skills" / "data" /
                           "catalogue.yaml")


class _Sink:
    def __init__(self) -> None:
        self.items: list[object] = []

    def publish_nowait(self, topic: str, payload: object, **_: object) -> None:
        self.items.append((topic, payload))

    def record_nowait(self, record: object) -> None:
        self.items.append(record)

    def event_nowait(self, fields: object) -> None:
        self.items.append(fields)


def test_a_whole_call_logs_events_with_call_id_and_no_full_caller_number() -> None:
    from router.effects.executor import Executor  # noqa: PLC0415
    from router.effects.timers import Timers  # noqa: PLC0415
    from router.effects.topics import Topics  # noqa: PLC0415

    async def run() -> list[dict[str, object]]:
        sink = _Sink()
        engine = Engine(CATALOGUE)
        timers = Timers(lambda _e: None, lambda: 0.0)
        executor = Executor(None, sink, sink, timers, Topics(), lambda _e: None)  # type: ignore[arg-type]
        with capture_logs() as logs:
            for event in (ev.CallEntered("c1", "Local/1@x;1", "13812345678", 1),
                          ev.OperatorAnswered("c1", "Local/1@x;1", "S", "1001", "13812345678"),
                          ev.ChannelHungUp("c1", "c1", "Local/1@x;1", 16)):
                executor.execute(engine.feed(event, 1_795_300_000.0))
        timers.cancel_all()
        assert "13812345678" not in repr(sink.items)
        return logs

    logs = asyncio.run(run())
    assert [entry["event"] for entry in logs] == ["call.entered", "operator.answered",
                                                  "call.ended"]
    assert all(entry["call_id"] == "c1" for entry in logs)
    assert "13812345678" not in repr(logs)


def test_json_lines_carry_level_event_context_and_a_utc_microsecond_timestamp(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    import io  # noqa: PLC0415
    import json  # noqa: PLC0415
    import re  # noqa: PLC0415
    import sys  # noqa: PLC0415
    import time  # noqa: PLC0415

    from router.log import configure_logging, get_logger  # noqa: PLC0415

    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(raw, write_through=True))
    saved = structlog.get_config()
    try:
        configure_logging("json", "info")
        before = time.time()
        get_logger(component="test").info("transfer.started", call_id="c1", matter="101")
        get_logger().debug("not_shown")
        after = time.time()
    finally:
        structlog.configure(**saved)
    (line,) = raw.getvalue().decode().splitlines()
    entry = json.loads(line)
    stamp = entry.pop("timestamp")
    assert entry == {"component": "test", "call_id": "c1", "matter": "101",
                     "event": "transfer.started", "level": "info"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z", stamp)
    at = dt.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=dt.UTC).timestamp()
    assert before - 1e-6 <= at <= after + 1e-6
