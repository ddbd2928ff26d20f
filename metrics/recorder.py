"""The recorder: the only code that writes metrics to Redis.

Nothing on the call path awaits Redis: the service hands records and events over with
``*_nowait`` into a bounded buffer and goes on; one task writes the buffer in pipelined
batches. When Redis is down the buffer holds (bounded; what overflows is counted in
``stats.dropped``) and is written when Redis is back.

Exactly once: a call's record and its counters are written by one Lua script that stores
the record with ``SET NX`` and increments counters only when that set succeeded, so a
retried batch, a resync or a restart that records the same call again counts nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

from metrics.counters import hash_increments, is_max, key_of
from metrics.keys import Keys
from metrics.records import CallRecord

__all__ = ["RECORD_SCRIPT", "Recorder", "RecorderStats"]

_log = structlog.get_logger(component="recorder")

# KEYS[1] marker (the record itself, or a "counted once" marker), KEYS[2] a set the id joins,
# KEYS[3..] counter hashes, each once. ARGV[1] marker value, ARGV[2] TTL seconds, ARGV[3]
# the id, then per hash one string "field:amount:op field:amount:op ...": op "i" adds,
# op "m" keeps the larger value. (One string per hash keeps the command small: packing a
# few hundred separate arguments per call cost more than Redis running the script.)
RECORD_SCRIPT = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then
  redis.call('SADD', KEYS[2], ARGV[3])
  for i = 3, #KEYS do
    for field, amount, op in string.gmatch(ARGV[i + 1], '([%w_]+):(%-?%d+):(%a)') do
      if op == 'm' then
        local current = tonumber(redis.call('HGET', KEYS[i], field) or '0')
        if tonumber(amount) > current then redis.call('HSET', KEYS[i], field, amount) end
      else
        redis.call('HINCRBY', KEYS[i], field, amount)
      end
    end
  end
  return 1
end
return 0
"""


@dataclass(slots=True)
class RecorderStats:
    records_written: int = 0
    records_duplicate: int = 0
    events_written: int = 0
    dropped: int = 0
    write_errors: int = 0
    last_error: str = ""  # e.g. "OutOfMemoryError", "ReadOnlyError", "BusyLoadingError"
    connected: bool = False
    errors: Counter[str] = field(default_factory=Counter)  # write errors by kind


@dataclass(frozen=True, slots=True)
class _Once:
    """Count something once (a ticket created, a ticket overdue) under a marker key."""

    marker: str
    members: str
    ident: str
    increments: tuple[tuple[str, str, int], ...]  # (hash key, field, amount)


@dataclass(frozen=True, slots=True)
class _Item:
    record: CallRecord | None = None
    event: dict[str, str] | None = None
    once: _Once | None = None
    state: tuple[str, dict[str, str]] | None = None  # (hash key, fields): last value wins
    forget: tuple[str, str] | None = None  # (hash key, field) to delete


