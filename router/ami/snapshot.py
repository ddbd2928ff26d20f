"""CoreShowChannels -> channel snapshots for the engine's resync (pure)."""

from __future__ import annotations

from collections.abc import Iterable

from router.ami.frames import AmiMessage
from router.ami.parse import member_state
from router.core.board import QueueCaller
from router.core.events import ChannelSnapshot, QueueSnapshot
from router.dialplan import VAR_CALL_ID, VAR_LEG_ID, VAR_ROLE

__all__ = ["channel_snapshots", "queue_snapshot"]


def channel_snapshots(events: Iterable[AmiMessage]) -> tuple[ChannelSnapshot, ...]:
    """The live channels that belong to a hotline call (HOTLINE_CALL_ID set)."""
    out: list[ChannelSnapshot] = []
    for event in events:
        if event.event != "CoreShowChannel":
            continue
        variables = event.variables()
        call_id = variables.get(VAR_CALL_ID, "")
        uniqueid = event.get("Uniqueid") or ""
        if not call_id or not uniqueid:
            continue
        out.append(ChannelSnapshot(
            uniqueid=uniqueid,
            channel=event.get("Channel") or "",
            call_id=call_id,
            role=variables.get(VAR_ROLE, ""),
            leg_id=variables.get(VAR_LEG_ID, ""),
            bridge_id=event.get("BridgeId") or "",
        ))
    return tuple(out)


def queue_snapshot(events: Iterable[AmiMessage], now: float) -> QueueSnapshot:
    """QueueStatus -> every member (QueueMember) and waiting caller (QueueEntry)."""
    members, callers = [], []
    for event in events:
        if event.event == "QueueMember":
            members.append(member_state(event, name_header="Name", interface_header="Location"))
        elif event.event == "QueueEntry":
            wait = float(event.get("Wait") or 0)
            callers.append(QueueCaller(event.get("Queue") or "", event.get("Uniqueid") or "",
                                       now - wait))
    return QueueSnapshot(tuple(members), tuple(callers))
