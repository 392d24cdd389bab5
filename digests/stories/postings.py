"""Postings: for each key (a term, or a name), the open stories whose centroid holds it.

An article's similarity to a story is a sum over the keys both hold, less a time penalty, so a
story that holds none of the article's keys scores at most 0 — below the bar — and needs no
look. The dot products are summed key by key through the postings (term at a time), in the
article's key order, so each story's sum adds the same products in the same order as the
story-by-story cosine did (the zeros it added change nothing): the same floats, bit for bit.

That alone does not make the work per article flat on news: a story's centroid gathers
hundreds of words, so nearly every open story shares some word with any article (measured on
~990 news texts: 98–100% of the open stories), and the postings of "said" or a capital's name
hold almost every story. What the postings save is the look-up of every article key in every
story: a story costs one step per key it shares, not one per key the article has.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

S = TypeVar("S")


class Postings(Generic[S]):
    """key -> the open stories whose centroid holds it (one space: terms or names)."""

    def __init__(self) -> None:
        self._stories: dict[str, set[S]] = {}

    def add(self, story: S, keys: Iterable[str]) -> None:
        stories = self._stories
        for key in keys:
            held = stories.get(key)
            if held is None:
                stories[key] = {story}
            else:
                held.add(story)

    def remove(self, story: S, keys: Iterable[str]) -> None:
        for key in keys:
            held = self._stories.get(key)
            if held is None:
                continue
            held.discard(story)
            if not held:
                del self._stories[key]

    def get(self, key: str) -> set[S] | None:
        return self._stories.get(key)

    def __len__(self) -> int:
        """Keys held by at least one open story."""
        return len(self._stories)

    def entries(self) -> int:
        """(key, story) pairs: the memory the postings take, bounded by the open stories' keys."""
        return sum(len(held) for held in self._stories.values())
