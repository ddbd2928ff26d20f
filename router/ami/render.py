"""Commands -> AMI actions (pure).

Everything that reaches a dial string or an application argument is checked here: a comma
would split ``BridgeAdd``'s argument and CR/LF would add AMI headers, so such values are
refused with :class:`AmiInjectionError` instead of being sent.
"""

from __future__ import annotations

import re

from router.ami.client import AmiAction
from router.ami.parse import LEG_ACTION_PREFIX
from router.core.commands import (
    BlindTransfer,
    HangupChannel,
    OriginateLeg,
    ReplyToRequest,
    SetChannelVar,
)
from router.dialplan import (
    CONTEXT_DEPARTMENT_LEG,
    REPLY_ACCEPTED,
    REPLY_CONFIRM,
    REPLY_TICKET,
    VAR_CALL_ID,
    VAR_LEG_ID,
    VAR_PRIORITY,
    VAR_REPLY,
    VAR_RING_TIMEOUT_S,
)
from router.errors import AmiInjectionError

__all__ = ["blind_transfer", "hangup", "originate_leg", "queue_pause", "reply_on_phone", "set_var"]

_QUEUE = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_UNSAFE_ARG = re.compile(r"[,|&\r\n\x00()]")


def originate_leg(command: OriginateLeg) -> AmiAction:
    """``Local/<queue>@hotline-department-leg/n``; the ;1 side runs BridgeAdd(<caller>).

    ``/n`` keeps the Local channel from optimising itself away, so the leg keeps the ids
    the router gave it (ChannelId ``<leg>-a`` for ;1, OtherChannelId ``<leg>-b`` for ;2).
    """
    if not _QUEUE.match(command.queue):
        raise AmiInjectionError(f"queue name {command.queue!r} is not a safe dial string")
    _safe_arg("caller channel", command.caller_channel)
    _safe_arg("leg id", command.leg_id)
    return AmiAction(
        "Originate",
        (
            ("Channel", f"Local/{command.queue}@{CONTEXT_DEPARTMENT_LEG}/n"),
            ("Application", "BridgeAdd"),
            ("Data", command.caller_channel),
            ("Timeout", str(command.originate_timeout_s * 1000)),
            ("Async", "true"),
            ("ChannelId", f"{command.leg_id}-a"),
            ("OtherChannelId", f"{command.leg_id}-b"),
            ("Variable", f"{VAR_CALL_ID}={command.call_id}"),
            ("Variable", f"{VAR_LEG_ID}={command.leg_id}"),
            ("Variable", f"{VAR_RING_TIMEOUT_S}={command.ring_timeout_s}"),
            ("Variable", f"{VAR_PRIORITY}={command.priority}"),
        ),
        action_id=f"{LEG_ACTION_PREFIX}{command.leg_id}",
    )


def blind_transfer(command: BlindTransfer) -> AmiAction:
    if not command.exten.isdigit():
        raise AmiInjectionError(f"emergency number {command.exten!r} is not digits")
    return AmiAction("Redirect", (("Channel", command.channel), ("Context", command.context),
                                  ("Exten", command.exten), ("Priority", "1")))


def hangup(command: HangupChannel) -> AmiAction:
    return AmiAction("Hangup", (("Channel", command.channel), ("Cause", str(command.cause))))


def set_var(command: SetChannelVar) -> AmiAction:
    return AmiAction(
        "Setvar",
        (("Channel", command.channel), ("Variable", command.name), ("Value", command.value)),
    )


def reply_on_phone(command: ReplyToRequest) -> AmiAction | None:
    """The operator's *5 feature waits for HOTLINE_REPLY on their channel."""
    if command.operator_channel is None:
        return None
    if command.accepted:
        value = REPLY_ACCEPTED
    elif command.reason == "confirm_emergency":
        value = REPLY_CONFIRM
    elif command.reason == "ticket_created":
        value = REPLY_TICKET
    else:
        value = f"rejected-{command.reason}"
    return AmiAction(
        "Setvar",
        (("Channel", command.operator_channel), ("Variable", VAR_REPLY), ("Value", value)),
    )


def queue_pause(interface: str, paused: bool, reason: str) -> AmiAction:
    """Pause or resume ``interface`` in every queue it is a member of."""
    return AmiAction("QueuePause", (("Interface", interface),
                                    ("Paused", "true" if paused else "false"),
                                    ("Reason", reason)))


def _safe_arg(what: str, value: str) -> None:
    if not value or _UNSAFE_ARG.search(value):
        raise AmiInjectionError(f"{what} {value!r} cannot go into an application argument")
