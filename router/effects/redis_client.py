"""The Redis connection, built from settings (redis-py's async client)."""

from __future__ import annotations

import redis.asyncio as aioredis

from router.config import RedisSettings

__all__ = ["redis_client"]


def redis_client(settings: RedisSettings) -> aioredis.Redis:
    return aioredis.Redis.from_url(
        settings.url,
        password=settings.password.get_secret_value() if settings.password else None,
        socket_timeout=settings.socket_timeout_s,
        socket_connect_timeout=settings.socket_timeout_s,
        decode_responses=True,
    )
