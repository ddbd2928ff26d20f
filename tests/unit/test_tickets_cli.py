"""The tickets CLI: list, show, and the lifecycle with its refusals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from router.cli import main
from router.core.commands import CreateTicket
from router.tickets.store import TicketStore


def test_the_cli_moves_a_ticket_along_and_refuses_illegal_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "tickets.sqlite3"
    monkeypatch.setenv("ROUTER_TICKETS__DB_PATH", str(db))
    store = TicketStore(db, lambda kind, unit: f"hotline/v1/units/{unit}/{kind}")
    ticket, _ = store.create(CreateTicket("c", "c/101", 1_775_208_600.0, "101", "tax",
                                         "huangpu", 1, "1001", "13812345678", "after_hours",
                                         1_775_527_200.0))

    assert main(["tickets", "list"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[1].split() == ["T20260403-0001", "open", "tax", "101", "138****5678",
                                  "after_hours", "2026-04-07T10:00:00+08:00"]
    assert main(["tickets", "close", ticket.id]) == 1
    assert capsys.readouterr().err == (
        "refused: T20260403-0001 is open: a ticket is closed only after the enterprise "
        "was contacted\n")
    for step, status in (("ack", "acknowledged"), ("contacted", "contacted"),
                         ("close", "closed")):
        assert main(["tickets", step, ticket.id, "--note", "called back"]) == 0
        assert capsys.readouterr().out == f"{ticket.id}: {status}\n"
    assert main(["tickets", "show", ticket.id]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert (shown["status"], shown["caller_number"]) == ("closed", "138****5678")
    assert [h["actor"] for h in shown["history"]] == ["router", "cli", "cli", "cli"]
    assert main(["tickets", "ack", "T20990101-0001"]) == 1
    assert "no ticket T20990101-0001" in capsys.readouterr().err
