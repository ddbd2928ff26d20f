"""A ticket's lifecycle, as one table (pure).

    open ──ack──▶ acknowledged ──contacted──▶ contacted ──close──▶ closed
      └────────────contacted──────────────────▲
    open / acknowledged ──(due time passes)──▶ overdue ──contacted──▶ contacted

An overdue ticket can still be acknowledged (it stays overdue, the time is recorded) and
contacted late; a ticket is closed only after the enterprise was contacted. Anything else
is refused with a reason.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ACTIONS", "TRANSITIONS", "TicketAction", "TicketStatus", "refusal", "transition"]


class TicketStatus(StrEnum):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    CONTACTED = "contacted"
    CLOSED = "closed"
    OVERDUE = "overdue"


class TicketAction(StrEnum):
    ACK = "ack"
    CONTACTED = "contacted"
    CLOSE = "close"
    OVERDUE = "overdue"  # the sweeper only


S, A = TicketStatus, TicketAction

TRANSITIONS: dict[tuple[TicketStatus, TicketAction], TicketStatus] = {
    (S.OPEN, A.ACK): S.ACKNOWLEDGED,
    (S.OPEN, A.CONTACTED): S.CONTACTED,
    (S.OPEN, A.OVERDUE): S.OVERDUE,
    (S.ACKNOWLEDGED, A.CONTACTED): S.CONTACTED,
    (S.ACKNOWLEDGED, A.OVERDUE): S.OVERDUE,
    (S.OVERDUE, A.ACK): S.OVERDUE,
    (S.OVERDUE, A.CONTACTED): S.CONTACTED,
    (S.CONTACTED, A.CLOSE): S.CLOSED,
}

ACTIONS = tuple(a.value for a in TicketAction if a is not TicketAction.OVERDUE)


def transition(status: TicketStatus, action: TicketAction) -> TicketStatus | None:
    return TRANSITIONS.get((status, action))


def refusal(status: TicketStatus, action: TicketAction) -> str:
    """Why ``action`` is refused in ``status``, in words for the unit's staff."""
    if status is S.CLOSED:
        return "the ticket is closed"
    if action is A.CLOSE:
        return "a ticket is closed only after the enterprise was contacted"
    if action is A.ACK and status is S.CONTACTED:
        return "the enterprise was already contacted"
    if action is A.CONTACTED and status is S.CONTACTED:
        return "already contacted"
    if action is A.ACK and status is S.ACKNOWLEDGED:
        return "already acknowledged"
    return f"cannot {action.value} a ticket that is {status.value}"
