"""The one ordered event queue: every source of events feeds it, the core consumes it.

AMI events, desk commands, timers, the executor's feedback, reloads and shutdown all go
through it, so the engine sees one ordered stream and needs no lock. It is bounded: a
producer that can wait (the AMI pump, the inbox) waits; a callback that cannot (a timer,
an AMI response) drops the event when it is full, logged ``event_queue_full``.
"""

from __future__ import annotations

import asyncio

from router.core.events import Event
from router.log import get_logger

__all__ = ["EventQueue"]


class EventQueue:
    def __init__(self, size: int) -> None:
        self._queue: asyncio.Queue[Event] = asyncio.Queue(size)
        self.dropped = 0
        self._log = get_logger(component="event-queue")

    def __len__(self) -> int:
        return self._queue.qsize()

    async def put(self, event: Event) -> None:
        await self._queue.put(event)

    def feed_nowait(self, event: Event) -> None:
        try:
            self._queue.put_nowait(event)
        except asyncio.QueueFull:
            self.dropped += 1
            self._log.error("event_queue_full", dropped=type(event).__name__)

    async def get(self) -> Event:
        return await self._queue.get()

    def task_done(self) -> None:
        self._queue.task_done()

    async def join(self) -> None:
        await self._queue.join()
