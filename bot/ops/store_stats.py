"""Deliveries and editions by status, counted in the store for ``/metrics`` — cheaply.

A ``GROUP BY status`` reads the whole table (no index leads with status), so it runs at most
once per :data:`REFRESH_SECONDS` whatever the scrape rate, in a worker thread and a read-only
transaction (on SQLite it never takes the write lock), bounded by :data:`TIMEOUT_SECONDS`. A
scrape in between shows the last count and its age (``wirebrief_store_stats_age_seconds``);
one that fails leaves the last count and says so in the log once, not a traceback per scrape.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import func, select

from bot.store import Store
from bot.store.models import DeliveryRow, EditionRow

log = logging.getLogger(__name__)

#: The deliveries table is counted at most this often (seconds).
REFRESH_SECONDS = 30.0
#: A count that takes longer is given up for this scrape (the thread finishes on its own).
TIMEOUT_SECONDS = 5.0


class StoreStats:
    def __init__(self, store: Store, refresh_seconds: float = REFRESH_SECONDS) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self.deliveries: dict[str, int] = {}
        self.editions: dict[str, int] = {}
        self._counted_at: float | None = None
        self._running: asyncio.Task[None] | None = None
        self._failing = False

    async def refresh(self) -> None:
        """Count again if the last count is older than ``refresh_seconds`` (one count at a time)."""
        if self._counted_at is not None and time.monotonic() - self._counted_at < self.refresh_seconds:
            return
        if self._running is None or self._running.done():
            self._running = asyncio.create_task(self._count())
        try:
            await asyncio.wait_for(asyncio.shield(self._running), TIMEOUT_SECONDS)
        except TimeoutError:
            log.warning("counting deliveries for /metrics takes over %gs; showing the last count", TIMEOUT_SECONDS)

    async def _count(self) -> None:
        try:
            self.deliveries, self.editions = await asyncio.to_thread(self._count_now)
        except Exception as exc:
            if not self._failing:
                log.warning("cannot count deliveries for /metrics", extra={"error": repr(exc)[:300]})
            self._failing = True
            return
        self._failing = False
        self._counted_at = time.monotonic()

    def _count_now(self) -> tuple[dict[str, int], dict[str, int]]:
        with self.store.read() as session:
            deliveries = session.execute(select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)).all()
            editions = session.execute(select(EditionRow.status, func.count()).group_by(EditionRow.status)).all()
        return {s: n for s, n in deliveries}, {s: n for s, n in editions}

    def metrics(self) -> Iterator[Metric]:
        deliveries = GaugeMetricFamily(
            "wirebrief_deliveries",
            f"Deliveries in the store by status (all instances; counted at most every {self.refresh_seconds:g}s).",
            labels=["status"],
        )
        for status, count in sorted(self.deliveries.items()):
            deliveries.add_metric([status], count)
        yield deliveries
        editions = GaugeMetricFamily("wirebrief_editions", "Editions in the store by status.", labels=["status"])
        for status, count in sorted(self.editions.items()):
            editions.add_metric([status], count)
        yield editions
        if self._counted_at is not None:
            yield GaugeMetricFamily(
                "wirebrief_store_stats_age_seconds",
                "Seconds since wirebrief_deliveries was counted.",
                value=time.monotonic() - self._counted_at,
            )
