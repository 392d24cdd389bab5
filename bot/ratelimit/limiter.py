"""The limiter every adapter's REST calls pass: Redis when configured, memory otherwise,
and memory for a while (one WARNING) whenever Redis stops answering."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import Sequence

from bot.ratelimit.buckets import MemoryBuckets, Rate, Reservation

log = logging.getLogger(__name__)

#: After Redis failed, the limiter stays in memory this long before trying Redis again.
RETRY_REDIS_AFTER = 10.0
#: Times a request that woke too late reserves again before it goes anyway (never starves).
REPLANS = 4


class TooLong(Exception):
    """The next free moment is further away than the caller accepts; nothing was reserved."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"rate limit: next free moment in {wait:.1f}s")
        self.wait = wait


def namespace_for(platform: str, token: str) -> str:
    """Buckets belong to a bot token; the key names it by a digest, never the token itself."""
    digest = hashlib.sha256(token.encode()).hexdigest()[:16]
    return f"wirebrief:rl:{platform}:{digest}"


class Limiter:
    """Reserve-then-sleep across the buckets a request belongs to.

    ``redis_url`` None: in-process buckets only (one instance needs nothing else).
    """

    def __init__(self, namespace: str, redis_url: str | None = None) -> None:
        self.namespace = namespace
        self.redis_url = redis_url
        self.memory = MemoryBuckets()
        self._redis = None
        self._down_since: float | None = None
        self._retry_at = 0.0
        self.waited = 0.0  #: seconds requests spent waiting here, for figures and logs
        self.replanned = 0  #: reservations given up because the request woke too late
        if redis_url:
            from bot.ratelimit.redis_buckets import RedisBuckets, connect

            self._redis = RedisBuckets(connect(redis_url))

    @property
    def shared(self) -> bool:
        """True while the buckets live in Redis (shared with the other instances)."""
        return self._redis is not None and self._down_since is None

    def rate(self, name: str, interval: float, burst: int = 1) -> Rate:
        return Rate(f"{self.namespace}:{name}", interval, burst)

    async def acquire(self, rates: Sequence[Rate], max_wait: float, late_ok: float = math.inf) -> float:
        """Wait for the moment the request may go in every bucket of ``rates``; the seconds
        waited. Raises :class:`TooLong` (nothing reserved) if that is over ``max_wait``.

        ``late_ok``: a request that wakes more than this after its moment (a busy event loop)
        gives the moment up and reserves again, so it cannot reach the platform right before
        the request reserved after it."""
        waited, _ = await self.admit(rates, max_wait, late_ok)
        return waited

    async def admit(self, rates: Sequence[Rate], max_wait: float, late_ok: float = math.inf) -> tuple[float, float]:
        """:meth:`acquire`, returning the seconds waited and the moment (``time.monotonic()``)
        the request was due: a caller with more to do before the request leaves (a connection
        to open) can tell whether it is still within ``late_ok`` of that moment."""
        if not rates:
            return 0.0, time.monotonic()
        waited = 0.0
        for _ in range(REPLANS):
            asked = time.monotonic()
            reservation = await self._reserve(rates, max_wait)
            if not reservation.reserved:
                raise TooLong(reservation.wait)
            if reservation.wait > 0:
                await asyncio.sleep(reservation.wait)
            moment = asked + reservation.wait
            waited += reservation.wait
            if time.monotonic() - moment <= late_ok:
                break
            self.replanned += 1
        self.waited += waited
        return waited, moment

    async def hold(self, rate: Rate, seconds: float) -> None:
        """The platform said "not before ``seconds``" for this bucket: every instance waits."""
        await self.memory.hold(rate, seconds)
        if self._use_redis():
            try:
                await self._redis.hold(rate, seconds)  # type: ignore[union-attr]
            except Exception as exc:
                self._failed(exc)

    async def close(self) -> None:
        if self._redis is not None:
            try:
                await self._redis.close()
            except Exception:  # closing a client whose server is gone: nothing to do
                log.debug("rate limits: closing the Redis client failed", exc_info=True)

    async def _reserve(self, rates: Sequence[Rate], max_wait: float) -> Reservation:
        if self._use_redis():
            try:
                reservation = await self._redis.reserve(rates, max_wait)  # type: ignore[union-attr]
            except Exception as exc:
                self._failed(exc)
            else:
                self._recovered()
                return reservation
        return await self.memory.reserve(rates, max_wait)

    def _use_redis(self) -> bool:
        return self._redis is not None and (self._down_since is None or time.monotonic() >= self._retry_at)

    def _failed(self, exc: Exception) -> None:
        self._retry_at = time.monotonic() + RETRY_REDIS_AFTER
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.warning(
                "rate limits: Redis at %s is not answering (%s); limiting in this process only until it does",
                _safe_url(self.redis_url),
                type(exc).__name__ if not str(exc) else f"{type(exc).__name__}: {exc}",
            )

    def _recovered(self) -> None:
        if self._down_since is not None:
            log.info("rate limits: Redis answers again after %.0fs; limits are shared again",
                     time.monotonic() - self._down_since)  # fmt: skip
            self._down_since = None


def _safe_url(url: str | None) -> str:
    """The Redis URL without its password, for logs."""
    if not url or "@" not in url:
        return url or ""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://***@{rest.rpartition('@')[2]}"
