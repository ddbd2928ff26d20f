"""Queue membership the catalogue asks for, and the changes that bring the PBX there (pure).

Operators are members of the operator queue they serve; each specialist is a member of every team
queue of their units that their skills allow, with penalty ``5 - level``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from skills.catalogue import Catalogue

__all__ = ["Member", "MemberChange", "desired_members", "reconcile"]


@dataclass(frozen=True, slots=True)
class Member:
    queue: str
    interface: str
    name: str
    state_interface: str
    penalty: int = 0


@dataclass(frozen=True, slots=True)
class MemberChange:
    """``add``, ``remove`` or ``penalty`` (set ``member.penalty``)."""

    kind: str
    member: Member


def desired_members(
    catalogue: Catalogue, interface: str, state_interface: str
) -> dict[tuple[str, str], Member]:
    """(queue, interface) -> member; templates take ``{extension}``."""
    out: dict[tuple[str, str], Member] = {}
    for oid, operator in catalogue.spec.operators.items():
        iface = interface.format(extension=operator.extension)
        out[(operator.queue, iface)] = Member(
            operator.queue, iface, oid, state_interface.format(extension=operator.extension))
    for queue in catalogue.queues():
        for sid, penalty in catalogue.members(queue).items():
            ext = catalogue.spec.specialists[sid].extension
            iface = interface.format(extension=ext)
            out[(queue, iface)] = Member(queue, iface, sid,
                                         state_interface.format(extension=ext), penalty)
    return out


def reconcile(
    desired: Mapping[tuple[str, str], Member], actual: Mapping[tuple[str, str], Member]
) -> list[MemberChange]:
    """Adds, then penalty changes, then removals — a member is never missing mid-way."""
    adds = [MemberChange("add", m) for k, m in sorted(desired.items()) if k not in actual]
    penalties = [
        MemberChange("penalty", m)
        for k, m in sorted(desired.items())
        if k in actual and actual[k].penalty != m.penalty
    ]
    removes = [MemberChange("remove", m) for k, m in sorted(actual.items()) if k not in desired]
    return adds + penalties + removes
