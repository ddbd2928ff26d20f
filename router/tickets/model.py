"""The ticket record and its published forms."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from router.core.hours import HOTLINE_TZ
from router.masking import mask_number
from router.tickets.lifecycle import TicketStatus

__all__ = ["REASONS", "Ticket"]

# why a ticket was made instead of a live transfer
REASONS = ("after_hours", "overflow_exhausted")


@dataclass(frozen=True, slots=True)
class Ticket:
    """A sub-urgent ticket. ``caller_number`` is stored whole (the unit calls back) and
    masked everywhere it is displayed or logged."""

    id: str
    idempotency_key: str
    call_id: str
    created_at: float
    matter: str
    unit: str
    district: str
    priority: int
    operator: str
    caller_number: str
    reason: str
    due_at: float
    status: TicketStatus
    acknowledged_at: float | None = None
    contacted_at: float | None = None
    closed_at: float | None = None
    overdue_at: float | None = None
    calendar_provisional: bool = False  # due in a year whose notice was not known yet

    @property
    def due_local(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.due_at, HOTLINE_TZ)

    def public(self) -> dict[str, Any]:
        """For displays and logs: the caller's number masked, times in Asia/Shanghai."""
        data = asdict(self)
        data["caller_number"] = mask_number(self.caller_number)
        data["status"] = self.status.value
        for key in ("created_at", "due_at", "acknowledged_at", "contacted_at", "closed_at",
                    "overdue_at"):
            if data[key] is not None:
                data[key] = dt.datetime.fromtimestamp(data[key], HOTLINE_TZ).isoformat(
                    timespec="seconds")
        return data

    def for_unit(self) -> dict[str, Any]:
        """For the responsible unit's own system (its MQTT topic): the whole number, since
        the unit must call the enterprise back."""
        data = self.public()
        data["caller_number"] = self.caller_number
        return {"v": 1, **data}
