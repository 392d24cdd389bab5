"""Feeds: RSS 0.9x/1.0/2.0 and Atom (feedparser), JSON Feed (json) -> plain ``FeedItem`` values.

Everything in a feed is untrusted: item HTML is reduced to plain text, links must be
http(s), and counts and lengths are capped so one hostile feed cannot flood a channel
or the store. A feed that parses badly but still yields entries (feedparser's "bozo") is
fine; so is a well-formed feed with no entries (an empty feed is not a broken one); a body
with nothing usable is ``FetchError("malformed")``.

One bad item never costs its neighbours: the body is repaired before parsing where one
character would make the whole document unreadable (a numeric reference to a code point XML
forbids, ``&#xD800;``, makes feedparser's fallback parser raise; a stray byte in a feed
declared UTF-8 makes it re-read the whole feed as windows-1252), each entry is read on its
own, and an entry that still fails is skipped with a logged reason.

Text follows the feed's own typing (:mod:`bot.sources.text`): a title typed as text keeps
``<blink>`` and ``List&lt;T&gt;`` literally; HTML is reduced to text.
"""

from __future__ import annotations

import asyncio
import calendar
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from bot.errors import FetchError
from bot.fetch import FetchResult, SafeFetcher
from bot.sources.text import clean_code_points, decode_lenient, html_to_text, plain_text

log = logging.getLogger(__name__)

#: Accept header for feed fetches: the feed types first, then anything else, since feeds are
#: served under every type there is (``text/rss+xml``, ``application/x-rss+xml``, ``text/html``,
#: ``application/octet-stream``...) and feedparser reads the body whatever the label: the body
#: is sniffed. Only media that can never be a feed (images, audio, video, fonts) is refused
#: before its body is read.
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.1, "
    "image/*;q=0, audio/*;q=0, video/*;q=0, font/*;q=0"
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
    if not body or not body.strip(b" \t\r\n\x00"):
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
    label = _wide_label(body, content_type)
    if label:
        headers["content-type"] = label
    # A stream, never bytes: feedparser treats a bytes/str argument as a file name or URL
    # to open when it can, which would let a feed body read local files.
    # Sanitising and URI resolution inside feedparser are skipped (a third of its time): its
    # HTML never reaches anyone, html_to_text reduces it to plain text and drops scripts.
    try:
        parsed = feedparser.parse(
            io.BytesIO(repair_xml(body, content_type)),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as exc:  # feedparser's fallback parser can still raise on hostile input
        log.warning("feed unreadable: url=%s error=%r", url, exc)
        raise FetchError("malformed", f"{_host(url)} sent a feed I cannot read ({type(exc).__name__})") from None
    entries = parsed.get("entries") or []
    if not entries and not _valid_empty(parsed, body):
        problem = parsed.get("bozo_exception")
        log.info("feed malformed: url=%s error=%s", url, problem)
        raise FetchError("malformed", f"{_host(url)} did not send a feed I can read (RSS, Atom or JSON Feed)")
    feed = parsed.get("feed") or {}
    items = _each(entries[: MAX_ITEMS * 2], lambda entry: _xml_item(entry, url), url)
    return ParsedFeed(title=_title(feed.get("title"), _kind(feed, "title")), items=_finish(items))


#: Root elements of feeds: RSS, Atom, RSS 0.9/1.0 (rdf:RDF) and CDF.
_FEED_ROOTS = frozenset({"rss", "feed", "rdf", "channel"})
_PROLOGUE = re.compile(rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)", re.DOTALL | re.IGNORECASE)
_ROOT = re.compile(rb"\s*<([A-Za-z_][\w.:-]*)")


#: bozo reasons that say nothing about the document's shape (a label or a charset).
_HARMLESS_BOZO = ("NonXMLContentType", "CharacterEncodingOverride", "CharacterEncodingUnknown")


def _valid_empty(parsed: Any, body: bytes) -> bool:
    """A feed with no entries is a success when it is a feed: feedparser recognised its
    version, or its root element is a feed's (an empty RSS 0.90 ``rdf:RDF``, a CDF
    ``CHANNEL``); and it is well-formed, or feedparser's loose parser still read its channel
    (an undefined ``&hellip;`` is not a broken feed; ``<rss><<<>>>`` is)."""
    if not (parsed.get("version") or _root_name(body) in _FEED_ROOTS):
        return False
    if not parsed.get("bozo") or type(parsed.get("bozo_exception")).__name__ in _HARMLESS_BOZO:
        return True
    return bool(parsed.get("feed"))


def _root_name(body: bytes) -> str:
    """The local name of the document's first element, lower case ("" when none is found)."""
    text = body[:65_536].removeprefix(b"\xef\xbb\xbf")
    while match := _PROLOGUE.match(text):
        text = text[match.end() :]
    match = _ROOT.match(text)
    return match.group(1).decode("ascii", "replace").rsplit(":", 1)[-1].lower() if match else ""


def _xml_item(entry: Any, base: str) -> FeedItem | None:
    title = _title(entry.get("title"), _kind(entry, "title"))
    text = _xml_text(entry)
    link = _link(entry.get("link"), base)
    if not (title or text or link):
        return None
    published = _struct_time(entry.get("published_parsed") or entry.get("updated_parsed"))
    return FeedItem(_guid(entry.get("id"), link, title, text), link, title, text, published)


def _kind(entry: Any, key: str) -> str | None:
    """The media type feedparser read for ``key`` (``title_detail.type``)."""
    detail = entry.get(f"{key}_detail")
    value = detail.get("type") if isinstance(detail, dict) else None
    return value if isinstance(value, str) else None


def _xml_text(entry: Any) -> str:
    """The fullest body the entry carries: content:encoded / atom:content over the summary."""
    texts: list[str] = []
    for content in entry.get("content") or []:
        if isinstance(content, dict) and isinstance(content.get("value"), str):
            texts.append(typed_text(content["value"][: MAX_TEXT_CHARS * 4], content.get("type")))
    summary = entry.get("summary")
    if isinstance(summary, str):
        texts.append(typed_text(summary[: MAX_TEXT_CHARS * 4], _kind(entry, "summary")))
    best = max(texts, key=len, default="")
    return best[:MAX_TEXT_CHARS]


def typed_text(value: str, media: str | None) -> str:
    """The feed text rule: HTML (and XHTML) is reduced to text; text typed as text stays as it
    is; XML is reduced to its text; any other media (Atom base64 content labelled
    ``application/octet-stream``, ``video/mp4``) is kept as plain text when feedparser decoded
    it to readable text, and dropped when it is binary.

    An untyped value is HTML: RSS says nothing, and descriptions are HTML in practice.
    """
    kind = (media or "text/html").split(";", 1)[0].strip().lower()
    if "html" in kind:
        return html_to_text(value)
    if kind.startswith("text/") or kind in ("text", "plain"):
        return plain_text(value)
    if kind.endswith("xml"):
        return html_to_text(value)
    return plain_text(value) if _readable(value) else ""


_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")


def _readable(value: str) -> bool:
    """Text, not bytes wearing a text costume: no control characters or replacements."""
    return bool(value.strip()) and not _BINARY.search(value[:4096])


# --------------------------------------------------------------------------- repairing the body

_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,12})|([0-9]{1,16}));")
_CHAR_REF_TEXT = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,12})|([0-9]{1,16}));")
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
#: (how the body starts, its codec, whether that start is a BOM to keep in front)
_WIDE = (
    (b"\x00\x00\xfe\xff", "utf-32-be", True),
    (b"\xff\xfe\x00\x00", "utf-32-le", True),
    (b"\xfe\xff", "utf-16-be", True),
    (b"\xff\xfe", "utf-16-le", True),
    (b"\x00\x00\x00<", "utf-32-be", False),
    (b"<\x00\x00\x00", "utf-32-le", False),
    (b"\x00<\x00?", "utf-16-be", False),
    (b"<\x00?\x00", "utf-16-le", False),
)


