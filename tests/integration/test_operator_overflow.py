"""The operator queue's own overflow chain: partner seats after 15 s."""

from __future__ import annotations

from tests.support.lab import Bus, Pbx, RouterUnderTest


async def test_when_no_hotline_seat_answers_in_15_s_a_partner_seat_takes_the_call(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("1101", transfer_matter="101", transfer_after_s=0.5)  # partner seat
    await pbx.enable("2001", answer_after_s=0.5)
    call_id = await pbx.control.place_call("13855550001")  # the hotline's seats are all out

    overflow = await bus.wait_call_event(call_id, "operator.overflow", timeout=25)
    assert overflow["data"] == {"from_queue": "hotline-operators",
                                "to_queue": "hotline-operators-partners"}
    # the PBX's own clock: the hotline seats rang the whole 15 s before the partners
    entered = await pbx.events.wait_for(
        pbx.event("UserEvent", UserEvent="HotlineCallEntered", CallId=call_id))
    overflowed = await pbx.events.wait_for(
        pbx.event("UserEvent", UserEvent="HotlineOperatorOverflow", CallId=call_id))
    assert float(overflowed.get("Timestamp") or 0) - float(entered.get("Timestamp") or 0) >= 15
    answered = await bus.wait_call_event(call_id, "operator.answered")
    assert answered["data"] == {"operator": "1101"}
    await pbx.events.wait_for(pbx.event("AgentConnect", Queue="hotline-operators-partners",
                                        Uniqueid=call_id))
    # partner seats transfer like hotline seats
    connected = await bus.wait_call_event(call_id, "transfer.connected")
    assert connected["data"]["specialist"] == "2001"
