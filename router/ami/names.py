"""AMI event names and the dialplan's UserEvents, version 1 (public API, docs/asterisk.md).

Every UserEvent the dialplan raises carries ``Version: 1`` and ``CallId`` (the caller's
Uniqueid). Custom header names avoid the channel snapshot's own headers (``Priority``,
``Context``, ``Exten``), which a UserEvent also carries.
"""

from __future__ import annotations

__all__ = [
    "AMI_EVENTS_USED",
    "H_CALL_ID",
    "H_CALL_PRIORITY",
    "H_COMMAND",
    "H_CONFIRMED",
    "H_DIAL_STATUS",
    "H_DISTRICT",
    "H_EXTENSION",
    "H_FROM_QUEUE",
    "H_LEG_ID",
    "H_MATTER",
    "H_QUEUE_STATUS",
    "H_REASON",
    "H_REQUEST_ID",
    "H_RESOLVED",
    "H_SATISFACTION",
    "H_TARGET_QUEUE",
    "H_TICKET_ID",
    "H_TO_QUEUE",
    "H_VERSION",
    "UE_CALLER_LEFT_QUEUE",
    "UE_CALL_ENTERED",
    "UE_CALL_REQUEUED",
    "UE_DEPARTMENT_LEG_ENDED",
    "UE_EMERGENCY_FAILED",
    "UE_OPERATOR_LEAVE",
    "UE_OPERATOR_OVERFLOW",
    "UE_PRESENCE",
    "UE_SURVEY_ANSWER",
    "UE_SURVEY_STARTED",
    "UE_TICKET_ANNOUNCED",
    "UE_TRANSFER_REQUEST",
    "USER_EVENTS",
]

UE_CALL_ENTERED = "HotlineCallEntered"  # caller chose in the menu; joins the operator queue
UE_CALLER_LEFT_QUEUE = "HotlineCallerLeftQueue"  # caller's Queue() returned (QueueStatus)
UE_CALL_REQUEUED = "HotlineCallRequeued"  # seat dropped mid-transfer; caller requeued
UE_TRANSFER_REQUEST = "HotlineTransferRequest"  # operator keyed *5 + matter
UE_OPERATOR_LEAVE = "HotlineOperatorLeave"  # operator keyed *0
UE_DEPARTMENT_LEG_ENDED = "HotlineDepartmentLegEnded"  # leg's Queue() returned (QueueStatus)
UE_OPERATOR_OVERFLOW = "HotlineOperatorOverflow"  # no seat in time: the next operator queue
UE_EMERGENCY_FAILED = "HotlineEmergencyFailed"  # 110/119/120 not reached: caller requeued
UE_TICKET_ANNOUNCED = "HotlineTicketAnnounced"  # the caller is hearing their ticket number
UE_SURVEY_STARTED = "HotlineSurveyStarted"  # the caller is asked the two survey questions
UE_SURVEY_ANSWER = "HotlineSurveyAnswer"  # Resolved: 1|2|"" Satisfaction: 1|2|3|""
# not about a call: a specialist's phone feature code (login, logout, pause, unpause)
UE_PRESENCE = "HotlinePresence"

USER_EVENTS = (
    UE_CALL_ENTERED,
    UE_CALLER_LEFT_QUEUE,
    UE_CALL_REQUEUED,
    UE_TRANSFER_REQUEST,
    UE_OPERATOR_LEAVE,
    UE_DEPARTMENT_LEG_ENDED,
    UE_OPERATOR_OVERFLOW,
    UE_EMERGENCY_FAILED,
    UE_TICKET_ANNOUNCED,
    UE_SURVEY_STARTED,
    UE_SURVEY_ANSWER,
)

H_VERSION = "Version"
H_CALL_ID = "CallId"
H_CALL_PRIORITY = "CallPriority"
H_REQUEST_ID = "RequestId"
H_MATTER = "Matter"
H_DISTRICT = "District"
H_CONFIRMED = "Confirmed"
H_DIAL_STATUS = "DialStatus"
H_TICKET_ID = "TicketId"
H_RESOLVED = "Resolved"
H_SATISFACTION = "Satisfaction"
H_LEG_ID = "LegId"
H_TARGET_QUEUE = "TargetQueue"
H_QUEUE_STATUS = "QueueStatus"
H_EXTENSION = "Extension"
H_FROM_QUEUE = "FromQueue"
H_TO_QUEUE = "ToQueue"
H_COMMAND = "Command"
H_REASON = "Reason"

# Asterisk's own events the router reads; everything else is dropped at parse.
AMI_EVENTS_USED = (
    "UserEvent",
    "AgentConnect",
    "AgentCalled",
    "AgentRingNoAnswer",
    "BridgeEnter",
    "BridgeLeave",
    "Hangup",
    "OriginateResponse",
    "FullyBooted",
    "QueueMemberStatus",
    "QueueMemberAdded",
    "QueueMemberRemoved",
    "QueueMemberPause",
    "QueueCallerJoin",
    "QueueCallerLeave",
)
