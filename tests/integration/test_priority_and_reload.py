"""Priority in department queues, and a catalogue reload during a live call."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.lab import Bus, Pbx, RouterUnderTest, fast_catalogue


@pytest.fixture
def catalogue_path(tmp_path: Path) -> Path:
    """Long ring times: a waiting leg must still be waiting when the next one arrives."""
    return fast_catalogue(tmp_path, ring_timeout_s=45)


async def test_a_priority_1_call_overtakes_a_priority_2_call_in_the_same_queue(
    pbx: Pbx, router: RouterUnderTest, bus: Bus
) -> None:
    await pbx.enable("2201", mode="noanswer")  # rings, nobody picks up yet
    await pbx.enable("1001", transfer_matter="301", transfer_after_s=0.5)
    other = await pbx.control.place_call("13833330002", menu="2")  # other consultation
    await pbx.events.wait_for(pbx.event("QueueCallerJoin", Queue="hrss-service",
                                        Uniqueid=f"{other}-L1-b", Position="1"))
    await pbx.enable("1002", transfer_matter="301", transfer_after_s=0.5)
    enterprise = await pbx.control.place_call("13833330001", menu="1")  # enterprise matter

    joined = await pbx.events.wait_for(pbx.event("QueueCallerJoin", Queue="hrss-service",
                                                 Uniqueid=f"{enterprise}-L1-b"))
    assert joined.get("Position") == "1"  # ahead of the priority-2 leg already waiting
    await pbx.control.party("2201")  # the specialist now answers the next ring
    answered = await pbx.events.wait_for(pbx.event("AgentConnect", Queue="hrss-service"),
                                         timeout=30)
    assert answered.get("Uniqueid") == f"{enterprise}-L1-b"
    connected = await bus.wait_call_event(enterprise, "transfer.connected")
    assert connected["data"]["specialist"] == "2201"


async def test_a_reload_during_a_live_call_keeps_its_plan_and_serves_new_calls_with_the_new(
    pbx: Pbx, router: RouterUnderTest, bus: Bus, catalogue_path: Path
) -> None:
    # the live call's first leg rings when the catalogue changes: the invoice team never
    # answers, so its plan goes on after the reload, to the tax backup team
    await pbx.enable("1001", transfer_matter="101", transfer_after_s=0.5)
    await pbx.enable("2001", mode="noanswer")
    await pbx.enable("2006", answer_after_s=0.5)
    await pbx.enable("2003", answer_after_s=0.5)
    live = await pbx.control.place_call("13844440001")
    await bus.wait_call_event(live, "transfer.leg_started")

    # the administrator moves VAT invoices (101) to the registration team, drops the tax
    # backup team from the unit's overflow chain, and reloads
    data = yaml.safe_load(catalogue_path.read_text(encoding="utf-8"))
    data["matters"]["101"]["skill"] = "tax-registration"
    data["units"]["tax"]["overflow"] = ["back-office-general"]
    catalogue_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    await bus.publish(f"{bus.prefix}/v1/admin/commands",
                      {"v": 1, "action": "reload", "request_id": "adm-1"})
    _, reply = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/admin/replies", what="reload reply")
    assert reply == {"v": 1, "request_id": "adm-1", "accepted": True, "reason": "reloaded",
                     "matters": 57, "membership_changes": 0,
                     "changes": ["catalogue: matters changed 101",
                                 "catalogue: units changed tax"]}
    assert not [e for e in bus.call_events(live) if e["kind"] == "transfer.leg_failed"], \
        "the first leg ended before the reload: the test proves nothing"

    # the live call keeps the plan it was given: after the invoice team, the backup team
    # (the new catalogue would have gone to back-office-general)
    connected = await bus.wait_call_event(live, "transfer.connected", 30)
    assert (connected["data"]["queue"], connected["data"]["specialist"]) == (
        "tax-backup", "2006")
    await pbx.control.hangup(live)
    await bus.wait_call_event(live, "call.ended")
    assert [t["queue"] for t in (await router.record(live))["targets"]] == [
        "tax-invoice", "tax-backup"]

    # a new call uses the new catalogue
    await pbx.enable("1002", transfer_matter="101", transfer_after_s=0.5)
    fresh = await pbx.control.place_call("13844440002")
    connected = await bus.wait_call_event(fresh, "transfer.connected")
    assert (connected["data"]["queue"], connected["data"]["specialist"]) == (
        "tax-registration", "2003")

    # an invalid file is refused with its errors; the catalogue in use stays
    data["matters"]["101"]["units"] = ["nowhere"]
    catalogue_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    await bus.publish(f"{bus.prefix}/v1/admin/commands",
                      {"v": 1, "action": "reload", "request_id": "adm-2"})
    _, refused = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/admin/replies" and m[1]["request_id"] == "adm-2",
        what="refusal")
    assert refused == {"v": 1, "request_id": "adm-2", "accepted": False,
                       "reason": "invalid_catalogue",
                       "errors": [f"{catalogue_path}: matters.101.units: unknown unit 'nowhere'"]}
    assert router.service.engine.catalogue.matters["101"].skill == "tax-registration"
