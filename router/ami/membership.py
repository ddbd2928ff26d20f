"""Keep Asterisk's queue membership equal to the catalogue (QueueStatus + QueueAdd/...).

Run at start-up, after every AMI reconnect and after a catalogue reload. Only queues the
router owns are touched: the operator queue and the catalogue's team queues.
"""

from __future__ import annotations

from router.ami.client import AmiAction, AmiClient
from router.config import DialplanSettings
from router.dialplan import OPERATOR_QUEUE
from skills.catalogue import Catalogue
from skills.membership import Member, MemberChange, desired_members, reconcile

__all__ = ["actual_members", "reconcile_membership"]


async def actual_members(ami: AmiClient, queues: set[str]) -> dict[tuple[str, str], Member]:
    response = await ami.send(AmiAction("QueueStatus"))
    out: dict[tuple[str, str], Member] = {}
    for event in response.events:
        if event.event != "QueueMember" or event.get("Queue") not in queues:
            continue
        queue, iface = event.get("Queue") or "", event.get("Location") or ""
        out[(queue, iface)] = Member(queue, iface, event.get("Name") or "",
                                     event.get("StateInterface") or "",
                                     int(event.get("Penalty") or 0))
    return out


async def reconcile_membership(
    ami: AmiClient, catalogue: Catalogue, dialplan: DialplanSettings
) -> list[MemberChange]:
    desired = desired_members(catalogue, OPERATOR_QUEUE, dialplan.member_interface,
                              dialplan.state_interface)
    queues = {OPERATOR_QUEUE, *catalogue.queues()}
    changes = reconcile(desired, await actual_members(ami, queues))
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
