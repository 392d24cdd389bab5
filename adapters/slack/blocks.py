"""A digest as Slack Block Kit: header, context, one section per key quote, a button to the source.

Every string here comes from a feed, a wire file or a web page, so all of it is untrusted.
Slack gives ``&``, ``<`` and ``>`` their control meaning (``<!channel>``, ``<@U123>``,
``<https://x|label>``); escaping those three in every text object is what makes a quote
that says ``<!channel>`` render as text instead of paging the whole channel. ``verbatim``
is set on mrkdwn so Slack does not auto-link or auto-parse names in the quote either.

Source text must never *format* either: a quote with ``*``, ``_``, ``~`` or backticks would
turn bold, italic, struck or code. Slack has no escape for those (only the three entities),
and a zero-width space next to them *enables* formatting rather than stopping it, so in
source text each is replaced by a look-alike Slack never formats (the mapping jsx-slack's
``<Escape>`` uses: ``∗ ˍ ∼ ˋ``), and a ``>`` starting a line gets an invisible soft hyphen
in front so it is not a block quote. The header is ``plain_text`` and never formats, so it
keeps the characters themselves. Wirebrief's own tokens (``<!date^…>``) are added after
escaping and stay live.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from bot.domain import Reply
from digests.model import Digest, Quote

HEADER_MAX = 150
SECTION_MAX = 3000
CONTEXT_MAX = 2000
FALLBACK_MAX = 3000
BUTTON_URL_MAX = 3000
MAX_QUOTES = 10
OPEN_SOURCE_ACTION = "wirebrief_open_source"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Plain "@here" style words are not mentions unless Slack is asked to parse names, but a word
# joiner after the "@" keeps them inert even if a client or workflow re-parses the text.
_BROADCAST = re.compile(r"@(channel|here|everyone)\b", re.IGNORECASE)


_LOOKALIKE = {
    "*": "\u2217", "\uff0a": "\ufe61", "_": "\u02cd", "\uff3f": "\u2e0f",
    "~": "\u223c", "`": "\u02cb", "\uff40": "\u02cb",
}  # fmt: skip
#: A marker can only open or close formatting at a word's edge (``not_in_channel`` and
#: ``a*b*c`` render as typed), so only those are swapped; backticks always are.
_MARKER = re.compile(r"[`\uff40]|(?<![^\W_])[*_~\uff0a\uff3f]|[*_~\uff0a\uff3f](?![^\W_])")
_QUOTE_START = re.compile(r"^(\s*)(&gt;|\uff1e)", re.MULTILINE)


def escape(text: str, *, formatting: bool = True) -> str:
    """Source text made inert in mrkdwn: Slack's three control characters as entities,
    broadcast words neutralised and (unless ``formatting=False``, for a URL or a schedule
    the reader may copy) formatting characters replaced by look-alikes."""
    text = _CONTROL.sub("", text)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _BROADCAST.sub("@\u2060\\1", text)
    if not formatting:
        return text
    text = _MARKER.sub(lambda m: _LOOKALIKE[m.group(0)], text)
    return _QUOTE_START.sub("\\1\u00ad\\2", text)


def clip(text: str, limit: int) -> str:
    """Shorten to ``limit`` characters with an ellipsis, never cutting an escape in half."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut.rstrip() + "…"


def safe_url(url: str | None) -> str | None:
    """A URL fit for a button: http(s) with a host, without whitespace, within Slack's limit."""
    if not url or len(url) > BUTTON_URL_MAX or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return url


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": False}


def speaker_line(quote: Quote) -> str:
    """The attribution under a quote; "unattributed" rather than a blank, so no quote looks orphaned."""
    who = (quote.speaker or "").strip() or "unattributed"
    role = (quote.role or "").strip()
    return f"{who}, {role}" if role else who


def headline(digest: Digest, *, plain: bool = False) -> str:
    """The headline on one line, escaped; never empty (Slack rejects an empty header).
    ``plain``: for a plain_text object, which never formats, so nothing is swapped."""
    text = escape(" ".join(digest.headline.split()), formatting=not plain).strip()
    return text or "Untitled dispatch"


def context_line(digest: Digest, source_name: str | None, when: str | None = None) -> str:
    """Dateline · source · time: the context block's one line.

    Only the dateline and source name come from the source and are escaped; ``when`` is
    Wirebrief's own ``<!date^…>`` token (see ``replies.when``) and must reach Slack intact, or
    readers see the raw token instead of a time in their own zone."""
    parts = [str(digest.dateline) if digest.dateline else "", source_name or ""]
    escaped = [escape(" ".join(p.split())) for p in parts if p.strip()]
    if when and when.strip():
        escaped.append(when.strip())
    return " · ".join(escaped)


def quote_section(quote: Quote) -> dict[str, Any]:
    body = clip(escape(" ".join(quote.text.split())), SECTION_MAX - 300)
    who = clip(escape(speaker_line(quote)), 250)
    return {"type": "section", "text": _mrkdwn(f"> “{body}”\n— *{who}*")}


