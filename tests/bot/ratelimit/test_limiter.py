"""The shared limiter: GCRA reservations in memory and in Redis, shared between limiters that
stand for two processes, and the fall back to memory (one WARNING) when Redis goes away."""

from __future__ import annotations

import logging

import pytest

from bot.ratelimit import Limiter, Rate, TooLong, namespace_for
from bot.ratelimit.buckets import MemoryBuckets
from tests.bot.ratelimit.conftest import REDIS_HOST, REDIS_PORT, REDIS_URL
from tests.fakes.tcp_proxy import CuttableProxy


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_requests_are_spread_one_interval_apart_after_the_burst() -> None:
    clock = Clock()
    buckets = MemoryBuckets(clock)
    rate = Rate("r", interval=0.5, burst=3)
    waits = [buckets.reserve_now([rate], max_wait=60).wait for _ in range(6)]
    assert waits == [0.0, 0.0, 0.0, 0.5, 1.0, 1.5]
    clock.now += 10  # idle: the burst is available again, not more
    waits = [buckets.reserve_now([rate], max_wait=60).wait for _ in range(4)]
    assert waits == [0.0, 0.0, 0.0, 0.5]


def test_a_request_in_two_buckets_waits_for_the_later_and_takes_from_both() -> None:
    clock = Clock()
    buckets = MemoryBuckets(clock)
    everything, channel = Rate("global", 0.1), Rate("channel", 1.0)
    assert buckets.reserve_now([everything, channel], 60).wait == 0
    assert buckets.reserve_now([everything, channel], 60).wait == pytest.approx(1.0)
    assert buckets.reserve_now([everything], 60).wait == pytest.approx(1.1)  # the global slot after it


def test_a_wait_longer_than_accepted_reserves_nothing() -> None:
    clock = Clock()
    buckets = MemoryBuckets(clock)
    rate = Rate("r", interval=5.0)
    buckets.reserve_now([rate], 60)
    refused = buckets.reserve_now([rate], max_wait=1)
    assert not refused.reserved and refused.wait == pytest.approx(5.0)
    assert buckets.reserve_now([rate], 60).wait == pytest.approx(5.0)  # the refused call took no slot


async def test_hold_keeps_the_bucket_shut_for_the_platforms_retry_after() -> None:
    clock = Clock()
    buckets = MemoryBuckets(clock)
    rate = Rate("r", interval=0.02)
    await buckets.hold(rate, 3.0)
    assert buckets.reserve_now([rate], 60).wait == pytest.approx(3.0)


def test_the_namespace_names_the_token_by_digest_only() -> None:
    space = namespace_for("discord", "secret-bot-token")
    assert "secret" not in space and space.startswith("wirebrief:rl:discord:")
    assert space != namespace_for("discord", "another-token") and space != namespace_for("slack", "secret-bot-token")


async def test_without_redis_two_processes_do_not_see_each_other() -> None:
    """The single-process default: limits in memory, per process (why instances need Redis)."""
    first, second = Limiter("ns"), Limiter("ns")
    assert not first.shared
    await first.acquire([first.rate("b", 60.0)], max_wait=1)
    assert await second.acquire([second.rate("b", 60.0)], max_wait=1) == 0


async def test_with_redis_two_processes_share_one_bucket(redis_namespace: str) -> None:
    first, second = Limiter(redis_namespace, REDIS_URL), Limiter(redis_namespace, REDIS_URL)
    try:
        assert await first.acquire([first.rate("b", 60.0)], max_wait=1) == 0
        with pytest.raises(TooLong) as caught:
            await second.acquire([second.rate("b", 60.0)], max_wait=1)
        assert 59 < caught.value.wait <= 60
        assert first.shared and second.shared
    finally:
        await first.close()
        await second.close()


async def test_with_redis_a_hold_is_seen_by_the_other_process(redis_namespace: str) -> None:
    first, second = Limiter(redis_namespace, REDIS_URL), Limiter(redis_namespace, REDIS_URL)
    try:
        await first.hold(first.rate("b", 0.01), 30.0)
        with pytest.raises(TooLong) as caught:
            await second.acquire([second.rate("b", 0.01)], max_wait=1)
        assert 29 < caught.value.wait <= 30
    finally:
        await first.close()
        await second.close()


