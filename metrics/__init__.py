"""Metrics of the enterprise line: the public Redis key schema, pure rate formulas and the
recorder (the only Redis writer). Never imports ``router``."""

from metrics.records import CallRecord, TargetAttempt

__all__ = ["CallRecord", "TargetAttempt"]
