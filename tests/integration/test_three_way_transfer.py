"""The first live flow on the real PBX: 12345 -> operator -> specialist, three-way, operator
leaves, call ends; the outcome in Redis and every step on MQTT."""

from __future__ import annotations

from router.ami.frames import AmiMessage
from tests.support.lab import Bus, Pbx, RouterUnderTest

CALLER = "13812345678"


async def _operator_channel(pbx: Pbx, call_id: str) -> str:
    connect = await pbx.events.wait_for(
        pbx.event("AgentConnect", Queue="hotline-operators", Uniqueid=call_id),
        what="operator answering")
    return connect.get("DestChannel") or ""


def _bridge_counts(pbx: Pbx, bridge_id: str) -> list[int]:
    return [int(m.get("BridgeNumChannels") or -1) for m in pbx.events.items
            if m.event in ("BridgeEnter", "BridgeLeave") and m.get("BridgeUniqueid") == bridge_id]


async def test_phone_transfer_makes_a_three_way_call_that_survives_the_operator_leaving(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    # given an operator who keys *5 + 101 (VAT invoices) and the invoice specialist 2001
    await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5)
    await pbx.enable("2001", answer_after_s=0.5)
    # when an enterprise dials 12345 and presses 1
    call_id = await pbx.control.place_call(CALLER, menu="1")
    operator_channel = await _operator_channel(pbx, call_id)

    # then the specialist's leg joins the caller's bridge: three parties
    joined: AmiMessage = await pbx.events.wait_for(
        pbx.event("BridgeEnter", Uniqueid=f"{call_id}-L1-a", BridgeNumChannels="3"),
        timeout=20, what="department leg joining the caller's bridge")
    bridge = joined.get("BridgeUniqueid") or ""
    await bus.wait_call_event(call_id, "transfer.connected")

    # when the operator leaves, caller and specialist stay bridged
    await pbx.control.hangup(operator_channel)
    await pbx.events.wait_for(
        pbx.event("BridgeLeave", Channel=operator_channel, BridgeUniqueid=bridge,
                  BridgeNumChannels="2"), what="operator leaving the bridge")
    in_bridge = {c.get("Uniqueid") for c in await pbx.channels() if c.get("BridgeId") == bridge}
    assert in_bridge == {call_id, f"{call_id}-L1-a"}

    # when the specialist hangs up, the caller answers the survey and the call ends
    await pbx.control.hangup(f"{call_id}-L1-b")
    await pbx.answer_survey(call_id, resolved="1", satisfaction="2")
    surveyed = await bus.wait_call_event(call_id, "survey.answered")
    assert surveyed["data"] == {"resolved": True, "satisfaction": 2, "bad_review": False}
    ended = await bus.wait_call_event(call_id, "call.ended")
    assert ended["data"] == {"outcome": "transferred"}
    assert _bridge_counts(pbx, bridge)[:5] == [1, 2, 3, 2, 1]

    kinds = [e["kind"] for e in bus.call_events(call_id)]
    assert kinds == [
        "call.entered", "operator.answered", "transfer.requested", "transfer.leg_started",
        "transfer.answered", "transfer.connected", "operator.left", "specialist.left",
        "survey.answered", "call.ended",
    ]
    connected = next(e for e in bus.call_events(call_id) if e["kind"] == "transfer.connected")
    assert connected["data"] == {"queue": "tax-invoice", "unit": "tax", "specialist": "2001",
                                 "parties": 3}

    record = await router.record(call_id)
    assert {k: record[k] for k in ("outcome", "matter", "unit", "operator", "connected_unit",
                                   "specialist", "caller", "priority", "transfer_requested")} == {
        "outcome": "transferred", "matter": "101", "unit": "tax", "operator": "1001",
        "connected_unit": "tax", "specialist": "2001", "caller": "138****5678", "priority": 1,
        "transfer_requested": True}
    assert record["targets"] == [
        {"queue": "tax-invoice", "unit": "tax", "outcome": "answered", "specialist": "2001"}]
    day = record["day"]
    totals = await router.redis.hgetall(f"{router.keys_prefix}:day:{day}:unit:tax")
    assert {k: v for k, v in totals.items() if not k.startswith(("wait_", "talk_"))} == {
        "calls": "1", "requests": "1", "connected": "1", "three_way": "1",
        "survey_resolution_answered": "1", "resolved": "1",
        "survey_satisfaction_answered": "1", "basically_satisfied": "1"}
    assert (totals["wait_count"], totals["talk_count"]) == ("1", "1")


async def test_desk_application_transfer_reaches_the_same_path(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("1002")
    await pbx.enable("2101", answer_after_s=0.5)
    call_id = await pbx.control.place_call("13900001111", menu="1")
    await bus.wait_call_event(call_id, "operator.answered")

    await bus.publish(f"{bus.prefix}/v1/operators/1002/commands",
                      {"v": 1, "action": "transfer", "request_id": "desk-1", "matter": "201"})

    _, reply = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/operators/1002/replies", what="desk reply")
    assert reply == {"v": 1, "request_id": "desk-1", "accepted": True, "reason": "accepted",
                     "call_id": call_id,
                     "detail": {"unit": "market", "queue": "market-service"}}
    connected = await bus.wait_call_event(call_id, "transfer.connected")
    assert connected["data"]["specialist"] == "2101"
    await pbx.events.wait_for(
        pbx.event("BridgeEnter", Uniqueid=f"{call_id}-L1-a", BridgeNumChannels="3"))