def _wide_label(body: bytes, content_type: str | None) -> str | None:
    """The label feedparser is given: a UTF-16/32 document names its own encoding (a BOM, or
    '<?' in two or four bytes) and that wins. feedparser follows RFC 3023, where text/* without
    a charset is us-ascii, so it reads no entry of a UTF-16 feed served as text/xml, text/html
    or text/plain; RFC 7303 dropped that default, and a BOM outranks any charset (as in the
    WHATWG encoding standard). Without a BOM, a charset the server gave is kept unless it is a
    bare utf-16/utf-32, which leaves the byte order to the bytes."""
    found = next(((codec, bom) for start, codec, bom in _WIDE if body.startswith(start)), None)
    if found is None:
        return content_type
    codec, bom = found
    media, *params = (content_type or "application/xml").split(";")
    charsets = [
        p.partition("=")[2].strip(" \"'").lower() for p in params if p.split("=")[0].strip().lower() == "charset"
    ]
    others = [p.strip() for p in params if p.strip() and p.split("=")[0].strip().lower() != "charset"]
    if not bom and charsets and charsets[0] not in ("utf-16", "utf-32"):
        return content_type
    return "; ".join([media.strip(), *others, f"charset={codec}"])


def repair_xml(body: bytes, content_type: str | None = None) -> bytes:
    """The body with what would sink the whole document mended, nothing else changed:
    numeric references to code points XML forbids become U+FFFD (NUL and C0 controls go),
    and stray bytes in a feed declared UTF-8 become U+FFFD."""
    for start, codec, is_bom in _WIDE:
        if body.startswith(start):
            return _repair_wide(body, start if is_bom else b"", codec)
    body = _CHAR_REF.sub(_fix_ref, body) if b"&#" in body else body
    if _declared_utf8(body, content_type):
        text = decode_lenient(body, "utf-8")
        if text is not None:
            return text.encode("utf-8")
    return body


