"""Command sequences the engine's tests expect, written out once by hand: the call "c1"
of tests/unit/test_engine.py (caller CALLER, seat 1001 on SEAT), on Tuesday 24 November
2026 from T0 (10:00 in Shanghai)."""

from __future__ import annotations

from typing import Literal

from router.core.commands import (
    Command,
    CreateTicket,
    NotifyOperator,
    OriginateLeg,
    PublishCallEvent,
    ReplyToRequest,
    SetChannelVar,
    StartTimer,
)
from tests.unit.test_engine import CALLER, SEAT, T0

TAX_TARGETS = ["tax-invoice", "tax-backup", "back-office-general"]


def invoice_leg_accepted(source: Literal["phone", "desk"], at: float,
                         request_id: str = "r1") -> list[Command]:
    """Matter 101 accepted at ``at``: the invoice team's leg c1-L1 rings (20 s; its guard
    at originate timeout 30 s + 10 s)."""
    return [
        ReplyToRequest("c1", request_id, source, "1001", SEAT, True, "accepted",
                       {"unit": "tax", "queue": "tax-invoice"}),
        SetChannelVar("c1", CALLER, "HOTLINE_TRANSFER_PENDING", "yes"),
        PublishCallEvent("c1", "transfer.requested", at, {
            "matter": "101", "unit": "tax", "district": "huangpu", "source": source,
            "targets": TAX_TARGETS}),
        OriginateLeg("c1", "c1-L1", "tax-invoice", CALLER, 1, 20, 30),
        StartTimer("c1", "leg:c1-L1", at + 40),
        PublishCallEvent("c1", "transfer.leg_started", at, {
            "queue": "tax-invoice", "unit": "tax", "leg_id": "c1-L1", "attempt": 1}),
    ]


def overflow_exhausted(matter: str, unit: str, tried: list[str], at: float) -> list[Command]:
    """Every target of the plan tried at ``at``: the operator is told and keeps the caller,
    and the unit gets a ticket due before 10:00 the next working day (Wednesday)."""
    failed = {"matter": matter, "unit": unit, "tried": tried}
    return [
        SetChannelVar("c1", CALLER, "HOTLINE_TRANSFER_PENDING", ""),
        PublishCallEvent("c1", "transfer.failed", at, failed),
        NotifyOperator("c1", "1001", "transfer_failed", failed),
        PublishCallEvent("c1", "ticket.requested", at, {
            "matter": matter, "unit": unit, "reason": "overflow_exhausted",
            "due": "2026-11-25T10:00+08:00", "calendar": "official"}),
        CreateTicket("c1", f"c1/{matter}", at, matter, unit, "huangpu", 1, "1001",
                     "13812345678", "overflow_exhausted", T0 + 86_400, False),
    ]
