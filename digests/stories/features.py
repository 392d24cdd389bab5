"""What a story comparison looks at: weighted terms and the names in an article.

Terms are stemmed words outside a general stop list; words in the lead (first ~800
characters) and the title count double, because the lead says what happened while later
paragraphs carry background that stories on one subject share. Names are capitalised runs
(people, organisations, places) and the dateline's place; a sentence's first word counts as a
name only when the text never writes it in lower case and English does not use it commonly.
Every key carries its background document chance (``background``) for the weights.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from digests.stories.background import document_chance, is_common
from digests.stories.fingerprint import signature

#: Characters of the body that count as its lead.
LEAD_CHARS = 800
LEAD_WEIGHT = 2.0
TITLE_WEIGHT = 2.0
#: Longest text read; a story's identity is in its first pages.
MAX_CHARS = 60_000

#: A general English stop list (the classic information-retrieval one), plus calendar words.
STOP_WORDS = frozenset(
    """a about above across after afterwards again against all almost alone along already also although
    always am among amongst amount an and another any anyhow anyone anything anyway anywhere are around as
    at back be became because become becomes becoming been before beforehand behind being below beside
    besides between beyond both bottom but by call can cannot cant co con could couldnt de describe detail
    do done down due during each eg eight either eleven else elsewhere empty enough etc even ever every
    everyone everything everywhere except few fifteen fifty fill find first five for former formerly forty
    found four from front full further get give go had has hasnt have he hence her here hereafter hereby
    herein hereupon hers herself him himself his how however hundred i ie if in inc indeed interest into is
    it its itself keep last latter latterly least less ltd made many may me meanwhile might mine more
    moreover most mostly move much must my myself name namely neither never nevertheless next nine no nobody
    none noone nor not nothing now nowhere of off often on once one only onto or other others otherwise our
    ours ourselves out over own part per perhaps please put rather re same see seem seemed seeming seems
    serious several she should show side since six sixty so some somehow someone something sometime
    sometimes somewhere still such take ten than that the their them themselves then thence there
    thereafter thereby therefore therein thereupon these they third this those though three through
    throughout thru thus to together too top toward towards twelve twenty two un under until up upon us
    very via was we well were what whatever when whence whenever where whereafter whereas whereby wherein
    whereupon wherever whether which while whither who whoever whole whom whose why will with within without
    would yet you your yours yourself yourselves""".split()
)
_CALENDAR = frozenset(
    """january february march april may june july august september october november december jan feb mar
    apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday saturday sunday mr mrs ms
    dr""".split()
)

# Lowercased words: letters/digits joined by inner apostrophes, dots, hyphens, ampersands.
_WORD = re.compile(r"[a-z0-9]+(?:(?:['’](?!s\b)|[.&-])[a-z0-9]+)*")
# Lower-case words as written (a capitalised opener written in lower case elsewhere is no name).
_LOWER = re.compile(r"(?<![A-Za-z0-9'’.&-])[a-z][a-z'’-]+")
# Runs of capitalised words joined by spaces or hyphens ("Port of Rotterdam Authority").
_RUN = re.compile(r"[A-Z][A-Za-z0-9'’.&-]*(?:[ -]+[A-Z][A-Za-z0-9'’.&-]*)*")
# What before a run says it opens a sentence: start of text, sentence punctuation, a quote mark.
_OPENS = re.compile(r"(?:^|[.!?:;\"“”`(]|\n|'\s|['’]{2})\s*$")
# "KUALA LUMPUR, August 2 (Xinhua) --", "GLENDALE, Calif.\n", "OSLO, Nov 30 (AFP)\n", "NEW YORK _"
_DATELINE = re.compile(
    r"\s*([A-Z][A-Za-z .'’-]{1,40}?)(?:,\s*[A-Za-z .]{2,30}?)?(?:,?\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?"
    r"(?:\s+\d{4}-\d\d-\d\d[ 0-9:]*UTC)?\s*(\([^)]{1,40}\))?\s*(--|—|–|_|-\s|\n)"
)


@dataclass(frozen=True)
class Article:
    """One article as the clusterer sees it; ``published`` orders arrivals and ages stories."""

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    published: datetime | None = None


@dataclass(frozen=True)
class StoryFeatures:
    """An article's terms and names (key -> weighted count), each key's background chance,
    and its MinHash signature. Plain data, so the bot can store it as JSON."""

    terms: dict[str, float]
    names: dict[str, float]
    term_chance: dict[str, float]
    name_chance: dict[str, float]
    signature: tuple[int, ...] = field(default=(), compare=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "t": {k: [round(v, 3), float(f"{self.term_chance[k]:.3g}")] for k, v in self.terms.items()},
            "n": {k: [round(v, 3), float(f"{self.name_chance[k]:.3g}")] for k, v in self.names.items()},
            "s": list(self.signature),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StoryFeatures:
        terms = data.get("t") or {}
        names = data.get("n") or {}
        return cls(
            terms={k: float(v[0]) for k, v in terms.items()},
            names={k: float(v[0]) for k, v in names.items()},
            term_chance={k: float(v[1]) for k, v in terms.items()},
            name_chance={k: float(v[1]) for k, v in names.items()},
            signature=tuple(int(x) for x in data.get("s") or ()),
        )


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer  # PyStemmer: the Snowball English stemmer in C

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


@lru_cache(maxsize=200_000)
def _chance(word: str) -> float:
    return document_chance(word)


def _strip_dateline(text: str) -> tuple[str, str | None]:
    """The body without its dateline, and the dateline's place (lowercase) if there is one."""
    m = _DATELINE.match(text)
    if m is None or not (m.group(2) or m.group(1).isupper() or m.group(3) == "\n"):
        return text, None
    place = " ".join(m.group(1).split()).lower()
    return text[m.end() :], place or None


