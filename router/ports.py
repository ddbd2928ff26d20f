"""The narrow ports components outside the core are given instead of the whole service.

The consumer loop is the only writer of the engine's state; monitoring, the inbox and the
HTTP endpoints read it between events (one event loop: no torn reads), through
:class:`CoreView`, which has no way to change it. They reach the core only by putting an
event on the one ordered queue (:class:`router.event_queue.EventQueue`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from router.core.board import QueueBoard
from router.core.call import Call
from skills.calendar import WorkCalendar
from skills.catalogue import Catalogue

__all__ = ["CoreView"]


class CoreView(Protocol):
    """The engine, read-only: the catalogue and calendar in force, the calls in progress,
    the queue board."""

    @property
    def calls(self) -> Mapping[str, Call]: ...

    @property
    def catalogue(self) -> Catalogue: ...

    @property
    def calendar(self) -> WorkCalendar: ...

    @property
    def board(self) -> QueueBoard: ...
