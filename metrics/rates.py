"""The figures each department is held to, computed from counters (pure).

"Two not below 90%" (the hotline's official standards): the **connection rate** of
transfers to a unit and the **resolution rate** of the listed matters. Transfer success
and satisfaction are reported against the same 90% as targets (the first month's results
were 90.6% and 92.3%).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["STANDARDS", "TARGETS", "Figures", "figures"]

STANDARDS = {"connection_rate": 0.90, "resolution_rate": 0.90}
TARGETS = {"transfer_success_rate": 0.90, "satisfaction_rate": 0.90}
LABELS = {
    "connection_rate": ("接通率", "connection rate"),
    "transfer_success_rate": ("转接成功率", "transfer success"),
    "resolution_rate": ("解决率", "resolution rate"),
    "satisfaction_rate": ("满意率", "satisfaction rate"),
}


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True, slots=True)
class Figures:
    requests: int
    connected: int
    three_way: int
    connection_rate: float | None  # connected / requests
    transfer_success_rate: float | None  # three-way established / requests
    resolution_rate: float | None  # resolved / answered "resolved?"
    satisfaction_rate: float | None  # (satisfied + basically satisfied) / answered
    bad_reviews: int
    overflow_attempted: int
    overflow_connected: int
    abandoned_during_transfer: int
    tickets_created: int
    tickets_overdue: int
    wait_avg_s: float | None
    wait_max_s: float | None

    def misses(self) -> dict[str, bool]:
        """Rate -> True if it is below its standard or target (None rates do not miss)."""
        goals = {**STANDARDS, **TARGETS}
        return {name: (value := getattr(self, name)) is not None and value < goal
                for name, goal in goals.items()}


def figures(counters: Mapping[str, int]) -> Figures:
    c = {k: int(v) for k, v in counters.items()}
    get = c.get
    wait_count = get("wait_count", 0)
    return Figures(
        requests=get("requests", 0),
        connected=get("connected", 0),
        three_way=get("three_way", 0),
        connection_rate=_rate(get("connected", 0), get("requests", 0)),
        transfer_success_rate=_rate(get("three_way", 0), get("requests", 0)),
        resolution_rate=_rate(get("resolved", 0), get("survey_resolution_answered", 0)),
        satisfaction_rate=_rate(get("satisfied", 0) + get("basically_satisfied", 0),
                                get("survey_satisfaction_answered", 0)),
        bad_reviews=get("bad_reviews", 0),
        overflow_attempted=get("overflow_attempted", 0),
        overflow_connected=get("overflow_connected", 0),
        abandoned_during_transfer=get("abandoned_during_transfer", 0),
        tickets_created=get("tickets_created", 0),
        tickets_overdue=get("tickets_overdue", 0),
        wait_avg_s=get("wait_sum_ms", 0) / wait_count / 1000 if wait_count else None,
        wait_max_s=get("wait_max_ms", 0) / 1000 if wait_count else None,
    )
