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
    "“": '”"“',  # a closing mark typed as an opening one still closes when it stands as a closer
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


_OPEN_BEFORE = set("([{—–-/:;,'‘")
_CLOSE_AFTER = set(".,;:!?)]}—–-'’…")
_CURLY_OPEN = "“„«"


def _flanks(text: str, i: int) -> tuple[bool, bool]:
    """Whether the mark at ``i`` can open and whether it can close a quote, from what stands
    either side of it (as CommonMark reads emphasis): an opener has space or opening punctuation
    before it and a word after it; a closer has a word before it and space or punctuation after."""
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    can_open = not after.isspace() and (before.isspace() or before in _OPEN_BEFORE or before in _MARKS)
    can_close = not before.isspace() and (after.isspace() or after in _CLOSE_AFTER or after in _MARKS)
    if text[i] == '"' and before.isdigit() and not can_close:
        can_open = False  # 6" - inches
    return can_open, can_close


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _span(text: str, open_at: int, close_at: int, p_end: int, index: int) -> QuoteSpan | None:
    start, end = _trimmed(text, open_at + 1, close_at if close_at >= 0 else p_end)
    if end <= start or end - start > _MAX_QUOTE:
        return None
    return QuoteSpan(start, end, open_at, close_at, index)


def _family(mark: str) -> str:
    return "straight" if mark == '"' else ("guillemet" if mark in "«»" else "curly")


def _scan(text: str, p_start: int, p_end: int, index: int, nest: bool) -> tuple[list[QuoteSpan], bool]:
    """Quotes of one paragraph, and whether this reading holds.

    With ``nest``, a mark that can only open while a quote is open starts a quote inside it
    ("He told me, "Never give up," and I did"), which stays part of its parent. That reading
    fails when the parent never closes and what it holds opened with marks of its own kind: in
    run-on copy that is a new quote after one left open, so the caller reads again without
    nesting, where such a mark restarts the quote (a stray opener)."""
    found: list[QuoteSpan] = []
    stack: list[tuple[str, int]] = []  # (opening mark, position); at most the quote and one inside it
    same_kind_inside = False  # the open outer quote holds a quote opened with its own kind of mark
    for i in range(p_start, p_end):
        ch = text[i]
        if ch not in _MARKS:
            continue
        can_open, can_close = _flanks(text, i)
        if ch in _CURLY_OPEN and not (can_close and not can_open):
            can_open, can_close = True, False  # a curly opener opens, unless a word stands before it and none after
        top = stack[-1] if stack else None
        if top is not None and ch in _PAIRS[top[0]] and (can_close or not can_open):
            stack.pop()
            if not stack:
                same_kind_inside = False
                span = _span(text, top[1], i, p_end, index)
                if span is not None:
                    found.append(span)
            continue
        if ch not in _PAIRS or not can_open:
            continue
        if not stack or (nest and len(stack) == 1):
            if stack and _family(ch) == _family(stack[0][0]):
                same_kind_inside = True
            stack.append((ch, i))
        else:
            stack[-1] = (ch, i)  # a stray unclosed opener: restart at the newer one
    if len(stack) > 1 or (stack and same_kind_inside):
        return found, False
    if stack:
        span = _span(text, stack[0][1], -1, p_end, index)
        if span is not None:
            found.append(span)
    return found, True


def find_quotes(text: str, paragraphs: list[tuple[int, int]]) -> list[QuoteSpan]:
    """Every double-quoted span inside the given paragraphs, in text order."""
    found: list[QuoteSpan] = []
    for index, (p_start, p_end) in enumerate(paragraphs):
        spans, holds = _scan(text, p_start, p_end, index, nest=True)
        if not holds:
            spans, _ = _scan(text, p_start, p_end, index, nest=False)
        found.extend(spans)
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


def could_be_a_title(quote: str) -> bool:
    """Looser than ``looks_like_title``, for a quote whose context already names a work ("her film
    "Trainwreck."", "the book "Failure to Adjust: How Americans Got Left Behind""): one word to
    fourteen, each content word capitalised, closing punctuation allowed."""
    words = _WORD.findall(quote)
    if not 1 <= len(words) <= 14 or quote.rstrip(" .,;:")[-1:] in "?!":
        return False
    content = [w for w in words if w.lower() not in _TITLE_FUNCTION]
    return bool(content) and all(w[0].isupper() or w[0].isdigit() for w in content)
