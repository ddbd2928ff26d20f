"""After-hours sub-urgent tickets on the real lab: made once, stored before announced,
delivered through broker outages and router crashes, swept when overdue."""

from __future__ import annotations

import asyncio
import json
import signal
import time
from pathlib import Path
from typing import Any

import aiomqtt
import pytest

from router.ami.client import AmiAction
from router.core.commands import CreateTicket
from router.lab.lab import Lab
from router.tickets.lifecycle import TicketStatus
from router.tickets.store import TicketStore
from tests.support.lab import (
    CLOSED_ALWAYS,
    Bus,
    Pbx,
    RouterUnderTest,
    fast_catalogue,
    router_env,
    router_process,
)
from tests.support.waiting import Recorder, eventually, until


@pytest.fixture
def catalogue_path(tmp_path: Path) -> Path:
    """Every unit is outside its working time."""
    return fast_catalogue(tmp_path, hours=CLOSED_ALWAYS)


def _store(router: RouterUnderTest) -> TicketStore:
    return router.service.tickets.store


async def test_after_hours_a_request_makes_one_ticket_the_caller_hears_and_the_unit_receives(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5)
    call_id = await pbx.control.place_call("13877770001")
    connect = await pbx.events.wait_for(
        pbx.event("AgentConnect", Queue="hotline-operators", Uniqueid=call_id))

    created = await bus.wait_call_event(call_id, "ticket.created")
    ticket_id = created["data"]["ticket_id"]
    # the operator's *5 heard "ticket" (two beeps), not a transfer
    await pbx.events.wait_for(pbx.event("VarSet", Channel=connect.get("DestChannel") or "",
                                        Variable="HOTLINE_REPLY", Value="ticket"))
    _, published = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/units/tax/tickets", what="the unit's ticket")
    assert {k: published[k] for k in ("event", "id", "matter", "unit", "reason", "status",
                                      "caller_number", "operator")} == {
        "event": "ticket.created", "id": ticket_id, "matter": "101", "unit": "tax",
        "reason": "after_hours", "status": "open", "caller_number": "13877770001",
        "operator": "1001"}

    # the operator leaves: the caller hears the ticket number and the callback day
    await pbx.control.hangup(connect.get("DestChannel") or "")
    announced = await bus.wait_call_event(call_id, "ticket.announced")
    assert announced["data"] == {"ticket_id": ticket_id}
    ended = await bus.wait_call_event(call_id, "call.ended")
    assert ended["data"] == {"outcome": "after_hours_ticket"}
    assert [t.id for t in _store(router).search()] == [ticket_id]
    record = await router.record(call_id)
    assert (record["ticket_id"], record["ticket_reason"], record["transfer_requested"]) == (
        ticket_id, "after_hours", False)


async def test_a_broker_outage_delays_the_ticket_and_loses_nothing(
    lab: Lab, pbx: Pbx, router: RouterUnderTest
) -> None:
    topic = f"{router.settings.mqtt.topic_prefix}/v1/units/market/tickets"
    received: Recorder[dict[str, Any]] = Recorder()
    subscribed = asyncio.Event()

    async def subscriber() -> None:
        # a persistent session: the broker keeps what arrives while the unit is offline
        while True:
            try:
                async with aiomqtt.Client("127.0.0.1", lab.instance.ports.mqtt,
                                          identifier="unit-market-system",
                                          clean_session=False) as client:
                    await client.subscribe(topic, qos=1)
                    subscribed.set()
                    async for message in client.messages:
                        await received.add(json.loads(message.payload))  # type: ignore[arg-type]
            except aiomqtt.MqttError:
                await asyncio.sleep(0.2)

    watcher = asyncio.create_task(subscriber(), name="unit-system")
    try:
        await until(lambda: router.service.bus.stats.connected, 10, "router on the broker")
        async with asyncio.timeout(10):
            await subscribed.wait()  # the unit's session exists before the outage
        await asyncio.to_thread(lab.stop_service, "mosquitto")
        await until(lambda: not router.service.bus.stats.connected, 10, "broker gone")

        await pbx.enable("1001", transfer_matter="201", transfer_after_s=0.5)
        call_id = await pbx.control.place_call("13877770002")
        await until(lambda: _store(router).search(), 15, "the ticket stored")
        (ticket,) = _store(router).search()
        assert ticket.call_id == call_id
        assert len(_store(router).pending()) == 1  # stored, not yet delivered

        await asyncio.to_thread(lab.start_service, "mosquitto")
        first = await received.wait_for(lambda p: p["id"] == ticket.id, 20, "the ticket")
        assert first["event"] == "ticket.created"
        await until(lambda: not _store(router).pending(), 10, "outbox delivered")
    finally:
        watcher.cancel()
    assert [p["id"] for p in received.items] == [ticket.id]


