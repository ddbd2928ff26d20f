"""The per-call record: every counter is derived from these, so counters can be recomputed.

Pure values. Times are Unix epoch seconds; ``day`` and ``hour`` are the call's entry time in
Asia/Shanghai (the hotline's calendar), whatever the host's time zone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

__all__ = ["OUTCOMES", "CallRecord", "TargetAttempt"]

# The final outcome of a call, exactly one per call.
OUTCOMES = (
    "transferred",  # a specialist joined the call (three-way established)
    "transfer_failed",  # a transfer was asked for; no specialist joined; caller kept
    "abandoned_during_transfer",  # the caller hung up while the department leg rang
    "handled_by_operator",  # the operator handled it; no transfer asked for
    "abandoned_in_queue",  # the caller hung up before a seat answered
    "lost",  # the call vanished while the router could not see the PBX (restart, link loss)
    "emergency_transferred",  # sent blind to 110/119/120 after the operator confirmed
    "after_hours_ticket",  # outside the unit's working time: a sub-urgent ticket instead
)


@dataclass(frozen=True, slots=True)
class TargetAttempt:
    """One department queue tried for the call, in order."""

    queue: str
    unit: str
    # answered | timeout | full | empty | failed | cancelled | skipped_busy |
    # skipped_unavailable
    outcome: str
    specialist: str = ""


@dataclass(frozen=True, slots=True)
class CallRecord:
    call_id: str
    day: str
    hour: int
    entered_at: float
    ended_at: float
    caller: str  # masked
    priority: int
    outcome: str
    operator: str = ""
    operator_answered_at: float | None = None
    matter: str = ""
    unit: str = ""
    district: str = ""
    transfer_requested: bool = False
    transfer_requested_at: float | None = None
    requests_rejected: int = 0
    three_way_at: float | None = None
    connected_unit: str = ""
    specialist: str = ""
    specialist_left_at: float | None = None
    survey_resolved: bool | None = None  # None: not answered
    survey_satisfaction: int | None = None  # 1 satisfied, 2 basically, 3 dissatisfied
    bad_review: bool = False  # unresolved or dissatisfied: listed for rectification
    emergency: str = ""
    ticket_id: str = ""
    ticket_reason: str = ""
    adopted: bool = False  # taken over after a router restart: times are approximate
    targets: tuple[TargetAttempt, ...] = field(default_factory=tuple)

    def to_json(self) -> str:
        data: dict[str, Any] = {name: getattr(self, name) for name in _FIELDS}
        data["targets"] = [{"queue": t.queue, "unit": t.unit, "outcome": t.outcome,
                            "specialist": t.specialist} for t in self.targets]
        return json.dumps(data, ensure_ascii=False, sort_keys=True)

    @property
    def transfer_wait_s(self) -> float | None:
        """From the operator's request to the specialist joining the call."""
        if self.three_way_at is None or self.transfer_requested_at is None:
            return None
        return self.three_way_at - self.transfer_requested_at

    @property
    def talk_s(self) -> float | None:
        """The specialist's part of the call."""
        if self.three_way_at is None:
            return None
        return (self.specialist_left_at or self.ended_at) - self.three_way_at

    @classmethod
    def from_json(cls, text: str) -> CallRecord:
        data: dict[str, Any] = json.loads(text)
        data["targets"] = tuple(TargetAttempt(**item) for item in data.get("targets", ()))
        return cls(**data)


_FIELDS = tuple(f.name for f in fields(CallRecord))
