"""The Redis key schema, version 1 (public API: monitoring systems read these keys).

Every key starts with ``<namespace>:v1:`` (namespace ``hotline`` unless configured).
Days and hours are Asia/Shanghai. Documented in docs/metrics.md; a change that breaks a
reader gets a new version prefix, never an in-place edit.

=====================================================  ======  ============================
key                                                    type    holds
=====================================================  ======  ============================
``<ns>:v1:call:<call id>``                             string  the call's final record (JSON)
``<ns>:v1:calls:<YYYY-MM-DD>``                         set     call ids recorded that day
``<ns>:v1:day:<YYYY-MM-DD>:<scope>``                   hash    counters for the day
``<ns>:v1:hour:<YYYY-MM-DD>T<HH>:<scope>``             hash    counters for the hour
``<ns>:v1:events``                                     stream  call events (MAXLEN ~)
``<ns>:v1:state:unit:<unit>``                          hash    live: available specialists,
                                                               callers waiting, longest wait
``<ns>:v1:alerts:unit:<unit>``                         hash    standard -> 1 raised / 0 clear
``<ns>:v1:alerts:calendar``                            hash    raised 1/0, first provisional
                                                               day, provisional days, years
``<ns>:v1:bad-reviews:<YYYY-MM-DD>``                   set     call ids of bad reviews
``<ns>:v1:tickets:<YYYY-MM-DD>``                       set     ticket ids counted that day
``<ns>:v1:once:<kind>:<id>``                           string  "counted once" markers
``<ns>:v1:journal``                                    hash    call id -> the call in
                                                               progress (JSON, v1)
=====================================================  ======  ============================

A ``<scope>`` is ``total``, ``unit:<unit id>``, ``matter:<code>`` or ``queue:<queue>`` (one
department queue as an overflow target).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SCHEMA_VERSION", "Keys"]

SCHEMA_VERSION = "v1"


@dataclass(frozen=True, slots=True)
class Keys:
    namespace: str = "hotline"

    @property
    def prefix(self) -> str:
        return f"{self.namespace}:{SCHEMA_VERSION}"

    def call(self, call_id: str) -> str:
        return f"{self.prefix}:call:{call_id}"

    def calls_of_day(self, day: str) -> str:
        return f"{self.prefix}:calls:{day}"

    def day(self, day: str, scope: str) -> str:
        return f"{self.prefix}:day:{day}:{scope}"

    def hour(self, day: str, hour: int, scope: str) -> str:
        return f"{self.prefix}:hour:{day}T{hour:02d}:{scope}"

    def events(self) -> str:
        return f"{self.prefix}:events"

    def unit_state(self, unit: str) -> str:
        return f"{self.prefix}:state:unit:{unit}"

    def alerts(self, unit: str) -> str:
        return f"{self.prefix}:alerts:unit:{unit}"

    def calendar_alert(self) -> str:
        return f"{self.prefix}:alerts:calendar"

    def bad_reviews(self, day: str) -> str:
        return f"{self.prefix}:bad-reviews:{day}"

    def tickets_of_day(self, day: str) -> str:
        return f"{self.prefix}:tickets:{day}"

    def journal(self) -> str:
        return f"{self.prefix}:journal"

    def once(self, kind: str, ident: str) -> str:
        return f"{self.prefix}:once:{kind}:{ident}"
