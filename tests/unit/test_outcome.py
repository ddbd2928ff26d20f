"""A call's one final outcome and its record, field by field."""

from __future__ import annotations

import pytest

from metrics.records import CallRecord, TargetAttempt
from router.core.call import Call, CallState, Request, TicketRequest
from router.core.outcome import final_outcome, final_record, settled_outcome
from skills.select import Plan, Target

T0 = 1_795_485_600.0  # Tuesday 2026-11-24 10:00 Asia/Shanghai (02:00 UTC)
PLAN = Plan("105", "tax", "pudong", (Target("tax-declaration", "tax", 20),), 90)


def _call(**fields: object) -> Call:
    call = Call("c1", "Local/1;1", "13812345678", 1, T0)
    for name, value in fields.items():
        setattr(call, name, value)
    return call


@pytest.mark.parametrize(("fields", "before", "outcome"), [
    # settled outcomes win, in this order, whatever state the call ended in
    ({"emergency": "110", "ticket_reason": "after_hours", "three_way_at": T0},
     CallState.TRANSFERRING, "emergency_transferred"),
    ({"ticket_reason": "after_hours", "three_way_at": T0}, CallState.TRANSFERRING,
     "after_hours_ticket"),
    ({"three_way_at": T0, "transfer_requested_at": T0}, CallState.TRANSFERRING,
     "transferred"),
    # an overflow-exhausted ticket is not settled: the transfer failed
    ({"ticket_reason": "overflow_exhausted", "transfer_requested_at": T0,
      "operator_answered_at": T0}, CallState.WITH_OPERATOR, "transfer_failed"),
    ({"transfer_requested_at": T0, "operator_answered_at": T0}, CallState.TRANSFERRING,
     "abandoned_during_transfer"),
    ({"operator_answered_at": T0}, CallState.WITH_OPERATOR, "handled_by_operator"),
    ({"operator_answered_at": T0}, CallState.TRANSFERRING, "abandoned_during_transfer"),
    ({}, CallState.QUEUED, "abandoned_in_queue"),
])
def test_one_outcome_from_how_far_the_call_got(fields: dict[str, object], before: CallState,
                                               outcome: str) -> None:
    assert final_outcome(_call(**fields), before) == outcome


def test_settled_is_none_until_something_makes_it_final() -> None:
    assert settled_outcome(_call(operator_answered_at=T0, transfer_requested_at=T0)) is None


def test_a_transferred_calls_record_takes_the_request_and_every_field_of_the_call() -> None:
    call = _call(operator="1001", operator_answered_at=T0 + 5,
                 request=Request("r1", "105", "desk", PLAN), transfer_requested_at=T0 + 10,
                 requests_rejected=1, three_way_at=T0 + 22, connected_unit="tax",
                 specialist="2002", specialist_left_at=T0 + 200, survey_resolved=True,
                 survey_satisfaction=3, emergency="", ticket_id="", ticket_reason="",
                 adopted=True,
                 attempts=[TargetAttempt("tax-declaration", "tax", "answered", "2002")])
    assert final_record(call, "transferred", T0 + 300) == CallRecord(
        call_id="c1", day="2026-11-24", hour=10, entered_at=T0, ended_at=T0 + 300,
        caller="138****5678", priority=1, outcome="transferred", operator="1001",
        operator_answered_at=T0 + 5, matter="105", unit="tax", district="pudong",
        transfer_requested=True, transfer_requested_at=T0 + 10, requests_rejected=1,
        three_way_at=T0 + 22, connected_unit="tax", specialist="2002",
        specialist_left_at=T0 + 200, survey_resolved=True, survey_satisfaction=3,
        bad_review=True, emergency="", ticket_id="", ticket_reason="", adopted=True,
        targets=(TargetAttempt("tax-declaration", "tax", "answered", "2002"),))


@pytest.mark.parametrize(("fields", "matter", "unit", "bad_review"), [
    # no request: an after-hours ticket names the matter and unit
    ({"ticket_request": TicketRequest("r2", "phone", "1001", None, "301", "hpf"),
      "survey_resolved": False}, "301", "hpf", True),
    # an emergency transfer names its matter; an adopted connection its unit
    ({"emergency": "119", "emergency_matter": "901"}, "901", "", False),
    ({"connected_unit": "market", "survey_satisfaction": 2}, "", "market", False),
])
def test_without_a_request_the_record_says_what_else_was_known(
    fields: dict[str, object], matter: str, unit: str, bad_review: bool
) -> None:
    record = final_record(_call(**fields), "x", T0 + 1)
    assert (record.matter, record.unit, record.district, record.transfer_requested,
            record.bad_review) == (matter, unit, "", False, bad_review)


def test_the_day_and_hour_are_shanghais() -> None:
    # 07:30 in Shanghai is 23:30 UTC the day before
    record = final_record(_call(entered_at=T0 - 2.5 * 3600), "abandoned_in_queue", T0)
    assert (record.day, record.hour) == ("2026-11-24", 7)
