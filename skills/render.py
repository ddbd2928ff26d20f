"""Render the department queues of a catalogue into ``asterisk_conf/queues_catalogue.conf``.

The dialplan never lists departments; queues.conf includes this generated file. A test
checks that the committed file equals what this renders from the default catalogue.
"""

from __future__ import annotations

from pathlib import Path

from skills.catalogue import Catalogue

__all__ = ["QUEUES_FILE", "render_queues"]

QUEUES_FILE = Path(__file__).resolve().parents[1] / "asterisk_conf" / "queues_catalogue.conf"

_TEMPLATE = """\
; GENERATED from the catalogue by `python -m router catalogue render-queues`; do not edit.
; One queue per team. Members are added by the router (QueueAdd) from the catalogue.

; Busy overflow reads the leg's QUEUESTATUS: JOINEMPTY when no member is usable (so an
; all-busy team is never rung), TIMEOUT when nobody answered in the ring time the router
; passes to Queue(), FULL at maxlen.
[hotline-department](!)
strategy = rrmemory
timeout = 15
retry = 1
ringinuse = no
autopause = no
joinempty = paused,penalty,inuse,ringing,unavailable,invalid,unknown,wrapup
leavewhenempty = paused,inuse,unavailable,invalid,unknown
musicclass = default
announce-position = no
announce-holdtime = no
"""


def render_queues(catalogue: Catalogue) -> str:
    parts = [_TEMPLATE]
    for queue in catalogue.queues():
        unit_id = catalogue.unit_of(queue)
        unit = catalogue.units[unit_id]
        team = catalogue.team(queue)
        parts.append(
            f"\n; {unit.name.en} / {team.name.en} ({unit.name.zh} {team.name.zh})\n"
            f"[{queue}](hotline-department)\nmaxlen = {unit.queue_maxlen}\n"
        )
    return "".join(parts)
