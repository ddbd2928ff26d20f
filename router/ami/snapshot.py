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
    """The live channels that belong to a hotline call (HOTLINE_CALL_ID set), and the
    channels bridged with one of them (a queue member's phone: role ``member``), so that a
    resync can tell who answered a department leg it did not see answered."""
    out: list[ChannelSnapshot] = []
    others: list[AmiMessage] = []
    for event in events:
        if event.event != "CoreShowChannel":
            continue
        variables = event.variables()
        call_id = variables.get(VAR_CALL_ID, "")
        uniqueid = event.get("Uniqueid") or ""
        if not uniqueid:
            continue
        if not call_id:
            others.append(event)
            continue
        out.append(ChannelSnapshot(
            uniqueid=uniqueid,
            channel=event.get("Channel") or "",
            call_id=call_id,
            role=variables.get(VAR_ROLE, ""),
            leg_id=variables.get(VAR_LEG_ID, ""),
            bridge_id=event.get("BridgeId") or "",
        ))
    calls_by_bridge = {s.bridge_id: s.call_id for s in out if s.bridge_id}
    for event in others:
        bridge = event.get("BridgeId") or ""
        if bridge in calls_by_bridge:
            out.append(ChannelSnapshot(event.get("Uniqueid") or "", event.get("Channel") or "",
                                       calls_by_bridge[bridge], "member", "", bridge))
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
