"""An edition as Discord messages: the header as the message text, one embed per story,
packed within Discord's limits (10 embeds and 6,000 embed characters a message); what does
not fit goes, in order, into a thread started on the first message. No story is dropped.

Every string from a source is escaped and its mentions broken (``render.safe_text``); links
to the outlets are masked links in the embed description, only for http(s) URLs short
enough to show, with the characters that would end a masked link percent-encoded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord.render import (
    DESCRIPTION_LIMIT,
    EMBED_COLOUR,
    TITLE_LIMIT,
    TOTAL_LIMIT,
    _embed_size,
    neutralise_mentions,
    safe_text,
    safe_url,
    speaker_label,
)
from bot.domain import Edition, EditionStory, Link

EMBEDS_PER_MESSAGE = 10
CONTENT_LIMIT = 2000
#: A story's description stays short: an edition is a list to scan, not the articles.
STORY_DESCRIPTION = 900
QUOTE_CHARS = 280
#: Outlet links longer than this are shown as names only (a long URL would eat the budget).
LINK_URL_MAX = 300
ALSO_MAX = 8


@dataclass
class Part:
    """One message of an edition: its text and its embeds."""

    content: str
    embeds: list[discord.Embed] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {"content": self.content, "embeds": self.embeds}


def masked(link: Link) -> str:
    """``[name](url)`` when the URL is safe to link, else the escaped name."""
    name = safe_text(link.name or "source", 100)
    url = safe_url(link.url)
    if url is None or len(url) > LINK_URL_MAX:
        return name
    for char, code in (("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E"), (" ", "%20")):
        url = url.replace(char, code)
    return f"[{name}]({url})"


def story_embed(story: EditionStory, number: int) -> discord.Embed:
    """One story: headline linking to the best source; its strongest attributed quote with
    speaker and role; the outlet and, after "also:", the others that carried it."""
    lines: list[str] = []
    if story.quote is not None:
        quote = "“" + safe_text(story.quote.text, QUOTE_CHARS) + "”"
        who = safe_text(speaker_label(story.quote.speaker, story.quote.role), 200)
        lines.append(f"{quote} — **{who}**")
    via = "via " + masked(story.source)
    if story.also:
        shown = [masked(link) for link in story.also[:ALSO_MAX]]
        more = len(story.also) - len(shown)
        via += " · also: " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")
    if sum(len(line) + 1 for line in lines) + len(via) > STORY_DESCRIPTION:
        via = "via " + safe_text(story.source.name, 100) + (f" · also: {len(story.also)} more" if story.also else "")
    lines.append(via)
    headline = safe_text(story.headline or "Untitled dispatch", TITLE_LIMIT - 6)
    return discord.Embed(
        title=f"{number}. {headline}",
        url=safe_url(story.source.url),
        description="\n".join(lines)[:DESCRIPTION_LIMIT],
        colour=EMBED_COLOUR,
    )


def edition_parts(edition: Edition) -> list[Part]:
    """The edition's messages: the first in the channel, the rest for its thread."""
    embeds = [story_embed(story, n) for n, story in enumerate(edition.stories, start=1)]
    groups: list[list[discord.Embed]] = [[]]
    size = 0
    for embed in embeds:
        needed = _embed_size(embed)
        if len(groups[-1]) >= EMBEDS_PER_MESSAGE or (groups[-1] and size + needed > TOTAL_LIMIT):
            groups.append([])
            size = 0
        groups[-1].append(embed)
        size += needed
    header = "**" + neutralise_mentions(edition.header) + "**"
    first = header
    if len(groups) > 1:
        rest = len(embeds) - len(groups[0])
        first += f"\n{len(groups[0])} here · {rest} more in the thread below"
    parts = [Part(first[:CONTENT_LIMIT], groups[0])]
    shown = len(groups[0])
    for group in groups[1:]:
        label = f"{edition.name}, continued: stories {shown + 1}–{shown + len(group)} of {len(embeds)}"
        parts.append(Part(label, group))
        shown += len(group)
    return parts


def thread_title(edition: Edition) -> str:
    title = f"{edition.name} · {edition.local_fire.strftime('%a %d %b').replace(' 0', ' ')}"
    return title[:100]
