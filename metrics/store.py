"""Reading the metrics back: day counters, records, and the exactly-once proof.

``verify`` recomputes every record-derived counter of a day from that day's per-call
records with the writer's own counting and compares it with what Redis holds, day and
hour hashes alike: a difference means a call was counted twice or not at all. ``audit``
does the same with the independent oracle (metrics.audit): a difference there means a
counter's rule was wrong.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Container
from dataclasses import dataclass
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from metrics.audit import AUDITED, audit
from metrics.counters import COUNTERS, recompute
from metrics.keys import Keys
from metrics.records import CallRecord

__all__ = ["Difference", "MetricsReader", "MetricsUnavailable"]


class MetricsUnavailable(Exception):
    """Redis could not be read."""


@dataclass(frozen=True, slots=True)
class Difference:
    key: str
    counter: str
    stored: int
    recomputed: int


class MetricsReader:
    def __init__(self, client: aioredis.Redis, keys: Keys) -> None:
        self._redis = client
        self._keys = keys

    async def ping(self) -> bool:
        try:
            return bool(await self._redis.ping())
        except (RedisError, OSError):
            return False

    async def counters(self, day: str, scope: str) -> dict[str, int]:
        try:
            raw = await self._redis.hgetall(self._keys.day(day, scope))
        except RedisError as exc:
            raise MetricsUnavailable(str(exc)) from exc
        return {str(k): int(v) for k, v in raw.items()}

    async def scopes(self, day: str) -> list[str]:
        prefix = self._keys.day(day, "")
        try:
            found = [str(key)[len(prefix):] async for key in
                     self._redis.scan_iter(match=prefix + "*", count=500)]
        except RedisError as exc:
            raise MetricsUnavailable(str(exc)) from exc
        return sorted(found)

    async def alerts(self, unit: str) -> dict[str, str]:
        """The unit's standards alert hash (``connection_rate``: ``1`` raised, ...)."""
        try:
            raw = await self._redis.hgetall(self._keys.alerts(unit))
        except RedisError as exc:
            raise MetricsUnavailable(str(exc)) from exc
        return {str(k): str(v) for k, v in raw.items()}

    async def journal(self) -> dict[str, str]:
        """The call journal: call id -> JSON entry (router.core.journal)."""
        try:
            raw = await self._redis.hgetall(self._keys.journal())
        except RedisError as exc:
            raise MetricsUnavailable(str(exc)) from exc
        return {str(k): v if isinstance(v, str) else v.decode() for k, v in raw.items()}

    async def records(self, day: str) -> list[CallRecord]:
        return [CallRecord.from_json(raw) for raw in await self._stored_records(day)]

    async def raw_records(self, day: str) -> list[dict[str, Any]]:
        """The day's per-call records as the JSON they are stored as."""
        return [json.loads(raw) for raw in await self._stored_records(day)]

    async def _stored_records(self, day: str) -> list[str]:
        try:
            ids = sorted(await self._redis.smembers(self._keys.calls_of_day(day)))
            raws = await self._redis.mget([self._keys.call(str(i)) for i in ids]) if ids else []
        except RedisError as exc:
            raise MetricsUnavailable(str(exc)) from exc
        return [raw if isinstance(raw, str) else raw.decode() for raw in raws if raw]

    async def verify(self, day: str) -> tuple[int, list[Difference]]:
        """(records checked, differences) for every record-derived counter of ``day``,
        recomputed by the writer's own counting: each call counted once."""
        records = await self.records(day)
        wanted: dict[str, dict[str, int]] = {}
        for (d, scope, name, hour), value in recompute(records).items():
            key = self._keys.day(d, scope) if hour < 0 else self._keys.hour(d, hour, scope)
            wanted.setdefault(key, {})[name] = value
        return len(records), await self._compare(day, wanted, COUNTERS)

    async def audit(self, day: str) -> tuple[int, list[Difference]]:
        """(records audited, differences), the counters recomputed by the independent
        oracle (metrics.audit): each call counted right."""
        records = await self.raw_records(day)
        wanted: dict[str, dict[str, int]] = {}
        for (scope, hour, name), value in audit(records).items():
            key = self._keys.day(day, scope) if hour < 0 else self._keys.hour(day, hour, scope)
            wanted.setdefault(key, {})[name] = value
        return len(records), await self._compare(day, wanted, AUDITED)

    async def _compare(self, day: str, wanted: dict[str, dict[str, int]],
                       names: Container[str]) -> list[Difference]:
        """What the day's and hours' hashes hold against ``wanted``, for ``names``."""
        differences: list[Difference] = []
        try:
            stored_keys = [str(k) async for k in self._redis.scan_iter(
                match=f"{self._keys.prefix}:*:{day}*", count=500)]
            keys = {k for k in stored_keys if f":day:{day}:" in k or f":hour:{day}T" in k}
            for key in sorted(keys | set(wanted)):
                raw = await self._redis.hgetall(key)
                stored = Counter({str(k): int(v) for k, v in raw.items() if str(k) in names})
                want = wanted.get(key, {})
                differences.extend(
                    Difference(key, name, stored.get(name, 0), want.get(name, 0))
                    for name in sorted(set(stored) | set(want))
                    if stored.get(name, 0) != want.get(name, 0))
        except RedisError as exc:
            raise MetricsUnavailable(str(exc)) from exc
        return differences
