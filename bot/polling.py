"""One poll of one source: read it (feed over HTTP, wire folder, feed file), then record what
is new. Each unique source is polled by one process at a time (the store's poll claim), and
blocking work — parsing, disk, the summariser, the database — runs off the event loop."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlparse

from bot.config import Settings
from bot.errors import FetchError, UserInputError, WirebriefError
from bot.notices import DEFAULT_FIX, fix_for, help_link
from bot.schedules import backoff_time, next_poll_time
from bot.store import Store
from bot.store.types import IngestResult, NewItem, SourceRef, utcnow

if TYPE_CHECKING:
    from bot.fetch import SafeFetcher

log = logging.getLogger(__name__)

#: The bundled sample feed's source URL (read from the package, never fetched).
SAMPLE_FEED_URL = "bundled:feed.xml"
_MAX_FILE_BYTES = 5 * 1024 * 1024
#: A feed's Retry-After is obeyed up to this many seconds.
MAX_RETRY_AFTER = 24 * 3600


@dataclass(frozen=True)
class SourceRead:
    items: list[NewItem]  # oldest first
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None


def poll_interval(source: SourceRef, settings: Settings) -> int:
    if source.kind == "feed":
        return settings.scheduler.poll_interval_seconds
    return settings.scheduler.wire_interval_seconds


async def poll_source(
    store: Store,
    settings: Settings,
    fetcher: SafeFetcher | None,
    source: SourceRef,
    *,
    leased: bool = False,
    timeout: float | None = None,
) -> IngestResult | None:
    """Poll once; None when another process had this poll, ``failure`` set when it failed.
    ``leased``: the caller holds the source's lease (bot.store.leases), which made it ours."""
    interval = poll_interval(source, settings)
    if not leased:
        now = utcnow()
        if not await asyncio.to_thread(store.claim_poll, source, next_poll_time(source.url, interval, now)):
            return None
    try:
        read = await _read(settings, fetcher, source, timeout)
        result = await _record(store, source, read)
    except (WirebriefError, OSError) as exc:
        await _failed(store, settings, source, interval, exc, _fix(source, exc))
        return IngestResult(failure=getattr(exc, "reason", None) or "connection")
    except Exception as exc:  # a parser or store bug must not stop the engine; it counts as a failure
        log.exception("poll crashed", extra={"source": source.url})
        crash = RuntimeError(f"unexpected error: {type(exc).__name__}")
        await _failed(store, settings, source, interval, crash, DEFAULT_FIX)
        return IngestResult(failure="crashed")
    if result.new or result.updated:
        log.info("polled", extra={"source": source.url, "new": result.new, "updated": result.updated})
    return result


async def check_feed(fetcher: SafeFetcher, url: str) -> SourceRead:
    """Fetch and parse ``url`` once, as subscribing does before it says yes. Raises
    UserInputError saying why it is not a feed (and, for a web page, which feed it names)."""
    from bot.sources.check import refusal
    from bot.sources.feeds import FEED_ACCEPT

    try:
        got = await fetcher.get(url, accept=FEED_ACCEPT)
    except FetchError as exc:
        raise UserInputError(refusal(url, exc)) from None
    try:
        parsed = await asyncio.to_thread(_parse, got.body, got.url, got.content_type)
    except FetchError as exc:
        raise UserInputError(refusal(url, exc, got.body, got.content_type)) from None
    return SourceRead(parsed.items, got.etag, got.last_modified, parsed.title)


async def record_read(store: Store, source: SourceRef, read: SourceRead) -> IngestResult:
    """Store a read made outside a poll (the subscribe check), so its items count at once."""
    return await _record(store, source, read)


async def _record(store: Store, source: SourceRef, read: SourceRead) -> IngestResult:
    """Store what was read (item by item: one that cannot be saved is skipped and logged by
    the store) and mark the poll a success; an empty read is a success too."""
    from digests import summarise

    result = IngestResult()
    if read.items:
        result = await asyncio.to_thread(store.ingest, source, read.items, summarise)
    await asyncio.to_thread(
        store.poll_ok, source.id, read.etag or source.etag, read.last_modified or source.last_modified, read.title
    )
    return result