def _key(word: str) -> str:
    return word.removesuffix("'s").removesuffix("’s")


@lru_cache(maxsize=200_000)
def _term(word: str) -> tuple[str, float] | None:
    """(stem, background chance) of a word worth weighing, None for stop words and numbers."""
    if len(word) < 3 or word in STOP_WORDS or word.isdigit():
        return None
    return _stem(word), _chance(word)


def _add_terms(counts: Counter[str], terms: dict[str, float], chance: dict[str, float]) -> None:
    for word, count in counts.items():
        found = _term(word)
        if found is None:
            continue
        stem, c = found
        terms[stem] = terms.get(stem, 0.0) + count
        if c > chance.get(stem, 0.0):
            chance[stem] = c


def _names(body: str) -> tuple[dict[str, float], dict[str, float]]:
    """Capitalised runs, split into words; a sentence's first word only when it is no common
    word (never written in lower case here, rare in English)."""
    lower = set(_LOWER.findall(body))
    names: dict[str, float] = {}
    chance: dict[str, float] = {}
    for m in _RUN.finditer(body):
        tokens = [part for word in m.group().split() for part in word.split("-") if part[:1].isupper()]
        if not tokens:
            continue
        if len(tokens) == 1 and tokens[0].isupper() and not 2 <= len(tokens[0]) <= 5:
            continue  # a shouted word or a one-letter initial, not a name
        keys = [_key(t.lower().strip(".'’&")) for t in tokens]
        if _OPENS.search(body, max(0, m.start() - 4), m.start()) and (
            keys[0] in lower or keys[0] in STOP_WORDS or is_common(keys[0])
        ):
            keys = keys[1:]
        weight = LEAD_WEIGHT if m.start() < LEAD_CHARS else 1.0
        for key in keys:
            if len(key) < 2 or key in STOP_WORDS or key in _CALENDAR:
                continue
            names[key] = names.get(key, 0.0) + weight
            chance[key] = _chance(key)
    return names, chance


def extract(article: Article) -> StoryFeatures:
    """Terms, names and fingerprint of one article. Never raises on odd text."""
    body, place = _strip_dateline(article.text[:MAX_CHARS])
    lead, rest = body[:LEAD_CHARS], body[LEAD_CHARS:]
    lead_words = _WORD.findall(lead.lower())
    rest_words = _WORD.findall(rest.lower())
    counts: Counter[str] = Counter(rest_words)
    for word in lead_words:
        counts[word] += LEAD_WEIGHT
    for word in _WORD.findall((article.title or "").lower()):
        counts[word] += TITLE_WEIGHT
    terms: dict[str, float] = {}
    term_chance: dict[str, float] = {}
    _add_terms(counts, terms, term_chance)
    names, name_chance = _names(body)
    if place:
        names[place] = names.get(place, 0.0) + LEAD_WEIGHT
        name_chance[place] = min(_chance(w) for w in place.split())
    return StoryFeatures(terms, names, term_chance, name_chance, signature(lead_words + rest_words))
