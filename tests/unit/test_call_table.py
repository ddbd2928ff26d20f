"""The call state machine is a table; anything else is refused and changes nothing.

The expected table is written out here by hand from the telephony it models, one line per
transition (state, what happened, next state), and compared with the router's table as a
whole: a changed, added or missing transition fails.
"""

from __future__ import annotations

import itertools

import pytest

from router.core.call import IGNORED, TRANSITIONS, Call, CallState, Trigger, next_state
from router.errors import IllegalTransition

SPEC = """
queued           operator_answered    with_operator     a seat answers the waiting caller
queued           caller_left_queue    concluding        the operator queue timed out
queued           caller_hung_up       ended             abandoned while waiting
queued           caller_requeued      queued            the dialplan requeued (already waiting)
with_operator    transfer_accepted    transferring      a department leg is rung
with_operator    emergency_transfer   concluding        blind transfer to 110/119/120
with_operator    operator_left        concluding        the seat hung up: survey, goodbye
with_operator    caller_left_queue    concluding        the caller is leaving the queue app
with_operator    caller_hung_up       ended
with_operator    caller_requeued      queued            the seat dropped, the caller waits again
transferring     specialist_answered  transferring      answered, not yet in the bridge
transferring     next_target          transferring      busy overflow: the chain moves on
transferring     leg_bridged          three_way         the specialist joined the call
transferring     leg_failed           with_operator     no target answered
transferring     operator_left        transferring      the leg still rings; requeue or abandon
transferring     caller_requeued      queued
transferring     caller_left_queue    concluding
transferring     caller_hung_up       ended             abandoned during transfer
three_way        operator_left        with_specialist   the operator drops off
three_way        specialist_left      with_operator
three_way        caller_hung_up       ended
with_specialist  specialist_left      concluding        survey, goodbye
with_specialist  caller_left_queue    concluding
with_specialist  caller_hung_up       ended
concluding       caller_requeued      queued            the emergency number was not reached
concluding       caller_left_queue    concluding
concluding       operator_left        concluding
concluding       specialist_left      concluding
concluding       caller_hung_up       ended
"""
EXPECTED = {(CallState(state), Trigger(trigger)): CallState(after)
            for state, trigger, after, *_ in (line.split(maxsplit=3)
                                               for line in SPEC.strip().splitlines())}


def test_the_table_is_exactly_the_telephony_written_out() -> None:
    assert dict(sorted(TRANSITIONS.items())) == dict(sorted(EXPECTED.items()))


@pytest.mark.parametrize(("state", "trigger"), sorted(EXPECTED))
def test_each_expected_transition_applies(state: CallState, trigger: Trigger) -> None:
    call = Call("c", "Local/x;1", "", 1, 0.0, state=state)
    assert call.can(trigger)
    assert call.move(trigger) is EXPECTED[(state, trigger)]


ILLEGAL = [pair for pair in itertools.product(CallState, Trigger) if pair not in EXPECTED]


@pytest.mark.parametrize(("state", "trigger"), ILLEGAL)
def test_a_transition_not_in_the_table_raises_and_leaves_the_state(
    state: CallState, trigger: Trigger
) -> None:
    call = Call("c", "Local/x;1", "", 1, 0.0, state=state)
    assert not call.can(trigger)
    with pytest.raises(IllegalTransition):
        call.move(trigger)
    assert call.state is state


def test_the_ordinary_no_ops_are_the_seat_leaving_a_requeued_caller_and_a_second_hangup(
) -> None:
    ignored = set(IGNORED)
    assert ignored == {(CallState.QUEUED, Trigger.OPERATOR_LEFT),
                       (CallState.ENDED, Trigger.OPERATOR_LEFT),
                       (CallState.ENDED, Trigger.CALLER_HUNG_UP)}
    assert Call("c", "x", "", 1, 0.0, state=CallState.ENDED).ignores(Trigger.CALLER_HUNG_UP)
    assert not Call("c", "x", "", 1, 0.0).ignores(Trigger.CALLER_HUNG_UP)


def test_ended_is_final() -> None:
    assert [t for t in Trigger if (CallState.ENDED, t) in TRANSITIONS] == []
    with pytest.raises(IllegalTransition):
        next_state(CallState.ENDED, Trigger.CALLER_HUNG_UP)
