"""The engine: starts the platforms, polls sources (bot.poller) and delivers due posts through
one outbox per platform. ``run_pass`` is one pass now (`wirebrief run --once`); ``start`` keeps
going on schedule until ``stop``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterable

from bot.config import Settings
from bot.outbox import Outbox
from bot.platform import Platform
from bot.poller import Poller
from bot.scheduler import Triggers
from bot.service_impl import StoreServices
from bot.spread import process_salt, spread
from bot.store.outage import unavailable

log = logging.getLogger(__name__)

#: The engine prunes the store past its retention horizon this long after starting, then every
#: PRUNE_EVERY seconds (bot.store.retention: short batches, never a long lock).
PRUNE_FIRST_AFTER = 60.0
PRUNE_EVERY = 3600.0
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
        self.poller = Poller(services, settings, self._news)
        self._salt = process_salt()
        self._triggers: Triggers | None = None
        self._started: list[Platform] = []
        self._deliver_lock = asyncio.Lock()
        self._deliver_all = False
        self._deliver_sources: set[int] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def platform_names(self) -> list[str]:
        return list(self.outboxes)

    async def start(self) -> None:
        """Start every platform, the outboxes and the triggers; the first sweep runs at once."""
        await self._replay_journal()
        await self._start_platforms()
        for box in self.outboxes.values():
            box.start()
        sched = self.settings.scheduler
        sweep = max(1.0, min(30.0, sched.claim_timeout_seconds / 2, float(sched.wire_interval_seconds)))
        self._triggers = Triggers(self.deliver_due, self._sweep, sweep)
        self._triggers.start()
        self._spawn(self.poller.run())
        if self.settings.store.retention_days > 0:
            self._spawn(self._prune_loop())
        log.info("engine started", extra={"platforms": self.platform_names})

    async def run_pass(self) -> None:
        """Poll every active source now, then deliver every due post and wait until sent."""
        await self._replay_journal()
        await self._start_platforms()
        for box in self.outboxes.values():
            box.start()
        await self.poller.run_once()
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

    async def deliver_due(self, source_ids: Iterable[int] | None = None) -> None:
        """Queue every post owed now (computed from the store) on its platform's outbox;
        ``source_ids``: only what those sources' subscriptions are owed (a poll found news).
        Calls that arrive while one runs are merged into one more run, so a burst of polls
        costs a few computations, each bounded by the sources that found news."""
        if source_ids is None:
            self._deliver_all = True
        else:
            self._deliver_sources.update(source_ids)
        if self._deliver_lock.locked():
            return
        async with self._deliver_lock:
            while self._deliver_all or self._deliver_sources:
                ids = None if self._deliver_all else sorted(self._deliver_sources)
                self._deliver_all, self._deliver_sources = False, set()
                due = await self.services.due_posts(self.platform_names, ids)
                if self.settings.redis.url:  # several instances: each walks the channels in its own order
                    due = spread(due, self._salt)
                editions = await self.services.due_editions(self.platform_names)
                for box in self.outboxes.values():
                    box.submit(due)
                    box.submit(editions)

    async def _prune_loop(self) -> None:
        """Prune what is older than ``[store] retention_days``, now and then (one log line when
        the store cannot be reached: the next round tries again)."""
        from bot.store.retention import horizon

        keep = horizon(self.settings.store.retention_days, self.settings.stories.thread_window_hours)
        await asyncio.sleep(PRUNE_FIRST_AFTER)
        while True:
            try:
                await asyncio.to_thread(self.services.store.prune, keep)
            except Exception as exc:
                log.warning("prune failed; trying again later", extra={"error": " ".join(str(exc).split())[:200]})
            await asyncio.sleep(PRUNE_EVERY)

    def _news(self, source_id: int) -> None:
        """A poll found new items: deliver them now (not at the next sweep)."""
        if self._triggers is not None:
            self._spawn(self.deliver_due([source_id]))

    def platforms_ready(self) -> dict[str, bool]:
        """Each configured platform: started and, where it can tell (``connected``), still connected."""
        return {p.name: p in self._started and bool(getattr(p, "connected", True)) for p in self.platforms}

    async def _start_platforms(self) -> None:
        for platform in self.platforms:
            if platform in self._started:
                continue
            await platform.start(self.services)
            self._started.append(platform)

    async def _sweep(self) -> None:
        """Catch up: resync cron jobs with the store (subscriptions made elsewhere) and deliver
        what is owed (retries, claims left by a crashed process). Polling is the poller's."""
        try:
            if self._triggers is not None:
                self._triggers.sync(await self.services.cron_subscriptions(self.platform_names))
            await self._replay_journal()
            await self.deliver_due()
        except asyncio.CancelledError:
            if self._triggers is not None:
                raise
            # stopping: the scheduler cancels a sweep in flight; what it had not queued is
            # computed again from the store at the next start (no traceback for a clean stop)
        except Exception as exc:
            if not unavailable(exc):
                log.exception("sweep failed")
                return
            self.services.outage.failed(exc, "sweeping")  # one line per outage; the next sweep retries

    async def _guarded(self, coro) -> None:  # type: ignore[no-untyped-def]
        """A background step (delivery after news, a wake-up, the poller): a store outage is
        one WARNING (the sweep retries), anything else one logged error — never a "Task
        exception was never retrieved" traceback."""
        try:
            await coro
        except Exception as exc:
            if unavailable(exc):
                self.services.outage.failed(exc, "queueing due posts")
            else:
                log.exception("background step failed")

    async def _replay_journal(self) -> None:
        """Mark the posts a crashed process (or a store outage) left journaled but unmarked,
        before anything is claimed again. With the store away they wait for the next sweep."""
        try:
            await self.services.replay_journal()
        except Exception as exc:
            if not unavailable(exc):
                raise
            self.services.outage.failed(exc, "marking journaled posts")

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
        task = asyncio.create_task(self._guarded(coro))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
