"""The AMI client against a fault-injecting peer. Each test names the panoramisk 1.4 defect
it guards against; each fails on a client without the fix."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from router.ami.client import AmiAction, AmiClient, LinkState
from router.ami.frames import AmiMessage
from router.app import build_service
from router.config import (
    AmiSettings,
    HttpSettings,
    MqttSettings,
    RedisSettings,
    ServiceSettings,
    Settings,
    TicketSettings,
)
from router.errors import AmiLinkLost, AmiLoginError, AmiTimeout
from router.service import Service
from tests.support.fake_ami import SECRET, FakeAmi
from tests.support.lab import logged_events
from tests.support.waiting import until


def _settings(peer: FakeAmi, **overrides: object) -> AmiSettings:
    values: dict[str, object] = {
        "port": peer.port, "secret": SecretStr(SECRET), "action_timeout_s": 1.0,
        "ping_interval_s": 0.2, "ping_timeout_s": 0.3, "reconnect_min_s": 0.05,
        "reconnect_max_s": 0.2, "fully_booted_timeout_s": 2.0,
    }
    values.update(overrides)
    return AmiSettings.model_validate(values)


@pytest.fixture
async def peer() -> AsyncIterator[FakeAmi]:
    fake = FakeAmi()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def client(peer: FakeAmi) -> AsyncIterator[AmiClient]:
    ami = AmiClient(_settings(peer))
    task = asyncio.create_task(ami.run(), name="ami-under-test")
    async with asyncio.timeout(5):
        await ami.connected.wait()
    yield ami
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@contextlib.asynccontextmanager
async def _service_on(peer: FakeAmi, tmp_path: Path) -> AsyncIterator[Service]:
    """The whole service against the fake peer (Redis and MQTT unreachable: it must not care)."""
    settings = Settings(ami=_settings(peer), redis=RedisSettings(url="redis://127.0.0.1:1/0"),
                        mqtt=MqttSettings(port=1),
                        service=ServiceSettings(drain_timeout_s=0.2),
                        tickets=TicketSettings(db_path=tmp_path / "tickets.sqlite3"),
                        http=HttpSettings(enabled=False))
    service = build_service(settings)
    task = asyncio.create_task(service.run(), name="service-under-test")
    try:
        yield service
    finally:
        service.request_stop()
        await task


async def _link_states(ami: AmiClient, count: int) -> list[LinkState]:
    """Read the client's queue until ``count`` link markers have come."""
    states: list[LinkState] = []
    async with asyncio.timeout(5):
        while len(states) < count:
            item = await ami.events.get()
            if isinstance(item, LinkState):
                states.append(item)
    return states


async def test_defect_1_pending_originate_fails_on_link_loss_and_is_never_replayed(
    peer: FakeAmi, client: AmiClient
) -> None:
    peer.silent.add("Originate")
    pending = asyncio.create_task(client.send(AmiAction("Originate", (("Channel", "Local/x"),))))
    await peer.received.wait_for(lambda m: m[1].get("Action") == "Originate")

    peer.drop()

    with pytest.raises(AmiLinkLost):
        await pending
    await _link_states(client, 2)  # up (first login) ... down, then up again
    await until(lambda: client.connected.is_set() and peer.connections == 2, 5, "reconnect")
    await client.send(AmiAction("Ping"))  # the new session works...
    assert [n for n, _ in peer.actions("Originate")] == [1]  # ...and never re-sent Originate


async def test_defect_2_an_unanswered_action_times_out_and_leaves_no_pending_entry(
    peer: FakeAmi, client: AmiClient
) -> None:
    peer.silent.add("Hangup")
    with pytest.raises(AmiTimeout):
        await client.send(AmiAction("Hangup", (("Channel", "x"),), timeout_s=0.2))
    pending = [p.name for p in client._pending.values()]
    assert "Hangup" not in pending
    assert client.stats.timeouts == 1


async def test_defect_3_a_half_open_link_is_noticed_by_the_ping_watchdog(
    peer: FakeAmi, client: AmiClient
) -> None:
    peer.answer_pings = False  # TCP stays open, the peer answers nothing

    states = await _link_states(client, 2)

    assert [s.up for s in states] == [True, False]
    assert "ping unanswered" in states[1].reason
    peer.answer_pings = True
    await until(lambda: client.connected.is_set() and peer.connections == 2, 5, "reconnect")
    assert client.stats.reconnects == 1


async def test_a_pong_late_behind_a_stream_of_events_does_not_drop_a_busy_link(
    peer: FakeAmi, client: AmiClient
) -> None:
    peer.answer_pings = False  # the Pong "waits" while events keep coming

    async def stream() -> None:
        for n in range(40):  # 2 s: four ping rounds of 0.2 s + 0.3 s
            await peer.event(Event="UserEvent", UserEvent="Busy", N=str(n))
            await asyncio.sleep(0.05)

    async with asyncio.timeout(10):
        await stream()
        while (item := await client.events.get()) is not None:
            if isinstance(item, AmiMessage) and item.get("N") == "39":
                break
            assert not isinstance(item, LinkState) or item.up, item  # never dropped while busy
    assert (peer.connections, client.stats.reconnects) == (1, 0)
    assert client.stats.late_pings >= 3
    # once the link goes quiet, an unanswered ping means half-open again
    (state,) = await _link_states(client, 1)
    assert (state.up, "ping unanswered" in state.reason) == (False, True)


