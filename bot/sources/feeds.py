"""Feeds: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed (json) -> plain ``FeedItem`` values.

Everything in a feed is untrusted: item HTML is reduced to plain text, links must be
http(s), and counts and lengths are capped so one hostile feed cannot flood a channel
or the store. A feed that parses badly but still yields entries (feedparser's "bozo") is
fine; a body with nothing usable is ``FetchError("malformed")``.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import io
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from bot.errors import FetchError
from bot.fetch import FetchResult, SafeFetcher
from bot.sources.text import html_to_text, normalise_space

log = logging.getLogger(__name__)

#: Accept header for feed fetches: the feed types, plus the generic XML/JSON/text types
#: feeds are often (mis)served as. HTML is left out: a web page is not a feed.
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, text/plain;q=0.5, "
    "application/octet-stream;q=0.1, binary/octet-stream;q=0.1"
)
MAX_ITEMS = 200
MAX_TEXT_CHARS = 100_000
MAX_TITLE_CHARS = 300
MAX_GUID_CHARS = 500
MAX_URL_CHARS = 2048


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, reduced to what a dispatch needs."""

    guid: str
    link: str | None
    title: str | None
    text: str
    published: datetime | None

    @property
    def content_hash(self) -> str:
        """Hash of what a reader sees: same guid + new hash = an edited item (an update, not a repost)."""
        data = f"{self.title or ''}\n{self.text}".encode("utf-8", "surrogatepass")
        return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    items: list[FeedItem]


