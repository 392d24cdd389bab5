"""Headline: a short wire-style line written from the story's lead.

Most dispatches arrive without a headline. The lead sentence carries the news, so we
compress it the way a desk editor would: drop the leading adverbial ("On Thursday,"),
asides in commas and brackets, the attribution tail (", the union said on Tuesday"),
articles and auxiliaries ("has announced it is ready" -> "ready"), time words, and the
clause after a purpose or cause marker; then cap it at 12 words and 90 characters.
"""

from __future__ import annotations

import re

from digests.clean import Cleaned
from digests.lexicon import FUNCTION_WORDS, MONTHS_DAYS, SPEECH_VERBS
from digests.tokens import Sentence

MAX_WORDS = 12
MAX_CHARS = 90

_ARTICLES = frozenset({"a", "an", "the"})
_AUX = frozenset({"has", "have", "had", "been", "is", "are", "was", "were"})
_TIME = frozenset({"yesterday", "today", "tomorrow", "tonight", "earlier", "recently"}) | MONTHS_DAYS
_RELATIVE_TIME = frozenset({"last", "this", "next", "earlier", "later"})
_TIME_UNITS = frozenset(
    {"week", "month", "year", "weekend", "morning", "afternoon", "evening", "night", "quarter", "day"}
)
#: Words after which the rest of a long lead is detail, not news.
_CUT_MARKERS = frozenset(
    {
        "after",
        "because",
        "as",
        "amid",
        "following",
        "which",
        "who",
        "while",
        "despite",
        "saying",
        "according",
        "since",
        "when",
        "where",
        "although",
        "though",
        "but",
        "whereas",
        "including",
        "with",
        "via",
        "than",
    }
)
_PURPOSE = frozenset({"allow", "help", "ensure", "make", "give", "let", "enable", "prevent", "avoid"})
_LEAD_ADVERBIAL = FUNCTION_WORDS | {"on", "in", "at", "after", "before", "despite", "amid", "following", "meanwhile"}
#: Words a headline leaves out (measured: they almost never appear in published headlines).
#: The copula goes too ("Kenya is ready" -> "Kenya ready"), but not "be" after a modal.
_FILLERS = frozenset({"and", "has", "have", "had", "his", "her", "their", "its", "that", "is", "are", "was", "were"})
#: Words a headline must not end on (a preposition or conjunction left hanging).
_DANGLING = (FUNCTION_WORDS | _ARTICLES) - {"it", "them", "us", "him", "her", "this", "these", "those", "here", "there"}
_CORPORATE = frozenset({"co", "inc", "corp", "plc", "ltd", "llc", "ag", "sa", "nv", "bv", "spa"})
_PREPOSITIONS = frozenset({"in", "of", "at", "from", "for", "on", "with", "by"})
_PRONOUN_SUBJECTS = frozenset({"it", "they", "he", "she", "we"})
_FUTURE = re.compile(r"^(?:will|would|plans?|planned|intends?|intended|expects?|expected|hopes?|aims?|wants?)$")
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?%)\]’'])")
_SPACE_AFTER = re.compile(r"([($\[])\s+")


def write_headline(cleaned: Cleaned, sentences: list[Sentence], title: str | None = None) -> str:
    """A headline for the dispatch: its own title when it has one, else its compressed lead."""
    if title and title.strip():
        return _fit(" ".join(title.split()).split())
    lead = _lead_words(sentences)
    if not lead:
        return "Untitled dispatch"
    words = _compress(lead)
    headline = _fit(words or lead)
    return headline[:1].upper() + headline[1:]


def _lead_words(sentences: list[Sentence]) -> list[str]:
    """Words of the first prose sentence (at least five words; quotes kept as their words)."""
    for sent in sentences:
        words: list[str] = []
        for tok in sent.tokens:
            if tok.kind == "quote":
                words.extend(tok.text.split())
            else:
                words.append(tok.text)
        if sum(1 for w in words if any(c.isalpha() for c in w)) >= 5:
            return words
    return []


def _compress(lead: list[str]) -> list[str]:
    words = _compress_main(lead)
    condition = _condition(lead)
    if condition and len(words) + len(condition) <= MAX_WORDS - 1 and len(words) <= 7:
        words = [*words, *condition]  # "... corridor if Moscow formally requests it"
    return words


