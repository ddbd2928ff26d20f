"""A call's one final outcome and its record (pure)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from metrics.records import CallRecord
from router.core.call import Call, CallState
from router.masking import mask_number

__all__ = ["HOTLINE_TZ", "final_outcome", "final_record", "settled_outcome"]

HOTLINE_TZ = ZoneInfo("Asia/Shanghai")


def settled_outcome(call: Call) -> str | None:
    """The outcome once it can no longer change, however the call ends: sent to an
    emergency number, given an after-hours ticket, or connected three-way."""
    if call.emergency:
        return "emergency_transferred"
    if call.ticket_reason == "after_hours":
        return "after_hours_ticket"
    if call.three_way_at is not None:
        return "transferred"
    return None


def final_outcome(call: Call, state_before_end: CallState) -> str:
    """Exactly one outcome per call, decided from how far the call got."""
    settled = settled_outcome(call)
    if settled is not None:
        return settled
    if state_before_end is CallState.TRANSFERRING:
        return "abandoned_during_transfer"
    if call.transfer_requested_at is not None:
        return "transfer_failed"
    if call.operator_answered_at is not None:
        return "handled_by_operator"
    return "abandoned_in_queue"


def final_record(call: Call, outcome: str, now: float) -> CallRecord:
    local = datetime.fromtimestamp(call.entered_at, UTC).astimezone(HOTLINE_TZ)
    request = call.request
    return CallRecord(
        call_id=call.call_id,
        day=local.strftime("%Y-%m-%d"),
        hour=local.hour,
        entered_at=call.entered_at,
        ended_at=now,
        caller=mask_number(call.caller_number),
        priority=call.priority,
        outcome=outcome,
        operator=call.operator,
        operator_answered_at=call.operator_answered_at,
        matter=request.matter if request else (
            call.ticket_request.matter if call.ticket_request else call.emergency_matter),
        unit=request.plan.unit if request else (
            call.ticket_request.unit if call.ticket_request else call.connected_unit),
        district=request.plan.district if request else "",
        transfer_requested=call.transfer_requested_at is not None,
        transfer_requested_at=call.transfer_requested_at,
        requests_rejected=call.requests_rejected,
        three_way_at=call.three_way_at,
        connected_unit=call.connected_unit,
        specialist=call.specialist,
        specialist_left_at=call.specialist_left_at,
        survey_resolved=call.survey_resolved,
        survey_satisfaction=call.survey_satisfaction,
        bad_review=call.survey_resolved is False or call.survey_satisfaction == 3,
        emergency=call.emergency,
        ticket_id=call.ticket_id,
        ticket_reason=call.ticket_reason,
        adopted=call.adopted,
        targets=tuple(call.attempts),
    )
