"""The benchmarks' own lab (name "bench", ports from 27000) and an in-process router on it."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

from pydantic import SecretStr

from bench.common import BENCH_LAB_PORT_BASE
from router.app import build_service
from router.config import (
    AmiSettings,
    CatalogueSettings,
    HttpSettings,
    LogSettings,
    MqttSettings,
    RedisSettings,
    Settings,
    TicketSettings,
    default_lab_home,
)
from router.lab.lab import Lab
from router.log import configure_logging
from router.service import Service


@contextlib.contextmanager
def bench_lab() -> Iterator[Lab]:
    lab = Lab(default_lab_home(), "bench", BENCH_LAB_PORT_BASE, say=print)
    lab.up()
    try:
        yield lab
    finally:
        lab.down()


def bench_settings(lab: Lab, catalogue: Path, tmp: Path) -> Settings:
    inst = lab.instance
    ns = f"bench{uuid.uuid4().hex[:6]}"
    return Settings(
        ami=AmiSettings(port=inst.ports.ami, secret=SecretStr(inst.secret("ami_secret"))),
        redis=RedisSettings(url=f"redis://127.0.0.1:{inst.ports.redis}/0", namespace=ns),
        mqtt=MqttSettings(port=inst.ports.mqtt, topic_prefix=f"bench/{ns}", client_id=ns),
        catalogue=CatalogueSettings(path=catalogue),
        tickets=TicketSettings(db_path=tmp / "tickets.sqlite3"),
        http=HttpSettings(enabled=False),
        log=LogSettings(format="json", level="warning"),
    )


@contextlib.asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Service]:
    import asyncio  # noqa: PLC0415

    configure_logging("json", settings.log.level)
    service = build_service(settings)
    task = asyncio.create_task(service.run(), name="router-under-bench")
    try:
        async with asyncio.timeout(20):
            await service.ready.wait()
        yield service
    finally:
        service.request_stop()
        await task


def temp_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="hotline-bench-"))
