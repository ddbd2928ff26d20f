"""Hostile payloads on every command topic of the real broker: each is refused with a
reason on its replies topic, and the router answers a normal transfer right after."""

from __future__ import annotations

import json

from tests.support.lab import Bus, Pbx, RouterUnderTest

NESTED_MATTER = (b'{"v": 1, "action": "transfer", "request_id": "evil-1", "matter": '
                 + b"[" * 1500 + b"]" * 1500 + b"}")


async def _reply(bus: Bus, topic: str, request_id: str | None, nth: int = 1
                 ) -> dict[str, object]:
    """The ``nth`` reply on ``topic`` carrying ``request_id`` (None: a payload refused
    before its request id could be read)."""
    def match(m: tuple[str, dict[str, object]]) -> bool:
        return m[0] == topic and m[1].get("request_id") == request_id

    await bus.messages.wait_for(lambda _m: len(bus.messages.matching(match)) >= nth,
                                what=f"reply {nth} on {topic}")
    return dict(bus.messages.matching(match)[nth - 1][1])


async def test_nested_huge_and_unknown_payloads_are_refused_and_routing_goes_on(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    p = bus.prefix
    await pbx.enable("1002")
    await pbx.enable("2101", answer_after_s=0.5)
    call_id = await pbx.control.place_call("13900002222", menu="1")
    await bus.wait_call_event(call_id, "operator.answered")

    await bus.publish(f"{p}/v1/operators/1002/commands", b"[" * 5000)
    assert await _reply(bus, f"{p}/v1/operators/1002/replies", None) == {
        "v": 1, "request_id": None, "accepted": False, "reason": "invalid_command",
        "errors": ["payload is 5000 bytes; the limit is 4096"]}
    await bus.publish(f"{p}/v1/operators/1002/commands", NESTED_MATTER)
    assert (await _reply(bus, f"{p}/v1/operators/1002/replies", None, 2))["errors"] == [
        "payload nests deeper than 4 levels"]
    await bus.publish(f"{p}/v1/specialists/2101/commands", b'{"v": 1, "action": ' + b"{" * 900)
    assert (await _reply(bus, f"{p}/v1/specialists/2101/replies", None))["errors"] == [
        "payload nests deeper than 4 levels"]
    await bus.publish(f"{p}/v1/units/tax/ticket-commands", b"[" * 3000)
    assert (await _reply(bus, f"{p}/v1/units/tax/ticket-replies", None))["errors"] == [
        "payload nests deeper than 4 levels"]
    padded = json.dumps({"v": 1, "action": "reload", "request_id": "adm-9",
                         "pad": "x" * 1_000_000}).encode()
    await bus.publish(f"{p}/v1/admin/commands", padded)
    assert (await _reply(bus, f"{p}/v1/admin/replies", None))["errors"] == [
        f"payload is {len(padded)} bytes; the limit is 512"]
    await bus.publish(f"{p}/v1/admin/commands",
                      {"v": 1, "action": "reload", "request_id": "adm-10", "force": True})
    assert (await _reply(bus, f"{p}/v1/admin/replies", "adm-10"))["errors"] == [
        "force: Extra inputs are not permitted"]

    # and the next, ordinary transfer is served
    await bus.publish(f"{p}/v1/operators/1002/commands",
                      {"v": 1, "action": "transfer", "request_id": "desk-2", "matter": "201"})
    reply = await _reply(bus, f"{p}/v1/operators/1002/replies", "desk-2")
    assert (reply["accepted"], reply["reason"]) == (True, "accepted")
    connected = await bus.wait_call_event(call_id, "transfer.connected")
    assert connected["data"]["specialist"] == "2101"
    assert (router.service.bus.stats.command_errors, router.service.inbox.rejected) == (
        0, 3)
