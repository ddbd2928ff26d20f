"""The service's clock: wall-clock time, with steps of the wall clock made explicit.

Working hours, ticket deadlines and record dates need the true local time, so the core is
given wall-clock time. But a call's durations (wait, talk) must not absorb a step of the
wall clock: NTP correcting a wrong clock, or an administrator setting the date, can move it
by an hour in an instant. Each reading is compared with the previous one advanced by the
monotonic clock; a difference beyond the tolerance is a step, kept until the service takes
it and tells the core (``ClockStepped``), which moves the times it holds for calls in
progress. Timers are unaffected: they are armed as delays on the monotonic clock.

The monotonic clock is slewed by NTP like the wall clock, so between steps the two agree
to well under the tolerance.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["SteadyClock"]


class SteadyClock:
    def __init__(self, wall: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic,
                 tolerance_s: float = 1.0) -> None:
        self._wall = wall
        self._monotonic = monotonic
        self._tolerance = tolerance_s
        self._last_wall = wall()
        self._last_mono = monotonic()
        self._untaken = 0.0
        self.steps = 0

    def __call__(self) -> float:
        wall, mono = self._wall(), self._monotonic()
        delta = wall - (self._last_wall + (mono - self._last_mono))
        if abs(delta) > self._tolerance:
            self._untaken += delta
            self.steps += 1
        self._last_wall, self._last_mono = wall, mono
        return wall

    def take_step(self) -> float:
        """The wall clock's steps since the last call (seconds, signed); 0.0 if none."""
        delta, self._untaken = self._untaken, 0.0
        return delta
