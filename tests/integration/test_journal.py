"""The call journal on the real lab: a router stopped with calls in progress, a gap in
which those calls move on without it, and its successor picking them up from the journal."""

from __future__ import annotations

import json
import signal
from pathlib import Path
from typing import Any

import redis.asyncio as aioredis

from router.lab.lab import Lab
from tests.support.lab import Pbx, metrics_verify, observe_bus, router_env, router_process
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
    # nobody rung twice across the restart, and the counters are what the records say
    rung = pbx.events.matching(pbx.event("AgentCalled", Queue="tax-invoice"))
    assert [m.get("MemberName") for m in rung] == ["2001"]
    day = transferred["day"]
    assert await metrics_verify(env, day) == f"{day}: 2 call records, 0 differences"


async def test_a_router_killed_with_a_caller_waiting_and_one_in_the_survey_loses_neither(
    lab: Lab, pbx: Pbx, tmp_path: Path, catalogue_path: Path
) -> None:
    env = router_env(lab, catalogue_path, tmp_path / "t.sqlite3", "journal-kill")
    log = tmp_path / "router.log"
    async with observe_bus(lab, env["ROUTER_MQTT__TOPIC_PREFIX"]) as bus:
        first = await router_process(env, log)
        # a transferred call whose operator and specialist both leave: the caller is in
        # the survey when the router dies
        await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5, talk_s=1)
        await pbx.enable("2001", answer_after_s=0.5, talk_s=2)
        surveyed = await pbx.control.place_call("13877770021")
        await bus.wait_call_event(surveyed, "operator.answered")
        # the seat logs out after this call: once its phone has marked itself in use (or
        # that would overwrite the logout and the seat would take the next caller)
        await pbx.events.wait_for(pbx.event("UserEvent", UserEvent="HotlineLabPartyAnswered",
                                            Party="1001"), 10, "the seat in use")
        await pbx.control.device_state("1001", "UNAVAILABLE")
        # a caller who waits: no seat is free
        waiting = await pbx.control.place_call("13877770022")
        await bus.wait_call_event(waiting, "call.entered")
        await pbx.events.wait_for(pbx.event("UserEvent", UserEvent="HotlineSurveyStarted",
                                            Uniqueid=surveyed), 20, "the survey")
        first.send_signal(signal.SIGKILL)
        await first.wait()

        # in the gap: the survey is answered and the call ends; a seat takes the waiting caller
        await pbx.control.press(f"{surveyed}-phone", "11")
        await pbx.events.wait_for(pbx.event("Hangup", Uniqueid=surveyed), 20)
        await pbx.enable("1002")
        await pbx.events.wait_for(pbx.event("AgentConnect", Queue="hotline-operators",
                                            Uniqueid=waiting), 20, "the seat answering")

        second = await router_process(env, log)
        try:
            answered = await bus.messages.wait_for(
                lambda m: m[0].endswith(f"/calls/{waiting}/events")
                and m[1]["kind"] == "operator.answered"
                and m[1]["data"] == {"operator": "1002"}, what="the seat seen")
            await pbx.control.hangup(waiting)
            await bus.wait_call_event(waiting, "call.ended")
            done = await _record(env, surveyed)
            served = await _record(env, waiting)
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()

    assert answered[1]["data"] == {"operator": "1002"}
    # the surveyed call had settled its outcome before the router died: kept, recorded once
    assert {k: done[k] for k in ("outcome", "matter", "unit", "connected_unit")} == {
        "outcome": "transferred", "matter": "101", "unit": "tax", "connected_unit": "tax"}
    assert {k: served[k] for k in ("outcome", "operator", "transfer_requested")} == {
        "outcome": "handled_by_operator", "operator": "1002", "transfer_requested": False}
    for call_id in (surveyed, waiting):
        ended = [e for e in bus.call_events(call_id) if e["kind"] == "call.ended"]
        assert len(ended) == 1, call_id
    assert served["_journal_left"] == []
    day = served["day"]
    assert await metrics_verify(env, day) == f"{day}: 2 call records, 0 differences"
