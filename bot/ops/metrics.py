"""The Prometheus metrics of one `wirebrief run` process, and the one-line hooks that feed them.

Counters and the post-latency histogram are incremented where things happen (the poll loop,
the outbox, the platforms' HTTP clients) through the small functions below, so each call site
stays a single line. Figures that already live somewhere — the outbox queues, the deliveries
table — are read when Prometheus scrapes (:class:`EngineCollector`), never kept twice.

The metrics live in a registry of their own (:data:`REGISTRY`) rather than prometheus-client's
global one, so importing a library that registers metrics globally cannot change what
``/metrics`` shows, and tests can read exactly this process's figures.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

if TYPE_CHECKING:
    import aiohttp

    from bot.engine import Engine
    from bot.ops.store_stats import StoreStats
    from bot.store.types import IngestResult

T = TypeVar("T")

disable_created_metrics()  # the *_created series double every counter and say nothing a restart alert does not
REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

POLLS = Counter(
    "wirebrief_polls",
    "Polls of a source by this process, by result: news (new or updated items), no_news, failed, "
    "skipped (another process had the poll), error (the poll could not run: the store failed).",
    ["result"],
    registry=REGISTRY,
)
FETCH_ERRORS = Counter(
    "wirebrief_fetch_errors",
    "Failed polls by kind (timeout, connection, http_status, malformed, too_big, crashed, ...).",
    ["kind"],
    registry=REGISTRY,
)
POST_SECONDS = Histogram(
    "wirebrief_post_seconds",
    "Seconds one post, reply or edition took on its platform (after pacing), by outcome: ok or error.",
    ["platform", "outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
    registry=REGISTRY,
)
RATE_LIMITED = Counter(
    "wirebrief_rate_limited",
    "HTTP 429 answers received from a platform's API (every REST call, not only posts).",
    ["platform"],
    registry=REGISTRY,
)
for _result in ("news", "no_news", "failed", "skipped", "error"):
    POLLS.labels(_result)  # every result shows from the start (0), so rate() works at once

_KIND = re.compile(r"[a-z_]{1,32}")


def polled(result: IngestResult | None) -> None:
    """One poll finished (``None``: another process had it)."""
    if result is None:
        POLLS.labels("skipped").inc()
    elif result.failure is not None:
        POLLS.labels("failed").inc()
        kind = result.failure if _KIND.fullmatch(result.failure) else "other"  # bounded label values
        FETCH_ERRORS.labels(kind).inc()
    else:
        POLLS.labels("news" if result.new or result.updated else "no_news").inc()


def poll_error() -> None:
    """A poll could not run at all (the store failed under it)."""
    POLLS.labels("error").inc()


async def timed_post(platform: str, send: Awaitable[T]) -> T:
    """Await ``send`` (one platform call) and observe how long it took, whatever its outcome."""
    start = time.perf_counter()
    outcome = "error"
    try:
        result = await send
        outcome = "ok"
        return result
    finally:
        POST_SECONDS.labels(platform, outcome).observe(time.perf_counter() - start)


def rate_limited(platform: str) -> None:
    RATE_LIMITED.labels(platform).inc()


def http_trace(platform: str) -> aiohttp.TraceConfig:
    """An aiohttp trace that counts the 429s a platform's client receives (discord.py takes
    one as ``http_trace``; it handles most 429s itself, so the outbox never sees them)."""
    import aiohttp

    async def on_end(_session: Any, _ctx: Any, params: aiohttp.TraceRequestEndParams) -> None:
        if params.response.status == 429:
            rate_limited(platform)

    trace = aiohttp.TraceConfig()
    trace.on_request_end.append(on_end)
    return trace


def slack_429_counter(platform: str = "slack") -> Any:
    """A slack_sdk retry handler that never retries: placed first among the client's retry
    handlers (which see every response), it counts the 429s before the real handlers act."""
    from slack_sdk.http_retry.async_handler import AsyncRetryHandler

    class _Count429(AsyncRetryHandler):
        async def can_retry_async(self, *, state: Any, request: Any, response: Any = None, error: Any = None) -> bool:
            if response is not None and response.status_code == 429:
                rate_limited(platform)
            return False

    return _Count429()


class EngineCollector:
    """Figures read at scrape time: outbox queue depth, platforms connected, polls in flight,
    and the deliveries by status (from :class:`~bot.ops.store_stats.StoreStats`' cached count)."""

    def __init__(self, engine: Engine, stats: StoreStats) -> None:
        self.engine = engine
        self.stats = stats

    def describe(self) -> list[Metric]:
        return []  # figures are only known at scrape time; nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "wirebrief_outbox_queue_depth", "Posts queued in this process's outbox, not yet taken.", labels=["platform"]
        )
        for name, box in self.engine.outboxes.items():
            depth.add_metric([name], box.depth)
        yield depth
        up = GaugeMetricFamily(
            "wirebrief_platform_connected", "1 when the platform is started and connected.", labels=["platform"]
        )
        for name, ready in self.engine.platforms_ready().items():
            up.add_metric([name], 1.0 if ready else 0.0)
        yield up
        yield GaugeMetricFamily(
            "wirebrief_polls_in_flight", "Polls running now in this process.", value=self.engine.poller.in_flight
        )
        yield from self.stats.metrics()


def register(collector: Any) -> Callable[[], None]:
    """Add a collector to :data:`REGISTRY`; returns the call that removes it again."""
    REGISTRY.register(collector)
    return lambda: REGISTRY.unregister(collector)
