"""Domain types of the summariser: what goes in (a dispatch) and what comes out (a digest).

Frozen dataclasses so a digest can be cached, compared and passed between threads without
defensive copies; ``to_json`` is the one place the public JSON contract is written down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Dispatch:
    """Raw text as it arrived (wire file, feed item, web page) plus what the source told us."""

    text: str
    title: str | None = None
    url: str | None = None
    source: str | None = None
    published: datetime | None = None
    id: str | None = None


@dataclass(frozen=True)
class Dateline:
    """The wire dateline: where and when the story was filed, and by which agency."""

    place: str | None
    date: str | None
    agency: str | None

    def to_json(self) -> dict[str, str | None]:
        return {"place": self.place, "date": self.date, "agency": self.agency}

    def __str__(self) -> str:
        parts = [p for p in (self.place, self.date) if p]
        text = ", ".join(parts)
        if self.agency:
            text = f"{text} ({self.agency})" if text else self.agency
        return text


@dataclass(frozen=True)
class Speaker:
    """Who said a quote: the fullest name or description the text gives, and a role if any."""

    name: str
    role: str | None = None
    kind: str = "person"  # "person" or "organisation": pronouns must agree with it


@dataclass(frozen=True)
class Quote:
    """A direct quote with its speaker; ``start``/``end`` are offsets into the original text."""

    text: str
    speaker: str | None
    role: str | None
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "speaker": self.speaker,
            "role": self.role,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class Digest:
    """What a channel receives: a headline, the dateline and the quotes that carry the news."""

    headline: str
    dateline: Dateline | None
    quotes: tuple[Quote, ...]
    key_quotes: tuple[int, ...]
    text: str
    title: str | None = None
    url: str | None = None
    id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def key(self) -> list[Quote]:
        """The key quotes in the order the digest shows them."""
        return [self.quotes[i] for i in self.key_quotes]

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.id is not None:
            data["id"] = self.id
        data.update(
            {
                "headline": self.headline,
                "dateline": self.dateline.to_json() if self.dateline else None,
                "quotes": [q.to_json() for q in self.quotes],
                "key_quotes": list(self.key_quotes),
                "dispatch": {"title": self.title, "url": self.url, "text": self.text},
            }
        )
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Digest:
        """Rebuild a digest stored as JSON (the store keeps digests in this form)."""
        dl = data.get("dateline")
        dispatch = data.get("dispatch") or {}
        return cls(
            headline=data["headline"],
            dateline=Dateline(dl.get("place"), dl.get("date"), dl.get("agency")) if dl else None,
            quotes=tuple(
                Quote(q["text"], q.get("speaker"), q.get("role"), q["start"], q["end"]) for q in data.get("quotes", [])
            ),
            key_quotes=tuple(data.get("key_quotes", [])),
            text=dispatch.get("text", ""),
            title=dispatch.get("title"),
            url=dispatch.get("url"),
            id=data.get("id"),
        )
