"""The poll loop: a fixed number of slots, filled from the store as they free up.

Nothing holds a list of every due source: the loop leases from the store only as many
sources as it has free slots (bot.store.leases), so memory and work per poll stay flat from
ten feeds to ten thousand, and several processes share the sources without polling one twice.
Two rules keep bad feeds from starving good ones: at most ``poll_per_host`` polls at once
against one host:port, and failing sources get a lane of a quarter of the slots and a short
timeout (``failing_timeout_seconds``). A source is failing when it failed twice in a row, or
when its host just timed out or refused a connection for another source (so a dead host with
a thousand feeds is found out by its first few, not by each one in turn)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.config import Settings
from bot.ops import metrics
from bot.service_impl import StoreServices
from bot.store.leases import LeaseRequest
from bot.store.types import SourceRef, utcnow

log = logging.getLogger(__name__)

#: Failures in a row after which a source is polled with the short timeout.
FAILING_AFTER = 2
#: Poll failures that say "this host is not answering" (as opposed to "this feed is bad").
HOST_FAILURES = frozenset({"timeout", "connection"})
#: Sources whose poll found news are handed on at most this often (seconds): a burst of polls
#: that all find news — a cold start, a restart after downtime — then costs one delivery
#: computation per beat instead of one per poll, for at most this much delay per post.
NEWS_BEAT = 0.5
#: A poll still waiting after this many seconds gives its slot back (it keeps its socket and its
#: host's count, and at most ``slots`` polls wait so at once): a thousand feeds that accept and
#: never answer, on as many hosts, then hold sockets, not the slots the healthy feeds need.
SLOW_AFTER = 2.0
#: Seconds between leases that may look past hosts at their cap (see LeaseRequest.look_past).
LOOK_PAST_EVERY = 0.25


class Poller:
    def __init__(self, services: StoreServices, settings: Settings, on_new: Callable[[int], None]) -> None:
        self.services = services
        self.settings = settings
        self._on_new = on_new
        sched = settings.scheduler
        self.slots = sched.poll_concurrency
        self.per_host = sched.poll_per_host
        self.failing_slots = max(1, self.slots // 4)
        self._hosts: Counter[str] = Counter()
        self._suspect: set[str] = set()
        self._failing = 0
        self._tasks: set[asyncio.Task[None]] = set()
        self._slow: set[asyncio.Task[None]] = set()
        self._freed = asyncio.Event()
        self._db_down = False
        self._news: set[int] = set()
        self._news_beat: asyncio.TimerHandle | None = None
        self._look_past_after = 0.0
        self.polls = 0

    @property
    def in_flight(self) -> int:
        """Polls holding a slot (slow ones gave theirs back but are still running)."""
        return len(self._tasks) - len(self._slow)

    @property
    def intervals(self) -> dict[str, int]:
        sched = self.settings.scheduler
        return {
            "feed": sched.poll_interval_seconds,
            "wire": sched.wire_interval_seconds,
            "file": sched.wire_interval_seconds,
        }

    @property
    def idle_seconds(self) -> float:
        """How often an idle loop asks the store again (new subscriptions, backed-off sources)."""
        return max(0.05, min(1.0, min(self.intervals.values()) / 4))

    async def run(self) -> None:
        """Poll forever (until cancelled): fill free slots, then wait for one to free up."""
        try:
            while True:
                free = self.slots - self.in_flight
                got = await self._fill(free, None) if free > 0 else 0
                if free > 0 and got == free:
                    continue  # every slot taken: the next turn waits for one to free up
                self._freed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._freed.wait(), self.idle_seconds)
        finally:
            await self._cancel_all()

    async def run_once(self) -> None:
        """`run --once`: poll every active source not fetched since now, then return."""
        since = utcnow()
        while True:
            free = self.slots - self.in_flight
            got = await self._fill(free, since) if free > 0 else 0
            if got == 0 and not self._tasks:
                return
            if free > 0 and got == free:
                continue
            self._freed.clear()
            await self._freed.wait()

    async def _fill(self, free: int, fetched_before: datetime | None) -> int:
        sched = self.settings.scheduler
        now = asyncio.get_running_loop().time()
        look_past = fetched_before is not None or now >= self._look_past_after
        if look_past:
            self._look_past_after = now + LOOK_PAST_EVERY
        request = LeaseRequest(
            limit=free,
            intervals=self.intervals,
            lease=timedelta(seconds=max(60.0, 3 * self.settings.fetch.timeout_seconds)),
            host_counts=dict(self._hosts),
            per_host=self.per_host,
            failing_room=self.failing_slots - self._failing,
            suspect_hosts=frozenset(self._suspect),
            fetched_before=fetched_before,
            look_past=look_past,
        )
        try:
            sources = await self.services.lease_sources(request)
        except Exception as exc:
            if not self._db_down:
                log.warning("cannot lease sources; polling waits for the store", extra={"error": repr(exc)[:300]})
            self._db_down = True
            return 0
        if self._db_down:
            log.info("store answers again; polling resumes")
            self._db_down = False
        for source in sources:
            failing = source.failures >= FAILING_AFTER or source.host in self._suspect
            self._start(source, sched.failing_timeout_seconds if failing else None)
        return len(sources)

    def _start(self, source: SourceRef, timeout: float | None) -> None:
        host = source.host
        failing = source.failures > 0 or host in self._suspect
        self._hosts[host] += 1
        self._failing += failing
        task = asyncio.create_task(self._poll(source, timeout), name=f"poll-{source.id}")
        self._tasks.add(task)
        slow = asyncio.get_running_loop().call_later(SLOW_AFTER, self._slow_down, task)

        def done(t: asyncio.Task[None]) -> None:
            slow.cancel()
            self._tasks.discard(t)
            self._slow.discard(t)
            self._hosts[host] -= 1
            if self._hosts[host] <= 0:
                del self._hosts[host]
            self._failing -= failing
            self._freed.set()

        task.add_done_callback(done)

    def _slow_down(self, task: asyncio.Task[None]) -> None:
        if task.done() or task in self._slow or len(self._slow) >= self.slots:
            return
        self._slow.add(task)
        self._freed.set()

    async def _poll(self, source: SourceRef, timeout: float | None) -> None:
        try:
            result = await self.services.poll(source, leased=True, timeout=timeout)
        except Exception:
            log.exception("poll failed", extra={"source": source.url})
            metrics.poll_error()
            return
        self.polls += 1
        metrics.polled(result)
        if result is None:
            return
        if result.failure in HOST_FAILURES and source.host:
            self._suspect.add(source.host)
        elif result.failure is None:
            self._suspect.discard(source.host)
        if result.new:
            self._found_news(source.id)

    def _found_news(self, source_id: int) -> None:
        self._news.add(source_id)
        if self._news_beat is None:
            self._news_beat = asyncio.get_running_loop().call_later(NEWS_BEAT, self._hand_on_news)

    def _hand_on_news(self) -> None:
        ids, self._news, self._news_beat = sorted(self._news), set(), None
        for source_id in ids:
            self._on_new(source_id)

    async def _cancel_all(self) -> None:
        if self._news_beat is not None:  # what it held is in the store: the next sweep delivers it
            self._news_beat.cancel()
            self._news_beat = None
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