async def test_with_redis_reservations_interleave_across_processes(redis_namespace: str) -> None:
    """Two limiters reserving in turn in one 1-per-second bucket: the n-th reservation waits
    about n seconds whichever limiter makes it (the waits Redis computed, not measured)."""
    limiters = [Limiter(redis_namespace, REDIS_URL) for _ in range(2)]
    try:
        waits = []
        for n in range(6):
            limiter = limiters[n % 2]
            reservation = await limiter._reserve([limiter.rate("b", 1.0)], max_wait=60)
            waits.append(reservation.wait)
        assert [round(w) for w in waits] == [0, 1, 2, 3, 4, 5]
    finally:
        for limiter in limiters:
            await limiter.close()


async def test_an_unreachable_redis_falls_back_to_memory_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    proxy = CuttableProxy(REDIS_HOST, 1).start()  # a proxy to a port nothing listens on
    limiter = Limiter("ns", f"redis://127.0.0.1:{proxy.port}/0")
    try:
        with caplog.at_level(logging.WARNING, logger="bot.ratelimit"):
            for _ in range(3):
                await limiter.acquire([limiter.rate("b", 0.001)], max_wait=5)
        with pytest.raises(TooLong):  # memory still limits
            await limiter.acquire([limiter.rate("slow", 60.0)], max_wait=5)
            await limiter.acquire([limiter.rate("slow", 60.0)], max_wait=5)
    finally:
        await limiter.close()
        proxy.close()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "not answering" in warnings[0].getMessage() and not limiter.shared


async def test_redis_going_away_mid_run_degrades_then_recovers(
    redis_namespace: str, caplog: pytest.LogCaptureFixture
) -> None:
    proxy = CuttableProxy(REDIS_HOST, REDIS_PORT).start()
    limiter = Limiter(redis_namespace, f"redis://127.0.0.1:{proxy.port}/15")
    other = Limiter(redis_namespace, REDIS_URL)
    try:
        await limiter.acquire([limiter.rate("b", 0.001)], max_wait=5)
        assert limiter.shared
        proxy.cut()
        with caplog.at_level(logging.INFO, logger="bot.ratelimit"):
            for _ in range(5):  # no exception, one warning
                await limiter.acquire([limiter.rate("b", 0.001)], max_wait=5)
            assert not limiter.shared
            proxy.restore()
            limiter._retry_at = 0  # the retry period (10 s) has passed
            await limiter.acquire([limiter.rate("shared", 60.0)], max_wait=5)
        assert limiter.shared
        with pytest.raises(TooLong):  # the bucket it took is in Redis again, seen by the other
            await other.acquire([other.rate("shared", 60.0)], max_wait=5)
    finally:
        await limiter.close()
        await other.close()
        proxy.close()
    messages = [(r.levelname, r.getMessage()) for r in caplog.records if r.name.startswith("bot.ratelimit")]
    assert [level for level, _ in messages] == ["WARNING", "INFO"], messages
    assert "not answering" in messages[0][1] and "again" in messages[1][1]


async def test_a_request_that_wakes_too_late_reserves_again(monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy event loop wakes a request long after its moment: sent then, it would reach the
    platform right before the request reserved after it. It takes a new moment instead."""
    import asyncio

    limiter = Limiter("ns")
    rate = limiter.rate("b", 0.05)
    await limiter.acquire([rate], max_wait=5)  # the next moment is 50 ms away
    real_sleep = asyncio.sleep
    late = [0.2]  # the first wake-up comes 200 ms late; the next on time

    async def busy_sleep(seconds: float) -> None:
        await real_sleep(seconds + (late.pop() if late else 0.0))

    monkeypatch.setattr("bot.ratelimit.limiter.asyncio.sleep", busy_sleep)
    await limiter.acquire([rate], max_wait=5, late_ok=0.04)
    assert limiter.replanned == 1
