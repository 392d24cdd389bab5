"""Web pages (the link path): fetch under the SSRF guard, decode, extract the article with trafilatura.

The page's own title becomes ``Dispatch.title``, which the summariser uses as the headline
when present. A page whose body is missing or too short to be an article (a paywall teaser,
a login wall, a JavaScript shell) is ``FetchError("empty")``; anything not HTML is
``FetchError("not_article")``, so chat adapters can say which.

Hostile and foreign pages lose nothing: length is counted in characters where a script does
not separate words by spaces (Chinese, Japanese, Thai...), so a full article is never
"empty"; a declared charset is used with replacement when a stray byte breaks it, before
any guess (one bad byte costs one character, not the page); and the title loses a trailing
"| Site" only when the page names its site (``og:site_name``, ``application-name``) or the
tail spells the host, never because trafilatura guessed a site name from the title itself.
"""

from __future__ import annotations

import asyncio
import codecs
import html
import logging
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import trafilatura
from charset_normalizer import from_bytes
from trafilatura.utils import load_html

from bot.errors import FetchError
from bot.fetch import SafeFetcher
from bot.sources.text import decode_lenient, repair_embedded
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
#: Scripts written without spaces between words: Han, Hiragana, Katakana, Thai, Lao,
#: Khmer, Myanmar, Tibetan (Hangul is spaced and counted as words).
_DENSE = re.compile(
    "[\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0002ffff]"
)
#: About two characters of such a script carry what one spaced word does.
_DENSE_CHARS_PER_WORD = 2
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
    title = _clean_title(_page_title(text) or getattr(doc, "title", None), _site_names(text, url))
    body = _cap_body(_drop_title_line(body, title))
    return Dispatch(text=body, title=title, url=url, source=source, published=_date(getattr(doc, "date", None)))


def _extract(text: str, url: str, *, favor_precision: bool) -> Any:
    """trafilatura with metadata; comments left out (readers' quotes are not the story's).

    The page is parsed as trafilatura parses it, then an unclosed ``<embed>``, ``<object>`` or
    ``<svg>`` is undone as a browser reads it (:func:`repair_embedded`), so the paragraphs
    after an embedded video are not taken for the video's children and dropped.
    ``favor_precision`` drops more boilerplate (body F1 0.991 vs 0.983 on the dev pages)."""
    tree = load_html(text)
    if tree is None:
        return None
    repair_embedded(tree)
    return trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False, favor_precision=favor_precision
    )


def _body(doc: Any) -> str:
    return (getattr(doc, "text", None) or "").strip() if doc is not None else ""


def _too_short(body: str) -> bool:
    """Fewer than ~200 characters or ~30 words, counting a script without spaces by its
    characters (a Japanese article is one "word" to ``split()``)."""
    dense = len(_DENSE.findall(body))
    words = len(_DENSE.sub(" ", body).split()) + dense // _DENSE_CHARS_PER_WORD
    chars = len(body) + dense * (_DENSE_CHARS_PER_WORD - 1)
    return chars < MIN_BODY_CHARS or words < MIN_BODY_WORDS


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
    then UTF-8, then a statistical guess, then windows-1252. A declared charset is kept with
    a stray undecodable byte replaced (U+FFFD); one that plainly does not fit the bytes (more
    bad sequences than good characters) is skipped instead of producing mojibake."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return body.decode(encoding, errors="replace").lstrip("\ufeff")
    declared = [_header_charset(content_type), _meta_charset(body)]
    for label in declared:
        text = _try_declared(body, label)
        if text is not None:
            return text
    text = decode_lenient(body, "utf-8")  # undeclared but (all but a stray byte) UTF-8
    if text is not None:
        return text
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
    return decode_lenient(body, codec)


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


_META = re.compile(r"<meta\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r"""([a-zA-Z:_-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_TITLE_TAG = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_TITLE_SEPARATORS = (" | ", " - ", " – ", " — ", " :: ", " · ", " • ", " / ")


def _head_metas(text: str) -> dict[str, str]:
    """``<meta>`` of the page's head: property/name (lower case) -> content, first wins."""
    head = text[: text.lower().find("</head")] if "</head" in text.lower() else text[:100_000]
    metas: dict[str, str] = {}
    for tag in _META.findall(head):
        attrs = {m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None) for m in _ATTR.finditer(tag)}
        key = (attrs.get("property") or attrs.get("name") or "").strip().lower()
        if key and "content" in attrs:
            metas.setdefault(key, html.unescape(attrs["content"]).strip())
    return metas


def _page_title(text: str) -> str | None:
    """The page's own title, untouched: og:title, else <title> (trafilatura trims titles at
    separators by guesswork, which cut real headlines like "Rivers rise - Flood watch")."""
    metas = _head_metas(text)
    for key in ("og:title", "twitter:title"):
        if metas.get(key):
            return metas[key]
    match = _TITLE_TAG.search(text[:200_000])
    return html.unescape(match.group(1)).strip() or None if match else None


def _site_names(text: str, url: str) -> list[str]:
    """Site names the page itself declares, and its host: the only tails a title loses."""
    metas = _head_metas(text)
    names = [metas.get(k, "") for k in ("og:site_name", "application-name", "apple-mobile-web-app-title")]
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return [n for n in (*names, host) if n]


def _same_name(tail: str, site: str) -> bool:
    """A title tail names the site: equal ignoring case, or equal to the host once both are
    reduced to letters and digits ("Riverside Chronicle" ~ riversidechronicle.example)."""
    if tail.casefold() == " ".join(site.split()).casefold():
        return True
    squash = "".join(ch for ch in tail.casefold() if ch.isalnum())
    host = site.casefold().split(".")
    return bool(squash) and "." in site and squash in ("".join(host[:-1]), "".join(host[:-2]), host[0])


def _clean_title(title: str | None, sites: list[str] | str | None = None) -> str | None:
    """One line, capped, without a trailing "| Site Name" — only when the site is certain."""
    if not title:
        return None
    text = " ".join(title.split())
    names = [sites] if isinstance(sites, str) else list(sites or [])
    for sep in _TITLE_SEPARATORS:
        head, found, tail = text.rpartition(sep)
        if found and head and any(_same_name(tail, site) for site in names):
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
