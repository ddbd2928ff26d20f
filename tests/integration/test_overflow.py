"""Skill routing and busy overflow on the real PBX."""

from __future__ import annotations

from router.ami.client import AmiAction
from tests.support.lab import Bus, Pbx, RouterUnderTest


def _tried(record: dict[str, object]) -> list[tuple[str, str, str]]:
    return [(t["queue"], t["outcome"], t["specialist"])  # type: ignore[index]
            for t in record["targets"]]  # type: ignore[attr-defined]


async def test_an_all_busy_team_is_skipped_without_ringing_and_the_backup_answers(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("1001", transfer_matter="105", transfer_after_s=0.5)
    for busy in ("2001", "2002"):  # the whole filing team is on other calls
        await pbx.control.device_state(busy, "INUSE")
    await pbx.enable("2006", answer_after_s=0.5)
    call_id = await pbx.control.place_call("13822220001")

    connected = await bus.wait_call_event(call_id, "transfer.connected")
    assert connected["data"] == {"queue": "tax-backup", "unit": "tax", "specialist": "2006",
                                 "parties": 3}
    skipped = next(e for e in bus.call_events(call_id) if e["kind"] == "overflow.skipped")
    assert skipped["data"] == {"queue": "tax-declaration", "unit": "tax",
                               "reason": "skipped_busy", "logged_in": 2, "paused": 0,
                               "attempt": 1}
    assert not pbx.events.matching(pbx.event("AgentCalled", Queue="tax-declaration"))
    _, notice = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/operators/1001/notices", what="operator notice")
    assert (notice["notice"], notice["data"]["queue"]) == ("specialist_joined", "tax-backup")

    await pbx.control.hangup(call_id)
    await bus.wait_call_event(call_id, "call.ended")
    assert _tried(await router.record(call_id)) == [
        ("tax-declaration", "skipped_busy", ""), ("tax-backup", "answered", "2006")]


async def test_a_team_that_rings_without_answer_overflows_to_the_backup(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5)
    await pbx.enable("2001", mode="noanswer")
    await pbx.enable("2006", answer_after_s=0.5)
    call_id = await pbx.control.place_call("13822220002")

    connected = await bus.wait_call_event(call_id, "transfer.connected", timeout=30)
    assert connected["data"]["queue"] == "tax-backup"
    await pbx.events.wait_for(pbx.event("AgentCalled", Queue="tax-invoice", MemberName="2001"))
    kinds = [e["kind"] for e in bus.call_events(call_id)]
    assert kinds[2:8] == ["transfer.requested", "transfer.leg_started", "transfer.leg_failed",
                          "overflow.attempted", "transfer.answered", "transfer.connected"]
    await pbx.control.hangup(call_id)
    await bus.wait_call_event(call_id, "call.ended")
    assert _tried(await router.record(call_id)) == [
        ("tax-invoice", "timeout", ""), ("tax-backup", "answered", "2006")]


async def test_a_paused_specialist_is_not_selected_and_a_desk_can_resume_them(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("2001")
    await pbx.enable("2005", answer_after_s=0.5)
    # 2001 (the invoice team's level-5 specialist) dials *23 1: paused for lunch
    await pbx.control.dial_code("2001", "*231")
    paused = await pbx.events.wait_for(
        pbx.event("QueueMemberPause", Queue="tax-invoice", MemberName="2001", Paused="1"))
    assert paused.get("PausedReason") == "lunch"
    _, presence = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/specialists/2001/presence", what="presence")
    assert presence == {"v": 1, "paused": True, "reason": "lunch", "logged_in": True,
                        "source": "phone"}

    await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5)
    call_id = await pbx.control.place_call("13822220003")
    connected = await bus.wait_call_event(call_id, "transfer.connected")
    assert (connected["data"]["queue"], connected["data"]["specialist"]) == (
        "tax-invoice", "2005")
    assert not pbx.events.matching(pbx.event("AgentCalled", MemberName="2001"))

    await bus.publish(f"{bus.prefix}/v1/specialists/2001/commands",
                      {"v": 1, "action": "unpause", "request_id": "desk-9"})
    _, reply = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/specialists/2001/replies", what="reply")
    assert reply == {"v": 1, "request_id": "desk-9", "accepted": True, "reason": "accepted"}
    await pbx.events.wait_for(
        pbx.event("QueueMemberPause", Queue="tax-invoice", MemberName="2001", Paused="0"))
    await pbx.control.hangup(call_id)


async def test_a_full_department_queue_overflows_at_once(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("2301", mode="noanswer")
    await pbx.enable("2901", answer_after_s=0.5)
    for n in range(5):  # five enterprises already wait for the provident fund (maxlen 5)
        await pbx.ami.send(AmiAction("Originate", (
            ("Channel", "Local/hpf-service@hotline-department-leg/n"),
            ("Application", "Wait"), ("Data", "60"), ("Async", "true"),
            ("Variable", "HOTLINE_RING_TIMEOUT_S=60"), ("ChannelId", f"filler-{n}"))))
        await pbx.events.wait_for(pbx.event("QueueCallerJoin", Queue="hpf-service",
                                            Position=str(n + 1)))
    await pbx.enable("1001", transfer_matter="401", transfer_after_s=0.5)
    call_id = await pbx.control.place_call("13822220004")

    connected = await bus.wait_call_event(call_id, "transfer.connected")
    assert (connected["data"]["queue"], connected["data"]["specialist"]) == (
        "back-office-general", "2901")
    await pbx.control.hangup(call_id)
    await bus.wait_call_event(call_id, "call.ended")
    assert _tried(await router.record(call_id)) == [
        ("hpf-service", "full", ""), ("back-office-general", "answered", "2901")]


async def test_a_phone_that_answers_busy_is_rung_once_in_its_leg_then_the_backup_answers(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    # 2001 rejects with BUSY (do not disturb) while its device state still says free; the
    # invoice team's leg rings 5 s; it must not ring 2001 again inside that leg
    await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5)
    await pbx.enable("2001", mode="busy")
    await pbx.enable("2006", answer_after_s=0.5)
    call_id = await pbx.control.place_call("13822220009")

    connected = await bus.wait_call_event(call_id, "transfer.connected", timeout=30)
    assert connected["data"]["queue"] == "tax-backup"
    rung = pbx.events.matching(pbx.event("AgentCalled", Queue="tax-invoice"))
    assert [m.get("MemberName") for m in rung] == ["2001"]
    await pbx.control.hangup(call_id)
    await bus.wait_call_event(call_id, "call.ended")
    # the leg ended when 2001 declined, well before its 5 s ring time
    assert _tried(await router.record(call_id)) == [
        ("tax-invoice", "declined", ""), ("tax-backup", "answered", "2006")]
