"""Reconciling the engine's calls with what the PBX shows after a (re)login or a restart.

A resync lists every live channel of a hotline call. A call the PBX no longer has ended
while the router could not see it; a leg that vanished failed; a seat or a specialist that
answered meanwhile is taken as answered; a live call the router does not know (it
restarted without a journal) is adopted from who is in the caller's bridge.
"""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass

from router.core import events as ev
from router.core.adoption import adopt, extension_of, specialist_in
from router.core.call import Call, CallState
from router.core.commands import Command
from router.core.outcome import settled_outcome
from router.core.transfer import Transfers
from skills.catalogue import Catalogue

__all__ = ["EngineStats", "Resync"]


@dataclass(slots=True)
class EngineStats:
    illegal_transitions: int = 0
    events_for_unknown_calls: int = 0
    calls_adopted: int = 0
    calls_lost: int = 0


class Resync:
    """The engine's resync handlers (a part of :class:`router.core.engine.Engine`)."""

    calls: dict[str, Call]
    stats: EngineStats
    transfers: Transfers

    @property
    @abstractmethod
    def catalogue(self) -> Catalogue: ...

    @abstractmethod
    def _end(self, call: Call, now: float, outcome: str | None = None) -> list[Command]: ...

    @abstractmethod
    def _on_operator_answered(self, event: ev.OperatorAnswered, now: float
                              ) -> list[Command]: ...

    def _on_resynced(self, event: ev.Resynced, now: float) -> list[Command]:
        """Reconcile with the PBX's live channels after a (re)login."""
        live = {snap.uniqueid: snap for snap in event.channels}
        out: list[Command] = []
        for call in list(self.calls.values()):
            if call.call_id not in live:
                # it ended while the router could not see the PBX: unless its outcome was
                # already settled (e.g. it was connected three-way), nobody can tell how
                settled = settled_outcome(call)
                self.stats.calls_lost += settled is None
                out += self._end(call, now, outcome=settled or "lost")
                continue
            leg = call.leg
            if leg is not None and not {leg.bridge_side, leg.queue_side} & live.keys():
                out += self.transfers.leg_failed(call, leg.leg_id, "lost", now)
            elif call.state is CallState.TRANSFERRING:
                out += self._joined_unseen(call, live, now)
            elif call.state is CallState.QUEUED:
                out += self._answered_unseen(call, event.channels, now)
        for snap in event.channels:
            if snap.role == "caller" and snap.uniqueid == snap.call_id \
                    and snap.call_id not in self.calls:
                # a live call the router did not know (it restarted): take it over
                self.stats.calls_adopted += 1
                call, commands = adopt(snap, event.channels, self.catalogue, now)
                self.calls[call.call_id] = call
                out += commands
        return out

    def _answered_unseen(self, call: Call, channels: tuple[ev.ChannelSnapshot, ...],
                         now: float) -> list[Command]:
        """A seat that answered the waiting caller while the router could not see it: the
        caller's bridge holds an operator channel."""
        caller = next((s for s in channels if s.uniqueid == call.call_id), None)
        if caller is None or not caller.bridge_id:
            return []
        seat = next((s for s in channels if s.role == "operator" and s.call_id == call.call_id
                     and s.bridge_id == caller.bridge_id), None)
        if seat is None:
            return []
        extension = extension_of(seat.channel)
        operator = next((oid for oid, o in self.catalogue.spec.operators.items()
                         if o.extension == extension), extension)
        return self._on_operator_answered(ev.OperatorAnswered(
            call.call_id, call.caller_channel, seat.channel, operator, call.caller_number), now)

    def _joined_unseen(self, call: Call, live: dict[str, ev.ChannelSnapshot], now: float
                       ) -> list[Command]:
        """A leg that joined the caller's bridge while the router could not see it (it was
        restarting): the three-way call it is, for the unit the request was planned for."""
        leg, caller = call.leg, live.get(call.call_id)
        side = live.get(leg.bridge_side) if leg is not None else None
        if leg is None or leg.bridged or caller is None or side is None \
                or not caller.bridge_id or side.bridge_id != caller.bridge_id:
            return []
        parties = sum(1 for s in live.values() if s.bridge_id == caller.bridge_id)
        if not leg.specialist:  # answered unseen: who is on the leg's other side
            leg.specialist = specialist_in(live.values(), leg.queue_side, self.catalogue)
        return self.transfers.bridged(call, ev.PartyBridged(
            call.call_id, side.uniqueid, side.channel, side.bridge_id, parties, True), now)
