"""Redis faults on the real lab: error replies (OOM, READONLY), and ``kill -9`` followed by
an AOF reload that answers LOADING. "Nothing lost" here: calls keep being routed while
Redis refuses writes; afterwards every call has exactly one record, and the day's counters
equal what those records recompute."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis
from redis import exceptions as redis_errors
from redis.backoff import NoBackoff
from redis.retry import Retry

from metrics.keys import Keys
from metrics.store import MetricsReader
from router.lab.lab import Lab
from tests.support.lab import Bus, Pbx, RouterUnderTest
from tests.support.waiting import eventually, until


@pytest.fixture
async def admin(lab: Lab) -> AsyncIterator[aioredis.Redis]:
    """The lab's Redis with no client-side retries, so every reply is seen as it is."""
    client = aioredis.Redis(port=lab.instance.ports.redis, decode_responses=True,
                            retry=Retry(NoBackoff(), 0))
    yield client
    await client.aclose()


async def _handled_by_operator(pbx: Pbx, bus: Bus, number: str) -> str:
    await pbx.enable("1001")
    call_id = await pbx.control.place_call(number)
    await bus.wait_call_event(call_id, "operator.answered")
    await pbx.control.hangup(call_id)
    await bus.wait_call_event(call_id, "call.ended")
    return call_id


async def _three_way(pbx: Pbx, bus: Bus, number: str) -> str:
    await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5)
    await pbx.enable("2001", answer_after_s=0.5)
    call_id = await pbx.control.place_call(number)
    await bus.wait_call_event(call_id, "transfer.connected", 30)
    await pbx.control.hangup(call_id)
    await bus.wait_call_event(call_id, "call.ended")
    return call_id


async def _exactly_once(router: RouterUnderTest, call_ids: list[str]) -> None:
    await router.redis.connection_pool.disconnect()  # the test's own, if Redis restarted
    records = {c: await router.record(c) for c in call_ids}
    day = records[call_ids[0]]["day"]
    reader = MetricsReader(router.redis, Keys(router.settings.redis.namespace))
    checked, differences = await reader.verify(day)
    assert (checked, differences) == (len(call_ids), [])
    assert (router.service.recorder.stats.records_written,
            router.service.recorder.stats.records_duplicate) == (len(call_ids), 0)


async def test_oom_and_readonly_replies_hold_records_until_redis_takes_writes_again(
    lab: Lab, pbx: Pbx, router: RouterUnderTest, bus: Bus, admin: aioredis.Redis
) -> None:
    stats = router.service.recorder.stats
    try:
        await admin.config_set("maxmemory", 1)  # noeviction: every write is refused
        first = await _handled_by_operator(pbx, bus, "13866660001")
        await until(lambda: stats.last_error == "OutOfMemoryError", 15, "an OOM reply")
        assert await router.redis.get(f"{router.keys_prefix}:call:{first}") is None

        await admin.config_set("maxmemory", 0)
        await admin.replicaof("127.0.0.1", "1")  # a replica of nothing: read-only
        await until(lambda: stats.last_error == "ReadOnlyError", 15, "a READONLY reply")
        # the call path never waits for Redis: a transfer goes through meanwhile
        second = await _three_way(pbx, bus, "13866660002")
        assert router.service.recorder.backlog > 0
    finally:
        await admin.config_set("maxmemory", 0)
        await admin.replicaof("NO", "ONE")
    await _exactly_once(router, [first, second])
    assert stats.connected


async def test_redis_killed_and_loading_its_aof_loses_no_record_and_counts_none_twice(
    lab: Lab, pbx: Pbx, router: RouterUnderTest, bus: Bus, admin: aioredis.Redis
) -> None:
    before = await _handled_by_operator(pbx, bus, "13866660003")
    await router.record(before)  # acknowledged by Redis before the crash

    # slow the reload down enough for LOADING to be answered to the router's retries
    # (about 6 s in all: longer than its longest back-off between retries, 5 s)
    await admin.bgrewriteaof()
    await eventually(lambda: _rewritten(admin), 30, "the AOF rewrite")
    delay_us = max(1, 6_000_000 // max(1, await admin.dbsize()))
    await admin.config_set("key-load-delay", delay_us)
    await admin.config_rewrite()
    try:
        await asyncio.to_thread(lab.kill_service, "redis")
        during = await _handled_by_operator(pbx, bus, "13866660004")
        await asyncio.to_thread(lab.start_service, "redis")
        replies = await _replies_until_writable(admin)
        assert "LOADING" in replies  # the test's own probe: the precondition
    finally:
        await admin.config_set("key-load-delay", 0)
        await admin.config_rewrite()
    await _exactly_once(router, [before, during])
    # the router's own writes were answered LOADING, held, and written after it
    assert router.service.recorder.stats.errors["BusyLoadingError"] >= 1


async def _rewritten(admin: aioredis.Redis) -> bool | None:
    info = await admin.info("persistence")
    return None if info["aof_rewrite_in_progress"] or info["aof_rewrite_scheduled"] else True


async def _replies_until_writable(admin: aioredis.Redis) -> list[str]:
    """What a write gets from the restarted Redis, polled until it is accepted."""
    replies: list[str] = []
    async with asyncio.timeout(60):
        while True:
            try:
                await admin.set("lab:probe", "1")
            except redis_errors.BusyLoadingError:
                replies.append("LOADING")
            except redis_errors.ConnectionError:
                replies.append("refused")
            else:
                return replies
            await asyncio.sleep(0.05)
