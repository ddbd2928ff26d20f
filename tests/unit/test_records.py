"""A call record's JSON, as stored under <ns>:v1:call:<id> (docs/metrics.md)."""

from __future__ import annotations

import json

from metrics.records import CallRecord, TargetAttempt

RECORD = CallRecord(
    call_id="c1", day="2026-11-24", hour=10, entered_at=100.5, ended_at=400.25,
    caller="138****5678", priority=1, outcome="transferred", operator="1001",
    operator_answered_at=105.0, matter="101", unit="tax", district="黄浦",
    transfer_requested=True, transfer_requested_at=110.0, requests_rejected=2,
    three_way_at=130.0, connected_unit="tax", specialist="2001", specialist_left_at=300.0,
    survey_resolved=False, survey_satisfaction=3, bad_review=True, emergency="110",
    ticket_id="T-9", ticket_reason="after_hours", adopted=True,
    targets=(TargetAttempt("tax-invoice", "tax", "busy", ""),
             TargetAttempt("tax-backup", "tax", "answered", "2001")))

EXPECTED = {
    "call_id": "c1", "day": "2026-11-24", "hour": 10, "entered_at": 100.5,
    "ended_at": 400.25, "caller": "138****5678", "priority": 1, "outcome": "transferred",
    "operator": "1001", "operator_answered_at": 105.0, "matter": "101", "unit": "tax",
    "district": "黄浦", "transfer_requested": True, "transfer_requested_at": 110.0,
    "requests_rejected": 2, "three_way_at": 130.0, "connected_unit": "tax",
    "specialist": "2001", "specialist_left_at": 300.0, "survey_resolved": False,
    "survey_satisfaction": 3, "bad_review": True, "emergency": "110", "ticket_id": "T-9",
    "ticket_reason": "after_hours", "adopted": True,
    "targets": [{"queue": "tax-invoice", "unit": "tax", "outcome": "busy", "specialist": ""},
                {"queue": "tax-backup", "unit": "tax", "outcome": "answered",
                 "specialist": "2001"}],
}


def test_a_record_is_written_as_sorted_json_with_every_field_and_read_back_the_same(
) -> None:
    text = RECORD.to_json()
    assert json.loads(text) == EXPECTED
    assert list(json.loads(text)) == sorted(EXPECTED)  # keys sorted: stable bytes
    assert '"district": "黄浦"' in text  # UTF-8 as it is, not \\u escapes
    assert CallRecord.from_json(text) == RECORD


def test_a_record_without_targets_reads_back_with_none() -> None:
    data = {k: v for k, v in EXPECTED.items() if k != "targets"}
    assert CallRecord.from_json(json.dumps(data)).targets == ()
    # the derived figures: request to three-way, and the specialist's part of the call
    assert (RECORD.transfer_wait_s, RECORD.talk_s) == (20.0, 170.0)
