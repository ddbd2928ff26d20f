"""The ticket store: SQLite, durable before anything is announced (the only code that
imports sqlite3).

``synchronous=FULL`` with WAL: a ticket is on disk when :meth:`create` returns. The ticket,
its history and its outbox message are written in one transaction (a transactional outbox),
so a ticket is never stored without its MQTT message, nor announced before it is stored.
The idempotency key (call + matter) is UNIQUE: asking twice for the same call returns the
ticket made the first time. The CLI and the service share the file.

The service calls the store from worker threads (``asyncio.to_thread``) so that a slow
disk or a lock held by another writer never stalls the event loop; one lock serialises the
connection's use.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from router.core.commands import CreateTicket
from router.core.hours import HOTLINE_TZ
from router.errors import StoreError
from router.tickets.lifecycle import TicketAction, TicketStatus, refusal, transition
from router.tickets.model import Ticket

__all__ = ["OutboxMessage", "Refused", "TicketStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS tickets (
    id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, call_id TEXT NOT NULL,
    created_at REAL NOT NULL, matter TEXT NOT NULL, unit TEXT NOT NULL, district TEXT NOT NULL,
    priority INTEGER NOT NULL, operator TEXT NOT NULL, caller_number TEXT NOT NULL,
    reason TEXT NOT NULL, due_at REAL NOT NULL, status TEXT NOT NULL,
    acknowledged_at REAL, contacted_at REAL, closed_at REAL, overdue_at REAL,
    calendar_provisional INTEGER NOT NULL DEFAULT 0,
    day TEXT NOT NULL, seq INTEGER NOT NULL, UNIQUE (day, seq));
CREATE INDEX IF NOT EXISTS tickets_due ON tickets (status, due_at);
CREATE TABLE IF NOT EXISTS ticket_history (
    ticket_id TEXT NOT NULL, at REAL NOT NULL, action TEXT NOT NULL, from_status TEXT,
    to_status TEXT NOT NULL, actor TEXT NOT NULL, note TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload TEXT NOT NULL,
    created_at REAL NOT NULL, delivered_at REAL);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (delivered_at, seq);
"""
_COLUMNS = tuple(f.name for f in fields(Ticket))


@dataclass(frozen=True, slots=True)
class Refused:
    ticket: Ticket
    reason: str


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    seq: int
    topic: str
    payload: str


Topic = Callable[[str, str], str]  # (kind "tickets" | "escalations", unit) -> MQTT topic