def _fix_ref(match: re.Match[bytes]) -> bytes:
    hexa, dec = match.group(1), match.group(2)
    replacement = _ref_replacement(int(hexa, 16) if hexa else int(dec))
    return match.group(0) if replacement is None else replacement.encode("ascii")


def _ref_replacement(code: int) -> str | None:
    """None for a reference XML allows; else what stands in for it."""
    if code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF:
        return None
    return "" if code < 0x20 else "&#xFFFD;"


def _repair_wide(body: bytes, bom: bytes, codec: str) -> bytes:
    """UTF-16/32 documents: the same reference repair, in their own encoding."""
    try:
        text = body[len(bom) :].decode(codec)
    except UnicodeDecodeError:
        return body
    if "&#" not in text:
        return body

    def fix(match: re.Match[str]) -> str:
        hexa, dec = match.group(1), match.group(2)
        replacement = _ref_replacement(int(hexa, 16) if hexa else int(dec))
        return match.group(0) if replacement is None else replacement

    return bom + _CHAR_REF_TEXT.sub(fix, text).encode(codec)


def _declared_utf8(body: bytes, content_type: str | None) -> bool:
    """UTF-8 named by the HTTP charset, or (without one) by the XML declaration."""
    charset = None
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower()
    if charset is None:
        match = _XML_ENCODING.match(body[:512])
        charset = match.group(1).decode("ascii").lower() if match else None
    return charset in ("utf-8", "utf8")


def _each(entries: Iterable[Any], read: Any, url: str) -> list[FeedItem]:
    """Read entries one by one: one that raises is skipped with its reason, the rest are kept."""
    items: list[FeedItem] = []
    for index, entry in enumerate(entries):
        try:
            item = read(entry)
        except Exception as exc:
            log.warning("feed item skipped: url=%s entry=%d error=%r", url, index, exc)
            continue
        if item is not None:
            items.append(item)
    return items


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
        data = json.loads(_json_text(body))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise FetchError("malformed", f"{_host(url)} sent JSON that is not valid") from None
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise FetchError("malformed", f'{_host(url)} sent JSON that is not a JSON Feed (no "items" list)')
    version = data.get("version")
    if not (isinstance(version, str) and "jsonfeed.org/version/" in version):
        log.info("json feed without a jsonfeed version, reading it anyway: url=%s version=%r", url, version)
    items = _each(data["items"][: MAX_ITEMS * 2], lambda raw: _json_item(raw, url), url)
    return ParsedFeed(title=_title(_str(data.get("title")), "text"), items=_finish(items))


def _json_text(body: bytes) -> str:
    """JSON is UTF-8 (RFC 8259; UTF-16/32 detected for old servers); a stray byte is U+FFFD."""
    codec = json.detect_encoding(body)
    text = body.decode(codec, errors="replace")
    return text.removeprefix("\ufeff")


def _json_item(raw: Any, base: str) -> FeedItem | None:
    """JSON Feed's typing is in its keys: ``title``, ``content_text`` and ``summary`` are plain
    text, ``content_html`` is HTML."""
    if not isinstance(raw, dict):
        return None
    title = _title(_str(raw.get("title")), "text")
    html_body = _str(raw.get("content_html"))
    plain = _str(raw.get("content_text"))
    summary = _str(raw.get("summary"))
    texts = [html_to_text(html_body[: MAX_TEXT_CHARS * 4]) if html_body else "", plain_text(plain or "")]
    text = max(texts, key=len) or plain_text(summary or "")
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
    return clean_code_points(value) if isinstance(value, str) else None


# --------------------------------------------------------------------------- shared


def _host(url: str) -> str:
    return urlsplit(url).hostname or url[:80]


def _title(value: Any, media: str | None) -> str | None:
    """A title is text whatever its label: HTML is reduced, anything else (text, or a type
    Atom does not allow for titles, like base64's application/octet-stream) is plain."""
    if not isinstance(value, str):
        return None
    kind = media if media and "html" in media.lower() else "text/plain"
    text = " ".join(typed_text(value[: MAX_TITLE_CHARS * 8], kind).split())
    if len(text) > MAX_TITLE_CHARS:
        text = text[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return text or None


def _link(value: Any, base: str) -> str | None:
    """Only absolute http(s) links: a ``javascript:`` or ``file:`` link in a feed is hostile."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        link = urljoin(base, clean_code_points(value).strip())
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
        guid = clean_code_points(ident).strip()
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
