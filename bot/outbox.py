"""One outbox per platform: a queue drained at the platform's rate limit. Each post is
claimed in the store before it is sent (exactly once across processes), then marked sent;
ChannelGone pauses the channel, RateLimited waits and retries, anything else is retried later.

Two stages keep the rate limit saturated: one task claims what is queued a batch at a time
(one store call claims a batch and reads what it sends), a few posts ahead of the sends;
the senders only send and mark. Claims taken ahead are bounded (twice the senders), so none
waits long unsent; one that did is refreshed before it is sent, and the stopping outbox gives
back the claims it never sent (claimable again at once, as a first attempt).

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
import functools
import gc
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
from bot.store.deliveries import Claimed
from bot.store.outage import unavailable
from bot.store.types import Candidate, EditionCandidate

log = logging.getLogger(__name__)

T = TypeVar("T")

#: How often one post waits out a platform's rate limit before giving the slot back.
RATE_LIMIT_RETRIES = 5
#: Seconds between probes of an unreachable store (growing from the first to the second).
PROBE_FIRST, PROBE_MAX = 0.5, 5.0
#: Posts claimed in one store call, at most (and never more than there are senders).
CLAIM_BATCH = 8
#: A claim taken ahead that waited this share of the claim timeout is refreshed before it is sent.
REFRESH_SHARE = 0.25
#: Seconds between the engine's wake-ups after posts (replies wait for a story's thread): the
#: first post of a fan-out wakes it at once, the rest at most this often — each wake-up
#: computes what is owed from the store, which a wake-up per post would do hundreds of times.
WAKE_EVERY = 2.0


@functools.cache
def _settle_heap() -> None:
    """Once a process, when the first outbox starts: collect, then move what start-up made
    (modules, the ORM, the platforms' caches) out of the collector's sight (``gc.freeze``).
    A full collection walks every object it tracks: in a running bot that stalled the event
    loop for 100-500 ms in the middle of a fan-out, and the requests asleep until their
    rate-limit moments woke too late and had to give those moments up."""
    gc.collect()
    gc.freeze()


@dataclass(frozen=True)
class _Claim:
    """What sending one claimed thing takes: the send, and how to keep or fail its claim."""

    kind: str  # bot.journal.DELIVERY or EDITION
    ident: int
    channel: ChannelRef
    what: str  # the item, for log lines
    token: str
    send: Callable[[], Awaitable[str | None]]
    refresh: Callable[[], Awaitable[bool]]
    failed: Callable[[str, timedelta | None], Awaitable[bool]]


@dataclass(frozen=True)
class _Job:
    """A sender's work: a post claimed ahead (``claim``), or an edition to claim and send."""

    candidate: Candidate | EditionCandidate
    claim: _Claim | None = None
    claimed_at: float = 0.0  # the event loop's clock


class Outbox:
    def __init__(self, platform: Platform, services: StoreServices) -> None:
        self.platform = platform
        self.services = services
        self._queue: asyncio.Queue[Candidate | EditionCandidate] = asyncio.Queue()
        self._ready: asyncio.Queue[_Job] = asyncio.Queue()
        self._pending: set[tuple] = set()
        self._interval = 1.0 / max(0.01, float(platform.rate_per_second))
        self._next_send = 0.0
        self._pace_lock = asyncio.Lock()
        self._workers: list[asyncio.Task[None]] = []
        self._batch = 1
        self._ahead = 2
        self._held = 0  # candidates taken from the queue and not finished yet
        self._freed = asyncio.Event()
        self._stopping = False
        self._wake_at = 0.0
        self._wake_timer: asyncio.TimerHandle | None = None
        self.sent = 0
        #: Called after a post is sent (the engine looks again for replies now due).
        self.on_sent: Callable[[], None] | None = None

    @property
    def name(self) -> str:
        return self.platform.name

    @property
    def depth(self) -> int:
        """Posts queued, not yet taken by a sender (``/metrics``)."""
        return self._queue.qsize() + self._ready.qsize()

    def start(self) -> None:
        if self._workers:
            return
        count = max(1, int(getattr(self.platform, "concurrency", 4)))
        _settle_heap()
        self._batch = min(CLAIM_BATCH, count)
        self._ahead = 2 * count
        self._stopping = False
        self._workers = [asyncio.create_task(self._claims(), name=f"outbox-{self.name}-claims")]
        self._workers += [asyncio.create_task(self._sends(), name=f"outbox-{self.name}-{i}") for i in range(count)]

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
        """Let the posts in flight finish (up to ``grace``) and give back the claims taken
        ahead; what is still unsent is retried later."""
        self._stopping = True
        if self._wake_timer is not None:
            self._wake_timer.cancel()
            self._wake_timer = None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._idle()), timeout=grace)
        for task in self._workers:
            task.cancel()
        for task in self._workers:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._workers = []
        await self._give_back(self._take_ready())

    async def _idle(self) -> None:
        while not self._queue.empty():
            self._finish(self._queue.get_nowait(), held=False)
        await self._give_back(self._take_ready())
        await self._queue.join()

    def _take_ready(self) -> list[_Job]:
        jobs = []
        while not self._ready.empty():
            jobs.append(self._ready.get_nowait())
        return jobs

    async def _give_back(self, jobs: list[_Job]) -> None:
        """Stopping: the jobs' claims (taken ahead, never sent) are released, the jobs done."""
        try:
            await self._release(jobs)
        finally:
            for job in jobs:
                self._finish(job.candidate)

    async def _release(self, jobs: list[_Job]) -> None:
        """Claims taken ahead and never sent become claimable again at once (best effort: if
        the store is away, they are retried after the claim timeout)."""
        claims = [(job.claim.ident, job.claim.token) for job in jobs if job.claim is not None]
        if not claims:
            return
        try:
            await self.services.release_claims(claims)
        except Exception as exc:
            log.info("%d claim(s) not given back (%s); retried after the claim timeout", len(claims),
                     type(exc).__name__)  # fmt: skip

    def _finish(self, cand: Candidate | EditionCandidate, held: bool = True) -> None:
        """Done with a candidate taken from the queue (sent, lost to another claimant, failed)."""
        if held:
            self._held -= 1
            self._freed.set()
        self._pending.discard(cand.key)
        self._queue.task_done()

    # -- claiming ahead ------------------------------------------------------------------------
    async def _claims(self) -> None:
        while True:
            batch = await self._take()
            jobs: list[_Job] = []
            try:
                jobs = await self._claim(batch)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("claiming crashed", extra={"count": len(batch)})
            finally:
                handed = {id(job.candidate) for job in jobs}
                for cand in batch:
                    if id(cand) not in handed:
                        self._finish(cand)
            if self._stopping:
                await self._give_back(jobs)
                continue
            for job in jobs:
                self._ready.put_nowait(job)

    async def _take(self) -> list[Candidate | EditionCandidate]:
        """The next batch from the queue, once the senders have room for a whole batch."""
        while self._held > self._ahead - self._batch:
            self._freed.clear()
            await self._freed.wait()
        batch = [await self._queue.get()]
        while len(batch) < self._batch and not self._queue.empty():
            batch.append(self._queue.get_nowait())
        self._held += len(batch)
        return batch

    async def _claim(self, batch: list[Candidate | EditionCandidate]) -> list[_Job]:
        """Claim the batch's posts in one store call; the won ones (and every edition, which
        its sender claims) as jobs for the senders. A later article that adds nothing to its
        story's thread is marked merged here."""
        jobs = [_Job(cand) for cand in batch if isinstance(cand, EditionCandidate)]
        posts = [cand for cand in batch if isinstance(cand, Candidate)]
        if not posts:
            return jobs
        token = uuid.uuid4().hex
        won = await self._store(lambda: self.services.claim_posts(posts, token), "claiming posts")
        now = asyncio.get_running_loop().time()
        for claimed in won:
            if claimed.post is None:  # a later article of a story that adds nothing: noted in its thread
                ident = claimed.delivery_id
                await self._store(lambda ident=ident: self.services.mark_merged(ident, token), "marking a post merged")
                continue
            jobs.append(_Job(claimed.candidate, self._post_claim(claimed, token), now))
        return jobs

    def _post_claim(self, claimed: Claimed, token: str) -> _Claim:
        post, cand, delivery_id = claimed.post, claimed.candidate, claimed.delivery_id
        assert post is not None
        if claimed.attempts > 1:
            post = replace(post, resend=True)
        what = post.headline if isinstance(post, Reply) else post.digest.headline
        return _Claim(
            kind=DELIVERY,
            ident=delivery_id,
            channel=cand.channel,
            what=f"digest {cand.digest_id} “{(what or '')[:80]}”",
            token=token,
            send=lambda: self.platform.reply(post) if isinstance(post, Reply) else self.platform.post(post),
            refresh=lambda: self.services.refresh_claim(delivery_id, token),
            failed=lambda error, retry: self.services.mark_failed(delivery_id, token, error, retry),
        )

    # -- sending ---------------------------------------------------------------------------------
    async def _sends(self) -> None:
        while True:
            job = await self._ready.get()
            try:
                await self._deliver(job)
            except asyncio.CancelledError:
                raise
            except Exception:
                cand = job.candidate
                log.exception("delivery crashed", extra={"channel": str(cand.channel), "key": str(cand.key)[:200]})
            finally:
                self._finish(job.candidate)

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

    async def _deliver(self, job: _Job) -> None:
        cand, claim = job.candidate, job.claim
        if isinstance(cand, EditionCandidate):
            await self._deliver_edition(cand, uuid.uuid4().hex)
            return
        assert claim is not None
        if self._stopping:
            await self._release([job])
            return
        if not await self._still_ours(job, claim):
            log.info("claim taken over before sending; the other claimant posts it",
                     extra={"channel": str(cand.channel)})  # fmt: skip
            return
        if await self._send(claim) and cand.slot == ARRIVAL:
            self._woke()  # the post may have opened a story's thread that replies wait for

    async def _still_ours(self, job: _Job, claim: _Claim) -> bool:
        """A claim that waited long for its sender (a platform holding every request) is
        refreshed first; False if another claimant took it over meanwhile."""
        waited = asyncio.get_running_loop().time() - job.claimed_at
        if waited <= self.services.claim_timeout.total_seconds() * REFRESH_SHARE:
            return True
        return await self._store(claim.refresh, "keeping a claim")

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
            token=token,
            refresh=lambda: self.services.refresh_edition_claim(edition_id, token),
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
        try:
            if not await self.services.mark_answer(answer, claim.token):
                # our claim was taken over; the platform has the post all the same
                log.warning("claim lost before marking sent", extra={"channel": str(claim.channel)})
        except Exception as exc:
            if not unavailable(exc):
                raise
            self.services.outage.failed(exc, "marking a post sent")
            await self._wait_store()  # replays the journal, this answer included

    def _woke(self) -> None:
        """Tell the engine a post went out: at once the first time, then at most every
        WAKE_EVERY seconds (one call at the end of a period that had posts)."""
        if self.on_sent is None or self._wake_timer is not None:
            return
        loop = asyncio.get_running_loop()
        if loop.time() >= self._wake_at:
            self._wake_at = loop.time() + WAKE_EVERY
            self.on_sent()
            return
        self._wake_timer = loop.call_at(self._wake_at, self._wake_later)

    def _wake_later(self) -> None:
        self._wake_timer = None
        if not self._stopping:
            self._woke()

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
