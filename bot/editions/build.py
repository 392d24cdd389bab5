"""Choosing and ranking an edition's stories (pure: the store hands in what the edition
carries, the adapters render what comes out).

The digests an edition carries are merged by story: one entry per story, its headline and
link from the best telling (the one with the most attributed key quotes; the first to
arrive on a tie — usually the original), the other outlets listed as "also", and the
story's strongest attributed quote (a speaker with a role beats a bare name, and the
summariser's own ranking of key quotes decides among equals). Entries are ranked as an
editor would: stories more outlets carry first, then those with an attributed quote, then
the freshest.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from bot.domain import ChannelRef, Edition, EditionStory, Link
from digests.model import Digest, Quote


@dataclass(frozen=True)
class EditionItem:
    """One digest an edition carries, with where it came from."""

    digest_id: int
    digest: Digest
    story_id: int | None
    source_id: int
    source_name: str
    url: str | None
    published: datetime | None
    created: datetime


def build_edition(
    channel: ChannelRef, fire: datetime, timezone: str, items: list[EditionItem], edition_id: int | None = None
) -> Edition:
    """The edition these items make: one ranked entry per story."""
    groups: dict[object, list[EditionItem]] = defaultdict(list)
    for item in sorted(items, key=lambda i: (i.created, i.digest_id)):
        key = item.story_id if item.story_id is not None else ("digest", item.digest_id)
        groups[key].append(item)
    stories = [_story(group) for group in groups.values()]
    ranked = sorted(stories, key=_rank)
    return Edition(
        channel=channel,
        fire=fire,
        timezone=timezone,
        stories=tuple(s for s, _ in ranked),
        sources=len({i.source_id for i in items}),
        edition_id=edition_id,
    )


def _attributed_key(digest: Digest) -> list[Quote]:
    return [q for q in digest.key if (q.speaker or "").strip()]


def _story(group: list[EditionItem]) -> tuple[EditionStory, datetime]:
    best = max(group, key=lambda i: (len(_attributed_key(i.digest)), -group.index(i)))
    also: list[Link] = []
    seen = {best.source_id}
    for item in group:
        if item.source_id not in seen:
            seen.add(item.source_id)
            also.append(Link(item.source_name, item.url))
    fresh = max(i.created for i in group)
    story = EditionStory(
        headline=best.digest.headline,
        source=Link(best.source_name, best.url),
        also=tuple(also),
        quote=strongest_quote([best, *[i for i in group if i is not best]]),
        published=max((i.published for i in group if i.published), default=None),
        story_id=best.story_id,
    )
    return story, fresh


def strongest_quote(items: list[EditionItem]) -> Quote | None:
    """The first key quote with a speaker and a role, else the first with a speaker, looking
    at the best telling first."""
    quotes = [q for item in items for q in _attributed_key(item.digest)]
    with_role = [q for q in quotes if (q.role or "").strip()]
    return (with_role or quotes or [None])[0]


def _rank(entry: tuple[EditionStory, datetime]) -> tuple[int, int, float]:
    story, fresh = entry
    return (-story.outlets, 0 if story.quote is not None else 1, -fresh.timestamp())