class Recorder:
    def __init__(
        self,
        client: aioredis.Redis,
        keys: Keys,
        *,
        buffer_size: int = 10_000,
        record_ttl_s: int = 400 * 86400,
        stream_maxlen: int = 100_000,
        batch: int = 200,
        on_drop: Callable[[int], None] | None = None,
    ) -> None:
        self._redis = client
        self._keys = keys
        self._buffer: deque[_Item] = deque()
        self._buffer_size = buffer_size
        self._ttl = record_ttl_s
        self._maxlen = stream_maxlen
        self._batch = batch
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        # how many items were taken into the buffer, and how many of them are in Redis:
        # a caller holding a mark knows when what it queued is durable
        self._accepted = 0
        self._written = 0
        self._progress = asyncio.Event()
        self.failing = False  # the last write failed (Redis down or refusing)
        self._script = client.register_script(RECORD_SCRIPT)
        self.on_drop = on_drop
        self.stats = RecorderStats()

    @property
    def client(self) -> aioredis.Redis:
        return self._redis

    @property
    def backlog(self) -> int:
        return len(self._buffer)

    @property
    def mark(self) -> int:
        """A mark for everything queued so far (see :meth:`wait_written`)."""
        return self._accepted

    def written_through(self, mark: int) -> bool:
        return self._written >= mark

    async def wait_written(self, mark: int, timeout_s: float) -> bool:
        """Wait until everything queued before ``mark`` is in Redis; False at once while
        Redis is failing, or after ``timeout_s``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self._written < mark:
            remaining = deadline - loop.time()
            if self.failing or remaining <= 0:
                return False
            self._progress.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await self._progress.wait()
        return True

    def record_nowait(self, record: CallRecord) -> None:
        """Queue a call's final record (and its counters) for writing."""
        self._put(_Item(record=record))

    def count_ticket_nowait(self, kind: str, ticket_id: str, day: str, hour: int, unit: str
                            ) -> None:
        """``tickets_created`` / ``tickets_overdue`` for the unit and the total, once per
        ticket whatever retries and restarts happen."""
        counter = {"created": "tickets_created", "overdue": "tickets_overdue"}[kind]
        increments = tuple(
            (key, counter, 1) for scope in ("total", f"unit:{unit}")
            for key in (self._keys.day(day, scope), self._keys.hour(day, hour, scope)))
        self._put(_Item(once=_Once(self._keys.once(f"ticket-{kind}", ticket_id),
                                   self._keys.tickets_of_day(day), ticket_id, increments)))

    def state_nowait(self, key: str, fields: dict[str, str]) -> None:
        """A live hash (unit state, alert flags): written as is, the last value wins."""
        self._put(_Item(state=(key, fields)))

    def forget_nowait(self, key: str, field_name: str) -> None:
        """Delete one field of a live hash (a call leaving the journal), after what was
        queued before it."""
        self._put(_Item(forget=(key, field_name)))

    def event_nowait(self, fields: dict[str, str]) -> None:
        """Queue one call event for the bounded stream."""
        self._put(_Item(event=fields))

    async def run(self) -> None:
        """Write the buffer forever; back off while Redis is unavailable."""
        failures = 0
        while True:
            if not self._buffer:
                self._wake.clear()
                await self._wake.wait()
            try:
                await self._flush()
                failures = 0
                self.stats.connected = True
                self.failing = False
            except (RedisError, OSError) as exc:
                self.failing = True
                self._progress.set()  # whoever waits for a write stops waiting
                self.stats.write_errors += 1
                self.stats.last_error = type(exc).__name__
                self.stats.errors[type(exc).__name__] += 1
                if self.stats.connected or failures == 0:
                    _log.warning("metrics_store_unavailable", error=type(exc).__name__,
                                 detail=str(exc), backlog=len(self._buffer))
                self.stats.connected = False
                failures += 1
                delay = min(5.0, 0.1 * 2 ** min(failures, 6)) * (0.5 + random.random() / 2)  # noqa: S311
                await asyncio.sleep(delay)

    async def drain(self, timeout_s: float) -> bool:
        """Wait until everything queued is delivered (graceful stop); False on timeout."""
        self._wake.set()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self._idle.wait()
        return not self._buffer

    def _put(self, item: _Item) -> None:
        if len(self._buffer) >= self._buffer_size:
            # the newest item is dropped: a batch being written holds the oldest ones
            self.stats.dropped += 1
            if self.on_drop is not None:
                self.on_drop(self.stats.dropped)
            return
        self._buffer.append(item)
        self._accepted += 1
        self._idle.clear()
        self._wake.set()

    async def _flush(self) -> None:
        while self._buffer:
            items = [self._buffer[i] for i in range(min(self._batch, len(self._buffer)))]
            async with self._redis.pipeline(transaction=False) as pipe:
                for item in items:
                    if item.record is not None:
                        keys, args = self._record_call(item.record)
                        await self._script(keys=keys, args=args, client=pipe)
                        if item.record.bad_review:
                            pipe.sadd(self._keys.bad_reviews(item.record.day),
                                      item.record.call_id)
                    elif item.once is not None:
                        once = item.once
                        specs = [f"{field_name}:{amount}:i"
                                 for _, field_name, amount in once.increments]
                        await self._script(keys=[once.marker, once.members,
                                                 *(k for k, _, _ in once.increments)],
                                           args=["1", self._ttl, once.ident, *specs],
                                           client=pipe)
                    elif item.state is not None:
                        pipe.hset(item.state[0], mapping=cast(Any, item.state[1]))
                    elif item.forget is not None:
                        pipe.hdel(*item.forget)
                    elif item.event is not None:
                        pipe.xadd(self._keys.events(), item.event,  # type: ignore[arg-type]
                                  maxlen=self._maxlen, approximate=True)
                results: list[Any] = await pipe.execute()
            outcomes = iter(results)
            for item in items:
                result = next(outcomes)
                if item.record is not None:
                    if item.record.bad_review:
                        next(outcomes)  # the SADD
                    if result == 1:
                        self.stats.records_written += 1
                    else:
                        self.stats.records_duplicate += 1
                elif item.event is not None:
                    self.stats.events_written += 1
            for _ in items:
                self._buffer.popleft()
            self._written += len(items)
            self._progress.set()
        self._idle.set()

    def _record_call(self, record: CallRecord) -> tuple[list[str], list[str | int]]:
        keys: list[str] = [self._keys.call(record.call_id), self._keys.calls_of_day(record.day)]
        args: list[str | int] = [record.to_json(), self._ttl, record.call_id]
        specs: dict[int, str] = {}  # the call's scopes share one dict: one string for all
        for day, scope, hour, counters in hash_increments(record):
            spec = specs.get(id(counters))
            if spec is None:
                spec = specs[id(counters)] = " ".join(
                    f"{name}:{amount}:{'m' if is_max(name) else 'i'}"
                    for name, amount in counters.items())
            keys.append(key_of(self._keys, day, scope, hour))
            args.append(spec)
        return keys, args
