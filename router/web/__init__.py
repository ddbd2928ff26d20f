"""The HTTP endpoint: /metrics (Prometheus), /health, /wallboard (+ server-sent events)."""

__all__: list[str] = []