def digest_blocks(
    digest: Digest, source_name: str | None = None, source_url: str | None = None, when: str | None = None
) -> list[dict[str, Any]]:
    """The Block Kit blocks for one digest (at most 14 blocks, every limit respected)."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _plain(clip(headline(digest, plain=True), HEADER_MAX))}]
    context = context_line(digest, source_name, when)
    if context:
        blocks.append({"type": "context", "elements": [_mrkdwn(clip(context, CONTEXT_MAX))]})
    quotes = digest.key[:MAX_QUOTES]
    blocks.extend(quote_section(q) for q in quotes)
    if not quotes:
        blocks.append({"type": "section", "text": _mrkdwn("_No direct quotes in this dispatch._")})
    url = safe_url(digest.url) or safe_url(source_url)
    if url:
        button = {
            "type": "button",
            "text": _plain("Read the source"),
            "url": url,
            "action_id": OPEN_SOURCE_ACTION,
        }
        blocks.append({"type": "actions", "elements": [button]})
    return blocks


def digest_fallback(digest: Digest, source_name: str | None = None) -> str:
    """The plain notification text Slack shows where blocks cannot be drawn (push, search)."""
    lines = [headline(digest)]
    for quote in digest.key[:3]:
        lines.append(f"“{escape(' '.join(quote.text.split()))}” — {escape(speaker_line(quote))}")
    if source_name:
        lines.append(escape(source_name))
    return clip("\n".join(lines), FALLBACK_MAX)


def digest_message(
    digest: Digest, source_name: str | None = None, source_url: str | None = None, when: str | None = None
) -> dict[str, Any]:
    """``{"text": ..., "blocks": [...]}``: the body of chat.postMessage or a response_url post."""
    return {
        "text": digest_fallback(digest, source_name),
        "blocks": digest_blocks(digest, source_name, source_url, when),
    }


def notice_message(digest: Digest, source_name: str | None = None) -> dict[str, Any]:
    """A notice about a source: its headline, the error and the fix, and a button to the feed's
    site where that helps (``bot.notices.help_link``) — never to the feed that just failed."""
    head = clip(headline(digest), HEADER_MAX)
    body = clip(escape(" ".join(digest.text.split()), formatting=False), SECTION_MAX)
    blocks: list[dict[str, Any]] = [{"type": "header", "text": _plain(head)}]
    if body:
        blocks.append({"type": "section", "text": _mrkdwn(body)})
    if source_name:
        blocks.append({"type": "context", "elements": [_mrkdwn(clip(escape(source_name), CONTEXT_MAX))]})
    site = safe_url(digest.url)
    if site:
        label = clip(f"Open {urlsplit(site).hostname}", 75)
        button = {"type": "button", "text": _plain(label), "url": site, "action_id": OPEN_SOURCE_ACTION}
        blocks.append({"type": "actions", "elements": [button]})
    return {"text": clip(f"{head}\n{body}", FALLBACK_MAX), "blocks": blocks}


#: A Slack user-group id, as ``bot.subscription_grammar.check_mention`` stores it.
_GROUP_ID = re.compile(r"S[A-Z0-9]{2,20}")


def with_mention(message: dict[str, Any], group: str | None) -> dict[str, Any]:
    """A post that pings the subscription's opt-in user group (set only when the item matched
    its mention filter): ``<!subteam^ID>`` leads the fallback (what notifications show) and the
    blocks. It is the only live token added; source text stays escaped, so nobody else is
    pinged. Anything but a user-group id pings nobody."""
    if not group or not _GROUP_ID.fullmatch(group):
        return message
    token = f"<!subteam^{group}>"
    blocks = [{"type": "section", "text": _mrkdwn(token)}, *message.get("blocks", [])]
    return {**message, "text": clip(f"{token} {message.get('text', '')}", FALLBACK_MAX), "blocks": blocks}


def link(url: str | None, label: str) -> str:
    """``<url|label>`` for a safe URL (label escaped), else the escaped label alone."""
    safe = safe_url(url)
    if safe is None or any(c in safe for c in "|<>"):
        return escape(label)
    return f"<{safe}|{escape(label)}>"


def reply_message(reply: Reply) -> dict[str, Any]:
    """A reply in a story's thread (chat.postMessage with ``thread_ts``): "Also reported by
    AP — new: quote from …" with the quotes, or what an edit changed; a correction says so."""
    first = f"*{link(reply.source_url, reply.title)}*"
    if reply.kind == "correction":
        first = f":warning: {first}"
    if reply.kind == "outlet" and reply.summary:
        first += " — " + escape(reply.summary)
    blocks: list[dict[str, Any]] = [{"type": "section", "text": _mrkdwn(clip(first, SECTION_MAX))}]
    if reply.kind != "outlet":
        blocks.append({"type": "context", "elements": [_mrkdwn(clip(headline_text(reply.headline), CONTEXT_MAX))]})
    if reply.changes:
        body = "\n".join("• " + escape(" ".join(line.split())) for line in reply.changes)
        blocks.append({"type": "section", "text": _mrkdwn(clip(body, SECTION_MAX))})
    blocks.extend(quote_section(q) for q in reply.quotes[:MAX_QUOTES])
    fallback = [escape(reply.title)]
    if reply.summary:
        fallback.append(escape(reply.summary))
    fallback.extend(escape(" ".join(line.split())) for line in reply.changes)
    return {"text": clip(" — ".join(fallback), FALLBACK_MAX), "blocks": blocks}


def headline_text(text: str) -> str:
    return escape(" ".join(text.split())).strip() or "Untitled dispatch"