def _condition(lead: list[str]) -> list[str]:
    """A short closing 'if/unless' clause: the condition is often the news."""
    for i, w in enumerate(lead):
        if w.lower() in {"if", "unless"} and i > 3:
            clause = []
            for x in lead[i:]:
                if x in {",", ";", ".", "!", "?", "—", "–", ":"}:
                    break
                clause.append(x)
            if 3 <= len(clause) <= 6 and i + len(clause) >= len(lead) - 1:
                return [x for x in clause if x.lower() not in _ARTICLES]
    return []


def _compress_main(words: list[str]) -> list[str]:
    words = _drop_brackets(words)
    words = _main_segment(words)
    words = _drop_attribution(words)
    words = _drop_time(words)
    words = [w for w in words if w.lower() not in _ARTICLES and w.lower().rstrip(".") not in _CORPORATE]
    words = _drop_auxiliaries(words)
    words = _cut_detail(words)
    words = _main_verb_present(words)
    return _headlinese(words)


_IRREGULAR_PRESENT = {
    "said": "says",
    "rose": "rises",
    "fell": "falls",
    "won": "wins",
    "began": "begins",
    "took": "takes",
    "made": "makes",
    "gave": "gives",
    "sold": "sells",
    "bought": "buys",
    "told": "tells",
    "became": "becomes",
    "held": "holds",
    "saw": "sees",
    "got": "gets",
    "lost": "loses",
    "paid": "pays",
    "sent": "sends",
    "built": "builds",
    "grew": "grows",
    "came": "comes",
    "went": "goes",
    "found": "finds",
    "kept": "keeps",
    "ran": "runs",
    "brought": "brings",
    "chose": "chooses",
    "led": "leads",
    "met": "meets",
    "spent": "spends",
    "stood": "stands",
    "struck": "strikes",
    "threw": "throws",
    "wrote": "writes",
    "broke": "breaks",
    "drove": "drives",
    "froze": "freezes",
    "swung": "swings",
    "sank": "sinks",
    "withdrew": "withdraws",
    "fought": "fights",
    "sought": "seeks",
    "thought": "thinks",
    "left": "leaves",
    "felt": "feels",
}


def _present(word: str) -> str:
    """The main verb in the present tense, as headlines have it: "announced" -> "announces"."""
    low = word.lower()
    if low in _IRREGULAR_PRESENT:
        return _IRREGULAR_PRESENT[low]
    if not low.endswith("ed") or len(low) < 5:
        return word
    if low.endswith("ied"):
        base = low[:-3] + "y"
    elif low[-3] == low[-4] and low[-3] not in "aeiouls":
        base = low[:-3]  # planned -> plan
    elif low.endswith(("ated", "ised", "ized", "uced", "nced", "ased", "ored", "ured", "ived", "oved", "aged", "osed")):
        base = low[:-1]
    else:
        base = low[:-2]
        vowels = "aeiou"
        single_vowel = len(base) >= 3 and base[-1] not in vowels and base[-2] in vowels and base[-3] not in vowels
        if single_vowel:
            return word  # "named" or "opened"? the stem is ambiguous: keep the past tense
    suffix = "es" if base.endswith(("s", "sh", "ch", "x", "z")) else "s"
    return base + suffix


def _main_verb_present(words: list[str]) -> list[str]:
    for i, w in enumerate(words[:10]):
        if i == 0 or not w[:1].islower():
            continue
        prev = words[i - 1].lower()
        if prev in {"to", "be", "been", "being", "has", "have", "had", "is", "was", "were", "are"}:
            return words
        if w.lower() in _IRREGULAR_PRESENT or (w.lower().endswith("ed") and len(w) > 4):
            return [*words[:i], _present(w), *words[i + 1 :]]
        if w.lower() in FUNCTION_WORDS and w.lower() not in _PREPOSITIONS:
            return words
    return words


def _headlinese(words: list[str]) -> list[str]:
    """Headline grammar: "will open" -> "to open"; no "its", "that", "is" fillers."""
    out: list[str] = []
    for i, w in enumerate(words):
        low = w.lower()
        if low in {"will", "would"} and i > 0:
            out.append("to")
            continue
        if low in _FILLERS and i > 0 and not (low == "and" and _names_joined(words, i)):
            continue
        out.append(w)
    return out


def _names_joined(words: list[str], i: int) -> bool:
    """'Standard Oil and BP': an "and" between two names stays."""
    return 0 < i < len(words) - 1 and words[i - 1][:1].isupper() and words[i + 1][:1].isupper()


def _drop_brackets(words: list[str]) -> list[str]:
    out, depth = [], 0
    for w in words:
        if w in "([":
            depth += 1
        elif w in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(w)
    return out


