"""One outbox per platform: a queue drained at the platform's rate limit. Each post is
claimed in the store before it is sent (exactly once across processes), then marked sent;
ChannelGone pauses the channel, RateLimited waits and retries, anything else is retried later."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.domain import ChannelRef, Reply
from bot.errors import ChannelGone, RateLimited
from bot.ops import metrics
from bot.platform import Platform
from bot.schedules import ARRIVAL
from bot.service_impl import StoreServices
from bot.store.types import Candidate, EditionCandidate

log = logging.getLogger(__name__)

#: How often one post waits out a platform's rate limit before giving the slot back.
RATE_LIMIT_RETRIES = 5


@dataclass(frozen=True)
class _Claim:
    """What sending one claimed thing takes: the send, and how to keep, mark or fail its claim."""

    channel: ChannelRef
    send: Callable[[], Awaitable[str | None]]
    refresh: Callable[[], Awaitable[bool]]
    sent: Callable[[str | None], Awaitable[bool]]
    failed: Callable[[str, timedelta | None], Awaitable[None]]


class Outbox:
    def __init__(self, platform: Platform, services: StoreServices) -> None:
        self.platform = platform
        self.services = services
        self._queue: asyncio.Queue[Candidate | EditionCandidate] = asyncio.Queue()
        self._pending: set[tuple] = set()
        self._interval = 1.0 / max(0.01, float(platform.rate_per_second))
        self._next_send = 0.0
        self._pace_lock = asyncio.Lock()
        self._workers: list[asyncio.Task[None]] = []
        self.sent = 0
        #: Called after a post is sent (the engine looks again for replies now due).
        self.on_sent: Callable[[], None] | None = None

    @property
    def name(self) -> str:
        return self.platform.name

    @property
    def depth(self) -> int:
        """Posts queued, not yet taken by a worker (``/metrics``)."""
        return self._queue.qsize()

    def start(self) -> None:
        if self._workers:
            return
        count = max(1, int(getattr(self.platform, "concurrency", 4)))
        self._workers = [asyncio.create_task(self._work(), name=f"outbox-{self.name}-{i}") for i in range(count)]

    def submit(self, candidates: list[Candidate] | list[EditionCandidate]) -> int:
        """Queue candidates not already queued; returns how many were added."""
        added = 0
        for cand in candidates:
            if cand.channel.platform != self.name or cand.key in self._pending:
                continue
            self._pending.add(cand.key)
            self._queue.put_nowait(cand)
            added += 1
        return added

    async def drain(self) -> None:
        await self._queue.join()

    async def stop(self, grace: float = 5.0) -> None:
        """Let the post in flight finish (up to ``grace``); unsent claims are retried later."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._idle()), timeout=grace)
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._workers = []

    async def _idle(self) -> None:
        while not self._queue.empty():
            self._queue.get_nowait()
            self._queue.task_done()
        await self._queue.join()

    async def _work(self) -> None:
        while True:
            cand = await self._queue.get()
            try:
                await self._deliver(cand)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery crashed", extra={"channel": str(cand.channel), "key": str(cand.key)[:200]})
            finally:
                self._pending.discard(cand.key)
                self._queue.task_done()

    async def _pace(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._pace_lock:
            now = loop.time()
            wait = self._next_send - now
            self._next_send = max(now, self._next_send) + self._interval
        if wait > 0:
            await asyncio.sleep(wait)

    async def _deliver(self, cand: Candidate | EditionCandidate) -> None:
        token = uuid.uuid4().hex
        if isinstance(cand, EditionCandidate):
            await self._deliver_edition(cand, token)
            return
        delivery_id = await self.services.claim(cand, token)
        if delivery_id is None:
            return  # another process, or an earlier pass, has it
        post = await self.services.post_for(cand, delivery_id)
        if post is None:  # a later article of a story that adds nothing: noted in its thread
            await self.services.mark_merged(delivery_id, token)
            return
        claim = _Claim(
            channel=cand.channel,
            send=lambda: self.platform.reply(post) if isinstance(post, Reply) else self.platform.post(post),
            refresh=lambda: self.services.refresh_claim(delivery_id, token),
            sent=lambda message_id: self.services.mark_sent(delivery_id, token, message_id),
            failed=lambda error, retry: self.services.mark_failed(delivery_id, token, error, retry),
        )
        if await self._send(claim) and cand.slot == ARRIVAL and self.on_sent is not None:
            self.on_sent()  # the post may have opened a story's thread that replies wait for

    async def _deliver_edition(self, cand: EditionCandidate, token: str) -> None:
        """One edition per (channel, schedule, fire): claimed (with what it carries) first."""
        edition_id = await self.services.claim_edition(cand, token)
        if edition_id is None:
            return  # another process has it, or the period was empty
        edition = await self.services.edition_for(edition_id)
        claim = _Claim(
            channel=cand.channel,
            send=lambda: self.platform.edition(edition),
            refresh=lambda: self.services.refresh_edition_claim(edition_id, token),
            sent=lambda message_id: self.services.mark_edition_sent(edition_id, token, message_id),
            failed=lambda error, retry: self.services.mark_edition_failed(edition_id, token, error, retry),
        )
        await self._send(claim)

    async def _send(self, claim: _Claim) -> bool:
        """Send a claimed post at the platform's pace; True once it is sent and marked."""
        timeout = self.services.claim_timeout.total_seconds()
        channel = str(claim.channel)
        for _ in range(RATE_LIMIT_RETRIES):
            await self._pace()
            try:
                message_id = await metrics.timed_post(self.name, asyncio.wait_for(claim.send(), timeout=timeout))
            except RateLimited as exc:
                log.info("rate limited", extra={"channel": channel, "retry_after": exc.retry_after})
                await claim.refresh()
                await asyncio.sleep(min(max(exc.retry_after, 0.0), timeout / 2))
                await claim.refresh()
                continue
            except ChannelGone as exc:
                await self.services.channel_gone(claim.channel, str(exc) or "channel gone")
                await claim.failed(f"channel gone: {exc}", None)
                return False
            except Exception as exc:
                log.warning("post failed; will retry", extra={"channel": channel, "error": repr(exc)[:300]})
                await claim.failed(repr(exc), self._retry_in())
                return False
            if not await claim.sent(message_id):
                log.warning("claim lost before marking sent", extra={"channel": channel})
            self.sent += 1
            return True
        await claim.failed("rate limited too long", self._retry_in())
        return False

    def _retry_in(self) -> timedelta:
        return timedelta(seconds=max(1.0, min(300.0, self.services.claim_timeout.total_seconds() / 2)))
