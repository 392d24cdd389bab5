"""Transcripts: turns introduced by a speaker's label rather than quotation marks.

    Q: Prime Minister, will you raise taxes next year?
    PRIME MINISTER: We have no plans to raise taxes.

A paragraph that opens on an upper-case label and a colon is a turn — what its speaker said —
when the text has at least two such turns (one label alone is a dateline, "NEW DELHI:", or a
promo line). The turn becomes a quote attributed to its label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digests.quotes import QuoteSpan

_LABEL = re.compile(r"\s*(?P<label>[A-Z][A-Z.'’\- ]{0,40}?|Q|A)\s*:\s+(?=\S)")
_NOT_SPEAKERS = frozenset(
    {
        "READ ALSO",
        "READ MORE",
        "WATCH",
        "RELATED",
        "UPDATE",
        "NOTE",
        "EDITOR'S NOTE",
        "EDITOR’S NOTE",
        "PHOTO",
        "CORRECTION",
        "SOURCE",
        "SOURCES",
        "CONTACT",
        "MEDIA CONTACT",
        "TAGS",
        "ALSO READ",
        "SEE ALSO",
        "VIDEO",
    }
)
_MAX_TURN = 4000


@dataclass(frozen=True)
class Turn:
    span: QuoteSpan
    label: str


def find_turns(text: str, paragraphs: list[tuple[int, int]]) -> dict[int, Turn]:
    """Turns by paragraph index; empty unless the text holds at least two labelled turns."""
    turns: dict[int, Turn] = {}
    for index, (start, end) in enumerate(paragraphs):
        m = _LABEL.match(text, start, end)
        if m is None:
            continue
        label = " ".join(m.group("label").split())
        if label in _NOT_SPEAKERS or len(label.split()) > 4:
            continue
        body_start = m.end()
        body_end = end
        while body_end > body_start and text[body_end - 1].isspace():
            body_end -= 1
        if body_end - body_start > _MAX_TURN or body_end <= body_start:
            continue
        turns[index] = Turn(QuoteSpan(body_start, body_end, body_start, -1, index), label)
    return turns if len(turns) >= 2 else {}


def speaker_of_label(label: str) -> str:
    """'PRIME MINISTER' -> 'Prime Minister', 'Q' -> 'Interviewer', 'WALLACE' -> 'Wallace'."""
    if label in {"Q", "A"}:
        return "Interviewer" if label == "Q" else "Interviewee"
    return " ".join(w if len(w) <= 3 and "." in w else w.capitalize() for w in label.split())
