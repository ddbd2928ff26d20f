"""The call journal adapter: the engine's calls in progress, kept in Redis across restarts.

After each event, every call the event concerns is written to ``<ns>:v1:journal`` (one
hash field per call, the JSON of router.core.journal) before the commands are carried
out; a call that ended leaves the journal after its record is queued (the recorder writes
in order, so a crash between the two leaves the entry, and the next router records the
call once: records are idempotent). At start the journal is read before anything else and
handed to the engine as the first event, so the first resync reconciles those calls with
the PBX. The writes go through the recorder's bounded buffer: Redis down delays them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import orjson

from metrics.keys import Keys
from metrics.recorder import Recorder
from metrics.store import MetricsReader, MetricsUnavailable
from router.core import events as ev
from router.core.engine import Engine
from router.core.journal import call_from_json, call_to_json, encode_default
from router.log import get_logger

__all__ = ["CallJournal"]

_RESTORE_TIMEOUT_S = 5.0
# events after which every call is written: the resync, a wall-clock step, the restore
_ANY_CALL = (ev.Resynced, ev.ClockStepped, ev.JournalRestored)


class CallJournal:
    def __init__(self, engine: Engine, recorder: Recorder, keys: Keys,
                 feed: Callable[[ev.Event], None]) -> None:
        self._engine = engine
        self._recorder = recorder
        self._key = keys.journal()
        self._reader = MetricsReader(recorder.client, keys)
        self._feed = feed
        self._written: dict[str, bytes] = {}  # call id -> the entry last written
        self._log = get_logger(component="journal")

    async def restore(self) -> int:
        """Read the journal and queue its calls for the engine; how many came back."""
        try:
            async with asyncio.timeout(_RESTORE_TIMEOUT_S):
                raw = await self._reader.journal()
        except (MetricsUnavailable, TimeoutError) as exc:
            self._log.warning("journal_unreadable", error=str(exc) or type(exc).__name__)
            return 0
        calls = []
        for call_id, entry in raw.items():
            try:
                calls.append(call_from_json(orjson.loads(entry)))
            except (ValueError, orjson.JSONDecodeError) as exc:
                self._log.warning("journal_entry_skipped", call_id=call_id, error=str(exc))
                self._recorder.forget_nowait(self._key, call_id)
                continue
            self._written[call_id] = entry.encode()
        if calls:
            self._feed(ev.JournalRestored(tuple(calls)))
        self._log.info("journal_restored", calls=len(calls))
        return len(calls)

    def write(self, event: ev.Event) -> set[str]:
        """Journal the calls ``event`` concerns; returns their ids."""
        calls = self._engine.calls
        call_id = getattr(event, "call_id", None)
        if isinstance(event, _ANY_CALL):  # any call may have changed
            touched = set(calls) | set(self._written)
        elif isinstance(call_id, str) and call_id:
            touched = {call_id}
        elif isinstance(event, ev.TransferRequested) and event.operator:
            # a desk's request names the operator, not the call
            call = self._engine.call_for_operator(event.operator)
            touched = {call.call_id} if call is not None else set()
        else:  # queue members and callers, presence: no call changes
            touched = set()
        for ident in touched:
            call = calls.get(ident)
            if call is None:
                continue
            entry = orjson.dumps(call_to_json(call), default=encode_default)
            if self._written.get(ident) != entry:
                self._written[ident] = entry
                self._recorder.state_nowait(self._key, {ident: entry.decode()})
        return touched

    def forget_ended(self, touched: set[str]) -> None:
        for ident in touched:
            if ident not in self._engine.calls and self._written.pop(ident, None) is not None:
                self._recorder.forget_nowait(self._key, ident)
