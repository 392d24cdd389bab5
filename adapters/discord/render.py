"""A digest as a Discord embed, and every string from a dispatch made safe to show.

Feeds and pages are untrusted: a quote may contain ``@everyone``, a role mention or Markdown
meant to disguise a link. Sending with ``AllowedMentions.none()`` stops the ping; neutralising
the text as well stops the mention from *rendering* (a blue ``@everyone`` in an embed still
looks like an alarm), and escaping Markdown keeps the quote reading as the source wrote it.
Limits are Discord's: a request over them is refused outright, so we cut instead.

The escaping is our own, not ``discord.utils.escape_markdown``: that one escapes a masked link
by one backslash before the *first* ``[`` of a greedy ``[.+](.+)`` match, so the second of
two links in a quote stays live, and it leaves URLs alone. Here every character Discord's
Markdown gives a meaning to is escaped on its own (a backslash before any ASCII punctuation
renders as that character, so the reader sees the text unchanged): emphasis, underline,
strike, spoiler and code markers, link brackets, angle brackets (mentions, timestamps,
``<url>``), the ``:`` of ``scheme://`` (no auto-link: a URL from a source is shown, never
clickable), and the line-start constructs (quote, heading, subtext, list).
"""

from __future__ import annotations

import re
from datetime import datetime
from urllib.parse import urlsplit

import discord

from bot.domain import Post, Reply
from digests.model import Digest

TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
TOTAL_LIMIT = 6000
URL_LIMIT = 2048
ZWSP = "\u200b"
EMBED_COLOUR = 0x2B6CB0
CORRECTION_COLOUR = 0xC53030
#: Discord's longest thread name.
THREAD_NAME_LIMIT = 100

# @everyone / @here, and <@id>, <@!id>, <@&id>, <#id> (user, nickname, role, channel mentions).
_BROADCAST = re.compile(r"@(everyone|here)", re.IGNORECASE)
_ENTITY = re.compile(r"<(@[!&]?|#)(\d+)>")
#: Characters with a Markdown meaning anywhere in a line.
_INLINE = re.compile(r"([\\*_~|`\[\]<>#])")
#: ``scheme://``: Discord auto-links it; an escaped colon keeps the URL as plain text.
_SCHEME = re.compile("://")
#: Line-start constructs not covered above: lists ("- ", "+ ") and subtext ("-# "), and the
#: dot of an ordered list ("1. ").
_LINE_START = re.compile(r"^(\s*)(?:([-+])|(\d+)\.)", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """Every Markdown construct in ``text`` made inert; what the reader sees is unchanged."""
    text = _INLINE.sub(r"\\\1", text)
    text = _SCHEME.sub(r"\\://", text)
    return _LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker, number = match.groups()
    return f"{indent}\\{marker}" if marker else f"{indent}{number}\\."


def neutralise_mentions(text: str) -> str:
    """Break every mention so Discord shows it as text and never resolves or pings it."""
    text = _BROADCAST.sub(lambda m: "@" + ZWSP + m.group(1), text)
    return _ENTITY.sub(lambda m: "<" + ZWSP + m.group(1) + m.group(2) + ">", text)


def safe_text(text: str, limit: int, *, markdown: bool = True) -> str:
    """Escape Markdown (where Discord renders it), neutralise mentions, cut to ``limit``.

    Cutting happens after escaping so the limit holds for what is sent; a cut that would
    leave half an escape sequence drops the dangling backslash.
    """
    text = " ".join(text.split())
    if markdown:
        text = escape_markdown(text)
    text = neutralise_mentions(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip("\\ ") + "…"


def safe_url(url: str | None) -> str | None:
    """Only http(s) URLs within Discord's length limit; anything else Discord would refuse."""
    if not url or len(url) > URL_LIMIT:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


def speaker_label(speaker: str | None, role: str | None) -> str:
    """ "speaker — role", the field name a reader scans first."""
    who = speaker or "Unattributed"
    return f"{who} — {role}" if role else who


def embed_size(embed: discord.Embed) -> int:
    """The characters Discord counts against its 6,000 per message."""
    return _embed_size(embed)


def _embed_size(embed: discord.Embed) -> int:
    size = len(embed.title or "") + len(embed.description or "") + len(embed.footer.text or "")
    return size + sum(len(f.name or "") + len(f.value or "") for f in embed.fields)


def digest_embed(
    digest: Digest, *, source_name: str | None = None, source_url: str | None = None, when: datetime | None = None
) -> discord.Embed:
    """Headline as a title linking to the source, dateline below, one field per key quote,
    source in the footer and the publication time as the embed's timestamp."""
    embed = discord.Embed(
        title=safe_text(digest.headline or "Untitled dispatch", TITLE_LIMIT),
        url=safe_url(source_url or digest.url),
        description=safe_text(str(digest.dateline), DESCRIPTION_LIMIT) if digest.dateline else None,
        colour=EMBED_COLOUR,
        timestamp=when,
    )
    footer = source_name or (urlsplit(digest.url).netloc if digest.url else None)
    if footer:
        embed.set_footer(text=safe_text(footer, FOOTER_LIMIT, markdown=False))
    for quote in digest.key[:FIELD_COUNT_LIMIT]:
        name = safe_text(speaker_label(quote.speaker, quote.role), FIELD_NAME_LIMIT)
        value = "“" + safe_text(quote.text, FIELD_VALUE_LIMIT - 2) + "”"
        if _embed_size(embed) + len(name) + len(value) > TOTAL_LIMIT:
            break
        embed.add_field(name=name, value=value, inline=False)
    if not embed.fields:
        note = "No direct quotes in this dispatch."
        embed.description = f"{embed.description}\n{note}" if embed.description else note
    return embed


NOTICE_COLOUR = 0xD69E2E
#: Discord role ids are snowflakes: digits only, 15 to 21 of them.
_ROLE_ID = re.compile(r"\d{15,21}")


def post_ping(post: Post) -> tuple[str | None, discord.AllowedMentions]:
    """The message content and allowed mentions of a post: the subscription's opt-in role (set
    only when the item matched its mention filter) and nothing else — never @everyone, no user,
    no other role, whatever the text holds. No mention: no content, pings nobody."""
    role = post.mention or ""
    if post.digest.extra.get("notice") or not _ROLE_ID.fullmatch(role):
        return None, discord.AllowedMentions.none()
    allowed = discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(int(role))])
    return f"<@&{role}>", allowed


