"""Drive the lab's simulated parties over AMI (tests and the demo; lab only).

Parties read their behaviour from AstDB when they are called (asterisk_conf/lab/
extensions_lab.conf); their device state ``Custom:hotline-lab-<ext>`` is what the queues
see, so marking a specialist INUSE makes their team "all busy" without a call.
"""

from __future__ import annotations

import contextlib
import itertools
from dataclasses import dataclass, field
from typing import Literal

from router.ami.client import AmiAction, AmiClient
from router.dialplan import (
    CONTEXT_ENTRY,
    CONTEXT_LAB_CALLER,
    CONTEXT_PRESENCE_CODES,
    ENTRY_EXTEN,
)
from router.errors import AmiActionFailed

__all__ = ["LabControl", "PartyMode"]

PartyMode = Literal["answer", "busy", "noanswer", "reject"]
DeviceState = Literal["NOT_INUSE", "INUSE", "BUSY", "UNAVAILABLE", "RINGING"]
_PARTY_KEYS = ("mode", "answer_after_s", "talk_s", "transfer_matter", "transfer_after_s",
               "confirm")


@dataclass(slots=True)
class LabControl:
    ami: AmiClient
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def party(self, extension: str, *, mode: PartyMode = "answer",
                    answer_after_s: float = 0, talk_s: float = 3600,
                    transfer_matter: str = "", transfer_after_s: float = 1,
                    confirm: str = "") -> None:
        """Set how an operator or specialist behaves the next time they are called."""
        values = {"mode": mode, "answer_after_s": f"{answer_after_s:g}", "talk_s": f"{talk_s:g}",
                  "transfer_matter": transfer_matter, "transfer_after_s": f"{transfer_after_s:g}",
                  "confirm": confirm}
        for key in _PARTY_KEYS:
            await self._db_put(f"hotline-lab/party/{extension}", key, values[key])

    async def device_state(self, extension: str, state: DeviceState) -> None:
        await self.ami.send(AmiAction("Setvar", (
            ("Variable", f"DEVICE_STATE(Custom:hotline-lab-{extension})"), ("Value", state))))

    async def place_call(self, caller_number: str, *, menu: str = "1",
                         hangup_after_s: float = 3600, call_id: str | None = None,
                         entry: tuple[str, str] = (CONTEXT_ENTRY, ENTRY_EXTEN)) -> str:
        """An enterprise dials 12345 and presses ``menu``; returns the call id (its Uniqueid).

        ``entry`` (context, extension) is where the call goes: 12345 unless a benchmark
        sends it elsewhere (P5's pure-dialplan arm)."""
        n = next(self._ids)
        call_id = call_id or f"lab-{caller_number[-4:]}-{n}"
        sim = f"{n}{abs(hash(call_id)) % 10000}"
        await self._db_put(f"hotline-lab/caller/{sim}", "menu", menu)
        await self._db_put(f"hotline-lab/caller/{sim}", "hangup_after_s", f"{hangup_after_s:g}")
        await self.ami.send(AmiAction("Originate", (
            ("Channel", f"Local/{sim}@{CONTEXT_LAB_CALLER}/n"),
            ("Context", entry[0]), ("Exten", entry[1]), ("Priority", "1"),
            ("CallerID", f'"lab" <{caller_number}>'), ("Async", "true"),
            ("ChannelId", call_id), ("OtherChannelId", f"{call_id}-phone"),
        )))
        return call_id

    async def dial_code(self, extension: str, code: str) -> None:
        """The party at ``extension`` dials a presence feature code (*21, *22, *23n, *24)."""
        await self.ami.send(AmiAction("Originate", (
            ("Channel", f"Local/{code}@{CONTEXT_PRESENCE_CODES}/n"),
            ("Application", "Wait"), ("Data", "5"),
            ("CallerID", f'"{extension}" <{extension}>'), ("Async", "true"))))

    async def press(self, channel: str, digits: str) -> None:
        """Key ``digits`` on a simulated phone (e.g. ``<call id>-phone``, a caller's)."""
        for digit in digits:
            await self.ami.send(AmiAction("PlayDTMF", (("Channel", channel), ("Digit", digit),
                                                      ("Duration", "120"))))

    async def hangup(self, channel: str) -> None:
        await self.ami.send(AmiAction("Hangup", (("Channel", channel),)))

    async def _db_put(self, family: str, key: str, value: str) -> None:
        if value == "":
            with contextlib.suppress(AmiActionFailed):  # absent already
                await self.ami.send(AmiAction("DBDel", (("Family", family), ("Key", key))))
            return
        await self.ami.send(AmiAction("DBPut", (("Family", family), ("Key", key),
                                                 ("Val", value))))
