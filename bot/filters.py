"""Per-subscription filters: one small language, parsed once here for the CLI, Discord and Slack.

A filter is a comma-separated list of terms; an item passes when it matches no ``-`` term and,
if there are any other terms, at least one of them::

    strike, "port of rotterdam", -sport, headline:/\\bbreaking\\b/, speaker:Lopez

- a word or ``"a phrase"`` matches whole words, in any case (``strik*`` matches a word's start);
- ``/regex/`` is a regular expression (case-insensitive), run with a time cap so a hostile or
  careless pattern cannot stall the engine: a search that outlives it counts as no match;
- ``headline:``, ``text:`` or ``speaker:`` limit a term to that part of the digest (default: all);
- ``-`` in front excludes.

The same language says which items ping a subscription's mention (``mention … when …``).
Pure: no I/O; the ``regex`` module gives the per-search timeout Python's ``re`` lacks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import regex

from bot.errors import UserInputError
from digests.model import Digest

log = logging.getLogger(__name__)

FIELDS = ("headline", "text", "speaker")
_ALIASES = {"title": "headline", "body": "text", "who": "speaker", "speakers": "speaker"}
MAX_FILTER_CHARS = 1000
MAX_TERMS = 20
MAX_TERM_CHARS = 200
#: Seconds one regex search may take before it counts as no match.
REGEX_TIMEOUT = 0.05
#: Characters of a digest's text a term searches (a long wire story's head carries its news).
MAX_SEARCH_CHARS = 20_000
FILTER_HELP = 'words or "phrases", -word to exclude, /regex/, headline: text: speaker: to narrow'


@dataclass(frozen=True)
class Term:
    pattern: regex.Pattern[str]
    source: str  # the term as written, for messages
    exclude: bool = False
    field: str | None = None  # None: headline, text and speakers


@dataclass(frozen=True)
class Filter:
    """A parsed filter; ``text`` is its canonical spelling (what is stored and shown)."""

    text: str
    terms: tuple[Term, ...]

    def matches(self, digest: Digest) -> bool:
        parts = _parts(digest)
        includes = [t for t in self.terms if not t.exclude]
        if any(_hit(t, parts) for t in self.terms if t.exclude):
            return False
        return not includes or any(_hit(t, parts) for t in includes)


def parse_filter(text: str | None, *, what: str = "filter") -> Filter | None:
    """None for no filter; else the parsed filter, or a one-line UserInputError saying why not."""
    text = " ".join((text or "").replace("\u201c", '"').replace("\u201d", '"').split())
    if not text or text.lower() in ("none", "off", "-"):
        return None
    return _parse_cached(text, what)


@lru_cache(maxsize=512)
def _parse_cached(text: str, what: str) -> Filter:
    if len(text) > MAX_FILTER_CHARS:
        raise UserInputError(f"a {what} is at most {MAX_FILTER_CHARS} characters")
    raw_terms = _split_terms(text, what)
    if len(raw_terms) > MAX_TERMS:
        raise UserInputError(f"a {what} has at most {MAX_TERMS} terms")
    terms = tuple(_term(raw, what) for raw in raw_terms)
    return Filter(", ".join(raw_terms), terms)


def _split_terms(text: str, what: str) -> list[str]:
    """Commas separate terms, except inside ``"…"`` or ``/…/``."""
    terms: list[str] = []
    current: list[str] = []
    closer: str | None = None
    for i, ch in enumerate(text):
        if closer is not None:
            current.append(ch)
            if ch == closer and text[i - 1] != "\\":
                closer = None
            continue
        if ch == ",":
            terms.append("".join(current).strip())
            current = []
            continue
        if ch == '"' or (ch == "/" and _starts_value(current)):
            closer = ch
        current.append(ch)
    if closer is not None:
        raise UserInputError(f"a {what} has an unclosed {closer}: {text[:60]!r}")
    terms.append("".join(current).strip())
    return [t for t in terms if t]


def _starts_value(current: list[str]) -> bool:
    """A ``/`` opens a regex only where a term's value begins (after ``-`` or ``field:``)."""
    head = "".join(current).strip()
    return head in ("", "-") or head.endswith(":")


def _term(raw: str, what: str) -> Term:
    if len(raw) > MAX_TERM_CHARS:
        raise UserInputError(f"a {what} term is at most {MAX_TERM_CHARS} characters: {raw[:40]!r}…")
    body = raw
    exclude = body.startswith("-")
    body = body[1:].strip() if exclude else body
    field = None
    head, colon, rest = body.partition(":")
    name = _ALIASES.get(head.strip().lower(), head.strip().lower())
    if colon and name in FIELDS and rest.strip():
        field, body = name, rest.strip()
    if not body:
        raise UserInputError(f"a {what} term is empty: {raw!r}; use {FILTER_HELP}")
    return Term(_compile(body, raw, what), raw, exclude, field)


def _compile(body: str, raw: str, what: str) -> regex.Pattern[str]:
    if len(body) >= 2 and body[0] == body[-1] == "/":
        source = body[1:-1]
        if not source:
            raise UserInputError(f"an empty /regex/ in the {what}: {raw!r}")
    else:
        phrase = body[1:-1] if len(body) >= 2 and body[0] == body[-1] == '"' else body
        words = phrase.split()
        if not words:
            raise UserInputError(f"a {what} term is empty: {raw!r}")
        prefix = words[-1].endswith("*")
        words[-1] = words[-1].rstrip("*")
        source = r"\s+".join(regex.escape(w) for w in words if w)
        if not source:
            raise UserInputError(f"a {what} term is empty: {raw!r}")
        source = rf"(?<!\w){source}" + ("" if prefix else r"(?!\w)")
    try:
        return regex.compile(source, regex.IGNORECASE | regex.V0)
    except (regex.error, OverflowError, RecursionError) as exc:
        raise UserInputError(f"{raw!r} in the {what} is not a valid regular expression: {exc}") from None


def _parts(digest: Digest) -> dict[str, str]:
    speakers = "\n".join(q.speaker for q in digest.quotes if q.speaker)
    headline = "\n".join(h for h in (digest.headline, digest.title) if h)
    return {"headline": headline, "text": digest.text[:MAX_SEARCH_CHARS], "speaker": speakers}


def _hit(term: Term, parts: dict[str, str]) -> bool:
    fields = (term.field,) if term.field else FIELDS
    for name in fields:
        try:
            if term.pattern.search(parts[name], timeout=REGEX_TIMEOUT):
                return True
        except TimeoutError:
            log.warning("filter regex timed out; counted as no match", extra={"term": term.source[:80]})
    return False