async def test_the_sweeper_marks_a_ticket_overdue_at_its_due_time_and_escalates(
    router: RouterUnderTest, bus: Bus
) -> None:
    draft = CreateTicket("x", "x/301", time.time(), "301", "hrss", "huangpu", 1, "1001",
                        "13877770003", "after_hours", time.time() + 0.5)
    ticket, _ = _store(router).create(draft)

    _, escalation = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/units/hrss/escalations", 10, "the escalation")
    assert (escalation["event"], escalation["id"], escalation["status"]) == (
        "ticket.overdue", ticket.id, "overdue")
    overdue = _store(router).get(ticket.id)
    assert overdue is not None
    assert overdue.status is TicketStatus.OVERDUE
    assert overdue.overdue_at is not None
    assert overdue.overdue_at >= ticket.due_at
    assert router.service.tickets.stats.overdue == 1


async def test_the_units_system_moves_its_ticket_along_and_illegal_steps_are_refused(
    router: RouterUnderTest, bus: Bus
) -> None:
    ticket, _ = _store(router).create(CreateTicket(
        "y", "y/401", time.time(), "401", "hpf", "huangpu", 1, "1001", "13877770004",
        "after_hours", time.time() + 3600))
    commands = f"{bus.prefix}/v1/units/hpf/ticket-commands"
    replies = f"{bus.prefix}/v1/units/hpf/ticket-replies"
    for n, (action, expected) in enumerate([
        ("close", {"accepted": False, "reason": "illegal_transition", "status": "open",
                   "detail": "a ticket is closed only after the enterprise was contacted"}),
        ("ack", {"accepted": True, "reason": "accepted", "status": "acknowledged"}),
        ("contacted", {"accepted": True, "reason": "accepted", "status": "contacted"}),
        ("close", {"accepted": True, "reason": "accepted", "status": "closed"}),
    ]):
        await bus.publish(commands, {"v": 1, "action": action, "ticket_id": ticket.id,
                                     "request_id": f"u-{n}"})
        _, reply = await bus.messages.wait_for(
            lambda m, rid=f"u-{n}": m[0] == replies and m[1]["request_id"] == rid)
        assert reply == {"v": 1, "request_id": f"u-{n}", **expected}
    await bus.publish(f"{bus.prefix}/v1/units/tax/ticket-commands",
                      {"v": 1, "action": "ack", "ticket_id": ticket.id, "request_id": "u-x"})
    _, foreign = await bus.messages.wait_for(
        lambda m: m[0].endswith("/units/tax/ticket-replies"), what="another unit's reply")
    assert foreign == {"v": 1, "request_id": "u-x", "accepted": False,
                       "reason": "unknown_ticket"}


def _is_ticket_reply(event: Any, connect: Any) -> bool:
    """The router's answer "ticket" set on the seat's channel."""
    return bool(event.event == "VarSet" and event.get("Variable") == "HOTLINE_REPLY"
                and event.get("Value") == "ticket"
                and event.get("Channel") == (connect.get("DestChannel") or ""))


