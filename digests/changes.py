"""What a later article adds to a story, and what an edit changed in an article.

Pure comparisons of digests (no I/O): the bot uses them to decide whether another outlet's
write-up of a story is worth a reply in the story's thread ("Also reported by AP — new: a
quote from …") or only a silent note, and to say in the thread what an edited item changed
(a new headline, new quotes, sentences added or removed; a correction marked as one).

Quotes are compared by their words, not their characters: outlets trim, re-punctuate and
re-case the same quote, so a quote counts as already reported when most of its words were
in a quote the channel has seen.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from digests.model import Digest, Quote

#: Share of a quote's words found in one seen quote for it to count as the same quote.
SAME_QUOTE = 0.6
#: At most this many new quotes or sentences are reported in one reply.
MAX_REPORTED = 3

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")
#: What editors write when they correct a story (closed-class wording, no names).
_CORRECTION = re.compile(
    r"\b(?:corrections?|corrected|clarification|clarifies|"
    r"an earlier version of this (?:story|article|report)|"
    r"this (?:story|article|report) has been (?:amended|updated to correct))\b",
    re.IGNORECASE,
)


def _words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _WORD.findall(text))


def same_quote(a: frozenset[str], b: frozenset[str]) -> bool:
    """True when most words of the shorter quote are in the other one."""
    if not a or not b:
        return False
    shorter = min(len(a), len(b))
    return len(a & b) / shorter >= SAME_QUOTE


def attributed(digest: Digest) -> list[Quote]:
    """The digest's quotes that name who said them: key quotes first, then the rest in order."""
    order = list(digest.key_quotes) + [i for i in range(len(digest.quotes)) if i not in digest.key_quotes]
    out: list[Quote] = []
    for index in order:
        if 0 <= index < len(digest.quotes) and (digest.quotes[index].speaker or "").strip():
            out.append(digest.quotes[index])
    return out


def new_quotes(digest: Digest, seen: Iterable[Digest], limit: int = MAX_REPORTED) -> tuple[Quote, ...]:
    """Attributed quotes of ``digest`` that none of the ``seen`` digests carried, best first."""
    known = [_words(q.text) for d in seen for q in d.quotes]
    out: list[Quote] = []
    for quote in attributed(digest):
        words = _words(quote.text)
        if len(words) < 3 or any(same_quote(words, k) for k in known):
            continue
        known.append(words)
        out.append(quote)
        if len(out) >= limit:
            break
    return tuple(out)


def sentences(text: str) -> list[str]:
    """Plain sentence split, good enough to tell which sentences an edit added or removed."""
    out: list[str] = []
    for paragraph in text.split("\n"):
        paragraph = " ".join(paragraph.split())
        if paragraph:
            out.extend(s.strip() for s in _SENTENCE_END.split(paragraph) if s.strip())
    return out


@dataclass(frozen=True)
class Changes:
    """What an edit changed, as the thread reports it. ``headline`` is (old, new) when it
    changed; ``quotes`` the new attributed quotes; ``added`` the first sentences the text
    gained; ``removed`` how many it lost; ``removed_quotes`` how many quotes are gone."""

    headline: tuple[str, str] | None = None
    quotes: tuple[Quote, ...] = ()
    added: tuple[str, ...] = ()
    added_count: int = 0
    removed: int = 0
    removed_quotes: int = 0
    correction: bool = False

    @property
    def empty(self) -> bool:
        return not (self.headline or self.quotes or self.added_count or self.removed or self.removed_quotes)

    def to_json(self) -> dict[str, Any]:
        return {
            "headline": list(self.headline) if self.headline else None,
            "quotes": [q.to_json() for q in self.quotes],
            "added": list(self.added),
            "added_count": self.added_count,
            "removed": self.removed,
            "removed_quotes": self.removed_quotes,
            "correction": self.correction,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Changes:
        head = data.get("headline")
        return cls(
            headline=(str(head[0]), str(head[1])) if head else None,
            quotes=tuple(
                Quote(q["text"], q.get("speaker"), q.get("role"), int(q.get("start", 0)), int(q.get("end", 0)))
                for q in data.get("quotes") or []
            ),
            added=tuple(str(s) for s in data.get("added") or []),
            added_count=int(data.get("added_count") or 0),
            removed=int(data.get("removed") or 0),
            removed_quotes=int(data.get("removed_quotes") or 0),
            correction=bool(data.get("correction")),
        )


def what_changed(old: Digest, new: Digest) -> Changes:
    """The difference a reader of the first post would want told, from ``old`` to ``new``."""
    headline = None
    if " ".join(old.headline.split()) != " ".join(new.headline.split()):
        headline = (old.headline, new.headline)
    old_quotes = [_words(q.text) for q in old.quotes]
    new_quote_words = [_words(q.text) for q in new.quotes]
    quotes = new_quotes(new, [old])
    removed_quotes = sum(1 for w in old_quotes if w and not any(same_quote(w, n) for n in new_quote_words))
    old_sentences = {_key(s) for s in sentences(old.text)}
    new_sentences = sentences(new.text)
    new_keys = {_key(s) for s in new_sentences}
    quoted = [w for q in quotes for w in [_words(q.text)]]
    added = [s for s in new_sentences if _key(s) not in old_sentences]
    shown = [s for s in added if not any(same_quote(_words(s), q) for q in quoted)]
    removed = sum(1 for k in old_sentences if k not in new_keys)
    correction = _is_correction(new) and not _is_correction(old)
    return Changes(
        headline=headline,
        quotes=quotes,
        added=tuple(shown[:MAX_REPORTED]),
        added_count=len(added),
        removed=removed,
        removed_quotes=removed_quotes,
        correction=correction,
    )


def _key(sentence: str) -> str:
    return " ".join(w.lower() for w in _WORD.findall(sentence))


def _is_correction(digest: Digest) -> bool:
    return bool(_CORRECTION.search(digest.title or "") or _CORRECTION.search(digest.text))