async def test_a_reader_held_back_by_a_full_event_queue_keeps_its_link(
    peer: FakeAmi
) -> None:
    ami = AmiClient(_settings(peer, event_queue_size=100))
    task = asyncio.create_task(ami.run(), name="ami-held-back")
    try:
        async with asyncio.timeout(5):
            await ami.connected.wait()
        for n in range(150):  # nobody reads the queue: the reader waits for room
            await peer.event(Event="UserEvent", UserEvent="Backlog", N=str(n))
        await until(lambda: ami.stats.late_pings >= 2, 5, "two late pings")
        assert (peer.connections, ami.stats.reconnects) == (1, 0)
        seen = []
        async with asyncio.timeout(5):
            while len(seen) < 150:
                item = await ami.events.get()
                if isinstance(item, AmiMessage) and item.get("UserEvent") == "Backlog":
                    seen.append(item.get("N"))
        assert seen == [str(n) for n in range(150)]  # in order, none lost
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


async def test_defect_4_utf8_split_across_two_reads_arrives_whole(
    peer: FakeAmi, client: AmiClient
) -> None:
    raw = "Event: UserEvent\r\nUserEvent: Probe\r\nName: 张三\r\n\r\n".encode()
    cut = raw.index("张".encode()) + 1  # inside the first character
    await peer.send(raw[:cut])
    await peer.send(raw[cut:])
    async with asyncio.timeout(5):
        while True:
            item = await client.events.get()
            if isinstance(item, AmiMessage) and item.get("UserEvent") == "Probe":
                break
    assert item.get("Name") == "张三"


async def test_defect_5_a_bad_event_does_not_break_the_link_or_lose_the_rest_of_the_read(
    peer: FakeAmi, tmp_path: Path
) -> None:
    async with _service_on(peer, tmp_path) as service:
        async with asyncio.timeout(5):
            await service.ready.wait()
        # one write: an event the router cannot parse, then a good one
        await peer.send(
            b"Event: UserEvent\r\nUserEvent: HotlineCallEntered\r\nChannel: Local/a;1\r\n\r\n"
            b"Event: UserEvent\r\nUserEvent: HotlineCallEntered\r\nCallId: c-1\r\n"
            b"CallPriority: 1\r\nChannel: Local/b;1\r\nCallerIDNum: 13800000000\r\n\r\n")
        await until(lambda: "c-1" in service.engine.calls, 5, "the good event")
        assert service.stats.parse_errors == 1
        assert service.ami.stats.sessions == 1  # the link never dropped


async def test_defect_6_queue_add_resolves(peer: FakeAmi, client: AmiClient) -> None:
    response = await client.send(AmiAction("QueueAdd", (("Queue", "q"), ("Interface", "x"))))
    assert (response.ok, response.text, response.events) == (
        True, "Added interface to queue", ())


async def test_defect_7_a_refused_login_is_fatal(peer: FakeAmi) -> None:
    ami = AmiClient(_settings(peer, secret=SecretStr("wrong")))
    with pytest.raises(AmiLoginError, match="refused: Authentication failed"):
        async with asyncio.timeout(5):
            await ami.run()


async def test_defect_7_the_service_exits_3_with_the_reason_when_login_is_refused(
    peer: FakeAmi, tmp_path: Path
) -> None:
    env = {"ROUTER_AMI__PORT": str(peer.port), "ROUTER_AMI__SECRET": "wrong",
           "ROUTER_TICKETS__DB_PATH": str(tmp_path / "tickets.sqlite3"),
           "ROUTER_HTTP__ENABLED": "false",
           "ROUTER_REDIS__URL": "redis://127.0.0.1:1/0", "ROUTER_MQTT__PORT": "1",
           "ROUTER_LOG__FORMAT": "json", "PATH": "/usr/bin:/bin", "HOME": "/nonexistent"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "router", "run", env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    async with asyncio.timeout(20):
        _, stderr = await process.communicate()
    assert process.returncode == 3
    assert "ami_login_refused" in logged_events(stderr)
    assert b"Authentication failed" in stderr


async def test_defect_8_every_login_is_followed_by_a_resync(peer: FakeAmi, tmp_path: Path
                                                           ) -> None:
    peer.lists["CoreShowChannels"] = [[
        ("Event", "CoreShowChannel"), ("Channel", "Local/1@x-1;1"), ("Uniqueid", "u-1"),
        ("BridgeId", ""), ("ChanVariable", "HOTLINE_CALL_ID=u-1"),
        ("ChanVariable", "HOTLINE_ROLE=caller")]]
    async with _service_on(peer, tmp_path) as service:
        await until(lambda: "u-1" in service.engine.calls, 5, "call adopted from the snapshot")
        peer.lists["CoreShowChannels"] = []
        peer.drop()
        await until(lambda: service.stats.resyncs == 2, 5, "resync after reconnect")
        await until(lambda: "u-1" not in service.engine.calls, 5, "gone call reconciled")
        assert service.ami.stats.reconnects == 1
        assert [n for n, _ in peer.actions("CoreShowChannels")] == [1, 2]
        assert [n for n, _ in peer.actions("QueueStatus")] == [1, 2]
