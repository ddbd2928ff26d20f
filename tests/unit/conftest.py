"""The engine fixture shared by the engine's tests: call c1 with operator 1001 since T0 + 5."""

from __future__ import annotations

import pytest

from router.core import events as ev
from router.core.engine import Engine
from tests.unit.test_engine import CALLER, CATALOGUE, SEAT, T0


@pytest.fixture
def engine() -> Engine:
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), T0)
    engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1001"), T0 + 5)
    return engine
