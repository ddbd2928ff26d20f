"""Emergency matters: confirmed by the operator, then a blind transfer to 110/119/120."""

from __future__ import annotations

from tests.support.lab import Bus, Pbx, RouterUnderTest


async def test_a_confirmed_fire_emergency_is_transferred_blind_to_119(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("1001", transfer_matter="902", transfer_after_s=0.5, confirm="1")
    call_id = await pbx.control.place_call("13866660001")

    asked = await bus.wait_call_event(call_id, "emergency.confirm_requested")
    assert asked["data"] == {"matter": "902", "number": "119", "source": "phone"}
    done = await bus.wait_call_event(call_id, "emergency.transferred")
    assert done["data"] == {"matter": "902", "number": "119", "source": "phone",
                            "operator": "1001"}
    await pbx.events.wait_for(pbx.event("UserEvent", UserEvent="HotlineLabEmergencyAnswered",
                                        Number="119"), what="the fire service answering")
    await bus.wait_call_event(call_id, "operator.left")  # the seat is free again

    await pbx.control.hangup(call_id)
    ended = await bus.wait_call_event(call_id, "call.ended")
    assert ended["data"] == {"outcome": "emergency_transferred"}
    record = await router.record(call_id)
    assert (record["matter"], record["emergency"], record["transfer_requested"]) == (
        "902", "119", False)
