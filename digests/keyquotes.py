"""Key quotes: the 3-5 quotes that carry the news (first slice)."""

from __future__ import annotations

from digests.attribution import Attribution
from digests.model import Quote


def choose_key_quotes(quotes: tuple[Quote, ...], attributions: list[Attribution], headline: str) -> list[int]:
    ranked = sorted(range(len(quotes)), key=lambda i: (-len(quotes[i].text.split()), i))
    return sorted(ranked[:4])
