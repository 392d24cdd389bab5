"""GCRA buckets in Redis: one Lua script per operation, timed by Redis's own clock.

A script runs atomically, so two processes reserving in the same bucket at once get two
different moments; Redis's ``TIME`` (not each caller's clock) makes processes on different
machines agree on what "now" is. Keys expire shortly after their TAT, so idle buckets
(a channel posted to once) leave nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from bot.ratelimit.buckets import Rate, Reservation

#: KEYS: the buckets. ARGV[1]: the longest wait (ms) the caller accepts; then per key its
#: interval and tolerance (ms). Returns {reserved 0/1, wait in ms as a string}.
RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local max_wait = tonumber(ARGV[1])
local tats = {}
local wait = 0
for i, key in ipairs(KEYS) do
  local tat = tonumber(redis.call('GET', key) or now)
  if tat < now then tat = now end
  tats[i] = tat
  local w = tat - tonumber(ARGV[2 * i + 1]) - now
  if w > wait then wait = w end
end
if wait > max_wait then
  return {0, tostring(wait)}
end
local send = now + wait
for i, key in ipairs(KEYS) do
  local tat = tats[i]
  if send > tat then tat = send end
  tat = tat + tonumber(ARGV[2 * i])
  redis.call('SET', key, tostring(tat), 'PX', math.ceil(tat - now) + 1000)
end
return {1, tostring(wait)}
"""

#: KEYS[1]: the bucket. ARGV: seconds to hold it (ms), its tolerance (ms).
HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local until_ = now + tonumber(ARGV[1]) + tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if tat < until_ then
  redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(until_ - now) + 1000)
end
return 1
"""

#: Seconds a Redis call may take before the limiter falls back to memory: posting must not
#: stall behind a Redis that has gone away (but a loaded machine may take a second to connect).
REDIS_TIMEOUT = 2.0
#: Connections per process: a reservation is one short script, so a few serve hundreds a
#: second, and a burst of requests queues for them instead of opening a connection each.
MAX_CONNECTIONS = 8


def connect(url: str) -> redis.Redis:
    """A client that fails fast (no retries, bounded waits): the limiter has a fallback."""
    pool = redis.BlockingConnectionPool.from_url(
        url,
        max_connections=MAX_CONNECTIONS,
        timeout=REDIS_TIMEOUT,
        socket_timeout=REDIS_TIMEOUT,
        socket_connect_timeout=REDIS_TIMEOUT,
        retry=Retry(NoBackoff(), 0),
        health_check_interval=0,
    )
    return redis.Redis(connection_pool=pool)


class RedisBuckets:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._reserve = client.register_script(RESERVE)
        self._hold = client.register_script(HOLD)

    async def reserve(self, rates: Sequence[Rate], max_wait: float) -> Reservation:
        args: list[float] = [max_wait * 1000]
        for rate in rates:
            args += [rate.interval * 1000, rate.tolerance * 1000]
        reserved, wait_ms = await self._reserve(keys=[r.key for r in rates], args=args)
        return Reservation(max(0.0, float(wait_ms) / 1000), bool(int(reserved)))

    async def hold(self, rate: Rate, seconds: float) -> None:
        await self._hold(keys=[rate.key], args=[max(0.0, seconds) * 1000, rate.tolerance * 1000])

    async def close(self) -> None:
        await self.client.aclose()
