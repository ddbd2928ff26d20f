"""P7: MQTT publish — the router's bus (QoS 1, every message acknowledged) on the lab's
Mosquitto.

Baseline in the same run: a bare paho-mqtt client publishing the same messages with QoS 1
and waiting for every acknowledgement. Targets: >= 0.5 x the baseline's rate; 0 messages
lost at design load (a subscriber counts them: 10 call events per call, 3 calls/s).

    python -m bench.p7_mqtt_publish [--messages 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

import aiomqtt
import paho.mqtt.client as paho

from bench.common import report
from bench.lab import bench_lab
from router.config import MqttSettings
from router.effects.mqtt import MqttBus
from router.effects.topics import Topics
from router.lab.lab import Lab

PAYLOAD = {"v": 1, "event_id": "1795485600.1/3", "kind": "transfer.requested",
           "call_id": "1795485600.1", "at": 1795485600.1,
           "data": {"matter": "101", "unit": "tax", "district": "huangpu", "source": "phone",
                    "targets": ["tax-invoice", "tax-backup", "back-office-general"]}}
DESIGN_MESSAGES_PER_S = 10 * 3


def paho_baseline(port: int, messages: int) -> float:
    client = paho.Client(paho.CallbackAPIVersion.VERSION2, client_id="p7-paho")
    client.max_inflight_messages_set(20)  # paho's default: as many in flight as aiomqtt's
    client.connect("127.0.0.1", port)
    client.loop_start()
    body = json.dumps(PAYLOAD).encode()
    started = time.perf_counter()
    infos = [client.publish(f"p7/paho/calls/{n % 100}/events", body, qos=1)
             for n in range(messages)]
    for info in infos:
        info.wait_for_publish(60)
    elapsed = time.perf_counter() - started
    client.loop_stop()
    client.disconnect()
    return messages / elapsed


async def router_bus(port: int, messages: int) -> float:
    bus = MqttBus(MqttSettings(port=port, client_id="p7-router", outbox_size=messages + 10),
                  Topics("p7"))
    runner = asyncio.create_task(bus.run(), name="bus")
    await bus.connected.wait()
    started = time.perf_counter()
    for n in range(messages):
        bus.publish_nowait(f"p7/v1/calls/{n % 100}/events", PAYLOAD)
    await bus.drain(600)
    elapsed = time.perf_counter() - started
    runner.cancel()
    return messages / elapsed


async def design_load(port: int, seconds: float) -> dict[str, int]:
    bus = MqttBus(MqttSettings(port=port, client_id="p7-design"), Topics("p7d"))
    received = 0
    async with aiomqtt.Client("127.0.0.1", port, identifier="p7-subscriber") as sub:
        await sub.subscribe("p7d/v1/#", qos=1)
        runner = asyncio.create_task(bus.run(), name="bus")
        await bus.connected.wait()
        sent = int(seconds * DESIGN_MESSAGES_PER_S)

        async def count() -> None:
            nonlocal received
            async for _ in sub.messages:
                received += 1
                if received == sent:
                    return

        counter = asyncio.create_task(count())
        for n in range(sent):
            bus.publish_nowait(f"p7d/v1/calls/{n}/events", {**PAYLOAD, "event_id": str(n)})
            await asyncio.sleep(1 / DESIGN_MESSAGES_PER_S)
        await bus.drain(30)
        try:
            async with asyncio.timeout(30):
                await counter
        except TimeoutError:
            counter.cancel()
        runner.cancel()
    return {"sent": sent, "received": received, "lost": sent - received}


async def measure(lab: Lab, messages: int) -> dict[str, object]:
    port = lab.instance.ports.mqtt
    baseline = await asyncio.to_thread(paho_baseline, port, messages)
    ours = await router_bus(port, messages)
    design = await design_load(port, 10)
    return {"messages": messages, "router_bus_msgs_per_s": round(ours),
            "paho_baseline_msgs_per_s": round(baseline), "ratio": round(ours / baseline, 3),
            "target_ratio": 0.5, "design_load": design}


def main(messages: int) -> None:
    with bench_lab() as lab:
        result = asyncio.run(measure(lab, messages))
    design = result["design_load"]
    assert isinstance(design, dict)
    passed = float(result["ratio"]) >= 0.5 and design["lost"] == 0  # type: ignore[arg-type]
    report("p7_mqtt_publish", result, passed)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=20_000)
    main(parser.parse_args().messages)
