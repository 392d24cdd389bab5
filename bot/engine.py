"""The engine: starts the platforms, polls sources and delivers due posts through one outbox
per platform. ``run_pass`` is one pass now (`wirebrief run --once`); ``start`` keeps going on
schedule until ``stop``."""

from __future__ import annotations

import asyncio
import contextlib
import logging

from bot.config import Settings
from bot.outbox import Outbox
from bot.platform import Platform
from bot.scheduler import Triggers
from bot.service_impl import StoreServices
from bot.store.types import SourceRef

log = logging.getLogger(__name__)

#: Sources polled at once; the rest wait their turn (1,000 feeds must not open 1,000 sockets).
POLL_CONCURRENCY = 32
#: Delivery rounds of one `run --once` pass: posts, then the thread replies they made due.
PASS_ROUNDS = 4


class Engine:
    def __init__(self, settings: Settings, services: StoreServices, platforms: list[Platform]) -> None:
        self.settings = settings
        self.services = services
        self.platforms = platforms
        self.outboxes = {p.name: Outbox(p, services) for p in platforms}
        for box in self.outboxes.values():
            box.on_sent = self._wake
        self._wake_pending = False
        self._poll_gate = asyncio.Semaphore(POLL_CONCURRENCY)
        self._triggers: Triggers | None = None
        self._started: list[Platform] = []
        self._deliver_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def platform_names(self) -> list[str]:
        return list(self.outboxes)

    async def start(self) -> None:
        """Start every platform, the outboxes and the triggers; the first sweep runs at once."""
        await self._start_platforms()
        for box in self.outboxes.values():
            box.start()
        sched = self.settings.scheduler
        sweep = max(1.0, min(30.0, sched.claim_timeout_seconds / 2, float(sched.wire_interval_seconds)))
        self._triggers = Triggers(self._poll_job, self.deliver_due, self._sweep, sweep)
        self._triggers.start()
        log.info("engine started", extra={"platforms": self.platform_names})

    async def run_pass(self) -> None:
        """Poll every active source now, then deliver every due post and wait until sent."""
        await self._start_platforms()
        for box in self.outboxes.values():
            box.start()
        sources = await self.services.sources_due(force=True)
        await asyncio.gather(*(self._poll(src) for src in sources))
        for _ in range(PASS_ROUNDS):  # a story's first post opens the thread its replies wait for
            sent = sum(box.sent for box in self.outboxes.values())
            await self.deliver_due()
            await asyncio.gather(*(box.drain() for box in self.outboxes.values()))
            if sum(box.sent for box in self.outboxes.values()) == sent:
                break

    async def stop(self) -> None:
        if self._triggers is not None:
            self._triggers.shutdown()
            self._triggers = None
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        await asyncio.gather(*(box.stop() for box in self.outboxes.values()))
        for platform in reversed(self._started):
            try:
                await platform.stop()
            except Exception:
                log.exception("platform stop failed", extra={"platform": platform.name})
        self._started = []
        log.info("engine stopped")

    async def deliver_due(self) -> None:
        """Queue every post owed now (computed from the store) on its platform's outbox."""
        async with self._deliver_lock:
            due = await self.services.due_posts(self.platform_names)
            editions = await self.services.due_editions(self.platform_names)
        for box in self.outboxes.values():
            box.submit(due)
            box.submit(editions)

    async def _start_platforms(self) -> None:
        for platform in self.platforms:
            if platform in self._started:
                continue
            await platform.start(self.services)
            self._started.append(platform)

    async def _poll(self, source: SourceRef) -> None:
        async with self._poll_gate:
            try:
                result = await self.services.poll(source)
            except Exception:
                log.exception("poll failed", extra={"source": source.url})
                return
        if result is not None and result.new and self._triggers is not None:
            self._spawn(self.deliver_due())

    async def _poll_job(self, source_id: int) -> None:
        for src in await self.services.sources_due():
            if src.id == source_id:
                await self._poll(src)
                return

    async def _sweep(self) -> None:
        """Catch up: resync jobs with the store (subscriptions made elsewhere), poll what is
        overdue, deliver what is owed (retries, claims left by a crashed process)."""
        try:
            if self._triggers is not None:
                sources = await self.services.all_sources()
                crons = await self.services.cron_subscriptions(self.platform_names)
                sched = self.settings.scheduler
                intervals = {
                    "feed": sched.poll_interval_seconds,
                    "wire": sched.wire_interval_seconds,
                    "file": sched.wire_interval_seconds,
                }
                self._triggers.sync(sources, intervals, crons)
            await asyncio.gather(*(self._poll(src) for src in await self.services.sources_due()))
            await self.deliver_due()
        except Exception:
            log.exception("sweep failed")

    def _wake(self) -> None:
        """A post was sent while running: replies waiting for its thread may be due now
        (at most one extra look queued at a time)."""
        if self._triggers is None or self._wake_pending:
            return
        self._wake_pending = True

        async def again() -> None:
            self._wake_pending = False
            await self.deliver_due()

        self._spawn(again())

    def _spawn(self, coro) -> None:  # type: ignore[no-untyped-def]
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
