"""Key quotes: the 3-5 quotes that carry the news.

A reader of a digest wants what was said that matters: full sentences over fragments
("foiled"), quotes whose words echo the story's lead, and more than one voice — so a speaker
already chosen counts for less, which also brings in the other side of a story.
"""

from __future__ import annotations

import re

from digests.attribution import Attribution
from digests.lexicon import FUNCTION_WORDS
from digests.model import Quote
from digests.quotes import looks_like_title

MIN_KEY = 3
MAX_KEY = 5
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _content(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text) if w.lower() not in FUNCTION_WORDS and len(w) > 2}


#: How sure the attribution is, by the rule that made it: a cue in the quote's own sentence
#: naming its speaker is surest; a speaker carried over from a neighbouring paragraph is a guess.
_CONFIDENCE = {
    "name": 2.5,
    "description": 1.2,
    "description-named": 1.5,
    "transcript": 1.0,
    "pronoun": 0.3,
    "it": 0.8,
    "they": 0.5,
    "previous-sentence": 0.3,
    "next-sentence": 0.3,
    "subject": 0.0,
    "previous-paragraph": -0.3,
    "next-paragraph": -0.3,
    "introduced": -0.3,
}
MIN_WORDS = 5


def _eligible(quote: Quote) -> bool:
    """What an editor would put in a digest: a spoken sentence with a known speaker - not an
    interviewer's question, the title of a work or a fragment of a few words."""
    text = quote.text.strip()
    if not quote.speaker or len(text.split()) < MIN_WORDS:
        return False
    if text.rstrip("\"'’”»").endswith("?"):
        return False
    return not looks_like_title(text)


def _base_score(quote: Quote, how: str, index: int, n: int, lead_words: set[str]) -> float:
    words = quote.text.split()
    n_words = len(words)
    if n_words >= 8:
        score = 3.0
    elif n_words >= 5:
        score = 2.0
    elif n_words >= 3:
        score = 0.8
    else:
        score = 0.2  # a fragment: only when nothing better exists
    if n_words > 80:
        score -= 1.0  # a speech transcript paragraph: too long for a digest
    if quote.text.rstrip()[-1:] in ".!?,\"'’”" and quote.text[:1].isupper():
        score += 0.5  # a full sentence
    elif quote.text[:1].islower():
        score -= 1.0  # a clause cut out of the reporter's sentence ("which should allow ...")
    if quote.speaker:
        score += 1.0 + _CONFIDENCE.get(how, -0.5)
    overlap = len(_content(quote.text) & lead_words)
    score += min(overlap, 4) * 0.3
    score -= 1.2 * index / max(n, 1)  # the story's order is its editor's ranking
    return score


def choose_key_quotes(quotes: tuple[Quote, ...], attributions: list[Attribution], lead: str) -> list[int]:
    """Indices of the key quotes in the order the digest shows them (text order).

    Only eligible quotes are chosen while any exist; a story whose quotes are all fragments or
    unattributed still shows its best ones rather than none."""
    if not quotes:
        return []
    lead_words = _content(lead)
    base = [
        _base_score(q, a.how, i, len(quotes), lead_words)
        for i, (q, a) in enumerate(zip(quotes, attributions, strict=True))
    ]
    eligible = [i for i, q in enumerate(quotes) if _eligible(q)]
    pool = eligible or list(range(len(quotes)))
    chosen: list[int] = []
    seen_speakers: dict[str, int] = {}
    seen_texts: set[str] = set()
    while len(chosen) < MAX_KEY:
        best, best_score = -1, float("-inf")
        for i in pool:
            q = quotes[i]
            if i in chosen or q.text.strip().lower() in seen_texts:
                continue
            score = base[i] - 1.5 * seen_speakers.get((q.speaker or "").lower(), 0)
            if score > best_score:
                best, best_score = i, score
        if best < 0:
            break
        if len(chosen) >= MIN_KEY and best_score < 2.5:
            break
        if best_score < 0.5 and chosen:
            break  # only fragments left and we already have something
        chosen.append(best)
        seen_texts.add(quotes[best].text.strip().lower())
        key = (quotes[best].speaker or "").lower()
        seen_speakers[key] = seen_speakers.get(key, 0) + 1
    return sorted(chosen)
