"""Timers the core asks for (StartTimer/CancelTimer); a firing comes back as an event.

The core speaks wall-clock time (``at``); a timer is armed as a delay on the event loop's
monotonic clock, so a wall-clock step (NTP, ±1 h) neither fires it early nor late.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from router.core.events import TimerFired

__all__ = ["Timers"]


class Timers:
    def __init__(self, fire: Callable[[TimerFired], None], wall: Callable[[], float]) -> None:
        self._fire = fire
        self._wall = wall
        self._by_call: dict[str, dict[str, asyncio.TimerHandle]] = {}

    def __len__(self) -> int:
        return sum(len(timers) for timers in self._by_call.values())

    def start(self, call_id: str, name: str, at: float) -> None:
        self.cancel(call_id, name)
        delay = max(0.0, at - self._wall())
        handle = asyncio.get_running_loop().call_later(delay, self._fired, call_id, name)
        self._by_call.setdefault(call_id, {})[name] = handle

    def cancel(self, call_id: str, name: str) -> None:
        """Cancel one timer, or every timer of the call when ``name`` is ``"*"``."""
        timers = self._by_call.get(call_id)
        if not timers:
            return
        for key in list(timers) if name == "*" else [name]:
            handle = timers.pop(key, None)
            if handle is not None:
                handle.cancel()
        if not timers:
            del self._by_call[call_id]

    def cancel_all(self) -> None:
        for timers in self._by_call.values():
            for handle in timers.values():
                handle.cancel()
        self._by_call.clear()

    def _fired(self, call_id: str, name: str) -> None:
        timers = self._by_call.get(call_id, {})
        timers.pop(name, None)
        if not timers:
            self._by_call.pop(call_id, None)
        self._fire(TimerFired(call_id, name))
