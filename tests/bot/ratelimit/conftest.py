"""A real Redis (127.0.0.1:6379, database 15) for the shared-limit tests; skipped with a reason
when none answers. Each test gets its own key namespace, removed afterwards."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator

import pytest

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
REDIS_URL = f"redis://{REDIS_HOST}:{REDIS_PORT}/15"


def redis_answers() -> bool:
    try:
        with socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
async def redis_namespace() -> AsyncIterator[str]:
    if not redis_answers():
        pytest.skip(f"Redis does not answer on {REDIS_HOST}:{REDIS_PORT} (start one to run the shared-limit tests)")
    import redis.asyncio as redis

    namespace = f"wirebrief:test:{uuid.uuid4().hex[:12]}"
    yield namespace
    client = redis.Redis.from_url(REDIS_URL)
    try:
        keys = [key async for key in client.scan_iter(f"{namespace}:*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()
