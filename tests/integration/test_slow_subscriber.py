"""A slow MQTT subscriber at design load. "Nothing lost" here: the slow subscriber gets
every message (the broker queues for it), while the router's outbox stays within its
in-flight window and a normal subscriber gets every message as it is published."""

from __future__ import annotations

import asyncio
import subprocess
import sys

from router.lab.lab import Lab
from tests.support.lab import Bus, RouterUnderTest

DESIGN_MESSAGES_PER_S = 30  # 3 calls/s at the peak, about 10 call events each (bench P7)
SECONDS = 10
WINDOW = 20  # the router's QoS 1 messages awaiting PUBACK at once


async def test_a_slow_subscriber_gets_every_message_and_holds_back_neither_router_nor_others(
    lab: Lab, router: RouterUnderTest, bus: Bus
) -> None:
    topic, total = f"{bus.prefix}/v1/calls/slow/events", DESIGN_MESSAGES_PER_S * SECONDS
    # it takes 50 ms per message: 20/s against 30/s published
    slow = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.support.slow_subscriber", str(lab.instance.ports.mqtt),
        topic, "0.05", str(total), "120", stdout=subprocess.PIPE)
    assert slow.stdout is not None
    async with asyncio.timeout(10):
        assert (await slow.stdout.readline()).strip() == b"subscribed"

    peak = 0
    for seq in range(total):
        router.service.bus.publish_nowait(topic, {"v": 1, "seq": seq})
        peak = max(peak, router.service.bus.backlog)
        await asyncio.sleep(1 / DESIGN_MESSAGES_PER_S)  # the publishing rate (pacing)
    await bus.messages.wait_for(lambda m: m[0] == topic and m[1]["seq"] == total - 1, 10,
                                "the last message at the normal subscriber")
    assert sorted(m[1]["seq"] for m in bus.messages.items if m[0] == topic) == list(
        range(total))
    assert (router.service.bus.stats.dropped, peak <= WINDOW) == (0, True)

    out, _ = await slow.communicate()
    assert int(out.split()[-1]) == total
