"""A feed's preview before subscribing: fetched once through the same guard as a poll, its
latest items summarised as they would post, a filter tried on them, nothing stored.

What is not a feed (a web page) makes :func:`preview_feed` return None and the caller digests
it as an article instead, so one ``/digest preview <url>`` answers for both."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from bot.domain import ChannelRef, FeedPreview, Post
from bot.errors import FetchError
from bot.filters import parse_filter
from digests.model import Digest, Dispatch

if TYPE_CHECKING:
    from bot.fetch import SafeFetcher

#: Items a preview shows: enough to judge a feed, few enough to read in one ephemeral answer.
PREVIEW_ITEMS = 3


async def preview_feed(
    fetcher: SafeFetcher, url: str, channel: ChannelRef, filters: str | None = None, limit: int = PREVIEW_ITEMS
) -> FeedPreview | None:
    """The feed at ``url`` as its latest ``limit`` items would post in ``channel``; None when
    the address serves something else than a feed (a web page). Raises FetchError (why it cannot be read) or
    UserInputError (a filter that does not parse) — both fit to show the user."""
    from bot.polling import _parse
    from bot.sources.feeds import FEED_ACCEPT

    parsed_filter = parse_filter(filters)  # refuse a bad filter before any fetch
    got = await fetcher.get(url, accept=FEED_ACCEPT)
    try:
        read = await asyncio.to_thread(_parse, got.body, got.url, got.content_type)
    except FetchError:
        return None  # a web page (or a file): the article path reads it and says why not
    latest = list(reversed(read.items))[:limit]
    title = " ".join((read.title or "").split()) or url
    digests = await asyncio.to_thread(_summarise_all, [(i.text, i.title, i.link, i.published) for i in latest], title)
    posts = tuple(
        Post(digest, channel, title, item.link, item.published) for digest, item in zip(digests, latest, strict=True)
    )
    passes = tuple(parsed_filter is None or parsed_filter.matches(d) for d in digests)
    return FeedPreview(got.url, title, len(read.items), posts, passes, parsed_filter.text if parsed_filter else None)


def _summarise_all(items: list[tuple], source: str) -> list[Digest]:  # type: ignore[type-arg]
    from digests import summarise

    return [
        summarise(Dispatch(text=text, title=title, url=link, source=source, published=published))
        for text, title, link, published in items
    ]
