"""Taking back the calls of the router that ran before, from its journal.

A restored call comes back with its state, but the old process's timers and its last PBX
actions may be gone: it may have died after journalling a transition and before the
actions that go with it reached the PBX (router.effects.gate makes actions wait for the
journal, never the other way round). So the successor gives a leg in flight its guard
timer back and says again, idempotently, what the caller's channel must hold in the
call's state: with a department leg ringing, a seat that drops requeues the caller
(``HOTLINE_TRANSFER_PENDING``); with a specialist in the call it must not, and the caller
gets the survey at the end (``HOTLINE_SURVEY``). A ticket decided but not confirmed
stored is asked of the store again.
"""

from __future__ import annotations

from collections.abc import Iterable

from router.core.call import Call, CallState
from router.core.commands import Command, SetChannelVar, StartTimer
from router.dialplan import VAR_SURVEY, VAR_TRANSFER_PENDING

__all__ = ["restore_calls"]


def restore_calls(calls: Iterable[Call], known: set[str], originate_margin_s: float,
                  now: float) -> tuple[list[Call], list[Command]]:
    """The calls to take back (not ended, not already known) and the commands that put
    their timers and channels back as their state says."""
    restored: list[Call] = []
    out: list[Command] = []
    for call in calls:
        if call.call_id in known or call.state is CallState.ENDED:
            continue
        restored.append(call)
        leg = call.leg
        if leg is not None and not leg.bridged:
            out.append(StartTimer(call.call_id, f"leg:{leg.leg_id}",
                                  max(now, leg.ring_until + 2 * originate_margin_s)))
        out += _channel_vars(call)
        if call.ticket_order is not None and not call.ticket_id:
            # decided, maybe not stored: ask again (the store answers with the same ticket
            # if it was), so the caller is told and the unit receives it
            out.append(call.ticket_order)
    return restored, out


def _channel_vars(call: Call) -> list[Command]:
    def var(name: str, value: str) -> Command:
        return SetChannelVar(call.call_id, call.caller_channel, name, value)

    if call.state is CallState.TRANSFERRING:
        return [var(VAR_TRANSFER_PENDING, "yes")]
    if call.state in (CallState.THREE_WAY, CallState.WITH_SPECIALIST):
        return [var(VAR_TRANSFER_PENDING, ""), var(VAR_SURVEY, "yes")]
    return []
