"""Headline: a short wire-style line written from the story (first slice)."""

from __future__ import annotations

from digests.clean import Cleaned
from digests.tokens import Sentence


def write_headline(cleaned: Cleaned, sentences: list[Sentence], title: str | None = None) -> str:
    if title and title.strip():
        return " ".join(title.split())[:90]
    for sent in sentences:
        words = [t.text for t in sent.tokens if t.kind == "word"]
        if len(words) >= 4:
            return " ".join(words[:12])
    return "Untitled dispatch"
