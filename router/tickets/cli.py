"""``python -m router tickets list | show | ack | contacted | close``.

Works on the same store as the running service (its outbox then publishes the change).
Caller numbers are masked in everything printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from router.config import Settings
from router.effects.topics import Topics
from router.errors import StoreError
from router.tickets.lifecycle import TicketAction
from router.tickets.model import Ticket
from router.tickets.store import Refused, TicketStore

__all__ = ["add_tickets_parser", "run_tickets"]

EXIT_REFUSED = 1


def add_tickets_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    tickets = sub.add_parser("tickets", help="sub-urgent tickets: list, show, move along")
    tickets.add_argument("action", choices=["list", "show", "ack", "contacted", "close"])
    tickets.add_argument("ticket_id", nargs="?")
    tickets.add_argument("--config", type=Path)
    tickets.add_argument("--status", help="list: only this status")
    tickets.add_argument("--unit", help="list: only this unit")
    tickets.add_argument("--note", default="", help="a note kept in the ticket's history")
    tickets.add_argument("--json", action="store_true", help="machine-readable output")


def run_tickets(args: argparse.Namespace, settings: Settings) -> int:
    topics = Topics(settings.mqtt.topic_prefix)
    try:
        store = TicketStore(settings.tickets.db_path, lambda kind, unit: topics.unit(unit, kind))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        if args.action == "list":
            tickets = store.search(args.status, args.unit)
            if args.json:
                print(json.dumps([t.public() for t in tickets], ensure_ascii=False, indent=1))
            else:
                _table(tickets)
            return 0
        if not args.ticket_id:
            print(f"error: tickets {args.action} needs a ticket id", file=sys.stderr)
            return 2
        if args.action == "show":
            ticket = store.get(args.ticket_id)
            if ticket is None:
                print(f"error: no ticket {args.ticket_id}", file=sys.stderr)
                return 1
            print(json.dumps({**ticket.public(), "history": store.history(ticket.id)},
                             ensure_ascii=False, indent=1))
            return 0
        result = store.apply(args.ticket_id, TicketAction(args.action), "cli", time.time(),
                             args.note)
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    if result is None:
        print(f"error: no ticket {args.ticket_id}", file=sys.stderr)
        return 1
    if isinstance(result, Refused):
        print(f"refused: {args.ticket_id} is {result.ticket.status.value}: {result.reason}",
              file=sys.stderr)
        return EXIT_REFUSED
    print(f"{result.id}: {result.status.value}")
    return 0


def _table(tickets: list[Ticket]) -> None:
    print(f"{'ticket':<16}{'status':<14}{'unit':<14}{'matter':<8}{'caller':<14}"
          f"{'reason':<20}due")
    for ticket in tickets:
        row = ticket.public()
        print(f"{row['id']:<16}{row['status']:<14}{row['unit']:<14}{row['matter']:<8}"
              f"{row['caller_number']:<14}{row['reason']:<20}{row['due_at']}")
