"""The dialplan contract, version 1: names the router and ``asterisk_conf/`` share.

Public API: a PBX administrator's dialplan must keep these names. They are defined here once;
``tests/unit/test_asterisk_conf.py`` checks every ``.conf`` file against them. See
docs/asterisk.md for what each one means.
"""

from __future__ import annotations

__all__ = [
    "CONTEXT_DEPARTMENT_LEG",
    "CONTEXT_EMERGENCY",
    "CONTEXT_EMERGENCY_OUT",
    "CONTEXT_ENTRY",
    "CONTEXT_LAB_CALLER",
    "CONTEXT_LAB_DIRECT",
    "CONTEXT_LAB_DIRECT_LEG",
    "CONTEXT_LAB_DIRECT_SEAT",
    "CONTEXT_LAB_PARTY",
    "CONTEXT_OPERATOR_CONNECTED",
    "CONTEXT_OPERATOR_LEAVE",
    "CONTEXT_OPERATOR_QUEUES",
    "CONTEXT_OPERATOR_TRANSFER",
    "CONTEXT_PRESENCE_CODES",
    "CONTEXT_SPECIALIST_CONNECTED",
    "CONTEXT_SURVEY",
    "CONTEXT_TICKET_CONFIRMATION",
    "CONTRACT_VERSION",
    "ENTRY_EXTEN",
    "FEATURE_LEAVE",
    "FEATURE_TRANSFER",
    "OPERATOR_QUEUE",
    "REPLY_ACCEPTED",
    "REPLY_CONFIRM",
    "REPLY_TICKET",
    "ROLE_CALLER",
    "ROLE_DEPARTMENT_LEG",
    "ROLE_OPERATOR",
    "ROLE_SPECIALIST",
    "VAR_CALL_ID",
    "VAR_LEG_ID",
    "VAR_PRIORITY",
    "VAR_REPLY",
    "VAR_RING_TIMEOUT_S",
    "VAR_ROLE",
    "VAR_SURVEY",
    "VAR_TICKET_DUE",
    "VAR_TICKET_ID",
    "VAR_TRANSFER_PENDING",
    "is_operator_queue",
]

CONTRACT_VERSION = 1

ENTRY_EXTEN = "12345"
OPERATOR_QUEUE = "hotline-operators"

# contexts
CONTEXT_ENTRY = "hotline-entry"  # route the 12345 number here
CONTEXT_OPERATOR_CONNECTED = "hotline-operator-connected"  # Queue() gosub on the seat
CONTEXT_OPERATOR_TRANSFER = "hotline-operator-transfer"  # feature *5 + matter code
CONTEXT_OPERATOR_LEAVE = "hotline-operator-leave"  # feature *0
CONTEXT_DEPARTMENT_LEG = "hotline-department-leg"  # Local/<queue>@... originated legs
CONTEXT_SPECIALIST_CONNECTED = "hotline-specialist-connected"
CONTEXT_SURVEY = "hotline-survey"
CONTEXT_TICKET_CONFIRMATION = "hotline-ticket-confirmation"  # tells the caller their ticket
CONTEXT_EMERGENCY = "hotline-emergency"  # blind transfers to 110/119/120
CONTEXT_EMERGENCY_OUT = "hotline-emergency-out"  # the site's (or the lab's) route to them
CONTEXT_OPERATOR_QUEUES = "hotline-operator-queues"  # generated: the operator queue chain
CONTEXT_PRESENCE_CODES = "hotline-presence-codes"  # *21 login, *22 logout, *23n pause, *24
CONTEXT_LAB_PARTY = "hotline-lab-party"  # lab only
CONTEXT_LAB_CALLER = "hotline-lab-caller"  # lab only
# lab only: P5's pure-dialplan arm (the router's call shape made without the router)
CONTEXT_LAB_DIRECT = "hotline-lab-direct"
CONTEXT_LAB_DIRECT_SEAT = "hotline-lab-direct-seat"
CONTEXT_LAB_DIRECT_LEG = "hotline-lab-direct-leg"

# features.conf applicationmap names
FEATURE_TRANSFER = "hotline_transfer"
FEATURE_LEAVE = "hotline_leave"

# channel variables
VAR_CALL_ID = "HOTLINE_CALL_ID"  # caller's Uniqueid, inherited by every leg of the call
VAR_ROLE = "HOTLINE_ROLE"  # caller | operator | department-leg | specialist
VAR_PRIORITY = "HOTLINE_PRIORITY"  # 1 enterprise matters, 2 other consultations
VAR_LEG_ID = "HOTLINE_LEG_ID"  # a department leg's id (<call id>-L<n>)
VAR_RING_TIMEOUT_S = "HOTLINE_RING_TIMEOUT_S"  # how long the leg waits in its queue
VAR_REPLY = "HOTLINE_REPLY"  # the router's answer to the operator's *5 request
VAR_TRANSFER_PENDING = "HOTLINE_TRANSFER_PENDING"  # yes: requeue the caller if the seat drops
VAR_SURVEY = "HOTLINE_SURVEY"  # yes: the caller takes the survey when the call ends
VAR_TICKET_ID = "HOTLINE_TICKET_ID"  # set once a ticket is stored: announced to the caller
VAR_TICKET_DUE = "HOTLINE_TICKET_DUE"  # its due time (Unix seconds): the callback day

def is_operator_queue(queue: str) -> bool:
    """The hotline's operator queue or a partner pool of its overflow chain."""
    return queue == OPERATOR_QUEUE or queue.startswith(OPERATOR_QUEUE + "-")


REPLY_ACCEPTED = "accepted"  # any other reply value is "rejected-<reason>"...
REPLY_TICKET = "ticket"  # ...or this: outside working time, a ticket was stored instead
REPLY_CONFIRM = "confirm"  # ...or this: an emergency matter, the operator must press 1

ROLE_CALLER = "caller"
ROLE_OPERATOR = "operator"
ROLE_DEPARTMENT_LEG = "department-leg"
ROLE_SPECIALIST = "specialist"
