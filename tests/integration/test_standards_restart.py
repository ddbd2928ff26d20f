"""The standards watch across a router restart, on the real lab: an alert raised before the
restart is cleared after it when the rate is back, and the window's calls are not
forgotten."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.config import AlertSettings, Settings
from router.lab.lab import Lab
from tests.support.lab import Pbx, fast_catalogue, observe_bus, router_settings, running_router


@pytest.fixture
def settings(lab: Lab, tmp_path: Path) -> Settings:
    """Units open at any hour (the window is working time), two calls make a sample."""
    base = router_settings(lab, fast_catalogue(tmp_path))
    return base.model_copy(update={"alerts": AlertSettings(window_working_min=24 * 60,
                                                           min_sample=2)})


async def _transfer(pbx: Pbx, caller: str, answer: bool) -> str:
    await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.2)
    for specialist in ("2001", "2006"):
        if answer:
            await pbx.enable(specialist, answer_after_s=0.1)
        else:
            await pbx.enable(specialist, mode="busy")
    return await pbx.control.place_call(caller)


async def test_the_window_and_the_raised_alert_survive_a_restart(
    lab: Lab, pbx: Pbx, settings: Settings
) -> None:
    alerts = f"{settings.redis.namespace}:v1:alerts:unit:tax"
    async with running_router(settings) as first:
        # one request the tax bureau does not connect (its teams decline, the back
        # office is not logged in): one call is below the sample, no alert yet
        failed = await _transfer(pbx, "13855550001", answer=False)
        async with observe_bus(lab, settings.mqtt.topic_prefix) as bus:
            await bus.wait_call_event(failed, "transfer.failed", timeout=30)
        await pbx.control.hangup(failed)
        await first.settled()
        assert await first.redis.hgetall(alerts) == {}
    await pbx.reset()

    async with running_router(settings) as second, \
            observe_bus(lab, settings.mqtt.topic_prefix) as bus:
        connected = await _transfer(pbx, "13855550002", answer=True)
        await bus.wait_call_event(connected, "transfer.connected", timeout=30)
        await pbx.control.hangup(connected)
        # the window kept the first router's call: 1 of 2 connected, below 90%
        _, raised = await bus.messages.wait_for(
            lambda m: m[0] == f"{bus.prefix}/v1/alerts/standards", what="raised alert")
        assert {k: raised[k] for k in ("unit", "standard", "state", "rate", "sample")} == {
            "unit": "tax", "standard": "connection_rate", "state": "raised", "rate": 0.5,
            "sample": 2}
        await second.settled()
    await pbx.reset()

    # a unit back at 90% after a restart is cleared, not left red
    async with running_router(settings) as third, \
            observe_bus(lab, settings.mqtt.topic_prefix) as bus:
        for n in range(3, 11):  # with the two before: 9 of 10 connected, 90%
            call = await _transfer(pbx, f"138555500{n:02d}", answer=True)
            await bus.wait_call_event(call, "transfer.connected", timeout=30)
            await pbx.control.hangup(call)
            await bus.wait_call_event(call, "call.ended")
        _, cleared = await bus.messages.wait_for(
            lambda m: m[0] == f"{bus.prefix}/v1/alerts/standards"
            and m[1]["state"] == "cleared", what="cleared alert", timeout=20)
        assert (cleared["rate"], cleared["sample"]) == (0.9, 10)
        await third.settled()
        assert (await third.redis.hgetall(alerts))["connection_rate"] == "0"
