"""Keep Asterisk's queue membership equal to the catalogue (QueueStatus + QueueAdd/...).

Run at start-up, after every AMI reconnect and after a catalogue reload. Only queues the
router owns are touched: the operator queue and the catalogue's team queues.
"""

from __future__ import annotations

from collections.abc import Iterable

from router.ami.client import AmiAction, AmiClient
from router.ami.frames import AmiMessage
from router.config import DialplanSettings
from skills.catalogue import Catalogue
from skills.membership import Member, MemberChange, desired_members, reconcile

__all__ = ["actual_members", "reconcile_membership"]


def actual_members(status: Iterable[AmiMessage], queues: set[str]
                   ) -> dict[tuple[str, str], Member]:
    """Members of ``queues`` in a QueueStatus response."""
    out: dict[tuple[str, str], Member] = {}
    for event in status:
        if event.event != "QueueMember" or event.get("Queue") not in queues:
            continue
        queue, iface = event.get("Queue") or "", event.get("Location") or ""
        out[(queue, iface)] = Member(queue, iface, event.get("Name") or "",
                                     event.get("StateInterface") or "",
                                     int(event.get("Penalty") or 0))
    return out


async def reconcile_membership(
    ami: AmiClient, catalogue: Catalogue, dialplan: DialplanSettings,
    status: Iterable[AmiMessage],
) -> list[MemberChange]:
    """Bring the PBX's members to the catalogue's, given a fresh QueueStatus response."""
    desired = desired_members(catalogue, dialplan.member_interface, dialplan.state_interface)
    queues = {*catalogue.operator_queues(), *catalogue.queues()}
    changes = reconcile(desired, actual_members(status, queues))
    for change in changes:
        await ami.send(_action(change))
    return changes


def _action(change: MemberChange) -> AmiAction:
    m = change.member
    if change.kind == "add":
        return AmiAction("QueueAdd", (("Queue", m.queue), ("Interface", m.interface),
                                      ("MemberName", m.name), ("StateInterface", m.state_interface),
                                      ("Penalty", str(m.penalty))))
    if change.kind == "penalty":
        return AmiAction("QueuePenalty", (("Queue", m.queue), ("Interface", m.interface),
                                          ("Penalty", str(m.penalty))))
    return AmiAction("QueueRemove", (("Queue", m.queue), ("Interface", m.interface)))
