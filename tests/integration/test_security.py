"""The access rules docs/security.md recommends, proven on the lab's Redis and Mosquitto:
the router runs as a Redis ACL user limited to its keys, and on an MQTT listener that takes
only authenticated clients, where a desk application may command only its own operator."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiomqtt
import pytest
import redis.asyncio as aioredis
from pydantic import SecretStr
from redis import exceptions as redis_errors

from router.config import MqttSettings, RedisSettings
from router.lab.access import ROUTER_NAMESPACE
from router.lab.instance import ROUTER_USER
from router.lab.lab import Lab
from tests.support.lab import Pbx, RouterUnderTest, router_settings, running_router
from tests.support.waiting import Recorder


@pytest.fixture
async def secured(lab: Lab, pbx: Pbx, catalogue_path: Path) -> AsyncIterator[RouterUnderTest]:
    inst = lab.instance
    settings = router_settings(lab, catalogue_path).model_copy(update={
        "redis": RedisSettings(url=f"redis://{ROUTER_USER}@127.0.0.1:{inst.ports.redis}/0",
                               password=SecretStr(inst.secret("redis_password")),
                               namespace=ROUTER_NAMESPACE),
        "mqtt": MqttSettings(port=inst.ports.mqtt_secure, username=ROUTER_USER,
                             password=SecretStr(inst.secret("mqtt_password")),
                             topic_prefix=ROUTER_NAMESPACE, client_id="router-secured",
                             reconnect_min_s=0.1, reconnect_max_s=1)})
    async with running_router(settings) as handle:
        yield handle


def _desk(lab: Lab, who: str) -> aiomqtt.Client:
    return aiomqtt.Client("127.0.0.1", lab.instance.ports.mqtt_secure, username=who,
                          password=lab.instance.secret("mqtt_desk_password"),
                          identifier=f"desk-{who}")


async def test_as_a_redis_acl_user_the_router_writes_its_records_and_may_touch_nothing_else(
    lab: Lab, pbx: Pbx, secured: RouterUnderTest
) -> None:
    await pbx.enable("1001")
    call_id = await pbx.control.place_call("13855550001")
    await pbx.events.wait_for(pbx.event("AgentConnect", Queue="hotline-operators",
                                        Uniqueid=call_id))
    await pbx.control.hangup(call_id)
    await pbx.events.wait_for(pbx.event("Hangup", Uniqueid=call_id))
    assert (await secured.record(call_id))["outcome"] == "handled_by_operator"
    assert secured.service.recorder.stats.write_errors == 0

    as_router = secured.redis  # the router's own credentials
    for forbidden in (("SET", "elsewhere:x", "1"), ("GET", "elsewhere:x"),
                      ("CONFIG", "GET", "maxmemory"), ("FLUSHALL",), ("KEYS", "*")):
        with pytest.raises(redis_errors.NoPermissionError):
            await as_router.execute_command(*forbidden)
    anonymous = aioredis.Redis(port=lab.instance.ports.redis, username=ROUTER_USER,
                               password="wrong")
    with pytest.raises(redis_errors.AuthenticationError):
        await anonymous.ping()
    await anonymous.aclose()


async def test_only_authenticated_clients_connect_and_a_desk_commands_only_its_operator(
    lab: Lab, secured: RouterUnderTest
) -> None:
    with pytest.raises(aiomqtt.MqttError):
        async with aiomqtt.Client("127.0.0.1", lab.instance.ports.mqtt_secure,
                                  identifier="anonymous"):
            pass

    replies: Recorder[dict[str, object]] = Recorder()
    commands = f"{ROUTER_NAMESPACE}/v1/operators/1001/commands"
    async with _desk(lab, "1001") as own, _desk(lab, "1002") as other:
        await own.subscribe(f"{ROUTER_NAMESPACE}/v1/operators/1001/replies", qos=1)
        # 1002's desk tries to command operator 1001: the broker drops it
        await other.publish(commands, json.dumps({"v": 1, "action": "transfer",
                                                  "request_id": "intruder-1",
                                                  "matter": "101"}), qos=1)
        await own.publish(commands, json.dumps({"v": 1, "action": "transfer",
                                                "request_id": "own-1", "matter": "101"}),
                          qos=1)
        async with asyncio.timeout(10):
            async for message in own.messages:
                assert isinstance(message.payload, bytes)
                await replies.add(json.loads(message.payload))
                if replies.items[-1].get("request_id") == "own-1":
                    break
    # the router answers in arrival order: had the intruder's command reached it, its
    # reply would have come first
    assert replies.items == [{"v": 1, "request_id": "own-1", "accepted": False,
                              "reason": "no_call", "call_id": None, "detail": {}}]
