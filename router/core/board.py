"""The live state of the department queues, as the PBX reports it (pure).

Fed by queue member events (added, removed, status, pause) and queue caller events (join,
leave), and rebuilt whole from ``QueueStatus`` after every login. Selection reads it as one
:class:`skills.select.TeamState` per queue.

Member status codes are Asterisk's device states: 0 unknown, 1 not in use, 2 in use,
3 busy, 4 invalid, 5 unavailable, 6 ringing, 7 ring+in use, 8 on hold. A member is
*available* when not in use (1) and not paused; *logged in* unless unavailable, invalid or
unknown.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace

from skills.select import TeamState

__all__ = ["NOT_INUSE", "QueueBoard", "QueueCaller", "QueueMemberState", "TeamStates",
           "UnitState"]

NOT_INUSE = 1
_LOGGED_OUT = frozenset({0, 4, 5})
_RINGING = frozenset({6, 7})


@dataclass(frozen=True, slots=True)
class QueueMemberState:
    queue: str
    name: str
    interface: str
    penalty: int
    status: int
    paused: bool
    reason: str = ""

    @property
    def available(self) -> bool:
        return self.status == NOT_INUSE and not self.paused


@dataclass(frozen=True, slots=True)
class QueueCaller:
    queue: str
    uniqueid: str
    joined_at: float


@dataclass(frozen=True, slots=True)
class UnitState:
    """A unit at a glance (the wallboard tile, the Redis state hash): people counted once
    however many of the unit's queues they belong to."""

    logged_in: int
    available: int
    paused: int
    callers_waiting: int
    longest_wait_s: float


@dataclass(slots=True)
class QueueBoard:
    members: dict[tuple[str, str], QueueMemberState] = field(default_factory=dict)
    callers: dict[tuple[str, str], QueueCaller] = field(default_factory=dict)
    _by_queue: dict[str, list[QueueMemberState]] | None = None  # an index, rebuilt on change

    def member(self, state: QueueMemberState, *, removed: bool = False) -> None:
        key = (state.queue, state.interface)
        if removed:
            self.members.pop(key, None)
        else:
            self.members[key] = state
        self._by_queue = None

    def caller(self, caller: QueueCaller, *, joined: bool) -> None:
        key = (caller.queue, caller.uniqueid)
        if joined:
            self.callers.setdefault(key, caller)
        else:
            self.callers.pop(key, None)

    def replace(self, members: list[QueueMemberState], callers: list[QueueCaller]) -> None:
        """A fresh QueueStatus: what the PBX says now replaces everything known."""
        self.members = {(m.queue, m.interface): m for m in members}
        self.callers = {(c.queue, c.uniqueid): c for c in callers}
        self._by_queue = None

    def shift_times(self, delta_s: float) -> None:
        """Move the callers' join times by ``delta_s`` (the wall clock stepped)."""
        self.callers = {key: replace(c, joined_at=c.joined_at + delta_s)
                        for key, c in self.callers.items()}

    def known(self, queue: str) -> bool:
        return bool(self._of(queue))

    def _index(self) -> dict[str, list[QueueMemberState]]:
        by_queue = self._by_queue
        if by_queue is None:
            by_queue = {}
            for (q, _), member in self.members.items():
                by_queue.setdefault(q, []).append(member)
            self._by_queue = by_queue
        return by_queue

    def _of(self, queue: str) -> list[QueueMemberState]:
        return self._index().get(queue, [])

    def team(self, queue: str, now: float) -> TeamState:
        members = self._of(queue)
        available = [m for m in members if m.available]
        waiting = [c.joined_at for (q, _), c in self.callers.items() if q == queue]
        return TeamState(
            queue=queue,
            logged_in=sum(1 for m in members if m.status not in _LOGGED_OUT),
            available=len(available),
            ringing=sum(1 for m in members if m.status in _RINGING),
            paused=sum(1 for m in members if m.paused),
            callers_waiting=len(waiting),
            longest_wait_s=max((now - t for t in waiting), default=0.0),
            best_available_level=max((5 - m.penalty for m in available), default=0),
        )

    def teams(self, queues: list[str], now: float) -> dict[str, TeamState]:
        """States of the queues the PBX has reported; unknown queues are left out."""
        return {q: self.team(q, now) for q in queues if self.known(q)}

    def states(self, now: float) -> TeamStates:
        """Every reported queue's state, each worked out when first read."""
        return TeamStates(self, now)

    def queues(self) -> list[str]:
        """The queues the PBX has reported members for."""
        return list(self._index())

    def unit(self, queues: list[str], now: float) -> UnitState:
        wanted = set(queues)
        people: dict[str, list[QueueMemberState]] = {}
        for (queue, interface), member in self.members.items():
            if queue in wanted:
                people.setdefault(interface, []).append(member)
        waiting = [c.joined_at for (q, _), c in self.callers.items() if q in wanted]
        return UnitState(
            logged_in=sum(1 for ms in people.values()
                          if any(m.status not in _LOGGED_OUT for m in ms)),
            available=sum(1 for ms in people.values() if any(m.available for m in ms)),
            paused=sum(1 for ms in people.values() if all(m.paused for m in ms)),
            callers_waiting=len(waiting),
            longest_wait_s=max((now - t for t in waiting), default=0.0),
        )


class TeamStates(Mapping[str, TeamState]):
    """The board's queues as team states at ``now``, each computed when first read: a
    transfer reads its matter's candidate teams, not all of the hotline's."""

    def __init__(self, board: QueueBoard, now: float) -> None:
        self._board, self._now = board, now
        self._cache: dict[str, TeamState] = {}

    def __getitem__(self, queue: str) -> TeamState:
        state = self._cache.get(queue)
        if state is None:
            if not self._board.known(queue):
                raise KeyError(queue)
            state = self._cache[queue] = self._board.team(queue, self._now)
        return state

    def __iter__(self) -> Iterator[str]:
        return iter(self._board.queues())

    def __len__(self) -> int:
        return len(self._board.queues())
