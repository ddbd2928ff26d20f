"""The journal gate on the real lab: the router rings a department only once the journal
says it is doing so, so a router killed right after the Originate leaves a journal that
knows the leg (see router.effects.gate)."""

from __future__ import annotations

import json
from pathlib import Path

from router.lab.lab import Lab
from tests.support.lab import Pbx, observe_bus, router_settings, running_router


async def test_a_department_is_rung_only_after_the_journal_holds_the_leg(
    lab: Lab, pbx: Pbx, catalogue_path: Path
) -> None:
    settings = router_settings(lab, catalogue_path)
    settings = settings.model_copy(update={
        "redis": settings.redis.model_copy(update={"journal_wait_s": 8.0})})
    async with running_router(settings) as router, \
            observe_bus(lab, settings.mqtt.topic_prefix) as bus:
        await pbx.enable("1001")
        await pbx.enable("2001")
        call_id = await pbx.control.place_call("13877770031")
        await bus.wait_call_event(call_id, "operator.answered")
        # Redis takes no writes for 1.2 s (less than the router's 2 s socket timeout), reads
        # go on: the journal entry of the request waits in the recorder's buffer, and so
        # must the Originate
        assert await router.redis.execute_command("CLIENT", "PAUSE", "1200", "WRITE")
        await bus.publish(f"{bus.prefix}/v1/operators/1001/commands",
                          {"v": 1, "action": "transfer", "request_id": "g-1", "matter": "101"})
        leg = await pbx.events.wait_for(pbx.event("Newchannel", Uniqueid=f"{call_id}-L1-a"),
                                        15, "the department leg")
        raw = await router.redis.hget(f"{router.keys_prefix}:journal", call_id)
        held, not_durable = router.service.gate.held, router.service.gate.not_durable
        await bus.wait_call_event(call_id, "transfer.connected")
        await pbx.control.hangup(call_id)
        await bus.wait_call_event(call_id, "call.ended")

    assert (leg.get("Channel") or "").startswith("Local/tax-invoice@")
    assert raw is not None, "the leg rang before the journal knew the call"
    entry = json.loads(raw)["call"]
    assert (entry["state"], [leg["leg_id"] for leg in entry["legs"]]) == (
        "transferring", [f"{call_id}-L1"])
    # the request's two PBX actions waited: the caller's transfer flag and the Originate
    assert (held, not_durable) == (2, 0)
