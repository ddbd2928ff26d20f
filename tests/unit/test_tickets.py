"""Tickets: the lifecycle table, the durable store, and the core's after-hours decision."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from router.core import events as ev
from router.core.commands import CreateTicket, PublishCallEvent, ReplyToRequest, SetChannelVar
from router.core.engine import Engine
from router.tickets.lifecycle import TRANSITIONS, TicketAction, TicketStatus, transition
from router.tickets.store import Refused, TicketStore
from skills.catalogue import load_catalogue

CATALOGUE = load_catalogue(Path(__file__).resolve().parents[2] / "skills" / "data" /
                           "catalogue.yaml")
FRIDAY_1730 = 1_775_208_600.0  # 2026-04-03 17:30 Asia/Shanghai, before Tomb-sweeping Day
TUESDAY_10 = 1_775_527_200.0  # 2026-04-07 10:00, the next working day
SEAT = "Local/1001@hotline-lab-party-00000002;1"
CALLER = "Local/77@hotline-lab-caller-00000001;1"

LEGAL = [
    ("open", "ack", "acknowledged"), ("open", "contacted", "contacted"),
    ("open", "overdue", "overdue"), ("acknowledged", "contacted", "contacted"),
    ("acknowledged", "overdue", "overdue"), ("overdue", "ack", "overdue"),
    ("overdue", "contacted", "contacted"), ("contacted", "close", "closed"),
]


def test_the_lifecycle_table_is_exactly_the_documented_one() -> None:
    assert sorted((s.value, a.value, t.value) for (s, a), t in TRANSITIONS.items()) == sorted(
        LEGAL)
    legal = {(s, a) for s, a, _ in LEGAL}
    for status, action in itertools.product(TicketStatus, TicketAction):
        if (status.value, action.value) not in legal:
            assert transition(status, action) is None


def _draft(key: str = "c1/101", at: float = FRIDAY_1730) -> CreateTicket:
    return CreateTicket("c1", key, at, "101", "tax", "huangpu", 1, "1001", "13812345678",
                       "after_hours", TUESDAY_10)


@pytest.fixture
def store(tmp_path: Path) -> TicketStore:
    return TicketStore(tmp_path / "t.sqlite3", lambda kind, unit: f"p/v1/units/{unit}/{kind}")


def test_a_ticket_is_stored_once_per_key_with_its_outbox_message(store: TicketStore) -> None:
    first, made = store.create(_draft())
    again, made_again = store.create(_draft())
    other, _ = store.create(_draft("c2/101"))
    assert (first.id, made, again.id, made_again, other.id) == (
        "T20260403-0001", True, "T20260403-0001", False, "T20260403-0002")
    (message, _second) = store.pending()
    payload = json.loads(message.payload)
    assert message.topic == "p/v1/units/tax/tickets"
    assert {k: payload[k] for k in ("event", "id", "status", "caller_number", "reason",
                                    "due_at")} == {
        "event": "ticket.created", "id": "T20260403-0001", "status": "open",
        "caller_number": "13812345678", "reason": "after_hours",
        "due_at": "2026-04-07T10:00:00+08:00"}
    assert first.public()["caller_number"] == "138****5678"
    store.mark_delivered(message.seq, FRIDAY_1730 + 1)
    assert [m.topic for m in store.pending()] == ["p/v1/units/tax/tickets"]


def test_illegal_transitions_are_refused_with_a_reason_and_change_nothing(
    store: TicketStore
) -> None:
    ticket, _ = store.create(_draft())
    refused = store.apply(ticket.id, TicketAction.CLOSE, "cli", FRIDAY_1730 + 60)
    assert isinstance(refused, Refused)
    assert refused.reason == "a ticket is closed only after the enterprise was contacted"
    assert store.get(ticket.id).status is TicketStatus.OPEN  # type: ignore[union-attr]
    for action in (TicketAction.ACK, TicketAction.CONTACTED, TicketAction.CLOSE):
        store.apply(ticket.id, action, "unit:tax", FRIDAY_1730 + 120)
    final = store.get(ticket.id)
    assert final is not None
    assert (final.status, final.acknowledged_at, final.closed_at) == (
        TicketStatus.CLOSED, FRIDAY_1730 + 120, FRIDAY_1730 + 120)
    assert [h["action"] for h in store.history(ticket.id)] == [
        "create", "ack", "contacted", "close"]
    again = store.apply(ticket.id, TicketAction.ACK, "cli", FRIDAY_1730 + 180)
    assert isinstance(again, Refused)
    assert again.reason == "the ticket is closed"


def test_the_sweeper_finds_tickets_past_due(store: TicketStore) -> None:
    ticket, _ = store.create(_draft())
    assert store.due_before(TUESDAY_10 - 1) == []
    assert [t.id for t in store.due_before(TUESDAY_10)] == [ticket.id]
    store.apply(ticket.id, TicketAction.OVERDUE, "sweeper", TUESDAY_10)
    assert store.due_before(TUESDAY_10 + 60) == []
    assert [m.topic for m in store.pending()][-1] == "p/v1/units/tax/escalations"


def test_after_hours_the_core_asks_for_a_ticket_and_answers_only_once_it_is_stored() -> None:
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), FRIDAY_1730)
    engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1001"), FRIDAY_1730 + 5)
    out = engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1",
                                           operator_channel=SEAT), FRIDAY_1730 + 10)
    assert out == [
        PublishCallEvent("c1", "ticket.requested", FRIDAY_1730 + 10, {
            "matter": "101", "unit": "tax", "reason": "after_hours",
            "due": "2026-04-07T10:00+08:00", "calendar": "official"}),
        CreateTicket("c1", "c1/101", FRIDAY_1730 + 10, "101", "tax", "huangpu", 1, "1001",
                     "13812345678", "after_hours", TUESDAY_10),
    ]
    assert not any(isinstance(c, ReplyToRequest) for c in out)  # nothing announced yet
    stored = engine.feed(ev.TicketStored("c1", "T20260403-0001", "tax", TUESDAY_10,
                                         "after_hours", True), FRIDAY_1730 + 10.1)
    assert stored[:2] == [
        SetChannelVar("c1", CALLER, "HOTLINE_TICKET_ID", "T20260403-0001"),
        SetChannelVar("c1", CALLER, "HOTLINE_TICKET_DUE", "1775527200"),
    ]
    assert ReplyToRequest("c1", "r1", "phone", "1001", SEAT, False, "ticket_created",
                          {"ticket_id": "T20260403-0001", "due": "2026-04-07T10:00+08:00",
                           "calendar": "official"}) in stored


def test_if_the_ticket_cannot_be_stored_the_caller_is_never_told() -> None:
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), FRIDAY_1730)
    engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1001"), FRIDAY_1730 + 5)
    engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1",
                                     operator_channel=SEAT), FRIDAY_1730 + 10)
    out = engine.feed(ev.TicketFailed("c1", "store_unavailable"), FRIDAY_1730 + 11)
    assert not [c for c in out if isinstance(c, SetChannelVar)]
    assert ReplyToRequest("c1", "r1", "phone", "1001", SEAT, False, "ticket_failed") in out


def test_a_ticket_due_in_a_year_without_its_notice_says_its_calendar_is_provisional() -> None:
    new_years_eve = 1_798_711_200.0  # 2026-12-31 18:00 Asia/Shanghai, after hours
    monday_10 = 1_799_028_000.0  # 2027-01-04 10:00: New Year's Day and a weekend between
    engine = Engine(CATALOGUE)
    engine.feed(ev.CallEntered("c1", CALLER, "13812345678", 1), new_years_eve)
    engine.feed(ev.OperatorAnswered("c1", CALLER, SEAT, "1001"), new_years_eve + 5)
    out = engine.feed(ev.TransferRequested("r1", "101", "phone", call_id="c1",
                                           operator_channel=SEAT), new_years_eve + 10)
    assert out == [
        PublishCallEvent("c1", "ticket.requested", new_years_eve + 10, {
            "matter": "101", "unit": "tax", "reason": "after_hours",
            "due": "2027-01-04T10:00+08:00", "calendar": "provisional"}),
        CreateTicket("c1", "c1/101", new_years_eve + 10, "101", "tax", "huangpu", 1, "1001",
                     "13812345678", "after_hours", monday_10, True),
    ]
    stored = engine.feed(ev.TicketStored("c1", "T20261231-0001", "tax", monday_10,
                                         "after_hours", True, True), new_years_eve + 11)
    assert ReplyToRequest("c1", "r1", "phone", "1001", SEAT, False, "ticket_created",
                          {"ticket_id": "T20261231-0001", "due": "2027-01-04T10:00+08:00",
                           "calendar": "provisional"}) in stored


def test_the_store_keeps_the_provisional_mark_and_upgrades_an_older_file(tmp_path: Path) -> None:
    import sqlite3  # noqa: PLC0415

    path = tmp_path / "old.sqlite3"
    TicketStore(path, lambda kind, unit: f"p/{unit}/{kind}").close()
    with sqlite3.connect(path) as db:  # as an earlier release made it: no such column
        db.execute("ALTER TABLE tickets DROP COLUMN calendar_provisional")
    store = TicketStore(path, lambda kind, unit: f"p/{unit}/{kind}")
    draft = CreateTicket("c9", "c9/101", FRIDAY_1730, "101", "tax", "huangpu", 1, "1001",
                         "13812345678", "after_hours", TUESDAY_10, True)
    ticket, _ = store.create(draft)
    assert store.get(ticket.id).calendar_provisional is True  # type: ignore[union-attr]
    assert json.loads(store.pending()[0].payload)["calendar_provisional"] is True
