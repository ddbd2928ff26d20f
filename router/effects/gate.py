"""The journal gate: an AMI action waits until the journal entry it follows is in Redis.

The router acts on the PBX (originates a department leg, hangs up a channel, sends a
caller on) only after the journal says what it is about to do: a router that dies right
after an Originate is replaced by one that knows the leg it finds ringing. The consumer
loop never waits for this: an action whose journal entry is still in the recorder's
buffer is held here, in order, and written as soon as the entry is written. Actions keep
their order on the AMI link: once one is held, those after it queue behind it.

While Redis is failing, or when a write takes longer than ``wait_s``, the action goes
anyway (counted, logged): routing callers comes before a journal a restart might need.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from metrics.recorder import Recorder
from router.ami.client import AmiAction, AmiResponse
from router.errors import AmiError
from router.log import get_logger

__all__ = ["ActionGate"]


@dataclass(slots=True)
class _Held:
    mark: int
    action: AmiAction
    future: asyncio.Future[AmiResponse]


class ActionGate:
    def __init__(self, recorder: Recorder,
                 submit: Callable[[AmiAction], asyncio.Future[AmiResponse]],
                 wait_s: float) -> None:
        self._recorder = recorder
        self._submit = submit
        self._wait_s = wait_s
        self._held: deque[_Held] = deque()
        self._wake = asyncio.Event()
        self.held = 0  # actions that waited for their journal entry
        self.not_durable = 0  # ... and went before it was written (Redis failing or slow)
        self._log = get_logger(component="journal-gate")

    @property
    def waiting(self) -> int:
        return len(self._held)

    def submit(self, action: AmiAction, mark: int | None) -> asyncio.Future[AmiResponse]:
        """Write ``action`` now if the journal is written through ``mark`` (None: nothing
        to wait for) and nothing is held; else hold it. Raises AmiError like the client."""
        if not self._held and (mark is None or self._recorder.written_through(mark)
                               or self._recorder.failing):
            return self._submit(action)
        future: asyncio.Future[AmiResponse] = asyncio.get_running_loop().create_future()
        self._held.append(_Held(mark or 0, action, future))
        self.held += 1
        self._wake.set()
        return future

    async def run(self) -> None:
        """Release held actions as the recorder writes their journal entries."""
        while True:
            if not self._held:
                self._wake.clear()
                await self._wake.wait()
                continue
            mark = self._held[0].mark
            if not await self._recorder.wait_written(mark, self._wait_s):
                self.not_durable += 1
                self._log.warning("journal_not_durable", action=self._held[0].action.name,
                                  redis_failing=self._recorder.failing)
            while self._held and (self._held[0].mark <= mark
                                  or self._recorder.written_through(self._held[0].mark)):
                self._release(self._held.popleft())

    def _release(self, held: _Held) -> None:
        if held.future.done():
            return
        try:
            inner = self._submit(held.action)
        except AmiError as exc:
            held.future.set_exception(exc)
            return

        def relay(done: asyncio.Future[AmiResponse]) -> None:
            if held.future.done():
                return
            if done.cancelled():
                held.future.cancel()
            elif (error := done.exception()) is not None:
                held.future.set_exception(error)
            else:
                held.future.set_result(done.result())

        inner.add_done_callback(relay)
