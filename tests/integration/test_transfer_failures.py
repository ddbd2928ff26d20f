"""Failure paths of the first flow on the real PBX: the call always goes on."""

from __future__ import annotations

from tests.support.lab import Bus, Pbx, RouterUnderTest


async def test_unknown_matter_code_is_refused_with_an_error_tone_and_the_call_goes_on(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("1001", transfer_matter="999", transfer_after_s=0.5)
    call_id = await pbx.control.place_call("13811112222")
    connect = await pbx.events.wait_for(
        pbx.event("AgentConnect", Queue="hotline-operators", Uniqueid=call_id))
    operator_channel = connect.get("DestChannel")

    rejected = await bus.wait_call_event(call_id, "transfer.rejected")
    assert rejected["data"] == {"matter": "999", "reason": "unknown_matter", "source": "phone"}
    # the *5 feature heard the router's answer on the operator's channel (then its tone)
    await pbx.events.wait_for(pbx.event("VarSet", Channel=operator_channel or "",
                                        Variable="HOTLINE_REPLY",
                                        Value="rejected-unknown_matter"))
    # caller and operator are still talking
    bridged = {c.get("Uniqueid"): c.get("BridgeId") for c in await pbx.channels()}
    assert bridged[call_id]
    await pbx.control.hangup(call_id)
    ended = await bus.wait_call_event(call_id, "call.ended")
    assert ended["data"] == {"outcome": "handled_by_operator"}
    record = await router.record(call_id)
    assert (record["transfer_requested"], record["requests_rejected"]) == (False, 1)


async def test_when_no_specialist_answers_the_operator_is_told_and_keeps_the_caller(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    # market's only logged-in specialist never answers; the back office is logged out
    await pbx.enable("1001", transfer_matter="201", transfer_after_s=0.5)
    await pbx.enable("2101", mode="noanswer")
    call_id = await pbx.control.place_call("13811113333")

    failed = await bus.wait_call_event(call_id, "transfer.failed", timeout=30)
    assert failed["data"] == {"matter": "201", "unit": "market",
                              "tried": ["market-service", "back-office-general"]}
    _, notice = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/operators/1001/notices"
        and m[1]["notice"] == "transfer_failed", what="operator notice")
    assert notice["call_id"] == call_id
    # the caller was never dropped: still bridged with the operator, and the leg is gone
    # (its hangup follows the failure by an AMI round-trip)
    await pbx.events.wait_for(pbx.event("Hangup", Uniqueid=f"{call_id}-L1-a"), 10,
                              "the leg's end")
    channels = {c.get("Uniqueid"): c for c in await pbx.channels()}
    assert channels[call_id].get("BridgeId")
    assert not any(uid.startswith(f"{call_id}-L") for uid in channels)

    await pbx.control.hangup(call_id)
    await bus.wait_call_event(call_id, "call.ended")
    record = await router.record(call_id)
    assert record["outcome"] == "transfer_failed"
    assert [(t["queue"], t["outcome"]) for t in record["targets"]] == [
        # the back office's phones are not logged in here: skipped as unreachable
        ("market-service", "timeout"), ("back-office-general", "skipped_unavailable")]


async def test_caller_hanging_up_during_the_transfer_cleans_up_the_department_leg(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("1001", transfer_matter="301", transfer_after_s=0.5)
    await pbx.enable("2201", mode="noanswer")
    call_id = await pbx.control.place_call("13811114444")
    await bus.wait_call_event(call_id, "transfer.leg_started")
    await pbx.events.wait_for(pbx.event("AgentCalled", Queue="hrss-service"),
                              what="specialist ringing")

    await pbx.control.hangup(call_id)

    await pbx.events.wait_for(pbx.event("Hangup", Uniqueid=f"{call_id}-L1-a"))
    await pbx.events.wait_for(pbx.event("Hangup", Uniqueid=f"{call_id}-L1-b"))
    ended = await bus.wait_call_event(call_id, "call.ended")
    assert ended["data"] == {"outcome": "abandoned_during_transfer"}
    record = await router.record(call_id)
    assert record["targets"] == [
        {"queue": "hrss-service", "unit": "hrss", "outcome": "cancelled", "specialist": ""}]
    assert not [c for c in await pbx.channels()
                if (c.get("Uniqueid") or "").startswith(call_id)]


async def test_operator_leaving_before_the_specialist_answers_requeues_the_caller(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("1001", transfer_matter="201", transfer_after_s=0.5)
    await pbx.enable("2101", mode="noanswer")
    call_id = await pbx.control.place_call("13811115555")
    connect = await pbx.events.wait_for(
        pbx.event("AgentConnect", Queue="hotline-operators", Uniqueid=call_id))
    await bus.wait_call_event(call_id, "transfer.leg_started")
    await pbx.control.device_state("1001", "UNAVAILABLE")  # the seat logs out...
    await pbx.enable("1002")  # ...and another one is free for the requeued caller

    await pbx.control.hangup(connect.get("DestChannel") or "")

    await bus.wait_call_event(call_id, "call.requeued")
    cancelled = await bus.wait_call_event(call_id, "transfer.cancelled")
    assert cancelled["data"] == {"queue": "market-service", "reason": "operator_left"}
    await pbx.events.wait_for(pbx.event("Hangup", Uniqueid=f"{call_id}-L1-a"))
    await bus.messages.wait_for(
        lambda m: m[1].get("kind") == "operator.answered" and m[1].get("call_id") == call_id
        and m[1]["data"] == {"operator": "1002"}, what="the caller reaching the next seat")
    kinds = [e["kind"] for e in bus.call_events(call_id)]
    assert kinds[-4:] == ["operator.left", "call.requeued", "transfer.cancelled",
                          "operator.answered"]
