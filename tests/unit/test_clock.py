"""The service clock: wall time out, wall-clock steps reported once, slewing ignored."""

from __future__ import annotations

import pytest

from router.clock import SteadyClock


class Clocks:
    def __init__(self) -> None:
        self.wall = 1_795_485_600.0
        self.mono = 100.0

    def advance(self, seconds: float, *, wall_step: float = 0.0) -> None:
        self.mono += seconds
        self.wall += seconds + wall_step


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


def test_time_that_runs_evenly_is_the_wall_time_and_no_step(clocks: Clocks) -> None:
    clock = SteadyClock(lambda: clocks.wall, lambda: clocks.mono)
    clocks.advance(30)
    assert (clock(), clock.take_step(), clock.steps) == (1_795_485_630.0, 0.0, 0)


def test_a_slew_within_the_tolerance_is_not_a_step(clocks: Clocks) -> None:
    clock = SteadyClock(lambda: clocks.wall, lambda: clocks.mono, tolerance_s=1.0)
    clocks.advance(600, wall_step=0.4)
    assert (clock(), clock.take_step(), clock.steps) == (1_795_486_200.4, 0.0, 0)


@pytest.mark.parametrize("step", [3600.0, -3600.0])
def test_a_step_of_an_hour_is_reported_once_and_the_reading_is_the_new_wall_time(
    clocks: Clocks, step: float
) -> None:
    clock = SteadyClock(lambda: clocks.wall, lambda: clocks.mono)
    clocks.advance(2, wall_step=step)
    assert clock() == 1_795_485_602.0 + step
    clocks.advance(1)
    assert clock() == 1_795_485_603.0 + step
    assert (clock.take_step(), clock.take_step(), clock.steps) == (step, 0.0, 1)


def test_steps_not_yet_taken_add_up(clocks: Clocks) -> None:
    clock = SteadyClock(lambda: clocks.wall, lambda: clocks.mono)
    clocks.advance(1, wall_step=3600)
    clock()
    clocks.advance(1, wall_step=-1800)
    clock()
    assert (clock.take_step(), clock.steps) == (1800.0, 2)