class TicketStore:
    def __init__(self, path: Path, topic: Topic) -> None:
        self.path = path
        self._topic = topic
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._lock = threading.RLock()
            self._db = sqlite3.connect(path, isolation_level=None, timeout=5.0,
                                       check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(_SCHEMA)
            _migrate(self._db)
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"ticket store {path}: {exc}") from exc

    def close(self) -> None:
        self._db.close()

    # -- writes --------------------------------------------------------------------------

    def create(self, draft: CreateTicket) -> tuple[Ticket, bool]:
        """Store a ticket once per idempotency key: (ticket, True if made now)."""
        with self._transaction() as db:
            existing = self._by_key(db, draft.idempotency_key)
            if existing is not None:
                return existing, False
            day = dt.datetime.fromtimestamp(draft.created_at, HOTLINE_TZ).strftime("%Y%m%d")
            seq = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM tickets WHERE day = ?",
                             (day,)).fetchone()[0]
            ticket = Ticket(id=f"T{day}-{seq:04d}", status=TicketStatus.OPEN,
                            **{f.name: getattr(draft, f.name) for f in fields(draft)})
            values = [getattr(ticket, c) for c in _COLUMNS]
            values[_COLUMNS.index("status")] = ticket.status.value
            db.execute(f"INSERT INTO tickets ({', '.join(_COLUMNS)}, day, seq) "  # noqa: S608
                       f"VALUES ({', '.join('?' * (len(_COLUMNS) + 2))})", (*values, day, seq))
            self._history(db, ticket.id, draft.created_at, "create", None, ticket.status,
                          "router", draft.reason)
            self._enqueue(db, "tickets", ticket, "ticket.created", draft.created_at)
            return ticket, True

    def apply(self, ticket_id: str, action: TicketAction, actor: str, now: float,
              note: str = "") -> Ticket | Refused | None:
        """Move a ticket along its lifecycle; None if there is no such ticket."""
        with self._transaction() as db:
            ticket = self._by_id(db, ticket_id)
            if ticket is None:
                return None
            after = transition(ticket.status, action)
            if after is None:
                return Refused(ticket, refusal(ticket.status, action))
            stamp = {TicketAction.ACK: "acknowledged_at", TicketAction.CONTACTED: "contacted_at",
                     TicketAction.CLOSE: "closed_at", TicketAction.OVERDUE: "overdue_at"}[action]
            db.execute(f"UPDATE tickets SET status = ?, {stamp} = COALESCE({stamp}, ?) "  # noqa: S608
                       "WHERE id = ?", (after.value, now, ticket_id))
            self._history(db, ticket_id, now, action.value, ticket.status, after, actor, note)
            updated = self._by_id(db, ticket_id)
            assert updated is not None
            kind = "escalations" if action is TicketAction.OVERDUE else "tickets"
            event = "ticket.overdue" if action is TicketAction.OVERDUE else "ticket.updated"
            self._enqueue(db, kind, updated, event, now)
            return updated

    def mark_delivered(self, seq: int, now: float) -> None:
        with self._transaction() as db:
            db.execute("UPDATE outbox SET delivered_at = ? WHERE seq = ?", (now, seq))

    # -- reads ---------------------------------------------------------------------------

    def get(self, ticket_id: str) -> Ticket | None:
        with self._lock:
            return self._by_id(self._db, ticket_id)

    def search(self, status: str | None = None, unit: str | None = None, limit: int = 100
             ) -> list[Ticket]:
        query, args = "SELECT * FROM tickets WHERE 1=1", list[Any]()
        if status:
            query, args = query + " AND status = ?", [*args, status]
        if unit:
            query, args = query + " AND unit = ?", [*args, unit]
        rows = self._read(query + " ORDER BY created_at DESC LIMIT ?", (*args, limit))
        return [_ticket(row) for row in rows]

    def history(self, ticket_id: str) -> list[dict[str, Any]]:
        rows = self._read("SELECT at, action, from_status, to_status, actor, note FROM "
                          "ticket_history WHERE ticket_id = ? ORDER BY rowid", (ticket_id,))
        return [dict(row) for row in rows]

    def due_before(self, now: float) -> list[Ticket]:
        """Open or acknowledged tickets whose due time has passed: to mark overdue."""
        rows = self._read("SELECT * FROM tickets WHERE status IN ('open', 'acknowledged') "
                          "AND due_at <= ? ORDER BY due_at", (now,))
        return [_ticket(row) for row in rows]

    def pending(self, limit: int = 100) -> list[OutboxMessage]:
        rows = self._read("SELECT seq, topic, payload FROM outbox WHERE delivered_at IS NULL "
                          "ORDER BY seq LIMIT ?", (limit,))
        return [OutboxMessage(row["seq"], row["topic"], row["payload"]) for row in rows]

    # -- plumbing ------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    self._db.execute("ROLLBACK")
                    raise
                self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise StoreError(f"ticket store {self.path}: {exc}") from exc

    def _read(self, query: str, args: tuple[Any, ...] | list[Any]) -> list[sqlite3.Row]:
        try:
            with self._lock:
                cursor = self._db.execute(query, args)
                cursor.row_factory = sqlite3.Row
                return list(cursor.fetchall())
        except sqlite3.Error as exc:
            raise StoreError(f"ticket store {self.path}: {exc}") from exc

    def _by_key(self, db: sqlite3.Connection, key: str) -> Ticket | None:
        cursor = db.execute("SELECT * FROM tickets WHERE idempotency_key = ?", (key,))
        cursor.row_factory = sqlite3.Row
        row = cursor.fetchone()
        return _ticket(row) if row else None

    def _by_id(self, db: sqlite3.Connection, ticket_id: str) -> Ticket | None:
        cursor = db.execute("SELECT * FROM tickets WHERE id = ?", (ticket_id,))
        cursor.row_factory = sqlite3.Row
        row = cursor.fetchone()
        return _ticket(row) if row else None

    def _history(self, db: sqlite3.Connection, ticket_id: str, at: float, action: str,
                 before: TicketStatus | None, after: TicketStatus, actor: str, note: str) -> None:
        db.execute("INSERT INTO ticket_history VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (ticket_id, at, action, before.value if before else None, after.value, actor,
                    note))

    def _enqueue(self, db: sqlite3.Connection, kind: str, ticket: Ticket, event: str,
                 at: float) -> None:
        payload = json.dumps({"event": event, **ticket.for_unit()}, ensure_ascii=False)
        db.execute("INSERT INTO outbox (topic, payload, created_at) VALUES (?, ?, ?)",
                   (self._topic(kind, ticket.unit), payload, at))


def _migrate(db: sqlite3.Connection) -> None:
    """Bring a store made by an earlier release up to this schema (columns only added)."""
    have = {row[1] for row in db.execute("PRAGMA table_info(tickets)")}
    if "calendar_provisional" not in have:
        db.execute("ALTER TABLE tickets ADD COLUMN calendar_provisional INTEGER NOT NULL "
                   "DEFAULT 0")


def _ticket(row: sqlite3.Row) -> Ticket:
    values = {c: row[c] for c in _COLUMNS}
    values["status"] = TicketStatus(values["status"])
    values["calendar_provisional"] = bool(values["calendar_provisional"])
    return Ticket(**values)
