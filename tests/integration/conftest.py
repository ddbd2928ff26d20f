"""Fixtures over the real lab. A missing server is a failure, never a skip."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from router.ami.client import AmiClient
from router.config import default_lab_home
from router.lab.control import LabControl
from router.lab.lab import Lab
from tests.support.lab import (
    STARTED_ROUTERS,
    Bus,
    Pbx,
    RouterUnderTest,
    SteppableWall,
    fast_catalogue,
    observe_bus,
    pump_events,
    router_settings,
    running_router,
)

PORT_BASE = int(os.environ.get("HOTLINE_TEST_PORT_BASE", "25000"))


@pytest.fixture(scope="session")
def lab() -> Iterator[Lab]:
    """The test lab (its own name and ports, beside any `make demo` lab)."""
    lab = Lab(default_lab_home(), name="pytest", port_base=PORT_BASE,
              say=print)
    lab.up()
    yield lab
    lab.down()


@pytest.fixture(scope="session")
async def pbx_session(lab: Lab) -> AsyncIterator[Pbx]:
    ami = AmiClient(lab.admin_ami())
    pbx = Pbx(lab, ami, LabControl(ami))
    async with asyncio.TaskGroup() as group:
        link = group.create_task(ami.run(), name="test-ami")
        pump = group.create_task(pump_events(ami, pbx.events), name="test-ami-events")
        async with asyncio.timeout(15):
            await ami.connected.wait()
        yield pbx
        link.cancel()
        pump.cancel()


@pytest.fixture(autouse=True)
def no_router_left_running() -> Iterator[None]:
    """Kill (by PID) any router process the test started and left running, whatever the
    test's outcome: it would act on the next test's calls."""
    yield
    while STARTED_ROUTERS:
        process = STARTED_ROUTERS.pop()
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGKILL)


@pytest.fixture
async def pbx(pbx_session: Pbx) -> Pbx:
    """The PBX with no call in progress and every party logged out."""
    await pbx_session.reset()
    return pbx_session


@pytest.fixture
def catalogue_path(tmp_path: Path) -> Path:
    return fast_catalogue(tmp_path)


@pytest.fixture
def wall() -> SteppableWall:
    return SteppableWall()


@pytest.fixture
async def router(lab: Lab, pbx: Pbx, catalogue_path: Path, wall: SteppableWall
                 ) -> AsyncIterator[RouterUnderTest]:
    async with running_router(router_settings(lab, catalogue_path), wall) as handle:
        yield handle


@pytest.fixture
async def bus(lab: Lab, router: RouterUnderTest) -> AsyncIterator[Bus]:
    async with observe_bus(lab, router.settings.mqtt.topic_prefix) as observer:
        yield observer
