"""Render the department queues of a catalogue into ``asterisk_conf/queues_catalogue.conf``.

The dialplan never lists departments; queues.conf includes this generated file. A test
checks that the committed file equals what this renders from the default catalogue.
"""

from __future__ import annotations

from pathlib import Path

from skills.catalogue import Catalogue

__all__ = ["CHAIN_FILE", "CHAIN_NAME", "CONF", "QUEUES_FILE", "QUEUES_NAME",
           "render_operator_chain", "render_queues"]

# asterisk_conf/ of a source checkout (absent when installed from a wheel)
CONF = Path(__file__).resolve().parents[1] / "asterisk_conf"
QUEUES_NAME = "queues_catalogue.conf"
CHAIN_NAME = "extensions_catalogue.conf"
QUEUES_FILE = CONF / QUEUES_NAME
CHAIN_FILE = CONF / CHAIN_NAME

RETRY_MARGIN_S = 5  # retry > the leg's ring time: no second round inside one leg

_TEMPLATE = """\
; GENERATED from the catalogue by `python -m router catalogue render-queues`; do not edit.
; One queue per team. Members are added by the router (QueueAdd) from the catalogue.

; Busy overflow reads the leg's QUEUESTATUS: JOINEMPTY when no member is usable (so an
; all-busy team is never rung), TIMEOUT when nobody answered in the ring time the router
; passes to Queue(), FULL at maxlen.
; One ring per specialist per leg: every available member of the best skill level rings at
; once (ringall; penalty = 5 - level) for the unit's whole ring time (timeout, per queue
; below), and `retry` is longer than that time, so a member who did not answer, or who
; answered busy (SIP 486, do not disturb) while their device looked free, is not rung again
; in the same leg: the router's next leg goes to the next target instead.
[hotline-department](!)
strategy = ringall
ringinuse = no
autopause = no
joinempty = paused,penalty,inuse,ringing,unavailable,invalid,unknown,wrapup
leavewhenempty = paused,inuse,unavailable,invalid,unknown
musicclass = default
announce-position = no
announce-holdtime = no
"""


_OPERATOR_TEMPLATE = """
; Partner seats elsewhere in the city, after the hotline's own operator queue.
[hotline-operator-pool](!)
strategy = rrmemory
timeout = 15
retry = 1
ringinuse = no
joinempty = yes
leavewhenempty = no
musicclass = default
announce-position = no
announce-holdtime = no
"""


def render_queues(catalogue: Catalogue) -> str:
    parts = [_TEMPLATE]
    partners = catalogue.spec.operator_queues[1:]
    if partners:
        parts.append(_OPERATOR_TEMPLATE)
        for step in partners:
            label = f"{step.name.en} ({step.name.zh})" if step.name else step.queue
            parts.append(f"\n; {label}\n[{step.queue}](hotline-operator-pool)\n")
    for queue in catalogue.queues():
        unit_id = catalogue.unit_of(queue)
        unit = catalogue.units[unit_id]
        team = catalogue.team(queue)
        parts.append(
            f"\n; {unit.name.en} / {team.name.en} ({unit.name.zh} {team.name.zh})\n"
            f"[{queue}](hotline-department)\nmaxlen = {unit.queue_maxlen}\n"
            f"timeout = {unit.ring_timeout_s}\nretry = {unit.ring_timeout_s + RETRY_MARGIN_S}\n"
        )
    return "".join(parts)


def render_operator_chain(catalogue: Catalogue) -> str:
    """The ``hotline-operator-queues`` subroutine: each operator queue in turn.

    A caller waits ``wait_s`` in one step; on TIMEOUT they move to the next (raising
    ``HotlineOperatorOverflow``). Any other QUEUESTATUS (answered and ended, hung up) ends
    the chain.
    """
    lines = [
        "; GENERATED from the catalogue by `python -m router catalogue render-queues`; do not"
        " edit.",
        "; The operator queue's overflow chain (operator_queues in the catalogue).",
        "[hotline-operator-queues]",
    ]
    steps = catalogue.spec.operator_queues
    for index, step in enumerate(steps):
        first = "exten => s,1," if index == 0 else " same => n,"
        lines.append(f"{first}Queue({step.queue},c,,,{step.wait_s},,hotline-operator-connected)")
        if index + 1 < len(steps):
            lines.append(' same => n,GotoIf($["${QUEUESTATUS}" != "TIMEOUT"]?done)')
            lines.append(
                " same => n,UserEvent(HotlineOperatorOverflow,Version: 1,CallId: "
                f"${{HOTLINE_CALL_ID}},FromQueue: {step.queue},ToQueue: {steps[index + 1].queue})")
    lines.append(" same => n(done),Return()")
    return "\n".join(lines) + "\n"
