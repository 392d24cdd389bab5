"""Layout: the paragraphs of a dispatch, whether one a line or hard-wrapped by a wire terminal.

Wire services and terminals deliver copy wrapped at a fixed width (~69 columns): in the
Reuters/ANPA layout each paragraph starts indented and no blank line separates them; in the AP
layout a blank line does. Read one paragraph a physical line, such copy falls apart (a quote
cut at every line end, a sentence split into "paragraphs"), so the paragraphs are rebuilt.

The test for wrapped copy is what a greedy wrapper does and prose does not: a wrapper breaks a
line only when the next word would not fit, and it breaks mid-sentence far more often than at a
sentence end. Between two lines of a wrapped document the break is a paragraph end when a blank
line or a deeper indent follows, or when the next line's first word would have fitted on the
line (the wrapper did not need to break there); otherwise it is a soft wrap. A document is
wrapped when it has such soft wraps, no line longer than a terminal's width, and either blank
lines or indents mark its paragraphs or most soft wraps fall mid-sentence; anything else (one
paragraph a line, web text) keeps a paragraph a line.

Paragraphs are spans ``[start, end)`` of the ORIGINAL text, so quote offsets stay true; inside
a wrapped paragraph the newline and indent are plain whitespace to the quote finder and the
tokenizer, and :func:`reflow` gives the paragraph as a reader sees it, on one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise

#: No terminal wraps wider than this; a line longer than it is a paragraph of unwrapped text.
MAX_WIDTH = 100
#: Share of soft wraps that must fall mid-sentence: wrapped prose is ~90%, a paragraph a line ~10%.
_MID_SENTENCE_SHARE = 0.6
#: A document with this few soft wraps needs all of them mid-sentence to count as wrapped.
_FEW = 3
_CLOSERS = "\"'’”»)]"
_SENTENCE_END = ".!?:;…"
#: A speaker's label opening a transcript turn: "Q:", "MINISTER:", "SEN. GRAHAM:".
_SPEAKER_LABEL = re.compile(r"(?:Q|A|[A-Z][A-Z.'’\- ]{1,40}):\s")


@dataclass(frozen=True)
class _Line:
    start: int  # first non-blank character
    end: int  # after the last non-blank character
    indent: int  # columns of leading whitespace
    blank_before: bool  # a blank line separates it from the line before
    first_word: int  # length of its first word
    width: int  # columns, indent included


def _physical_lines(text: str) -> list[_Line]:
    lines: list[_Line] = []
    pos = 0
    blank = False
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        body = raw.strip()
        if not body:
            blank = True
            continue
        indent = len(raw) - len(raw.lstrip())
        # Columns as a wrapper counts them: it splits at spaces only, so a no-break space
        # (U+00A0) is part of its word and of the line's width.
        words = raw.rstrip(" \t\r").lstrip(" \t")
        space = words.find(" ")
        lines.append(
            _Line(
                start + indent,
                end - (len(raw) - len(raw.rstrip())),
                indent,
                blank and bool(lines),
                len(words) if space < 0 else space,
                indent + len(words),
            )
        )
        blank = False
    return lines


def _ends_mid_sentence(text: str, line: _Line) -> bool:
    last = text[line.start : line.end].rstrip(_CLOSERS)[-1:]
    return last not in _SENTENCE_END


def _wrap_width(lines: list[_Line]) -> int | None:
    """The column the copy is wrapped at, or None if its lines are too long for a terminal.

    The widest lines of several words, less a few outliers (a line with a run of spaces
    kept by the wrapper, an unwrapped credit line): too high a width would make real wraps
    look like paragraph ends.
    """
    widths = sorted((ln.width for ln in lines if ln.first_word < ln.width - ln.indent), reverse=True)
    if not widths:
        return None
    outliers = 1 + len(widths) // 50 if len(widths) > 2 else 0
    width = widths[min(outliers, len(widths) - 1)]
    if width > MAX_WIDTH or sum(1 for w in widths if w > MAX_WIDTH) > outliers:
        return None
    return width


def _soft_breaks(text: str, lines: list[_Line]) -> list[bool] | None:
    """For each break between two lines, whether it is a soft wrap; None if not wrapped copy."""
    if len(lines) < 2:
        return None
    width = _wrap_width(lines)
    if width is None:
        return None
    base_indent = min(ln.indent for ln in lines)
    soft: list[bool] = []
    mid_sentence = 0
    turns = sum(1 for ln in lines if _SPEAKER_LABEL.match(text, ln.start, ln.end)) >= 2
    for line, nxt in pairwise(lines):
        ends_mid = _ends_mid_sentence(text, line)
        if nxt.blank_before or nxt.indent > base_indent:
            soft.append(False)
            continue
        fits = line.width + 1 + nxt.first_word <= width
        if fits and not (ends_mid and text[nxt.start].islower()):
            soft.append(False)
            continue
        if not ends_mid and not any(c.islower() for c in text[nxt.start : nxt.end]):
            # After a sentence, a line without lower case ("REUTER", "MORE", "1432 GMT") is not prose.
            soft.append(False)
            continue
        if turns and not ends_mid and _SPEAKER_LABEL.match(text, nxt.start, nxt.end):
            # After a sentence, "MINISTER: ..." opens a transcript's next turn (the text has several), not
            # a wrapped line.
            soft.append(False)
            continue
        soft.append(True)
        mid_sentence += ends_mid
    wraps = sum(soft)
    if not wraps:
        return None
    # Blank lines or deeper-indented starts mark the paragraphs: the other breaks are wraps.
    if any(ln.blank_before or ln.indent > base_indent for ln in lines):
        return soft
    if mid_sentence < _MID_SENTENCE_SHARE * wraps or (wraps < _FEW and mid_sentence < wraps):
        return None
    return soft


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraph spans of the text: a line each, or rebuilt from hard-wrapped lines."""
    lines = _physical_lines(text)
    soft = _soft_breaks(text, lines)
    if soft is None:
        return [(ln.start, ln.end) for ln in lines]
    spans: list[tuple[int, int]] = []
    start = lines[0].start
    for i, wrap in enumerate(soft):
        if not wrap:
            spans.append((start, lines[i].end))
            start = lines[i + 1].start
    spans.append((start, lines[-1].end))
    return spans


def reflow(text: str, start: int, end: int) -> str:
    """A paragraph as a reader sees it: wrapped lines joined by one space.

    A line ending in a hyphen after a letter ("state-" / "owned") joins without a space: a
    wrapper breaks after the hyphen of a compound, it does not add one.
    """
    segment = text[start:end]
    if "\n" not in segment:
        return segment
    out: list[str] = []
    for part in segment.split("\n"):
        piece = part.strip()
        if not piece:
            continue
        if out and out[-1].endswith("-") and out[-1][-2:-1].isalpha() and piece[:1].islower():
            out[-1] += piece
        else:
            out.append(piece)
    return " ".join(out)
