"""Cleaning: find the story inside a dispatch — its headline lines, dateline, sub-heads and sign-off.

Nothing is rewritten in place: quote offsets must point into the original text, so cleaning
returns *spans* (which paragraphs are body, which are headers, sub-heads or sign-off) plus the
cleaned text a reader sees. Paragraphs come from :mod:`digests.layout` (a line each, or rebuilt
from hard-wrapped wire copy); the conventions of wire copy live in :mod:`digests.wire`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digests.inflect import known
from digests.layout import paragraphs, reflow
from digests.lexicon import MONTHS_DAYS
from digests.model import Dateline
from digests.wire import DATELINE, HEADLINE_PREFIX, MAX_MARK, header_kind, is_keyword, is_sign_off

_TERMINAL = re.compile(r"[.!?:;,…]['\"’”»)\]]*\s*$")
_LETTERS = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_][\w'’.\-]*")
_CLOSERS = "\"'’”»)"
#: Lines before the lead that can be headline, slug, byline or keyword lines.
_MAX_HEADER_LINES = 6


@dataclass(frozen=True)
class Line:
    """A paragraph of the original text: ``[start, end)`` with surrounding blanks trimmed.

    A paragraph of hard-wrapped copy spans several physical lines; the line breaks and indents
    inside it are plain whitespace.
    """

    start: int
    end: int
    kind: str  # "body", "headline", "header", "subhead", "signoff"


@dataclass(frozen=True)
class Cleaned:
    """What cleaning found: the dateline, where the body begins, each paragraph's role, and the
    dispatch's own headline when it carries one (a title line above the story)."""

    dateline: Dateline | None
    body_start: int
    lines: tuple[Line, ...]
    text: str
    own_headline: str | None = None

    @property
    def body_lines(self) -> list[Line]:
        return [ln for ln in self.lines if ln.kind == "body"]


def parse_dateline(text: str, at: int = 0, *, colon: bool = True) -> tuple[Dateline | None, int]:
    """A dateline starting at offset ``at`` of the text, and the offset where the story begins.

    ``colon=False`` refuses a bare place before a colon ("NEW DELHI:"), which below prose
    is more often a label ("READ ALSO:") than a dateline.
    """
    m = DATELINE.match(text[at : at + 300])
    if not m or is_keyword(m.group("place")):
        return None, at
    place, date, agency = m.group("place"), m.group("date"), m.group("agency")
    # Without a date or agency, only an all-caps city ("WASHINGTON -") is a dateline;
    # otherwise "Ukraine - the war" or a sentence starting "Smith: ..." would match.
    city = place.split(",")[0].strip()  # "JACKSON, Miss. -": the city in capitals, its state as written
    if not date and not agency and (not (city.isupper() and len(city) >= 3) or (not colon and m["dash"] == ":")):
        return None, at
    if len(place.split()) > 6 or m.end() > 160:
        return None, at
    dateline = Dateline(place=place.strip(" ,"), date=date, agency=agency.strip() if agency else None)
    return dateline, at + m.end()


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


def _could_be_headline(segment: str) -> bool:
    """A line above a dateline that can be its story's headline: a few words of text."""
    words = [w for w in segment.split() if any(c.isalpha() for c in w)]
    return 2 <= len(words) <= 25 and len(segment) <= 200


def _header(text: str, spans: list[tuple[int, int]]) -> tuple[list[str], Dateline | None, int]:
    """Kinds of the paragraphs above the lead, the lead's dateline, and where its story begins.

    Above a dateline, any short line is the headline, a deck, a slug, byline or keyword line.
    Without one, slug, byline and keyword lines still are, and a title-case line above the
    first paragraph of prose is the headline (a sub-head needs prose above it).
    """
    kinds: list[str] = []
    candidates: list[int] = []
    after_byline = False
    prose_above = False
    for i, (start, end) in enumerate(spans[:_MAX_HEADER_LINES]):
        dateline, body_start = parse_dateline(text, start, colon=not prose_above)
        if dateline is not None and _labels_turns(text, spans, i, body_start):
            dateline = None  # "HARBOUR MASTER: ..." again further down: a transcript's speaker label
        if dateline is not None:
            for c in candidates:
                kinds[c] = "header"
            if candidates:
                kinds[candidates[0]] = "headline"
            return kinds, dateline, body_start
        segment = " ".join(text[start : min(end, start + MAX_MARK + 1)].split())
        kind = header_kind(segment, after_byline)
        after_byline = kind == "byline"
        if kind is not None:
            kinds.append("header")
        elif _could_be_headline(segment) and i + 1 < len(spans):
            kinds.append("body")
            candidates.append(i)
            prose_above = prose_above or segment.endswith((".", "?", "!"))
        else:
            break
    # No dateline: keep the wire's header lines, and a title-case headline on the first line of text.
    kinds = [k if k == "header" else "body" for k in kinds]
    first = next((i for i, k in enumerate(kinds) if k == "body"), len(kinds))
    if first + 1 < len(spans) and first < _MAX_HEADER_LINES:
        start, end = spans[first]
        if _is_heading(text[start:end]):
            kinds = [*kinds[:first], "headline"]
    first_text = next((i for i, k in enumerate(kinds) if k == "body"), len(kinds))
    if first_text >= len(spans):
        return [], None, 0  # nothing but header lines: read them as the text
    return kinds[:first_text], None, 0


def _labels_turns(text: str, spans: list[tuple[int, int]], i: int, body_start: int) -> bool:
    """Is the "dateline" of paragraph ``i`` a bare label before a colon that starts another
    paragraph too? Then it names a speaker's turns, not the place the story was filed."""
    head = text[spans[i][0] : body_start].rstrip()
    if not head.endswith(":") or "(" in head or "," in head:
        return False
    return any(text.startswith(head, start) for start, _ in spans[i + 1 :])


