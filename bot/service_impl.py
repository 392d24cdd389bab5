"""The Services contract on the store: every adapter's use-case, plus the engine's own
(poll, due posts, claims). Blocking work runs in threads so chat handlers stay responsive."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse, urlunparse

from bot.config import Settings
from bot.domain import (
    ChannelRef,
    ChannelStatus,
    Edition,
    FeedPreview,
    Post,
    Reply,
    SourceInfo,
    SubscriptionInfo,
    SubscriptionOptions,
)
from bot.errors import UserInputError
from bot.journal import DELIVERY, Answer
from bot.polling import SAMPLE_FEED_URL, SourceRead, check_feed, poll_source, record_read
from bot.recovery_services import RecoveryServices
from bot.schedules import check_timezone, cron_trigger
from bot.services import Services
from bot.store import Store
from bot.store.deliveries import Claimed
from bot.store.leases import LeaseRequest
from bot.store.rules import mention_for
from bot.store.types import Candidate, EditionCandidate, IngestResult, SourceRef, utcnow
from bot.subscription_grammar import MAX_BACKFILL, check_request
from digests.model import Digest

if TYPE_CHECKING:
    from bot.exchange import ImportReport
    from bot.fetch import SafeFetcher

log = logging.getLogger(__name__)

#: Sample subscriptions of the embedded default (console:main), seeded once per store.
SAMPLE_SOURCES = ("sample", "sample-feed")
SAMPLE_CHANNEL = ChannelRef("console", "main")


class StoreServices(RecoveryServices, Services):
    """Services over a :class:`~bot.store.Store`; one per process, shared by all platforms."""

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings
        self._fetcher: SafeFetcher | None = None

    # -- lifecycle -----------------------------------------------------------------------
    def fetcher(self) -> SafeFetcher:
        """The one HTTP client (connection pool, SSRF guard) for feeds and links."""
        if self._fetcher is None:
            from bot.fetch import SafeFetcher

            self._fetcher = SafeFetcher(self.settings.fetch)
        return self._fetcher

    async def aclose(self) -> None:
        if self._fetcher is not None:
            await self._fetcher.aclose()
            self._fetcher = None
        self.close_journal()
        await asyncio.to_thread(self.store.close)

    # -- the adapters' use-cases -----------------------------------------------------------
    async def latest_digest(self, channel: ChannelRef) -> Post | None:
        return await asyncio.to_thread(self.store.latest, channel)

    async def first_time(self, key: str) -> bool:
        return await asyncio.to_thread(self.store.claim_request, key)

    async def subscribe(
        self,
        channel: ChannelRef,
        source: str,
        schedule: str | None = None,
        timezone: str | None = None,
        backfill: int | str = 1,
        *,
        filters: str | None = None,
        max_per_hour: int | str | None = None,
        mention: str | None = None,
        mention_when: str | None = None,
        target: str | None = None,
        empty: str | None = None,
        post_as: str | None = None,
        avatar: str | None = None,
        allow_local: bool = False,
        check: bool = True,
    ) -> SubscriptionInfo:
        """See :meth:`Services.subscribe`. ``allow_local`` (CLI and config only) also accepts a
        feed file path and the bundled "sample-feed"; chat users give URLs or wire names.
        ``check`` (False only from the CLI's ``--no-check``) fetches a feed once first and
        refuses it with the reason when it is not one; what it read is stored at once."""
        _check_channel(channel)
        kind, url, name = self.resolve_source(source, allow_local=allow_local)
        existing = await self._existing(channel, url)
        request = check_request(
            channel.platform,
            existing.options if existing else SubscriptionOptions(),
            schedule=schedule,
            timezone=timezone,
            backfill=backfill,
            filters=filters,
            max_per_hour=max_per_hour,
            mention=mention,
            mention_when=mention_when,
            target=target,
            empty=empty,
            post_as=post_as,
            avatar=avatar,
        )
        if request.options.empty_line and request.cron is None:
            raise UserInputError(
                "empty line is for editions: give a schedule too, e.g. daily 08:00 empty line "
                "(on arrival, every story is posted as it comes)"
            )
        zone = request.timezone or (existing.schedule.timezone if existing else None)
        zone = zone or await self.default_timezone(channel)
        if request.cron is not None:
            cron_trigger(request.cron, zone)
        read = await self._check(url) if check and kind == "feed" else None
        ref = await asyncio.to_thread(self.store.ensure_source, kind, url, name)
        if read is not None:
            await record_read(self.store, ref, read)
        fresh = timedelta(seconds=2 * self._interval(kind) + 60)
        sub_id = await asyncio.to_thread(
            self.store.subscribe, channel, ref.id, request.cron, zone, request.backfill, fresh, request.options
        )
        log.info("subscribed", extra={"channel": str(channel), "source": url, "schedule": request.cron or "on arrival"})
        infos = await self.subscriptions(channel)
        return next(i for i in infos if i.id == sub_id)

    async def _check(self, url: str) -> SourceRead | None:
        """Fetch the feed once, unless it is a source already read without trouble."""
        src = await asyncio.to_thread(self.store.find_source, url)
        if src is not None and src.last_fetch and not src.last_error and not src.paused_reason:
            return None
        return await check_feed(self.fetcher(), url)

    async def _existing(self, channel: ChannelRef, url: str) -> SubscriptionInfo | None:
        return next((i for i in await self.subscriptions(channel) if i.source.url == url), None)

    async def default_timezone(self, channel: ChannelRef) -> str:
        """The channel's zone, else its workspace's, else ``[scheduler] default_timezone``."""
        own, workspace = await asyncio.to_thread(self.store.channel_timezone, channel)
        return own or workspace or self.settings.scheduler.default_timezone

    async def set_timezone(self, channel: ChannelRef, timezone: str | None, *, workspace_wide: bool = False) -> str:
        """Set (None: clear) the default zone of a channel or its workspace; returns the zone
        now in force there. Existing subscriptions keep theirs."""
        zone = (timezone or "").strip() or None
        if zone is not None and zone.lower() in ("none", "off", "clear", "default"):
            zone = None
        if zone is not None:
            check_timezone(zone)
        if workspace_wide and not channel.workspace:
            raise UserInputError("this channel has no workspace to set a default for")
        await asyncio.to_thread(self.store.set_channel_timezone, channel, zone, workspace_wide=workspace_wide)
        return await self.default_timezone(channel)

    async def unsubscribe(self, channel: ChannelRef, which: str) -> SubscriptionInfo:
        info = await asyncio.to_thread(self.store.unsubscribe, channel, which)
        log.info("unsubscribed", extra={"channel": str(channel), "source": info.source.url})
        return info

    async def subscriptions(self, channel: ChannelRef) -> list[SubscriptionInfo]:
        return await self.with_failures(await asyncio.to_thread(self.store.subscriptions, channel))

    async def status(self, channel: ChannelRef) -> ChannelStatus:
        return ChannelStatus(channel, tuple(await self.subscriptions(channel)))

    async def digest_link(self, url: str) -> Digest:
        from bot.sources.pages import fetch_article
        from digests import summarise

        dispatch = await fetch_article(self.fetcher(), url.strip())
        return await asyncio.to_thread(summarise, dispatch)

    async def preview(self, channel: ChannelRef, url: str, filters: str | None = None) -> FeedPreview | Digest:
        from bot.preview import preview_feed

        found = await preview_feed(self.fetcher(), url.strip(), channel, filters)
        return found if found is not None else await self.digest_link(url.strip())

    async def export_subscriptions(self, channel: ChannelRef, fmt: str = "opml") -> str:
        from bot.exchange import export

        return export(channel, await self.subscriptions(channel), fmt)

    async def import_subscriptions(
        self, channel: ChannelRef, data: bytes, *, allow_local: bool = False, check: bool = True
    ) -> ImportReport:
        from bot.exchange import read_entries
        from bot.importer import import_entries

        _check_channel(channel)
        entries = read_entries(data)
        return await import_entries(self, channel, entries, allow_local=allow_local, check=check)

    async def import_from_url(self, channel: ChannelRef, url: str) -> ImportReport:
        from bot.exchange import MAX_FILE_BYTES

        accept = "text/x-opml, application/xml, text/xml, application/json, text/plain;q=0.5, */*;q=0.1"
        got = await self.fetcher().get(_check_url(url.strip()), accept=accept)
        if len(got.body) > MAX_FILE_BYTES:
            raise UserInputError(f"that file is over {MAX_FILE_BYTES // 1024} KB; a subscription list is far smaller")
        return await self.import_subscriptions(channel, got.body)

    async def channel_gone(self, channel: ChannelRef, reason: str) -> None:
        paused = await asyncio.to_thread(self.store.pause_channel, channel, reason)
        log.warning("channel gone; subscriptions paused", extra={"channel": str(channel), "paused": paused})

    async def known_wire_names(self) -> list[str]:
        return sorted(self.settings.wires)

    # -- CLI and engine use-cases ------------------------------------------------------------
    async def all_subscriptions(self) -> list[SubscriptionInfo]:
        return await self.with_failures(await asyncio.to_thread(self.store.subscriptions, None))

    async def all_sources(self) -> list[SourceInfo]:
        return await asyncio.to_thread(self.store.sources)

    async def seed_samples(self, channel: ChannelRef = SAMPLE_CHANNEL) -> bool:
        """Subscribe console:main to the bundled samples, once per store (never again after
        a user unsubscribes). Backfill covers every sample item."""
        if not await asyncio.to_thread(self.store.claim_flag, "console_samples_seeded"):
            return False
        for name in SAMPLE_SOURCES:
            await self.subscribe(channel, name, backfill=MAX_BACKFILL, allow_local=True)
        return True

    async def sources_due(self, *, force: bool = False) -> list[SourceRef]:
        """Sources whose poll has come (``force``: every active source, for `run --once`)."""
        now = utcnow()
        if force:
            from datetime import datetime

            now = datetime.max
        return await asyncio.to_thread(self.store.sources_due, now)

    async def poll(
        self, source: SourceRef, *, leased: bool = False, timeout: float | None = None
    ) -> IngestResult | None:
        fetcher = self.fetcher() if source.kind == "feed" else None
        return await poll_source(self.store, self.settings, fetcher, source, leased=leased, timeout=timeout)

    async def lease_sources(self, request: LeaseRequest) -> list[SourceRef]:
        """Sources this poller may poll now (see bot.store.leases)."""
        return await asyncio.to_thread(self.store.lease_sources, request, utcnow())

    async def due_posts(self, platforms: list[str], source_ids: list[int] | None = None) -> list[Candidate]:
        """Run-due-posts, step one: everything owed now on these platforms (from the store), or
        only to the subscriptions of ``source_ids``, less what each subscription's filter
        refuses or its hourly cap holds back. A story the channel already has is owed as a
        reply in its thread. First the subscriptions' cursors move past what has been
        settled since (bot.store.cursors), so this costs what is new."""
        await asyncio.to_thread(self.store.keep_cursors, source_ids)
        due = await asyncio.to_thread(
            self.store.due, platforms, self.claim_timeout, None, self.thread_window, source_ids
        )
        return await asyncio.to_thread(self.store.screen, due)

    async def claim(self, candidate: Candidate, token: str) -> int | None:
        return await asyncio.to_thread(self.store.claim, candidate, token, self.claim_timeout, self.thread_window)

    async def post_for(self, candidate: Candidate, delivery_id: int | None) -> Post | Reply | None:
        """The post, with the subscription's mention (only if its filter matched) and target;
        or a reply in the story's thread (which pings nobody); or None: a later article of a
        story that adds nothing, recorded in the thread with nothing to send."""
        post = await asyncio.to_thread(self.store.post_for, candidate, delivery_id)
        if post is None:
            return post
        options = await asyncio.to_thread(self.store.subscription_options, [candidate.subscription_id])
        return _dressed(post, options.get(candidate.subscription_id))

    async def claim_posts(self, candidates: list[Candidate], token: str) -> list[Claimed]:
        """Claim a batch of candidates and read what the won ones send, dressed as
        :meth:`post_for` dresses them: one store call for the batch (the outbox claims
        ahead of the rate limit with it). Only won deliveries are returned."""

        def claim() -> list[Claimed]:
            claimed = self.store.claim_posts(candidates, token, self.claim_timeout, self.thread_window)
            subs = sorted({c.candidate.subscription_id for c in claimed if c.post is not None})
            options = self.store.subscription_options(subs)
            return [
                replace(c, post=_dressed(c.post, options.get(c.candidate.subscription_id))) if c.post is not None else c
                for c in claimed
            ]

        return await asyncio.to_thread(claim)

    async def release_claims(self, claims: list[tuple[int, str]]) -> int:
        return await asyncio.to_thread(self.store.release_claims, claims)

    async def mark_answer(self, answer: Answer, token: str) -> bool:
        """The platform's answer to a claimed post: journaled (fsynced) first, then marked sent
        under the claim's token, then forgotten by the journal — one thread hop for the three.
        False when the claim was taken over meanwhile: the post is marked sent all the same
        (the platform has it). A store error leaves the answer journaled (replayed later)."""

        def mark() -> bool:
            self.journal().record(answer)
            if answer.kind == DELIVERY:
                marked = self.store.mark_sent(answer.id, token, answer.message_id)
                if not marked:
                    self.store.mark_recorded(answer.id, answer.message_id)
            else:
                marked = self.store.mark_edition_sent(answer.id, token, answer.message_id)
                if not marked:
                    self.store.mark_edition_recorded(answer.id, answer.message_id)
            self.journal().done(answer)
            return marked

        return await asyncio.to_thread(mark)

    # -- editions (bot.store.editions) -------------------------------------------------------
    async def due_editions(self, platforms: list[str]) -> list[EditionCandidate]:
        """Editions owed now: one per (channel, schedule) whose fire has come with items."""
        return await asyncio.to_thread(self.store.editions_due, platforms, self.claim_timeout)

    async def claim_edition(self, candidate: EditionCandidate, token: str) -> int | None:
        return await asyncio.to_thread(self.store.claim_edition, candidate, token, self.claim_timeout)

    async def edition_for(self, edition_id: int) -> Edition:
        return await asyncio.to_thread(self.store.edition_for, edition_id)

    async def refresh_edition_claim(self, edition_id: int, token: str) -> bool:
        return await asyncio.to_thread(self.store.refresh_edition_claim, edition_id, token)

    async def mark_edition_sent(self, edition_id: int, token: str, message_id: str | None) -> bool:
        return await asyncio.to_thread(self.store.mark_edition_sent, edition_id, token, message_id)

    async def mark_edition_failed(self, edition_id: int, token: str, error: str, retry_in: timedelta | None) -> bool:
        return await asyncio.to_thread(self.store.mark_edition_failed, edition_id, token, error, retry_in)

    async def next_edition(self, channel: ChannelRef) -> Edition | None:
        return await asyncio.to_thread(self.store.next_edition, channel, self.claim_timeout)

    async def mark_merged(self, delivery_id: int, token: str) -> bool:
        return await asyncio.to_thread(self.store.mark_merged, delivery_id, token)

    async def refresh_claim(self, delivery_id: int, token: str) -> bool:
        return await asyncio.to_thread(self.store.refresh_claim, delivery_id, token)

    async def mark_sent(self, delivery_id: int, token: str, message_id: str | None) -> bool:
        return await asyncio.to_thread(self.store.mark_sent, delivery_id, token, message_id)

    async def mark_failed(self, delivery_id: int, token: str, error: str, retry_in: timedelta | None) -> bool:
        """True when the delivery is given up for good."""
        return await asyncio.to_thread(self.store.mark_failed, delivery_id, token, error, retry_in)

    async def cron_subscriptions(self, platforms: list[str]) -> list[tuple[int, str, str]]:
        return await asyncio.to_thread(self.store.cron_subscriptions, platforms)

    @property
    def claim_timeout(self) -> timedelta:
        return timedelta(seconds=self.settings.scheduler.claim_timeout_seconds)

    @property
    def thread_window(self) -> timedelta:
        return timedelta(hours=self.settings.stories.thread_window_hours)

    # -- helpers ---------------------------------------------------------------------------
    def _interval(self, kind: str) -> int:
        if kind == "feed":
            return self.settings.scheduler.poll_interval_seconds
        return self.settings.scheduler.wire_interval_seconds

    def resolve_source(self, text: str, *, allow_local: bool = False) -> tuple[str, str, str]:
        """(kind, url, name) for what a user typed; the URL is the source's unique key."""
        text = (text or "").strip()
        if not text:
            raise UserInputError("give a source: a feed URL (https://...) or a wire name")
        if text.lower().startswith(("http://", "https://")):
            return "feed", _check_url(text), text
        if text.lower() in self.settings.wires:
            return "wire", f"wire:{text.lower()}", text.lower()
        if allow_local and text.lower() in {"sample-feed", SAMPLE_FEED_URL}:
            return "file", SAMPLE_FEED_URL, "sample feed"
        if allow_local:
            path = Path(text.removeprefix("file://")).expanduser()
            if path.is_file():
                resolved = path.resolve()
                return "file", resolved.as_uri(), resolved.name
            if path.suffix or "/" in text:
                raise UserInputError(f"{text}: no such feed file")
        wires = ", ".join(sorted(self.settings.wires)) or "none configured"
        raise UserInputError(f"source {text!r} is neither an http(s) feed URL nor a wire name (wires: {wires})")


def _dressed(post: Post | Reply, options: SubscriptionOptions | None) -> Post | Reply:
    """A post with its subscription's mention (only if its filter matched it), target and
    persona; a reply only takes the target (it pings nobody)."""
    if options is None:
        return post
    if isinstance(post, Reply):
        return replace(post, target=options.target) if options.target else post
    kind = "notice" if post.digest.extra.get("notice") else "item"
    persona = {"post_as": options.post_as, "avatar": options.avatar} if kind == "item" else {}
    return replace(post, mention=mention_for(options, post.digest, kind), target=options.target, **persona)


def _check_url(url: str) -> str:
    if len(url) > 2048 or any(c.isspace() or ord(c) < 32 for c in url):
        raise UserInputError("a feed URL must be one line without spaces, at most 2048 characters")
    parsed = urlparse(url)
    if parsed.scheme.lower() not in {"http", "https"} or not parsed.hostname:
        raise UserInputError(f"{url!r} is not an http(s) URL")
    if parsed.username or parsed.password:
        raise UserInputError("a feed URL must not carry a user name or password")
    try:
        parsed.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        raise UserInputError(f"{url!r} has a bad port number") from None
    return normalise_url(url)


#: Query parameters that only track who clicked where; a feed URL with them is the same feed.
_TRACKING = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "igshid")


def normalise_url(url: str) -> str:
    """One key per feed however it is typed: scheme and host in lower case, the default port,
    fragment, tracking parameters (``utm_*`` …) and a trailing slash dropped — so ``…/feed``,
    ``…/feed/`` and ``…/feed?utm_source=x`` are one source, fetched once."""
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    host = (parsed.hostname or "").rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    port = parsed.port
    netloc = host if port is None or (scheme, port) in {("http", 80), ("https", 443)} else f"{host}:{port}"
    path = parsed.path or "/"
    if len(path) > 1:
        path = path.rstrip("/") or "/"
    pairs = [p for p in parsed.query.split("&") if p and not p.split("=", 1)[0].lower().startswith(_TRACKING)]
    return urlunparse((scheme, netloc, path, parsed.params, "&".join(pairs), ""))


def _check_channel(channel: ChannelRef) -> None:
    if not channel.platform or not channel.channel:
        raise UserInputError("a channel must look like PLATFORM:CHANNEL, e.g. console:main")
    if len(channel.channel) > 128 or len(channel.workspace or "") > 128 or len(channel.platform) > 32:
        raise UserInputError("that channel id is too long")
