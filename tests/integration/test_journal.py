"""The call journal on the real lab: a router stopped (SIGTERM) or killed (SIGKILL) with a
call in every state, a gap in which those calls move on without it, and its successor
picking them up from the journal.

The five calls when the router stops: S in the survey (operator and specialist gone),
O with its operator, T three-way, R with its department leg ringing, W waiting for a seat.
In the gap: S's caller answers the survey and the call ends, R's specialist answers (a
real three-way call), O's caller hangs up, and the seat O freed takes W.
"""

from __future__ import annotations

import json
import signal
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis

from router.lab.lab import Lab
from tests.support.lab import Pbx, metrics_verify, observe_bus, router_env, router_process
from tests.support.waiting import eventually


async def _records(env: dict[str, str], call_ids: list[str]) -> tuple[list[dict[str, Any]],
                                                                       list[str]]:
    """Each call's record (waiting for it), and what is left in the journal."""
    client = aioredis.Redis.from_url(env["ROUTER_REDIS__URL"], decode_responses=True)
    ns = env["ROUTER_REDIS__NAMESPACE"]
    try:
        records = [json.loads(await eventually(lambda c=c: client.get(f"{ns}:v1:call:{c}"),
                                               15, f"the record of {c}"))
                   for c in call_ids]
        journal = await client.hgetall(f"{ns}:v1:journal")
    finally:
        await client.aclose()
    return records, sorted(journal)


def _fields(record: dict[str, Any], *names: str) -> dict[str, Any]:
    return {name: record[name] for name in names}


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_calls_in_every_state_are_taken_over_and_recorded_once(
    lab: Lab, pbx: Pbx, tmp_path: Path, catalogue_path: Path, stop: signal.Signals
) -> None:
    env = router_env(lab, catalogue_path, tmp_path / "t.sqlite3", "journal")
    log = tmp_path / "router.log"
    async with observe_bus(lab, env["ROUTER_MQTT__TOPIC_PREFIX"]) as bus:
        first = await router_process(env, log)
        # S: transferred, then the operator (after 1 s) and the specialist (2 s) leave
        await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5, talk_s=1)
        await pbx.enable("2001", answer_after_s=0.5, talk_s=2)
        s = await pbx.control.place_call("13877770041")
        await bus.wait_call_event(s, "transfer.connected")
        await pbx.control.party("1001")  # its next call: answer and stay
        await pbx.events.wait_for(pbx.event("UserEvent", UserEvent="HotlineSurveyStarted",
                                            Uniqueid=s), 20, "S's survey")
        await pbx.control.device_state("2001", "UNAVAILABLE")
        # O: with the seat S freed
        o = await pbx.control.place_call("13877770042")
        await bus.wait_call_event(o, "operator.answered")
        # T: three-way with the filing team's 2002
        await pbx.enable("1002", transfer_matter="105", transfer_after_s=0.5)
        await pbx.enable("2002", answer_after_s=0.5)
        t = await pbx.control.place_call("13877770043")
        await bus.wait_call_event(t, "transfer.connected")
        # R: the registration team's 2003 answers 3 s after its leg starts ringing
        await pbx.enable("1003", transfer_matter="111", transfer_after_s=0.5)
        await pbx.enable("2003", answer_after_s=3)
        r = await pbx.control.place_call("13877770044")
        await bus.wait_call_event(r, "operator.answered")
        # W: every seat is busy
        w = await pbx.control.place_call("13877770045")
        await bus.wait_call_event(w, "call.entered")
        await pbx.events.wait_for(pbx.event("Newchannel", Uniqueid=f"{r}-L1-a"), 10,
                                  "R's department leg on the PBX")

        first.send_signal(stop)
        assert await first.wait() == (0 if stop is signal.SIGTERM else -signal.SIGKILL)
        await pbx.control.press(f"{s}-phone", "11")
        await pbx.events.wait_for(pbx.event("Hangup", Uniqueid=s), 20, "S's end")
        await pbx.events.wait_for(pbx.event("BridgeEnter", Uniqueid=f"{r}-L1-a",
                                            BridgeNumChannels="3"), 20, "R's three-way call")
        await pbx.control.hangup(o)
        await pbx.events.wait_for(pbx.event("AgentConnect", Queue="hotline-operators",
                                            Uniqueid=w), 20, "W answered by O's seat")

        second = await router_process(env, log)
        try:
            connected = await bus.wait_call_event(r, "transfer.connected")
            for call_id in (t, r, w):
                await pbx.control.hangup(call_id)
            for call_id in (s, o, t, r, w):
                await bus.wait_call_event(call_id, "call.ended")
            (rs, ro, rt, rr, rw), journal_left = await _records(env, [s, o, t, r, w])
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()

    assert _fields(rs, "outcome", "matter", "unit", "connected_unit", "survey_resolved") == {
        "outcome": "transferred", "matter": "101", "unit": "tax", "connected_unit": "tax",
        "survey_resolved": None}  # its survey answer was keyed while no router listened
    assert _fields(ro, "outcome", "operator", "transfer_requested") == {
        "outcome": "lost", "operator": "1001", "transfer_requested": False}
    assert _fields(rt, "outcome", "matter", "unit", "connected_unit", "operator") == {
        "outcome": "transferred", "matter": "105", "unit": "tax", "connected_unit": "tax",
        "operator": "1002"}
    # the leg answered in the gap: the transfer it was, for the unit it was planned for
    assert (connected["data"]["queue"], connected["data"]["specialist"]) == (
        "tax-registration", "2003")
    assert _fields(rr, "outcome", "adopted", "matter", "unit", "connected_unit",
                   "transfer_requested") == {
        "outcome": "transferred", "adopted": False, "matter": "111", "unit": "tax",
        "connected_unit": "tax", "transfer_requested": True}
    assert _fields(rw, "outcome", "operator") == {"outcome": "handled_by_operator",
                                                   "operator": "1001"}
    # one call.ended per call; event ids unique, and a call's numbers go on across the
    # restart without a gap or a repeat
    for call_id in (s, o, t, r, w):
        events = bus.call_events(call_id)
        assert [e["kind"] for e in events].count("call.ended") == 1, call_id
        assert len({e["event_id"] for e in events}) == len(events), call_id
    numbers = sorted(int(e["event_id"].rsplit(".", 1)[1]) for e in bus.call_events(t))
    assert numbers == list(range(1, len(numbers) + 1))
    assert len({e["event_id"].split("/")[1].split(".")[0] for e in bus.call_events(t)}) == 2
    # every seat and specialist rung once for each call or leg they were rung for
    rung = Counter((m.get("Uniqueid"), m.get("MemberName"))
                   for m in pbx.events.matching(pbx.event("AgentCalled")))
    assert rung == {(s, "1001"): 1, (f"{s}-L1-b", "2001"): 1, (o, "1001"): 1,
                    (t, "1002"): 1, (f"{t}-L1-b", "2002"): 1, (r, "1003"): 1,
                    (f"{r}-L1-b", "2003"): 1, (w, "1001"): 1}
    assert journal_left == []
    # the calls may straddle midnight in Shanghai: each day's records verify
    days = Counter(r["day"] for r in (rs, ro, rt, rr, rw))
    for day, records in sorted(days.items()):
        assert await metrics_verify(env, day) == f"{day}: {records} call records, 0 differences"
