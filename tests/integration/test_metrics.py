"""A batch of calls with known outcomes on the real lab gives exactly the expected counters,
report and Prometheus figures; a Redis restart in the middle loses nothing."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from router.lab.lab import Lab
from tests.support.lab import DEFAULT_CATALOGUE, OPEN_ALWAYS, Bus, Pbx, RouterUnderTest
from tests.support.waiting import until


@pytest.fixture
def catalogue_path(tmp_path: Path) -> Path:
    """Every unit open, except the commerce commission (after hours)."""
    data = yaml.safe_load(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    for unit_id, unit in data["units"].items():
        unit["ring_timeout_s"] = 5
        unit["hours"] = {"days": "working_days", "periods": []} if unit_id == "commerce" \
            else OPEN_ALWAYS
    path = tmp_path / "catalogue.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def _transfer(pbx: Pbx, bus: Bus, number: str, matter: str, **parties: dict[str, Any]
                    ) -> str:
    await pbx.reset()
    # the seat leaves 5 s after answering: by then the specialist is in the call
    await pbx.enable("1001", transfer_matter=matter, transfer_after_s=0.5, talk_s=5)
    for extension, behaviour in parties.items():
        if behaviour.pop("busy", False):
            await pbx.control.device_state(extension.lstrip("_"), "INUSE")
        else:
            await pbx.enable(extension.lstrip("_"), **behaviour)
    return await pbx.control.place_call(number)


async def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "router", *args, env={**os.environ, **env},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, (out + err).decode()


async def _get(port: int, path: str) -> str:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
    body = (await reader.read()).decode()
    writer.close()
    return body.split("\r\n\r\n", 1)[1]


async def test_a_batch_of_known_calls_gives_exact_counters_report_and_prometheus_values(
    lab: Lab, pbx: Pbx, router: RouterUnderTest, bus: Bus, catalogue_path: Path
) -> None:
    # 1. answered, then "resolved, satisfied"
    one = await _transfer(pbx, bus, "13899990001", "101", _2001={"answer_after_s": 0.5,
                                                                   "talk_s": 4})
    await pbx.answer_survey(one, "1", "1")
    await bus.wait_call_event(one, "call.ended", 30)
    # 2. overflowed past a busy team, then "not resolved, dissatisfied": a bad review
    two = await _transfer(pbx, bus, "13899990002", "105", _2001={"busy": True},
                          _2002={"busy": True}, _2006={"answer_after_s": 0.5, "talk_s": 4})
    await pbx.answer_survey(two, "2", "3")
    await bus.wait_call_event(two, "call.ended", 30)

    # Redis goes away in the middle of the batch
    await asyncio.to_thread(lab.stop_service, "redis")
    # 3. the caller hangs up while the department rings
    three = await _transfer(pbx, bus, "13899990003", "301", _2201={"mode": "noanswer"})
    await bus.wait_call_event(three, "transfer.leg_started")
    await pbx.control.hangup(three)
    await bus.wait_call_event(three, "call.ended")
    await until(lambda: router.service.recorder.backlog > 0, 10, "metrics buffered")
    await asyncio.to_thread(lab.start_service, "redis")

    # 4. after hours at the commerce commission: a ticket
    four = await _transfer(pbx, bus, "13899990004", "501")
    await bus.wait_call_event(four, "ticket.created")
    await pbx.control.hangup(four)
    await bus.wait_call_event(four, "call.ended")
    # 5. the provident fund and the back office are all busy: the chain fails, a ticket
    five = await _transfer(pbx, bus, "13899990005", "401", _2301={"busy": True},
                           _2901={"busy": True})
    await bus.wait_call_event(five, "ticket.created")
    await pbx.control.hangup(five)
    await bus.wait_call_event(five, "call.ended")
    await router.settled()

    prefix = router.keys_prefix
    day = (await router.record(one))["day"]

    async def day_hash(scope: str) -> dict[str, str]:
        raw = await router.redis.hgetall(f"{prefix}:day:{day}:{scope}")
        return {k: v for k, v in raw.items() if not k.startswith(("wait_", "talk_"))}

    assert await day_hash("unit:tax") == {
        "calls": "2", "requests": "2", "connected": "2", "three_way": "2",
        "overflow_attempted": "1", "overflow_connected": "1",
        "survey_resolution_answered": "2", "resolved": "1",
        "unresolved": "1", "survey_satisfaction_answered": "2", "satisfied": "1",
        "dissatisfied": "1", "bad_reviews": "1"}
    assert await day_hash("unit:hrss") == {
        "calls": "1", "requests": "1", "abandoned_during_transfer": "1"}
    assert await day_hash("unit:commerce") == {
        "calls": "1", "after_hours": "1", "tickets_created": "1"}
    assert await day_hash("unit:hpf") == {
        "calls": "1", "requests": "1", "transfer_failed": "1", "tickets_created": "1"}
    assert await router.redis.smembers(f"{prefix}:bad-reviews:{day}") == {two}

    env = {"ROUTER_REDIS__URL": router.settings.redis.url,
           "ROUTER_REDIS__NAMESPACE": router.settings.redis.namespace,
           "ROUTER_CATALOGUE__PATH": str(catalogue_path)}
    code, out = await _cli(env, "metrics", "verify", "--date", day)
    assert (code, out.strip().splitlines()[-1]) == (0, f"{day}: 5 call records, 0 differences")
    audited = f"{day}: 5 call records audited by the independent oracle"
    code, out = await _cli(env, "metrics", "audit", "--date", day)
    assert (code, out.strip().splitlines()[-1]) == (0, f"{audited}, 0 differences")

    # a writer whose bad-review rule were wrong: call two's record says no bad review and
    # its counters agree with it. Replaying the writer finds nothing; the oracle, which
    # reads the survey answers ("unresolved", "dissatisfied"), finds each of the six hashes
    bad = json.loads(await router.redis.get(f"{prefix}:call:{two}") or "{}")
    bad["bad_review"] = False
    await router.redis.set(f"{prefix}:call:{two}", json.dumps(bad))
    planted = [f"{prefix}:{kind}:{scope}" for scope in ("total", "unit:tax", "matter:105")
               for kind in (f"day:{day}", f"hour:{day}T{bad['hour']:02d}")]
    for key in planted:
        await router.redis.hincrby(key, "bad_reviews", -1)
    code, out = await _cli(env, "metrics", "verify", "--date", day)
    assert (code, out.strip().splitlines()[-1]) == (0, f"{day}: 5 call records, 0 differences")
    code, out = await _cli(env, "metrics", "audit", "--date", day)
    assert code == 1
    assert out.strip().splitlines() == [
        *sorted(f"{key} bad_reviews: stored 0, records say 1" for key in planted),
        f"{audited}, 6 differences"]
    for key in planted:  # put it back for what follows
        await router.redis.hincrby(key, "bad_reviews", 1)
    code, out = await _cli(env, "report", "--date", day, "--json")
    report = {row["unit"]: row for row in json.loads(out)["units"]}
    assert code == 0
    assert {k: report["tax"][k] for k in ("requests", "connection_rate", "resolution_rate",
                                          "satisfaction_rate", "bad_reviews")} == {
        "requests": 2, "connection_rate": 1.0, "resolution_rate": 0.5,
        "satisfaction_rate": 0.5, "bad_reviews": 1}
    assert report["tax"]["misses"] == {"connection_rate": False, "resolution_rate": True,
                                       "transfer_success_rate": False,
                                       "satisfaction_rate": True}
    assert (report["hrss"]["connection_rate"], report["hrss"]["misses"]["connection_rate"]) \
        == (0.0, True)

    port = router.service.http.port  # type: ignore[union-attr]
    metrics = await _get(port, "/metrics")
    for line in ('hotline_connection_rate{unit="tax"} 1.0',
                 'hotline_resolution_rate{unit="tax"} 0.5',
                 'hotline_requests_today{unit="hpf"} 1.0',
                 'hotline_tickets_created_today{unit="commerce"} 1.0',
                 'hotline_bad_reviews_today{unit="tax"} 1.0',
                 "hotline_ami_up 1.0"):
        assert line in metrics.splitlines(), line
    health = json.loads(await _get(port, "/health"))
    assert (health["ami_logged_in"], health["redis_reachable"], health["mqtt_connected"]) == (
        True, True, True)