def post_embed(post: Post) -> discord.Embed:
    """The embed a scheduled post arrives as; a notice about the source says what and why."""
    if post.digest.extra.get("notice"):
        return notice_embed(post)
    return digest_embed(post.digest, source_name=post.source_name, source_url=post.source_url, when=post.published)


def notice_embed(post: Post) -> discord.Embed:
    """A notice: headline, the error and the fix. Its title links to the feed's site where that
    helps (see ``bot.notices.help_link``), never to the broken feed itself."""
    site = safe_url(post.digest.url)
    text = safe_text(post.digest.text, DESCRIPTION_LIMIT - 200, markdown=True)
    if site:
        text += f"\nOpen the site: {safe_text(urlsplit(site).netloc, 100, markdown=False)} (the title links there)."
    embed = discord.Embed(
        title=safe_text(post.digest.headline, TITLE_LIMIT), url=site, description=text, colour=NOTICE_COLOUR
    )
    embed.set_footer(text=safe_text(post.source_name, FOOTER_LIMIT, markdown=False))
    return embed


def reply_embed(reply: Reply) -> discord.Embed:
    """A reply in a story's thread: who adds what ("Also reported by AP" and its new quotes),
    or what an edit changed; a correction in red. Every string from a source is escaped."""
    lines: list[str] = []
    if reply.kind == "outlet" and reply.summary:
        lines.append(safe_text(reply.summary, 300))
    if reply.kind != "outlet":
        lines.append("**" + safe_text(reply.headline, 600) + "**")
    lines.extend("• " + safe_text(line, 700) for line in reply.changes)
    embed = discord.Embed(
        title=safe_text(reply.title, TITLE_LIMIT),
        url=safe_url(reply.source_url),
        description="\n".join(lines)[:DESCRIPTION_LIMIT] or None,
        colour=CORRECTION_COLOUR if reply.kind == "correction" else EMBED_COLOUR,
    )
    embed.set_footer(text=safe_text(reply.source_name or "source", FOOTER_LIMIT, markdown=False))
    for quote in reply.quotes[:FIELD_COUNT_LIMIT]:
        name = safe_text(speaker_label(quote.speaker, quote.role), FIELD_NAME_LIMIT)
        value = "“" + safe_text(quote.text, FIELD_VALUE_LIMIT - 2) + "”"
        if _embed_size(embed) + len(name) + len(value) > TOTAL_LIMIT:
            break
        embed.add_field(name=name, value=value, inline=False)
    return embed


def thread_name(title: str | None) -> str:
    """A thread's name from the story's headline: one line, no mentions, within Discord's limit."""
    text = neutralise_mentions(" ".join((title or "").split())) or "Story updates"
    return text if len(text) <= THREAD_NAME_LIMIT else text[: THREAD_NAME_LIMIT - 1].rstrip() + "…"
