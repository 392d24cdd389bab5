"""One outbox per platform: a queue drained at the platform's rate limit. Each post is
claimed in the store before it is sent (exactly once across processes), then marked sent;
ChannelGone pauses the channel, RateLimited waits and retries, anything else is retried later.

Exactly once without trusting the platform's memory: the platform's answer is journaled
(bot.journal, fsynced) before the store marks the post, so a store outage or a kill between
the two never makes a second post — the journal is replayed at start and when the store is
back. A re-claimed post (an earlier claimant may have posted it) is marked ``resend``: the
platform looks for it in the channel before posting. While the store is unreachable the
workers wait (one WARNING per outage) and keep the queue; a delivery given up for good after
its attempts logs one ERROR with the channel, the item and the last error."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import TypeVar

from bot.domain import ChannelRef, Reply
from bot.errors import ChannelGone, RateLimited
from bot.journal import DELIVERY, EDITION, Answer
from bot.ops import metrics
from bot.platform import Platform
from bot.schedules import ARRIVAL
from bot.service_impl import StoreServices
from bot.store.outage import unavailable
from bot.store.types import Candidate, EditionCandidate

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How often one post waits out a platform's rate limit before giving the slot back.
RATE_LIMIT_RETRIES = 5
#: Seconds between probes of an unreachable store (growing from the first to the second).
PROBE_FIRST, PROBE_MAX = 0.5, 5.0


@dataclass(frozen=True)
class _Claim:
    """What sending one claimed thing takes: the send, and how to keep, mark or fail its claim."""

    kind: str  # bot.journal.DELIVERY or EDITION
    ident: int
    channel: ChannelRef
    what: str  # the item, for log lines
    send: Callable[[], Awaitable[str | None]]
    refresh: Callable[[], Awaitable[bool]]
    sent: Callable[[str | None], Awaitable[bool]]
    failed: Callable[[str, timedelta | None], Awaitable[bool]]


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
        if getattr(self.platform, "limiter", None) is not None:
            return  # every request passes the platform's shared limiter (bot.ratelimit), across instances
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
        delivery_id = await self._store(lambda: self.services.claim(cand, token), "claiming a post")
        if delivery_id is None:
            return  # another process, or an earlier pass, has it
        post = await self._store(lambda: self.services.post_for(cand, delivery_id), "reading a post")
        if post is None:  # a later article of a story that adds nothing: noted in its thread
            await self._store(lambda: self.services.mark_merged(delivery_id, token), "marking a post merged")
            return
        if await self._store(lambda: self.services.claim_attempts(DELIVERY, delivery_id), "reading a claim") > 1:
            post = replace(post, resend=True)
        what = post.headline if isinstance(post, Reply) else post.digest.headline
        claim = _Claim(
            kind=DELIVERY,
            ident=delivery_id,
            channel=cand.channel,
            what=f"digest {cand.digest_id} “{(what or '')[:80]}”",
            send=lambda: self.platform.reply(post) if isinstance(post, Reply) else self.platform.post(post),
            refresh=lambda: self.services.refresh_claim(delivery_id, token),
            sent=lambda message_id: self.services.mark_sent(delivery_id, token, message_id),
            failed=lambda error, retry: self.services.mark_failed(delivery_id, token, error, retry),
        )
        if await self._send(claim) and cand.slot == ARRIVAL and self.on_sent is not None:
            self.on_sent()  # the post may have opened a story's thread that replies wait for

    async def _deliver_edition(self, cand: EditionCandidate, token: str) -> None:
        """One edition per (channel, schedule, fire): claimed (with what it carries) first."""
        edition_id = await self._store(lambda: self.services.claim_edition(cand, token), "claiming an edition")
        if edition_id is None:
            return  # another process has it, or the period was empty
        edition = await self._store(lambda: self.services.edition_for(edition_id), "reading an edition")
        if await self._store(lambda: self.services.claim_attempts(EDITION, edition_id), "reading a claim") > 1:
            edition = replace(edition, resend=True)
        claim = _Claim(
            kind=EDITION,
            ident=edition_id,
            channel=cand.channel,
            what=f"edition {edition_id} ({len(edition.stories)} stories)",
            send=lambda: self.platform.edition(edition),
            refresh=lambda: self.services.refresh_edition_claim(edition_id, token),
            sent=lambda message_id: self.services.mark_edition_sent(edition_id, token, message_id),
            failed=lambda error, retry: self.services.mark_edition_failed(edition_id, token, error, retry),
        )
        await self._send(claim)

    async def _send(self, claim: _Claim) -> bool:
        """Send a claimed post at the platform's pace; True once it is sent (and journaled)."""
        timeout = self.services.claim_timeout.total_seconds()
        channel = str(claim.channel)
        for _ in range(RATE_LIMIT_RETRIES):
            await self._pace()
            try:
                message_id = await metrics.timed_post(self.name, asyncio.wait_for(claim.send(), timeout=timeout))
            except RateLimited as exc:
                log.info("rate limited", extra={"channel": channel, "retry_after": exc.retry_after})
                await self._store(claim.refresh, "keeping a claim")
                await asyncio.sleep(min(max(exc.retry_after, 0.0), timeout / 2))
                await self._store(claim.refresh, "keeping a claim")
                continue
            except ChannelGone as exc:
                await self._gone(claim, str(exc) or "channel gone")
                return False
            except Exception as exc:
                await self._failed(claim, repr(exc)[:300])
                return False
            await self._mark(claim, Answer(claim.kind, claim.ident, message_id))
            self.sent += 1
            return True
        await self._failed(claim, "rate limited too long")
        return False

    async def _gone(self, claim: _Claim, reason: str) -> None:
        await self._store(lambda: self.services.channel_gone(claim.channel, reason), "pausing a channel")
        await self._store(lambda: claim.failed(f"channel gone: {reason}", None), "marking a post failed")
        log.warning("%s not posted to %s: channel gone (%s)", claim.what, claim.channel, reason)

    async def _failed(self, claim: _Claim, error: str) -> None:
        """A failed attempt: retried later, or — out of attempts — one ERROR that says so."""
        final = await self._store(lambda: claim.failed(error, self._retry_in()), "marking a post failed")
        if not final:
            log.warning("post failed; will retry", extra={"channel": str(claim.channel), "error": error})
            return
        retry = f"; `wirebrief deliveries retry {claim.ident}` re-queues it" if claim.kind == DELIVERY else ""
        log.error(
            "%s %s (%s) to %s given up for good; last error: %s%s",
            claim.kind, claim.ident, claim.what, claim.channel, error, retry,
            extra={"channel": str(claim.channel)},
        )  # fmt: skip

    async def _mark(self, claim: _Claim, answer: Answer) -> None:
        """Journal the platform's answer, then mark the post sent; if the store is away, the
        journal is replayed once it is back (nothing is posted again meanwhile)."""
        await self.services.record_answer(answer)
        try:
            marked = await claim.sent(answer.message_id)
            if not marked:  # our claim was taken over; the platform has the post all the same
                log.warning("claim lost before marking sent", extra={"channel": str(claim.channel)})
                await self.services.mark_found(answer.kind, answer.ident, answer.message_id)
        except Exception as exc:
            if not unavailable(exc):
                raise
            self.services.outage.failed(exc, "marking a post sent")
            await self._wait_store()  # replays the journal, this answer included
            return
        await self.services.answer_marked(answer)

    async def _store(self, call: Callable[[], Awaitable[T]], what: str) -> T:
        """A store call; while the store is unreachable, wait for it and call again."""
        while True:
            try:
                return await call()
            except Exception as exc:
                if not unavailable(exc):
                    raise
                self.services.outage.failed(exc, what)
                await self._wait_store()

    async def _wait_store(self) -> None:
        """Until the store answers again (one worker probes, the others wait on it); then
        the journal's answers are marked before anything else is claimed."""
        outage = self.services.outage
        async with outage.lock():
            delay = PROBE_FIRST
            while True:
                if not outage.down or await self.services.store_reachable():
                    try:
                        await self.services.replay_journal()
                        return
                    except Exception as exc:
                        if not unavailable(exc):
                            raise
                        outage.failed(exc, "marking journaled posts")
                await asyncio.sleep(delay)
                delay = min(PROBE_MAX, delay * 2)

    def _retry_in(self) -> timedelta:
        return timedelta(seconds=max(1.0, min(300.0, self.services.claim_timeout.total_seconds() / 2)))
