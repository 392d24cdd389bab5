"""Cleaning: find the story inside a dispatch — its dateline, sub-heads and wire sign-off.

Nothing is rewritten in place: quote offsets must point into the original text, so cleaning
returns *spans* (which lines are body, which are sub-heads) plus the cleaned text a reader sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digests.model import Dateline

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?)"
_PLACE_WORD = r"[A-Z][A-Za-z.'’\-]*"
_PLACE = rf"{_PLACE_WORD}(?:[ \-]{_PLACE_WORD}){{0,3}}"
_DASH = r"(?:—|–|--|-|:)"

#: "Kyiv, Ukraine, Feb 7 (V7N) —", "FRANKFURT, March 4 -", "WASHINGTON (Reuters) -", "LONDON —".
_DATELINE = re.compile(
    rf"^\s*(?P<place>{_PLACE}(?:,\s*{_PLACE}){{0,2}}?)"
    rf"(?:,\s*(?P<date>{_DATE}))?"
    rf"\s*(?:\((?P<agency>[^()\n]{{1,40}})\))?"
    rf"\s*{_DASH}\s+"
)

#: Lines that end a wire story: "END/WD/RH/", "Reuter", "(Reporting by ...; Editing by ...)".
_SIGN_OFF = re.compile(
    r"""^\s*(?:
        END[S]?\b.*
      | [A-Z]{1,5}(?:/[A-Z0-9]{1,5})+/?
      | Reuters?
      | AFP|AP|UPI|dpa|Xinhua
      | \((?:Reporting|Writing|Editing|Additional\ reporting|Compiled|Translated|Produced)\b[^\n]*\)
      | (?:Reporting|Writing|Editing)\ by\b[^\n]*
      | Comment:?.*
      | Comments?\ \(\d+\)
      | (?:©|\(c\)|Copyright\b).*
      | [-=_*#~]{3,}
      | \#{1,3}
      | (?:Follow|Read\ more|Related|Share\ this|Click\ here)\b.*
    )\s*$""",
    re.IGNORECASE | re.VERBOSE,
)

_TERMINAL = re.compile(r"[.!?:;,…]['\"’”»)\]]*\s*$")
_LETTERS = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Line:
    """A paragraph of the original text: ``[start, end)`` with surrounding blanks trimmed."""

    start: int
    end: int
    kind: str  # "body", "subhead", "signoff"


@dataclass(frozen=True)
class Cleaned:
    """What cleaning found: the dateline, where the body begins, and each line's role."""

    dateline: Dateline | None
    body_start: int
    lines: tuple[Line, ...]
    text: str

    @property
    def body_lines(self) -> list[Line]:
        return [ln for ln in self.lines if ln.kind == "body"]


def _lines(text: str) -> list[tuple[int, int]]:
    spans = []
    pos = 0
    for raw in text.split("\n"):
        start, end = pos, pos + len(raw)
        pos = end + 1
        stripped = raw.strip()
        if not stripped:
            continue
        lead = len(raw) - len(raw.lstrip())
        trail = len(raw) - len(raw.rstrip())
        spans.append((start + lead, end - trail))
    return spans


def parse_dateline(text: str) -> tuple[Dateline | None, int]:
    """A dateline at the very start of the text, and the offset where the story begins."""
    head = text[:300]
    m = _DATELINE.match(head)
    if not m:
        return None, 0
    place, date, agency = m.group("place"), m.group("date"), m.group("agency")
    # Without a date or agency, only an all-caps place ("WASHINGTON -") is a dateline;
    # otherwise "Ukraine - the war" or a sentence starting "Smith: ..." would match.
    if not date and not agency and not (place.isupper() and len(place) >= 3):
        return None, 0
    if len(place.split()) > 6 or m.end() > 160:
        return None, 0
    return Dateline(place=place.strip(" ,"), date=date, agency=agency.strip() if agency else None), m.end()


def _is_subhead(segment: str) -> bool:
    """A short line with no closing punctuation between paragraphs: a sub-head, not prose."""
    words = segment.split()
    if not words or len(words) > 12 or len(segment) > 90:
        return False
    if _TERMINAL.search(segment):
        return False
    if segment.rstrip().endswith(('"', "”", "»")) and segment.lstrip()[:1] in '"“„«':
        return False  # a paragraph that is one quote
    return bool(_LETTERS.search(segment))


def _is_heading(segment: str) -> bool:
    """A title-case or all-caps line ("Glenn Beck Says Trump Poses A Threat"): a headline."""
    words = [w for w in segment.split() if any(c.isalpha() for c in w)]
    if len(words) < 3 or len(words) > 25:
        return False
    caps = sum(1 for w in words if w.lstrip("\"“‘'(«„")[:1].isupper())
    return caps / len(words) >= 0.75


def clean(text: str) -> Cleaned:
    """Split the text into paragraphs and label each as body, sub-head or sign-off."""
    dateline, body_start = parse_dateline(text)
    spans = _lines(text)
    kinds: list[str] = ["body"] * len(spans)
    # Sign-off block: trailing lines that match sign-off patterns (plus anything after them).
    for i in range(len(spans) - 1, -1, -1):
        segment = text[spans[i][0] : spans[i][1]]
        if _SIGN_OFF.match(segment) and i > 0:
            for j in range(i, len(spans)):
                kinds[j] = "signoff"
        elif i < len(spans) - 3:
            break
    first_body = next((i for i, k in enumerate(kinds) if k == "body"), None)
    for i, (start, end) in enumerate(spans):
        if kinds[i] != "body":
            continue
        segment = text[max(start, body_start) : end]
        nxt = i + 1 < len(spans) and kinds[i + 1] == "body"
        if (nxt and i != first_body and _is_subhead(segment)) or (nxt and _is_heading(segment)):
            kinds[i] = "subhead"
    lines = []
    for (start, end), kind in zip(spans, kinds, strict=True):
        if start < body_start < end:
            start = body_start
        lines.append(Line(start, end, kind))
    cleaned = "\n".join(text[ln.start : ln.end] for ln in lines if ln.kind == "body")
    return Cleaned(dateline=dateline, body_start=body_start, lines=tuple(lines), text=cleaned)
