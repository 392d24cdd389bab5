"""Web pages (the link path): fetch under the SSRF guard, decode, extract the article with trafilatura.

The page's own title becomes ``Dispatch.title``, which the summariser uses as the headline
when present. A page whose body is missing or too short to be an article (a paywall teaser,
a login wall, a JavaScript shell) is ``FetchError("empty")``; anything not HTML is
``FetchError("not_article")``, so chat adapters can say which.
"""

from __future__ import annotations

import asyncio
import codecs
import logging
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from charset_normalizer import from_bytes

from bot.errors import FetchError
from bot.fetch import SafeFetcher
from digests.model import Dispatch

log = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html, application/xhtml+xml"
#: Shorter than this is a teaser, a cookie wall or an error page, not an article.
MIN_BODY_CHARS = 200
MIN_BODY_WORDS = 30
MAX_TITLE_CHARS = 300
#: Extraction time grows with the element count (~0.1 ms each); real articles have a few
#: thousand (the dev pages at most ~4,000). Past this the rest of the page is cut off, so a
#: hostile page cannot hold a worker thread for tens of seconds.
MAX_TAGS = 60_000
#: The longest body handed to the summariser; long reads are ~50,000 characters.
MAX_BODY_CHARS = 200_000

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
_HTMLISH = re.compile(rb"<(!doctype\s+html|html|head|body|title|article|div|p)[\s>/]", re.IGNORECASE)
#: Labels that, per the WHATWG Encoding standard, mean windows-1252; often sent by default
#: server configs over UTF-8 pages, so valid UTF-8 wins over them.
_WEAK_LABELS = frozenset({"iso-8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "windows-1252", "cp1252"})


async def fetch_article(fetcher: SafeFetcher, url: str) -> Dispatch:
    """Fetch ``url`` and extract its article; the extraction runs in a thread (CPU-bound)."""
    try:
        result = await fetcher.get(url, accept=PAGE_ACCEPT)
    except FetchError as exc:
        if exc.reason == "bad_content_type":
            raise FetchError("not_article", f"that link is not a web page ({exc})") from None
        raise
    return await asyncio.to_thread(extract_article, result.body, result.url, result.content_type)


def extract_article(html: bytes, url: str, content_type: str | None = None) -> Dispatch:
    """The pure part of the link path: HTML bytes to a Dispatch (title + body text)."""
    host = urlsplit(url).hostname or "that page"
    if not _is_html(html, content_type):
        raise FetchError("not_article", f"{host} did not send a web page (HTML) I can read")
    text = decode_html(_cut_tags(html, MAX_TAGS), content_type)
    doc = _extract(text, url, favor_precision=True)
    body = _body(doc)
    if _too_short(body):  # precision mode can be too strict on unusual layouts: retry plainly
        doc = _extract(text, url, favor_precision=False) or doc
        body = _body(doc)
    if _too_short(body):
        log.info("page has no article body: url=%s chars=%d", url, len(body))
        raise FetchError("empty", f"I could not find an article on {host} (empty, too short or behind a paywall)")
    source = getattr(doc, "sitename", None) or host
    title = _clean_title(getattr(doc, "title", None), source)
    body = _cap_body(_drop_title_line(body, title))
    return Dispatch(text=body, title=title, url=url, source=source, published=_date(getattr(doc, "date", None)))


def _extract(text: str, url: str, *, favor_precision: bool) -> Any:
    """trafilatura with metadata; comments left out (readers' quotes are not the story's).

    ``favor_precision`` drops more boilerplate (body F1 0.991 vs 0.983 on the dev pages)."""
    return trafilatura.bare_extraction(
        text, url=url, with_metadata=True, include_comments=False, favor_precision=favor_precision
    )


def _body(doc: Any) -> str:
    return (getattr(doc, "text", None) or "").strip() if doc is not None else ""


def _too_short(body: str) -> bool:
    return len(body) < MIN_BODY_CHARS or len(body.split()) < MIN_BODY_WORDS


def _cut_tags(html: bytes, limit: int) -> bytes:
    """The page up to its ``limit``-th tag (lxml closes whatever is left open)."""
    if html.count(b"<") <= limit:
        return html
    at = -1
    for _ in range(limit):
        at = html.find(b"<", at + 1)
    log.info("page cut for extraction: tags>%d bytes=%d kept=%d", limit, len(html), at)
    return html[:at]


def _cap_body(body: str) -> str:
    if len(body) <= MAX_BODY_CHARS:
        return body
    cut = body.rfind("\n", 0, MAX_BODY_CHARS)
    return body[: cut if cut > MAX_BODY_CHARS // 2 else MAX_BODY_CHARS].rstrip()


def _is_html(body: bytes, content_type: str | None) -> bool:
    media = (content_type or "").split(";", 1)[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        return True
    if media:
        return False
    return bool(_HTMLISH.search(body[:4096]))  # no Content-Type: sniff the start of the body


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Bytes to text the way a browser would: BOM, then HTTP charset, then <meta charset>,
    then UTF-8, then a statistical guess, then windows-1252. A declared charset that does
    not decode the bytes is skipped instead of producing mojibake."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(encoding, errors="replace").lstrip("\ufeff")
    declared = [_header_charset(content_type), _meta_charset(body)]
    for label in declared:
        text = _try_declared(body, label)
        if text is not None:
            return text
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return body.decode(best.encoding)
        except (LookupError, UnicodeDecodeError):
            pass
    return body.decode("cp1252", errors="replace")


def _try_declared(body: bytes, label: str | None) -> str | None:
    if not label:
        return None
    label = label.lower()
    try:
        codec = codecs.lookup(label).name
    except LookupError:
        return None
    if codec.startswith("utf-16") or codec.startswith("utf-32"):
        return None  # an HTML meta tag that says UTF-16 is readable ASCII, so it is wrong
    if label in _WEAK_LABELS or codec in ("latin-1", "iso8859-1", "ascii", "cp1252"):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return body.decode("cp1252", errors="replace")
    try:
        return body.decode(codec)
    except UnicodeDecodeError:
        return None


def _header_charset(content_type: str | None) -> str | None:
    match = _HEADER_CHARSET.search(content_type or "")
    return match.group(1) if match else None


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:8192])
    return match.group(1).decode("ascii", "ignore") if match else None


def _drop_title_line(body: str, title: str | None) -> str:
    """trafilatura often keeps the page's <h1> as the body's first line; the title already
    carries it, and the summariser expects the story (dateline first) to start the text."""
    if not title:
        return body
    first, _, rest = body.partition("\n")
    if " ".join(first.split()).casefold() == title.casefold() and rest.strip():
        return rest.strip()
    return body


def _clean_title(title: str | None, site: str | None = None) -> str | None:
    """One line, capped, without a trailing "| Site Name" (the digest names its source)."""
    if not title:
        return None
    text = " ".join(title.split())
    if site:
        for sep in (" | ", " - ", " – ", " — ", " :: ", " · "):
            head, found, tail = text.rpartition(sep)
            if found and head and tail.casefold() == " ".join(site.split()).casefold():
                text = head.strip()
                break
    if len(text) > MAX_TITLE_CHARS:
        text = text[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return text or None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
