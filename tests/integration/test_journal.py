"""The call journal on the real lab: a router stopped with calls in progress, a gap in
which those calls move on without it, and its successor picking them up from the journal."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from router.lab.lab import Lab
from tests.support.lab import Pbx, observe_bus, router_env, router_process
from tests.support.waiting import eventually


async def _record(env: dict[str, str], call_id: str) -> dict[str, Any]:
    client = aioredis.Redis.from_url(env["ROUTER_REDIS__URL"], decode_responses=True)
    try:
        key = f"{env['ROUTER_REDIS__NAMESPACE']}:v1:call:{call_id}"
        raw = await eventually(lambda: client.get(key), 15, f"the record of {call_id}")
        journal = await client.hgetall(f"{env['ROUTER_REDIS__NAMESPACE']}:v1:journal")
    finally:
        await client.aclose()
    record: dict[str, Any] = json.loads(raw)
    record["_journal_left"] = sorted(journal)
    return record


async def test_calls_that_move_on_while_the_router_is_stopped_are_recorded_right(
    lab: Lab, pbx: Pbx, tmp_path: Path, catalogue_path: Path
) -> None:
    env = router_env(lab, catalogue_path, tmp_path / "t.sqlite3", "journal")
    log = tmp_path / "router.log"
    async with observe_bus(lab, env["ROUTER_MQTT__TOPIC_PREFIX"]) as bus:
        first = await router_process(env, log)
        # one call whose department leg rings when the router stops, answered in the gap
        await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5)
        await pbx.enable("2001", answer_after_s=2.5)
        ringing = await pbx.control.place_call("13877770011")
        await bus.wait_call_event(ringing, "transfer.leg_started")
        # another with its operator, which the caller ends in the gap
        await pbx.enable("1002")
        talking = await pbx.control.place_call("13877770012")
        await bus.wait_call_event(talking, "operator.answered")

        first.send_signal(signal.SIGTERM)
        assert await first.wait() == 0
        await pbx.events.wait_for(pbx.event("BridgeEnter", Uniqueid=f"{ringing}-L1-a",
                                            BridgeNumChannels="3"), 20, "the three-way call")
        await pbx.control.hangup(talking)
        await pbx.events.wait_for(pbx.event("Hangup", Uniqueid=talking), 10)

        second = await router_process(env, log)
        try:
            connected = await bus.wait_call_event(ringing, "transfer.connected")
            await pbx.control.hangup(ringing)
            await bus.wait_call_event(ringing, "call.ended")
            gone = await _record(env, talking)
            transferred = await _record(env, ringing)
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()

    assert (connected["data"]["queue"], connected["data"]["unit"]) == ("tax-invoice", "tax")
    assert {k: transferred[k] for k in ("outcome", "adopted", "matter", "unit",
                                        "connected_unit", "transfer_requested")} == {
        "outcome": "transferred", "adopted": False, "matter": "101", "unit": "tax",
        "connected_unit": "tax", "transfer_requested": True}
    assert transferred["three_way_at"] is not None
    # the call that ended unseen: recorded once, with what the journal knew
    assert {k: gone[k] for k in ("outcome", "operator", "transfer_requested")} == {
        "outcome": "lost", "operator": "1002", "transfer_requested": False}
    ended = [e for e in bus.call_events(talking) if e["kind"] == "call.ended"]
    assert [e["data"] for e in ended] == [{"outcome": "lost"}]
    assert transferred["_journal_left"] == []  # both calls left the journal
