"""An edition as Slack Block Kit: a header block, then one section per story, packed within
Slack's limits (50 blocks a message, 3,000 characters a section) and a reading budget per
message; what does not fit goes, in order, into the thread of the first message
(``thread_ts``). No story is dropped.

Every string from a source is escaped (``blocks.escape``); outlet links are ``<url|name>``
only for http(s) URLs without Slack's control characters.
"""

from __future__ import annotations

from typing import Any

from adapters.slack.blocks import (
    CONTEXT_MAX,
    FALLBACK_MAX,
    HEADER_MAX,
    SECTION_MAX,
    _mrkdwn,
    _plain,
    clip,
    escape,
    link,
    speaker_line,
)
from bot.domain import Edition, EditionStory

MAX_BLOCKS = 50
#: Characters of story text per message: beyond this a message is a wall to scroll.
MESSAGE_BUDGET = 12_000
QUOTE_CHARS = 300
ALSO_MAX = 8
#: What Slack's message metadata calls an edition (its payload names the edition and part).
METADATA_EVENT = "wirebrief_edition"


def story_section(story: EditionStory, number: int) -> dict[str, Any]:
    """Headline linking to the best source, the strongest attributed quote with its speaker
    and role, then the outlet and the others that carried the story."""
    headline = " ".join((story.headline or "Untitled dispatch").split())
    lines = [f"*{number}. {link(story.source.url, headline)}*"]
    if story.quote is not None:
        quote = clip(escape(" ".join(story.quote.text.split())), QUOTE_CHARS)
        lines.append(f"> “{quote}” — _{clip(escape(speaker_line(story.quote)), 200)}_")
    via = "via " + link(story.source.url, story.source.name or "source")
    if story.also:
        shown = [link(other.url, other.name or "source") for other in story.also[:ALSO_MAX]]
        more = len(story.also) - len(shown)
        via += " · also: " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")
    text = "\n".join([*lines, via])
    if len(text) > SECTION_MAX:  # links too long to keep: names only
        names = ", ".join(escape(o.name) for o in story.also[:ALSO_MAX])
        text = clip(
            "\n".join([*lines, "via " + escape(story.source.name) + (f" · also: {names}" if names else "")]),
            SECTION_MAX,
        )
    return {"type": "section", "text": _mrkdwn(text)}


def edition_messages(edition: Edition) -> list[dict[str, Any]]:
    """The edition's messages (``text`` fallback and ``blocks``): the first for the channel,
    the rest for its thread."""
    sections = [story_section(story, n) for n, story in enumerate(edition.stories, start=1)]
    header = {"type": "header", "text": _plain(clip(edition.header, HEADER_MAX))}
    first_room = MAX_BLOCKS - 2  # the header and the "more in the thread" line
    groups: list[list[dict[str, Any]]] = [[]]
    size = 0
    for section in sections:
        room = first_room if len(groups) == 1 else MAX_BLOCKS - 1
        needed = len(section["text"]["text"])
        if len(groups[-1]) >= room or (groups[-1] and size + needed > MESSAGE_BUDGET):
            groups.append([])
            size = 0
        groups[-1].append(section)
        size += needed
    first_blocks: list[dict[str, Any]] = [header, *groups[0]]
    if len(groups) > 1:
        rest = len(sections) - len(groups[0])
        note = f"{len(groups[0])} here · {rest} more in the thread"
        first_blocks.append({"type": "context", "elements": [_mrkdwn(clip(note, CONTEXT_MAX))]})
    messages = [{"text": fallback(edition), "blocks": first_blocks}]
    shown = len(groups[0])
    for group in groups[1:]:
        label = f"{edition.name}, continued: stories {shown + 1}–{shown + len(group)} of {len(sections)}"
        context = {"type": "context", "elements": [_mrkdwn(clip(label, CONTEXT_MAX))]}
        messages.append({"text": clip(label, FALLBACK_MAX), "blocks": [context, *group]})
        shown += len(group)
    return messages


def fallback(edition: Edition) -> str:
    """The notification text: the header and the first headlines."""
    lines = [escape(edition.header)]
    lines.extend(f"{n}. {escape(' '.join(s.headline.split()))}" for n, s in enumerate(edition.stories[:5], start=1))
    return clip("\n".join(lines), FALLBACK_MAX)
