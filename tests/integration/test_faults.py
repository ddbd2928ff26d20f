"""Faults on the real lab. After each: every call has exactly one final outcome, counters
equal what the per-call records recompute, nothing leaks."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from router.lab.lab import Lab
from tests.support.lab import (
    Bus,
    Pbx,
    RouterUnderTest,
    SteppableWall,
    metrics_verify,
    observe_bus,
    router_env,
    router_process,
)
from tests.support.waiting import eventually, until


async def test_a_router_killed_mid_three_way_is_replaced_by_one_that_goes_on_from_the_journal(
    lab: Lab, pbx: Pbx, tmp_path: Path, catalogue_path: Path
) -> None:
    env = router_env(lab, catalogue_path, tmp_path / "t.sqlite3", "adopt")
    async with observe_bus(lab, env["ROUTER_MQTT__TOPIC_PREFIX"]) as bus:
        record = await _kill_and_adopt(lab, pbx, tmp_path, env, bus)
    # the successor read the call from the journal: not rebuilt from the PBX's view, so
    # the request's matter and unit are known and the call counts as the tax transfer it was
    assert {k: record[k] for k in ("outcome", "adopted", "matter", "unit", "connected_unit",
                                   "transfer_requested", "survey_resolved",
                                   "survey_satisfaction")} == {
        "outcome": "transferred", "adopted": False, "matter": "101", "unit": "tax",
        "connected_unit": "tax", "transfer_requested": True, "survey_resolved": True,
        "survey_satisfaction": 1}
    assert await metrics_verify(env, record["day"]) == f"{record['day']}: 1 call records, " \
        "0 differences"
    # both routers published events of the call; no id repeats (subscribers de-duplicate)
    ids = [e["event_id"] for e in bus.call_events(record["call_id"])]
    kinds = [e["kind"] for e in bus.call_events(record["call_id"])]
    assert len(set(ids)) == len(ids)
    assert (kinds[0], kinds[-1]) == ("call.entered", "call.ended")
    assert len({i.split("/")[1].split(".")[0] for i in ids}) == 2  # two incarnations


async def _kill_and_adopt(lab: Lab, pbx: Pbx, tmp_path: Path, env: dict[str, str],
                          bus: Bus) -> dict[str, Any]:
    first = await router_process(env, tmp_path / "router.log")
    await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5)
    await pbx.enable("2001", answer_after_s=0.5)
    call_id = await pbx.control.place_call("13812120001")
    seat = await pbx.events.wait_for(
        pbx.event("AgentConnect", Queue="hotline-operators", Uniqueid=call_id))
    await pbx.events.wait_for(pbx.event("BridgeEnter", Uniqueid=f"{call_id}-L1-a",
                                        BridgeNumChannels="3"), 20, "the three-way call")
    first.send_signal(signal.SIGKILL)
    await first.wait()

    # its first resync adopts the live call
    second = await router_process(env, tmp_path / "router.log")
    try:
        await pbx.control.hangup(seat.get("DestChannel") or "")
        await pbx.control.hangup(f"{call_id}-L1-b")
        await pbx.answer_survey(call_id, resolved="1", satisfaction="1")
        await pbx.events.wait_for(pbx.event("Hangup", Uniqueid=call_id), 20)
        client = aioredis.Redis.from_url(env["ROUTER_REDIS__URL"], decode_responses=True)
        try:
            key = f"{env['ROUTER_REDIS__NAMESPACE']}:v1:call:{call_id}"
            raw = await eventually(lambda: client.get(key), 10, "the adopted call's record")
            record = json.loads(raw)
        finally:
            await client.aclose()
        await bus.wait_call_event(call_id, "call.ended")
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()
    result: dict[str, Any] = record
    return result


async def test_asterisk_killed_mid_transfer_the_call_is_recorded_lost_once_and_routing_resumes(
    lab: Lab, pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("1001", transfer_matter="201", transfer_after_s=0.5)
    await pbx.enable("2101", mode="noanswer")
    call_id = await pbx.control.place_call("13812120002")
    await bus.wait_call_event(call_id, "transfer.leg_started")

    router.service.resynced.clear()
    # the PBX dies with the call on it
    await asyncio.to_thread(lab.kill_service, "asterisk")
    await asyncio.to_thread(lab.start_service, "asterisk")
    async with asyncio.timeout(20):
        await router.service.resynced.wait()

    ended = await bus.wait_call_event(call_id, "call.ended")
    assert ended["data"] == {"outcome": "lost"}
    assert call_id not in router.service.engine.calls
    assert router.service.timers._by_call.get(call_id) is None
    record = await router.record(call_id)
    assert [(t["queue"], t["outcome"]) for t in record["targets"]] == [
        ("market-service", "lost")]

    # routing again: the next call is transferred
    await until(pbx.ami.connected.is_set, 20, "the test's own AMI link back")
    await pbx.reset()
    await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5)
    await pbx.enable("2001", answer_after_s=0.5)
    after = await pbx.control.place_call("13812120003")
    await bus.wait_call_event(after, "transfer.connected", 30)
    await pbx.control.hangup(after)
    await bus.wait_call_event(after, "call.ended")
    env = {"ROUTER_REDIS__URL": router.settings.redis.url,
           "ROUTER_REDIS__NAMESPACE": router.settings.redis.namespace,
           "PATH": os.environ["PATH"]}
    assert await metrics_verify(env, record["day"]) == f"{record['day']}: 2 call records, " \
        "0 differences"


@pytest.mark.parametrize("step_s", [3600.0, -3600.0])
async def test_a_wall_clock_step_mid_transfer_fires_no_timer_early_or_late_and_bends_no_duration(
    pbx: Pbx, router: RouterUnderTest, bus: Bus, wall: SteppableWall, step_s: float
) -> None:
    # market's only specialist never answers: the queue's 5 s ring timeout ends the leg; the
    # router's guard timer behind it would end it early (as guard_timeout) if it went by
    # the wall clock
    await pbx.enable("1001", transfer_matter="201", transfer_after_s=0.5)
    await pbx.enable("2101", mode="noanswer")
    call_id = await pbx.control.place_call("13812120005")
    await bus.wait_call_event(call_id, "transfer.requested")
    requested = time.monotonic()  # the test's own clock, which never steps
    await bus.wait_call_event(call_id, "transfer.leg_started")
    wall.offset_s = step_s

    await bus.wait_call_event(call_id, "transfer.failed", timeout=30)
    await pbx.control.hangup(call_id)
    await bus.wait_call_event(call_id, "call.ended")
    elapsed, ended_wall = time.monotonic() - requested, wall()
    record = await router.record(call_id)
    assert (record["outcome"], [(t["queue"], t["outcome"]) for t in record["targets"]]) == (
        "transfer_failed", [("market-service", "timeout"),
                            ("back-office-general", "skipped_unavailable")])
    # the request happened before the step: its time moved with the clock, so the
    # request-to-end span is the one the test saw (the bus adds a few ms at each end),
    # and the end is stamped on the stepped clock
    assert abs((record["ended_at"] - record["transfer_requested_at"]) - elapsed) < 1.0
    assert abs(record["ended_at"] - ended_wall) < 1.0
    assert router.service.stats.clock_steps == 1
    assert router.service.timers._by_call.get(call_id) is None
