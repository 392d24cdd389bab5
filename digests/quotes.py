"""Quote spans: every run of text inside double quotation marks, paragraph by paragraph.

Handles straight ("), curly (“ ”), German („ “) and guillemet (« », » «) marks. A quote still
open at the end of a paragraph ends there (wire style for quotes running over paragraphs: the
next paragraph reopens with a mark and no close on the one before). Single quotes are nested
quotes or headline style, never a quote of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: opening mark -> the closing marks it accepts
_PAIRS: dict[str, str] = {
    "“": '”"',
    "„": '“”"',
    "«": "»",
    "»": "«",
    '"': '"”',
    "”": "”",  # Swedish/Finnish style: ” ... ”
}
_MARKS = set('"“”„«»')
_MAX_QUOTE = 4000


@dataclass(frozen=True)
class QuoteSpan:
    """Quoted text ``[start, end)`` (marks excluded), with the marks' positions.

    ``close`` is -1 when the quote ran to the end of its paragraph without a closing mark.
    """

    start: int
    end: int
    open: int
    close: int
    paragraph: int

    @property
    def open_ended(self) -> bool:
        return self.close < 0


def _can_open(text: str, i: int, mark: str) -> bool:
    if mark in "“„«":
        return True
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if after.isspace():
        return False
    if mark == '"' and before.isdigit():
        return False  # 6" - inches
    return before.isspace() or before in "([{—–-/:;,'‘" or i == 0


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def find_quotes(text: str, paragraphs: list[tuple[int, int]]) -> list[QuoteSpan]:
    """Every double-quoted span inside the given paragraphs, in text order."""
    found: list[QuoteSpan] = []
    for index, (p_start, p_end) in enumerate(paragraphs):
        opener: str | None = None
        open_at = -1
        for i in range(p_start, p_end):
            ch = text[i]
            if ch not in _MARKS:
                continue
            if opener is not None and ch in _PAIRS[opener]:
                # "»" closes "«" but also opens Danish-style quotes: closing wins when open.
                if i - open_at - 1 > 0:
                    start, end = _trimmed(text, open_at + 1, i)
                    if end > start and end - start <= _MAX_QUOTE:
                        found.append(QuoteSpan(start, end, open_at, i, index))
                opener = None
                continue
            if opener is None and ch in _PAIRS and _can_open(text, i, ch):
                opener, open_at = ch, i
            elif opener is not None and ch in "“„«" and text[open_at] == ch:
                opener, open_at = ch, i  # a stray unclosed opener: restart at the newer one
        if opener is not None:
            start, end = _trimmed(text, open_at + 1, p_end)
            if end > start and end - start <= _MAX_QUOTE:
                found.append(QuoteSpan(start, end, open_at, -1, index))
    return found


_TITLE_FUNCTION = frozenset({"the", "a", "an", "of", "and", "or", "for", "to", "in", "on", "at", "by", "with", "from"})
_WORD = re.compile(r"[\w'’-]+")


def looks_like_title(quote: str) -> bool:
    """'Meet the Press', 'Law and Order': a quoted name of a show, book or slogan, not speech."""
    words = _WORD.findall(quote)
    if len(words) < 2 or len(words) > 8 or quote.rstrip()[-1:] in ".?!":
        return False
    content = [w for w in words if w.lower() not in _TITLE_FUNCTION]
    return bool(content) and all(w[0].isupper() or w[0].isdigit() for w in content)