def parse_feed(body: bytes, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a feed body (RSS 0.9x/1.0/2.0, Atom or JSON Feed); items newest first, at most 200.

    CPU-bound (feedparser is pure Python): call it in a thread from async code.
    """
    if not body or not body.strip():
        raise FetchError("malformed", f"{_host(url)} sent an empty feed")
    if _looks_json(body, content_type):
        return _parse_json_feed(body, url)
    return _parse_xml_feed(body, url, content_type)


async def fetch_feed(
    fetcher: SafeFetcher, url: str, *, etag: str | None = None, last_modified: str | None = None
) -> tuple[FetchResult, ParsedFeed | None]:
    """Conditional GET + parse (in a thread). ``ParsedFeed`` is None when the server said 304."""
    result = await fetcher.get(url, etag=etag, last_modified=last_modified, accept=FEED_ACCEPT)
    if result.status == 304:
        return result, None
    parsed = await asyncio.to_thread(parse_feed, result.body, result.url, result.content_type)
    return result, parsed


# --------------------------------------------------------------------------- XML (feedparser)


def _parse_xml_feed(body: bytes, url: str, content_type: str | None) -> ParsedFeed:
    # No content-location: feedparser would then "resolve" relative guids into URLs, and a
    # feed that moves (a redirect) would re-key every item. Links are resolved in _link.
    headers: dict[str, str] = {}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never bytes: feedparser treats a bytes/str argument as a file name or URL
    # to open when it can, which would let a feed body read local files.
    # Sanitising and URI resolution inside feedparser are skipped (a third of its time): its
    # HTML never reaches anyone, html_to_text reduces it to plain text and drops scripts.
    parsed = feedparser.parse(
        io.BytesIO(body), response_headers=headers, sanitize_html=False, resolve_relative_uris=False
    )
    entries = parsed.get("entries") or []
    if not entries and (not parsed.get("version") or parsed.get("bozo")):
        problem = parsed.get("bozo_exception")
        log.info("feed malformed: url=%s error=%s", url, problem)
        raise FetchError("malformed", f"{_host(url)} did not send a feed I can read (RSS, Atom or JSON Feed)")
    feed = parsed.get("feed") or {}
    items = [item for item in (_xml_item(entry, url) for entry in entries[: MAX_ITEMS * 2]) if item]
    return ParsedFeed(title=_title(feed.get("title")), items=_finish(items))


def _xml_item(entry: Any, base: str) -> FeedItem | None:
    title = _title(entry.get("title"))
    text = _xml_text(entry)
    link = _link(entry.get("link"), base)
    if not (title or text or link):
        return None
    published = _struct_time(entry.get("published_parsed") or entry.get("updated_parsed"))
    return FeedItem(_guid(entry.get("id"), link, title, text), link, title, text, published)


def _xml_text(entry: Any) -> str:
    """The fullest body the entry carries: content:encoded / atom:content over the summary."""
    candidates: list[str] = []
    for content in entry.get("content") or []:
        value = content.get("value") if isinstance(content, dict) else None
        if isinstance(value, str):
            candidates.append(value[: MAX_TEXT_CHARS * 4])
    summary = entry.get("summary")
    if isinstance(summary, str):
        candidates.append(summary[: MAX_TEXT_CHARS * 4])
    texts = [html_to_text(c) for c in candidates]
    best = max(texts, key=len, default="")
    return best[:MAX_TEXT_CHARS]


def _struct_time(value: Any) -> datetime | None:
    """feedparser's dates are UTC ``struct_time``s; turn them into aware datetimes."""
    if value is None:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


# --------------------------------------------------------------------------- JSON Feed


def _looks_json(body: bytes, content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media.endswith("json"):
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def _parse_json_feed(body: bytes, url: str) -> ParsedFeed:
    """JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1); feedparser does not read it."""
    try:
        data = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise FetchError("malformed", f"{_host(url)} sent JSON that is not valid") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FetchError("malformed", f'{_host(url)} sent JSON that is not a JSON Feed (no "items" list)')
    version = data.get("version")
    if not (isinstance(version, str) and "jsonfeed.org/version/" in version):
        log.info("json feed without a jsonfeed version, reading it anyway: url=%s version=%r", url, version)
    items = [item for item in (_json_item(raw, url) for raw in data["items"][: MAX_ITEMS * 2]) if item]
    return ParsedFeed(title=_title(_str(data.get("title"))), items=_finish(items))


def _json_item(raw: Any, base: str) -> FeedItem | None:
    if not isinstance(raw, dict):
        return None
    title = _title(_str(raw.get("title")))
    html_body = _str(raw.get("content_html"))
    plain = _str(raw.get("content_text"))
    summary = _str(raw.get("summary"))
    texts = [html_to_text(html_body[: MAX_TEXT_CHARS * 4]) if html_body else "", normalise_space(plain or "")]
    text = max(texts, key=len) or normalise_space(summary or "")
    text = text[:MAX_TEXT_CHARS]
    link = _link(_str(raw.get("url")) or _str(raw.get("external_url")), base)
    if not (title or text or link):
        return None
    ident = raw.get("id")
    guid_source = str(ident) if isinstance(ident, str | int) and not isinstance(ident, bool) else None
    published = _iso_date(_str(raw.get("date_published")) or _str(raw.get("date_modified")))
    return FeedItem(_guid(guid_source, link, title, text), link, title, text, published)


def _iso_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip()[:64])
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


# --------------------------------------------------------------------------- shared


def _host(url: str) -> str:
    return urlsplit(url).hostname or url[:80]


def _title(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(html_to_text(value[: MAX_TITLE_CHARS * 8]).split())
    if len(text) > MAX_TITLE_CHARS:
        text = text[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return text or None


def _link(value: Any, base: str) -> str | None:
    """Only absolute http(s) links: a ``javascript:`` or ``file:`` link in a feed is hostile."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        link = urljoin(base, value.strip())
        parts = urlsplit(link)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(link) > MAX_URL_CHARS:
        return None
    if any(ch in link for ch in "\x00\r\n\t "):
        return None
    return link


def _guid(ident: Any, link: str | None, title: str | None, text: str) -> str:
    """The item's own id, else its link, else a hash of what it says (stable across polls)."""
    if isinstance(ident, str) and ident.strip():
        guid = ident.strip()
        if len(guid) <= MAX_GUID_CHARS:
            return guid
        return "sha256:" + hashlib.sha256(guid.encode("utf-8", "surrogatepass")).hexdigest()
    if link:
        return link
    data = f"{title or ''}\n{text}".encode("utf-8", "surrogatepass")
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _finish(items: Iterable[FeedItem]) -> list[FeedItem]:
    """Drop repeated guids (first wins: feeds list newest first), order newest first, cap.

    Items are re-sorted by date only when every item has one; otherwise the feed's own order
    is kept, since mixing dated and undated items would scramble it.
    """
    seen: set[str] = set()
    unique: list[FeedItem] = []
    for item in items:
        if item.guid in seen:
            continue
        seen.add(item.guid)
        unique.append(item)
    if unique and all(item.published for item in unique):
        unique.sort(key=lambda item: item.published or datetime.min.replace(tzinfo=UTC), reverse=True)
    return unique[:MAX_ITEMS]