def _fix(source: SourceRef, exc: Exception) -> str:
    if source.kind != "feed":
        return fix_for("wire")
    return fix_for(getattr(exc, "reason", None), getattr(exc, "status", None))


async def _failed(store: Store, settings: Settings, source: SourceRef, interval: int, exc: Exception, fix: str) -> None:
    sched = settings.scheduler
    error = str(exc) or type(exc).__name__
    now = utcnow()
    pause_after = timedelta(seconds=sched.pause_after_seconds)
    retry = backoff_time(source.url, interval, source.failures + 1, now)
    # Never wait past half the pause deadline: a broken feed is reported within it, not hours later.
    retry = min(retry, now + max(pause_after / 2, timedelta(seconds=interval)))
    asked = getattr(exc, "retry_after", None)
    if asked:  # 429/503 with Retry-After: never sooner than the feed asked (up to a day)
        retry = max(retry, next_poll_time(source.url, interval, now + timedelta(seconds=min(asked, MAX_RETRY_AFTER))))
    link = help_link(source.kind, source.url, getattr(exc, "reason", None))
    paused = await asyncio.to_thread(
        store.poll_failed, source.id, error, retry, sched.failure_limit, pause_after, fix, link
    )
    log.warning("poll failed", extra={"source": source.url, "error": error, "paused": paused, "retry_at": retry})


async def _read(
    settings: Settings, fetcher: SafeFetcher | None, source: SourceRef, timeout: float | None
) -> SourceRead:
    if source.kind == "wire":
        return await asyncio.to_thread(_read_wire, settings, source)
    if source.kind == "file":
        body = await asyncio.to_thread(_read_file, source.url)
        return await asyncio.to_thread(_parse, body, source.url, None)
    if fetcher is None:
        raise FetchError("connection", "no HTTP fetcher available")
    from bot.sources.feeds import FEED_ACCEPT

    got = await fetcher.get(
        source.url, etag=source.etag, last_modified=source.last_modified, accept=FEED_ACCEPT, timeout=timeout
    )
    if got.status == 304:
        return SourceRead([], got.etag, got.last_modified)
    try:
        parsed = await asyncio.to_thread(_parse, got.body, got.url, got.content_type)
    except FetchError as exc:
        from bot.sources.check import page_error

        raise page_error(got.body, got.url, got.content_type) or exc from None
    return SourceRead(parsed.items, got.etag, got.last_modified, parsed.title)


def _parse(body: bytes, url: str, content_type: str | None) -> SourceRead:
    from bot.sources.feeds import parse_feed

    feed = parse_feed(body, url, content_type)
    items = [
        NewItem(guid=i.guid, link=i.link, title=i.title, text=i.text, published=i.published)
        for i in reversed(feed.items)
    ]
    return SourceRead(items, title=feed.title)


def wire_folder(settings: Settings, source: SourceRef) -> Path:
    name = source.url.removeprefix("wire:")
    folder = settings.wires.get(name)
    if folder is None:
        raise WirebriefError(f"wire {name!r} is not configured in [wires] any more")
    return folder


def _read_wire(settings: Settings, source: SourceRef) -> SourceRead:
    from bot.sources.wire import scan_wire_folder

    folder = wire_folder(settings, source)
    if not folder.is_dir():
        raise WirebriefError(f"wire folder {folder} does not exist")
    settle = settings.scheduler.wire_settle_seconds
    files = sorted(scan_wire_folder(folder, settle_seconds=settle), key=lambda f: (f.modified, f.guid))
    items = [NewItem(guid=f.guid, link=None, title=f.title, text=f.text, published=f.modified) for f in files]
    return SourceRead(items)


def _read_file(url: str) -> bytes:
    """A feed file named in config or on the command line (chat users cannot name files)."""
    if url == SAMPLE_FEED_URL:
        return resources.files("bot").joinpath("samples", "feed.xml").read_bytes()
    path = Path(unquote(urlparse(url).path))
    with path.open("rb") as fh:
        data = fh.read(_MAX_FILE_BYTES + 1)
    if len(data) > _MAX_FILE_BYTES:
        raise FetchError("too_big", f"feed file {path} is over {_MAX_FILE_BYTES // 2**20} MB")
    return data