def _sign_off_kinds(text: str, spans: list[tuple[int, int]], kinds: list[str]) -> None:
    """The sign-off block: trailing paragraphs that match sign-off forms, and anything after them."""
    for i in range(len(spans) - 1, -1, -1):
        if kinds[i] != "body":
            break
        start, end = spans[i]
        segment = " ".join(text[start : min(end, start + MAX_MARK + 1)].split())
        if is_sign_off(segment) and i > 0 and "body" in kinds[:i]:
            for j in range(i, len(spans)):
                kinds[j] = "signoff"
        elif i < len(spans) - 3:
            break


def clean(text: str) -> Cleaned:
    """Split the text into paragraphs and label each as headline, header, body, sub-head or sign-off."""
    spans = paragraphs(text)
    header, dateline, body_start = _header(text, spans)
    kinds = header + ["body"] * (len(spans) - len(header))
    _sign_off_kinds(text, spans, kinds)
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
    cleaned = "\n".join(reflow(text, ln.start, ln.end) for ln in lines if ln.kind == "body")
    headline = next((ln for ln in lines if ln.kind == "headline"), None)
    own = _own_headline(reflow(text, headline.start, headline.end), cleaned) if headline else None
    return Cleaned(dateline=dateline, body_start=body_start, lines=tuple(lines), text=cleaned, own_headline=own or None)


def _own_headline(line: str, body: str) -> str:
    """The headline line as a digest shows it: wire markers and keyword prefixes off, and an
    ALL-CAPS wire headline in sentence case, each word as the story itself writes it."""
    line = HEADLINE_PREFIX.sub("", line.strip().strip("^<=").strip())
    # A headline has no closing full stop or dangling dash ("... Nature.’", "... Campaign-").
    closers = len(line) - len(line.rstrip(_CLOSERS))
    bare, tail = line[: len(line) - closers], line[len(line) - closers :]
    if not re.search(r"\b\w\.\w\.$", bare):
        bare = bare.rstrip(" .,;:-—–")
    line = bare + tail
    letters = [c for c in line if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        line = _sentence_case(line, body)
    elif _title_case(line, _body_forms(body)):
        line = _sentence_case(line, body)  # one house style: "Sanders Beats Clinton In Oklahoma" reads as prose
    return line


def _title_case(line: str, forms: dict[str, dict[str, int]]) -> bool:
    """'Bernie Sanders Beats Hillary Clinton In Oklahoma': most words capitalised, and small words
    or words the story writes in lower case among them (so a line of names is not Title Case)."""
    words = [w.strip("\"“‘'(«„”’»),:;") for w in line.split() if any(c.isalpha() for c in w)]
    if len(words) < 4:
        return False
    capitalised = [w for w in words if w[:1].isupper()]
    small = [w for w in capitalised[1:] if w.lower() in _SMALL_WORDS]
    common = [
        w
        for w in capitalised[1:]
        if (usual := _usual_form(forms, w)) == w.lower() or (usual is None and w.isalpha() and known(w))
    ]
    return len(capitalised) / len(words) >= 0.75 and (bool(small) or len(common) >= 2)


def _body_forms(body: str) -> dict[str, dict[str, int]]:
    """How often the story writes each word in each form, away from sentence starts."""
    forms: dict[str, dict[str, int]] = {}
    for m in _WORD.finditer(body):
        word = m.group().rstrip(".’'")
        before = body[max(0, m.start() - 3) : m.start()].rstrip(" \"“‘'(«„")
        if not before or before[-1] in ".!?\n":
            continue  # a sentence start says nothing about the word's case
        counts = forms.setdefault(word.lower(), {})
        counts[word] = counts.get(word, 0) + 1
    return forms


def _usual_form(forms: dict[str, dict[str, int]], word: str) -> str | None:
    seen = forms.get(word.lower())
    return max(seen.items(), key=lambda kv: kv[1])[0] if seen else None


#: Words a sentence-case headline writes in lower case; Title Case capitalises them.
_SMALL_WORDS = frozenset("a an the of in on at to for from with by and or but as into about over is are was".split())


def _sentence_case(line: str, body: str) -> str:
    """'UKRAINE READY TO OPEN KURSK CORRIDOR' -> 'Ukraine ready to open Kursk corridor'.

    Each word takes the form the story writes it in most often away from a sentence start
    (names capitalised, acronyms in capitals, other words in lower case); a word the story
    does not use is written in lower case unless it holds digits or dots ("U.S.", "G7") or, in a
    Title Case line, is not an English word (a name: "Ana", "Harbourton") or is a month or day.
    """
    forms = _body_forms(body)

    def recase(m: re.Match[str]) -> str:
        word = m.group()
        bare = word.rstrip(".’'")
        best = _usual_form(forms, bare)
        if best:
            return best + word[len(bare) :]
        if any(c.isdigit() for c in word) or "." in bare:
            return word  # "G7", "U.S."
        if not shouting and (any(c.isupper() for c in bare[1:]) or bare.lower() in MONTHS_DAYS or not known(bare)):
            return word  # in a Title Case line "DuVernay", "PAC", "June", and names English does not know
        return word.lower()

    shouting = not any(c.islower() for c in line)
    out = _WORD.sub(recase, line)
    # The headline's first letter, and the first after a colon ("Analysis: Why ...") or a full
    # stop or question mark ("... confirmed a judge. Is this the last?"), are capitals; not after
    # "!", which names carry ("Black Girls Rock! is ...").
    return _AFTER_COLON.sub(lambda m: m.group(1) + m.group(2).upper(), out)


_AFTER_COLON = re.compile(r"(^[^\w]*|:\s+[^\w]*|(?<![A-Z])[.?]\s+[^\w]*)([^\W\d_])")
