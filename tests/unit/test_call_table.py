"""The call state machine is a table; anything else is refused and changes nothing."""

from __future__ import annotations

import itertools

import pytest

from router.core.call import TRANSITIONS, Call, CallState, Trigger, next_state
from router.errors import IllegalTransition


@pytest.mark.parametrize(("state", "trigger"), sorted(TRANSITIONS))
def test_every_transition_in_the_table_applies(state: CallState, trigger: Trigger) -> None:
    call = Call("c", "Local/x;1", "", 1, 0.0, state=state)
    assert call.move(trigger) is TRANSITIONS[(state, trigger)]


ILLEGAL = [pair for pair in itertools.product(CallState, Trigger) if pair not in TRANSITIONS]


@pytest.mark.parametrize(("state", "trigger"), ILLEGAL)
def test_a_transition_not_in_the_table_raises_and_leaves_the_state(
    state: CallState, trigger: Trigger
) -> None:
    call = Call("c", "Local/x;1", "", 1, 0.0, state=state)
    with pytest.raises(IllegalTransition):
        call.move(trigger)
    assert call.state is state


def test_ended_is_final() -> None:
    assert [t for t in Trigger if (CallState.ENDED, t) in TRANSITIONS] == []
    with pytest.raises(IllegalTransition):
        next_state(CallState.ENDED, Trigger.CALLER_HUNG_UP)
