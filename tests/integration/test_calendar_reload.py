"""The yearly procedure on the real lab: the router runs on a provisional year, the
administrator writes the year's notice into the overrides file and reloads, and the year is
official without a restart: the warning clears and new tickets use the notice."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from router.config import CatalogueSettings, ServiceSettings
from router.core.hours import HOTLINE_TZ
from router.lab.lab import Lab
from tests.support.lab import (
    Bus,
    Pbx,
    RouterUnderTest,
    SteppableWall,
    fast_catalogue,
    router_settings,
    running_router,
)
from tests.support.waiting import eventually
from tests.unit.test_calendar import NOTICE_2027
from tests.unit.test_config_files import BOMB

# Monday 8 February 2027, 18:00 in Shanghai: after the units' hours, the evening before the
# provisional calendar's next working day (Tuesday 9; the 2027 notice is not out yet)
MONDAY_EVENING = dt.datetime(2027, 2, 8, 18, 0, tzinfo=HOTLINE_TZ).timestamp()


@pytest.fixture
def catalogue_path(tmp_path: Path) -> Path:
    return fast_catalogue(tmp_path, hours={"days": "working_days",
                                           "periods": ["09:00-17:30"]})


@pytest.fixture
def overrides_path(tmp_path: Path) -> Path:
    path = tmp_path / "calendar.yaml"
    path.write_text("version: 1\n", encoding="utf-8")
    return path


@pytest.fixture
def wall() -> SteppableWall:
    wall = SteppableWall()
    wall.offset_s = MONDAY_EVENING - time.time()
    return wall


@pytest.fixture
async def router(lab: Lab, pbx: Pbx, catalogue_path: Path, overrides_path: Path,
                 wall: SteppableWall) -> AsyncIterator[RouterUnderTest]:
    settings = router_settings(lab, catalogue_path).model_copy(update={
        "catalogue": CatalogueSettings(path=catalogue_path, calendar_overrides=overrides_path),
        "service": ServiceSettings(state_interval_s=0.2, calendar_check_interval_s=0.2)})
    async with running_router(settings, wall) as handle:
        yield handle


async def _ticket_due(pbx: Pbx, bus: Bus, operator: str, caller: str) -> dict[str, object]:
    await pbx.enable(operator, transfer_matter="101", transfer_after_s=0.5)
    call_id = await pbx.control.place_call(caller)
    created = await bus.wait_call_event(call_id, "ticket.created")
    await pbx.control.hangup(call_id)
    await bus.wait_call_event(call_id, "call.ended")
    data: dict[str, object] = created["data"]
    return {k: data[k] for k in ("due", "calendar")}


async def test_adding_the_years_notice_by_reload_makes_it_official_without_a_restart(
    pbx: Pbx, router: RouterUnderTest, bus: Bus, overrides_path: Path
) -> None:
    alert_key = f"{router.keys_prefix}:alerts:calendar"

    async def alert_state() -> str | None:
        await router.settled()
        state: str | None = await router.redis.hget(alert_key, "raised")
        return state

    # provisional: the warning is up (health stays ready), and a ticket made tonight is due
    # on Tuesday, the first working day the statutory days allow
    assert await eventually(alert_state, 10, "the calendar warning") == "1"
    assert await router.redis.hgetall(alert_key) | {"updated_at": ""} == {
        "raised": "1", "first_provisional_day": "2027-02-08", "provisional_days": "61",
        "years": "2027:provisional", "updated_at": ""}
    health = router.service.health()
    assert (health.ready, health.calendar, health.warnings) == (
        True, "provisional", ("calendar_provisional",))
    assert await _ticket_due(pbx, bus, "1001", "13866660001") == {
        "due": "2027-02-09T10:00+08:00", "calendar": "provisional"}

    overrides_path.write_text(NOTICE_2027, encoding="utf-8")
    await bus.publish(f"{bus.prefix}/v1/admin/commands",
                      {"v": 1, "action": "reload", "request_id": "notice-2027"})
    _, reply = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/admin/replies", what="reload reply")
    assert reply == {"v": 1, "request_id": "notice-2027", "accepted": True,
                     "reason": "reloaded", "matters": 57, "membership_changes": 0,
                     "changes": ["2027: provisional → official, 5 days changed"]}
    _, cleared = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/alerts/calendar" and m[1]["state"] == "cleared",
        what="the calendar warning cleared")
    assert (cleared["first_provisional_day"], cleared["years"]) == (None, {"2027": "official"})
    assert await alert_state() == "0"

    # the notice keeps 9-12 February off: the next ticket is due on Monday 15
    assert await _ticket_due(pbx, bus, "1002", "13866660002") == {
        "due": "2027-02-15T10:00+08:00", "calendar": "official"}
    store = router.service.tickets.store
    assert sorted(t.due_local.isoformat() for t in store.search()) == [
        "2027-02-09T10:00:00+08:00", "2027-02-15T10:00:00+08:00"]  # the first kept its due

    # an overrides file that contradicts the law is refused; the notice stays in force
    overrides_path.write_text("version: 1\nyears:\n  2027:\n    workdays: ['2027-10-02']\n",
                              encoding="utf-8")
    await bus.publish(f"{bus.prefix}/v1/admin/commands",
                      {"v": 1, "action": "reload", "request_id": "bad"})
    _, refused = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/admin/replies" and m[1]["request_id"] == "bad",
        what="refusal")
    assert (refused["accepted"], refused["reason"]) == (False, "invalid_calendar")
    assert refused["errors"] == [
        f"{overrides_path}: years.2027.workdays: 2027-10-02 is a holiday (National Day) in "
        "the statutory data; an override adds days and cannot make a holiday a working "
        "day: write the whole year with replace: true to do that"]
    assert router.service.engine.calendar.year_status(2027) == "official"

    # an alias bomb is refused before anything expands it, off the event loop
    overrides_path.write_text(BOMB, encoding="utf-8")
    await bus.publish(f"{bus.prefix}/v1/admin/commands",
                      {"v": 1, "action": "reload", "request_id": "bomb"})
    _, bomb = await bus.messages.wait_for(
        lambda m: m[0] == f"{bus.prefix}/v1/admin/replies" and m[1]["request_id"] == "bomb",
        what="refusal of the bomb")
    assert bomb["errors"] == [f"{overrides_path}: <file>: the document expands to over "
                              "200,000 values (YAML aliases repeated inside aliases?)"]