def _segments(words: list[str]) -> list[list[str]]:
    segs: list[list[str]] = [[]]
    for w in words:
        if w in {",", ";", "—", "–", ":"}:
            segs.append([])
        elif w not in {".", "!", "?"}:
            segs[-1].append(w)
    return [s for s in segs if s]


def _main_segment(words: list[str]) -> list[str]:
    """The clause carrying the news: skip a leading adverbial and stop at the first aside."""
    segs = _segments(words)
    if not segs:
        return words
    first = segs[0]
    if len(segs) > 1 and len(first) <= 6 and first[0].lower() in _LEAD_ADVERBIAL:
        segs = segs[1:]
    main = list(segs[0])
    # A short subject followed by an aside ("Smith, the minister, said ..."): skip the aside.
    if len(main) <= 3 and len(segs) > 2 and not any(w.lower() in SPEECH_VERBS for w in main):
        main = main + segs[2]
    return main


def _drop_attribution(words: list[str]) -> list[str]:
    """'X said it would open ...' -> 'X to open ...'; 'X said (that) CLAUSE' -> CLAUSE."""
    lower = [w.lower() for w in words]
    for i, w in enumerate(lower[:14]):
        if w not in {"said", "says", "announced", "announces", "reported", "reports", "told"} or i == 0:
            continue
        subject = words[:i]
        while subject and subject[-1].lower() in _AUX:
            subject = subject[:-1]
        rest = words[i + 1 :]
        rl = lower[i + 1 :]
        if rl[:1] == ["that"]:
            rest, rl = rest[1:], rl[1:]
        if rl[:1] and rl[0] in _PRONOUN_SUBJECTS:
            tail, tl = rest[1:], rl[1:]
            if tl[:1] and _FUTURE.match(tl[0]):
                tail = tail[2:] if tl[1:2] == ["to"] else tail[1:]
                return [*subject, "to", *tail]
            if tl[:2] in (["is", "ready"], ["was", "ready"], ["are", "ready"], ["were", "ready"]):
                return [*subject, *tail[1:]]
            return [*subject, *tail]
        if 1 <= len(subject) <= 3:
            return [*subject, "says", *rest]
        if len(rest) >= 5:
            return rest
        return words
    return words


def _drop_time(words: list[str]) -> list[str]:
    out: list[str] = []
    skip = 0
    for i, w in enumerate(words):
        if skip:
            skip -= 1
            continue
        low = w.lower()
        nxt = words[i + 1].lower() if i + 1 < len(words) else ""
        if low in {"on", "in"} and nxt in MONTHS_DAYS:
            skip = 1
            if i + 2 < len(words) and words[i + 2].isdigit():
                skip = 2
            continue
        if low in _RELATIVE_TIME and nxt in _TIME_UNITS:
            skip = 1
            continue
        if low in _TIME and i > 0:
            continue
        out.append(w)
    return out


def _drop_auxiliaries(words: list[str]) -> list[str]:
    """'has been postponed' -> 'postponed'; 'has announced' -> 'announces'."""
    out: list[str] = []
    for i, w in enumerate(words):
        low = w.lower()
        nxt = words[i + 1].lower() if i + 1 < len(words) else ""
        if low in _AUX and i > 0 and (nxt.endswith("ed") or nxt in _AUX or nxt in {"set", "put", "cut"}):
            continue
        out.append(w)
    return out


def _cut_detail(words: list[str]) -> list[str]:
    """Stop before the first marker of detail once the news is told (five words in)."""
    for i, w in enumerate(words):
        if i < 5:
            continue
        low = w.lower()
        nxt = words[i + 1].lower() if i + 1 < len(words) else ""
        if low in _CUT_MARKERS or (low == "to" and nxt in _PURPOSE):
            return words[:i]
    return words


def _fit(words: list[str]) -> str:
    """At most 12 words and 90 characters, never ending on a function word."""
    words = [w for w in words if w not in {"“", "”", '"'}]
    words = words[:MAX_WORDS]
    while True:
        text = _join(words)
        if len(text) <= MAX_CHARS or len(words) <= 1:
            break
        words = words[:-1]
    while len(words) > 3 and (words[-1].lower() in _DANGLING or not any(c.isalnum() for c in words[-1])):
        words = words[:-1]
    text = _join(words)
    return text[:MAX_CHARS].strip()


def _join(words: list[str]) -> str:
    text = " ".join(words)
    text = _SPACE_BEFORE.sub(r"\1", text)
    return _SPACE_AFTER.sub(r"\1", text)
