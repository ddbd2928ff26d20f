"""Reading the metrics back: day counters, records, and the exactly-once proof.

``verify`` recomputes every record-derived counter of a day from that day's per-call
records and compares it with what Redis holds, day and hour hashes alike: a difference
means a call was counted twice or not at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import redis.asyncio as aioredis
from redis.exceptions import RedisError

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
        try:
            ids = sorted(await self._redis.smembers(self._keys.calls_of_day(day)))
            raws = await self._redis.mget([self._keys.call(str(i)) for i in ids]) if ids else []
        except RedisError as exc:
            raise MetricsUnavailable(str(exc)) from exc
        return [CallRecord.from_json(raw if isinstance(raw, str) else raw.decode())
                for raw in raws if raw]

    async def verify(self, day: str) -> tuple[int, list[Difference]]:
        """(records checked, differences) for every record-derived counter of ``day``."""
        records = await self.records(day)
        expected = recompute(records)
        wanted: dict[str, dict[str, int]] = {}
        for (d, scope, name, hour), value in expected.items():
            key = self._keys.day(d, scope) if hour < 0 else self._keys.hour(d, hour, scope)
            wanted.setdefault(key, {})[name] = value
        stored_keys = [str(k) async for k in self._redis.scan_iter(
            match=f"{self._keys.prefix}:*:{day}*", count=500)]
        keys = {k for k in stored_keys if f":day:{day}:" in k or f":hour:{day}T" in k}
        keys |= set(wanted)
        differences: list[Difference] = []
        try:
            for key in sorted(keys):
                raw = await self._redis.hgetall(key)
                stored = Counter({str(k): int(v) for k, v in raw.items() if str(k) in COUNTERS})
                want = wanted.get(key, {})
                differences.extend(
                    Difference(key, name, stored.get(name, 0), want.get(name, 0))
                    for name in sorted(set(stored) | set(want))
                    if stored.get(name, 0) != want.get(name, 0))
        except RedisError as exc:
            raise MetricsUnavailable(str(exc)) from exc
        return len(records), differences
