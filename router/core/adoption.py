"""Taking over calls already on the PBX (pure): after a router restart, a live call is
rebuilt from what a resync sees — who is in the caller's bridge — so that its outcome is
still recorded, once."""

from __future__ import annotations

from collections.abc import Iterable

from router.core.call import Call, Leg, Trigger
from router.core.commands import Command, SetChannelVar
from router.core.events import ChannelSnapshot
from router.dialplan import VAR_SURVEY, VAR_TRANSFER_PENDING
from skills.catalogue import Catalogue

__all__ = ["adopt", "extension_of", "specialist_in"]


def extension_of(channel: str) -> str:
    """The endpoint of a channel name: ``PJSIP/1001-0000002a`` or ``Local/1001@ctx-1;1``."""
    resource = channel.split("/", 1)[-1]
    for stop in ("@", ";"):
        resource = resource.split(stop, 1)[0]
    return resource.rsplit("-", 1)[0] if channel.startswith("PJSIP/") else resource


def specialist_in(live: Iterable[ChannelSnapshot], queue_side: str, catalogue: Catalogue
                  ) -> str:
    """The specialist a department leg's queue side is bridged with (an answer the router
    did not see): the other channel of that bridge is the member's phone."""
    channels = list(live)
    side = next((s for s in channels if s.uniqueid == queue_side), None)
    if side is None or not side.bridge_id:
        return ""
    member = next((s for s in channels if s.bridge_id == side.bridge_id
                   and s.uniqueid != queue_side), None)
    if member is None:
        return ""
    extension = extension_of(member.channel)
    return next((sid for sid, spec in catalogue.spec.specialists.items()
                 if spec.extension == extension), extension)


def adopt(caller: ChannelSnapshot, live: tuple[ChannelSnapshot, ...], catalogue: Catalogue,
          now: float) -> tuple[Call, list[Command]]:
    """The call as it stands, and what the old router may not have done before it died."""
    call = Call(caller.call_id, caller.channel, "", 2, now)
    call.adopted = True
    bridge = caller.bridge_id
    mates = [s for s in live if s.call_id == caller.call_id and bridge and s.bridge_id == bridge
             and s.uniqueid != caller.uniqueid]
    seat = next((s for s in mates if s.role == "operator"), None)
    leg = next((s for s in mates if s.leg_id and s.uniqueid.endswith("-a")), None)
    if seat is not None:
        call.operator_channel, call.operator_answered_at = seat.channel, now
        extension = extension_of(seat.channel)
        call.operator = next((oid for oid, o in catalogue.spec.operators.items()
                              if o.extension == extension), extension)
    if leg is not None:
        # the leg's ;1 side is Local/<queue>@hotline-department-leg-<n>;1
        queue = leg.channel.split("/", 1)[-1].split("@", 1)[0]
        unit = catalogue.team_unit.get(queue, "")
        call.legs.append(Leg(leg.leg_id, queue, unit, now, answered=True, bridged=True,
                             specialist=specialist_in(live, f"{leg.leg_id}-b", catalogue)))
        # it was asked for before the restart: count it for the unit that answered (the
        # request itself, and the unit it was planned for, were lost with the old router)
        call.transfer_requested_at = call.three_way_at = now
        call.connected_unit = unit
        # the way such a call came to be, through the call table
        for trigger in (Trigger.OPERATOR_ANSWERED, Trigger.TRANSFER_ACCEPTED,
                        Trigger.LEG_BRIDGED):
            call.move(trigger)
        if seat is None:
            call.move(Trigger.OPERATOR_LEFT)
        # the specialist is in: no requeue if the seat leaves, and the survey at the end
        return call, [SetChannelVar(call.call_id, call.caller_channel, VAR_TRANSFER_PENDING, ""),
                      SetChannelVar(call.call_id, call.caller_channel, VAR_SURVEY, "yes")]
    if seat is not None:
        call.move(Trigger.OPERATOR_ANSWERED)
    return call, []
