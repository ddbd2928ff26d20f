"""Sub-urgent tickets (次紧急工单): model, lifecycle, durable store, outbox, sweeper."""

__all__: list[str] = []
