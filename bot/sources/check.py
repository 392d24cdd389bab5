"""Is this address a feed? Subscribing fetches it once and, if not, says why in one line —
and when it is a web page that names its feed (``<link rel="alternate" type="application/rss+xml">``),
which address to subscribe to instead. Pure functions over what the fetch returned."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

from bot.errors import FetchError

#: How much of a page is searched for its feed links (they sit in <head>).
HEAD_BYTES = 256 * 1024
MAX_FEEDS = 3
_LINK_TAG = re.compile(rb"<link\b[^>]{0,2000}>", re.IGNORECASE)
_ATTR = re.compile(rb"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_FEED_TYPES = (b"application/rss+xml", b"application/atom+xml", b"application/feed+json", b"application/json")


def looks_html(body: bytes, content_type: str | None) -> bool:
    media = (content_type or "").split(";")[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        return True
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]


def discover_feeds(body: bytes, base: str) -> list[str]:
    """The feed addresses a page names in its ``<link rel="alternate">`` tags, in page order."""
    found: list[str] = []
    for tag in _LINK_TAG.findall(body[:HEAD_BYTES]):
        attrs: dict[bytes, bytes] = {}
        for name, *values in _ATTR.findall(tag):
            attrs[name.lower()] = next((v for v in values if v), b"")
        rel = attrs.get(b"rel", b"").lower().split()
        kind = attrs.get(b"type", b"").lower().strip()
        href = attrs.get(b"href", b"").strip()
        if b"alternate" not in rel or kind not in _FEED_TYPES or not href:
            continue
        url = urljoin(base, html.unescape(href.decode("utf-8", "replace")))
        if urlsplit(url).scheme in ("http", "https") and url not in found and len(url) <= 2048:
            found.append(url)
        if len(found) == MAX_FEEDS:
            break
    return found


def refusal(url: str, exc: FetchError, body: bytes = b"", content_type: str | None = None) -> str:
    """Why ``url`` cannot be subscribed to, in one line a chat user can act on."""
    where = f"Can't subscribe to {url}"
    if body and looks_html(body, content_type):
        feeds = discover_feeds(body, url)
        if feeds:
            return f"{where}: it is a web page, not a feed. Its feed is {feeds[0]} — subscribe to that."
        return f"{where}: it is a web page, not a feed, and it names no feed (look for an RSS link on the site)."
    if exc.reason == "address_refused":
        return (
            f"{where}: {exc}. Private and local addresses are not fetched "
            "(an operator can allow a newsroom's internal hosts in [fetch] allow_private)."
        )
    if exc.reason in ("malformed", "bad_content_type"):
        media = (content_type or "").split(";")[0].strip().lower()
        sent = f"; it sent {media}" if media else ""
        return f"{where}: it is not a feed Wirebrief can read (RSS, Atom or JSON Feed){sent}."
    return f"{where}: {exc}."


def page_error(body: bytes, url: str, content_type: str | None) -> FetchError | None:
    """What a poll reports when a feed's address now serves a web page: reason "page", naming
    the feed the page links to when it names one (a publisher that moved its feed usually
    does), so the notice can say where to go. None when the body is not a web page."""
    if not body or not looks_html(body, content_type):
        return None
    host = urlsplit(url).hostname or "the site"
    feeds = discover_feeds(body, url)
    if feeds:
        return FetchError("page", f"{host} now serves a web page, not a feed; the page names its feed: {feeds[0]}")
    return FetchError("page", f"{host} now serves a web page, not a feed, and the page names no feed")