async def test_a_router_killed_right_after_the_request_loses_no_ticket_and_makes_no_duplicate(
    lab: Lab, pbx: Pbx, tmp_path: Path, catalogue_path: Path
) -> None:
    db = tmp_path / "tickets.sqlite3"
    env = router_env(lab, catalogue_path, db, "killed")
    prefix = env["ROUTER_MQTT__TOPIC_PREFIX"]
    store = TicketStore(db, lambda kind, unit: f"{prefix}/v1/units/{unit}/{kind}")

    first = await router_process(env, tmp_path / "router.log")
    await pbx.enable("1001", transfer_matter="105", transfer_after_s=0.5)
    call_id = await pbx.control.place_call("13877770005")
    connect = await pbx.events.wait_for(
        pbx.event("AgentConnect", Queue="hotline-operators", Uniqueid=call_id))
    await until(store.search, 15, "the ticket stored")
    first.kill()  # right after the request: SIGKILL, no goodbye
    await first.wait()
    (ticket,) = store.search()

    # adopts the live call on its first resync
    second = await router_process(env, tmp_path / "router.log")
    try:
        # the seat asks again (it may have heard nothing): the same ticket, not a new one
        seat_phone = (connect.get("DestChannel") or "").replace(";1", ";2")
        def answers() -> int:
            return sum(_is_ticket_reply(e, connect) for e in pbx.events.items)

        before = answers()
        for attempt in range(3):
            # keys pressed while the seat's *5 feature still waits for (or plays) the first
            # answer are swallowed by it: the seat presses again, as a person would
            for digit in "*5105#":
                await pbx.ami.send(AmiAction("PlayDTMF", (
                    ("Channel", seat_phone), ("Digit", digit), ("Duration", "120"))))
            try:
                await until(lambda: answers() > before, 7, "the second answer")
                break
            except AssertionError:
                if attempt == 2:
                    raise
        await until(lambda: not store.pending(), 15, "the outbox delivered")
        assert [t.id for t in store.search()] == [ticket.id]
        assert [h["action"] for h in store.history(ticket.id)] == ["create"]
    finally:
        second.send_signal(signal.SIGTERM)
        await second.wait()


async def test_a_router_killed_before_the_ticket_is_stored_stores_it_once_after_the_restart(
    lab: Lab, pbx: Pbx, tmp_path: Path, catalogue_path: Path
) -> None:
    """The store is held locked by the test, so the router cannot have stored the ticket
    when it is killed: the decision lives only in the call journal. The next router asks
    the store again with the same idempotency key; one ticket, delivered once."""
    import sqlite3  # noqa: PLC0415

    import redis.asyncio as aioredis  # noqa: PLC0415

    db = tmp_path / "tickets.sqlite3"
    env = router_env(lab, catalogue_path, db, "before-store")
    prefix = env["ROUTER_MQTT__TOPIC_PREFIX"]
    store = TicketStore(db, lambda kind, unit: f"{prefix}/v1/units/{unit}/{kind}")
    journal = aioredis.Redis.from_url(env["ROUTER_REDIS__URL"], decode_responses=True)
    key = f"{env['ROUTER_REDIS__NAMESPACE']}:v1:journal"
    first = await router_process(env, tmp_path / "router.log")
    lock = sqlite3.connect(db, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # no writer but this one until it ends
    try:
        await pbx.enable("1001", transfer_matter="105", transfer_after_s=0.5)
        call_id = await pbx.control.place_call("13877770006")

        async def ordered() -> object | None:
            entry = await journal.hget(key, call_id)
            return (json.loads(entry)["call"]["ticket_order"] or None) if entry else None

        await eventually(ordered, 15, "the ticket decided in the journal")
    finally:
        if first.returncode is None:  # on every path: a live router would act on the lab
            first.kill()
            await first.wait()
        lock.execute("ROLLBACK")
        lock.close()
    try:
        assert store.search() == []  # killed before the ticket was stored

        second = await router_process(env, tmp_path / "router.log")
        try:
            await until(store.search, 15, "the ticket stored by the second router")
            await until(lambda: not store.pending(), 15, "the outbox delivered")
            (ticket,) = store.search()
            assert (ticket.call_id, ticket.idempotency_key, ticket.unit) == (
                call_id, f"{call_id}/105", "tax")
            assert [h["action"] for h in store.history(ticket.id)] == ["create"]
        finally:
            second.send_signal(signal.SIGTERM)
            await second.wait()
    finally:
        await journal.aclose()
