"""Headline: a wire-style line written from the main clause of the story's lead.

Most dispatches arrive without a headline, and the lead sentence carries the news. A desk
editor writes the headline from the lead's *main clause* — its subject and finite verb — not
from its first words: a leading adverbial or subordinate clause is skipped whatever its
length, an attribution ("X said") goes when what was said has a subject of its own, and the
headline is shortened by dropping whole modifier phrases (time, asides, trailing prepositional
phrases), never by cutting a phrase in two. The verb is put in headline grammar
(``digests.headlinese``) with forms from lemminflect, so a headline can never misspell a word
and always has a verb when its lead had one.
"""

from __future__ import annotations

import re

from digests import inflect
from digests.clauses import Clause, main_clause, trailing_speaker
from digests.clean import Cleaned
from digests.headlinese import Phrase, drop_time, is_plural, predicate_phrases, verb_phrase
from digests.lexicon import ROLE_NOUNS, TITLES
from digests.tokens import Sentence
from digests.wordclass import ARTICLES, Word, words_of

MAX_WORDS = 12
MAX_CHARS = 90
#: A headline stops adding phrases past this many words (published headlines average 5-7).
TARGET_WORDS = 10
#: A headline this short may take one more phrase past the target, up to the cap.
_SHORT = 6
#: How many of the story's first sentences may supply the main clause.
_LEAD_SENTENCES = 5
#: Words a headline must not end on: a preposition, article, conjunction or "to" left hanging.
DANGLING = frozenset(
    """a an the of to for in on at by with from into onto over under about after before and or but nor as than
that which who whose whom if because while although though since until its his her their our my your this
these those whether when where how why what unless whereas""".split()
)
_TIME_ADVERBS = frozenset({"today", "yesterday", "tomorrow", "tonight", "overnight"})
#: Company-form suffixes a headline leaves out ("Amcast Industrial Corp" -> "Amcast Industrial").
_CORPORATE = frozenset({"inc", "corp", "co", "plc", "ltd", "llc", "ag", "nv", "sa", "bv", "spa"})
#: Closing marks take no space before them; a quote mark before a word opens a quotation.
_SPACE_BEFORE = re.compile(r"\s+([,.;:!?%)\]]|[’'](?!\w))")
_SPACE_AFTER = re.compile(r"([($£€\[])\s+")


def write_headline(cleaned: Cleaned, sentences: list[Sentence], title: str | None = None) -> str:
    """A headline for the dispatch: its own title when it has one, else one written from its lead."""
    if title and title.strip():
        return _fit_words(" ".join(title.split()).split())
    leads = [s for s in sentences if _prose(s)][:_LEAD_SENTENCES]
    # A copula cut from its complement ("Careers of sprinters X and Y are") reads broken: a later
    # lead sentence serves first; the cut one is the last resort.
    read = [(words, main_clause(words)) for words in map(words_of, leads)]
    for bare in (False, True):
        for words, clause in read:
            if clause is not None and _first_person(clause):
                # "We are going to win so much, Trump told a rally": a paper does not say "we" in
                # its own voice; the speaker introduces the words, or the next sentence serves.
                headline = _voiced(words, clause)
            elif clause is not None:
                headline = compose(clause, bare_verb=bare)
            else:
                headline = ""
            if headline:
                return _capitalise(headline)
    fallback = _fallback(read[0][0]) if read else ""
    return _capitalise(fallback) if fallback else "Untitled dispatch"


_FIRST_AND_SECOND_PERSON = frozenset({"i", "we", "you"})


def _first_person(clause: Clause) -> bool:
    return len(clause.subject) == 1 and clause.subject[0].low in _FIRST_AND_SECOND_PERSON


def _voiced(words: list[Word], clause: Clause) -> str:
    """'Trump: We are going to win so much', or "" when no speaker closes the sentence."""
    speaker = trailing_speaker(words)
    if not speaker:
        return ""
    said = [_text(w) for w in (*clause.subject, *clause.verbs, *clause.rest) if w.kind not in {"end", "quote"}]
    while said and said[-1] in {",", ".", ";", ":"}:
        said.pop()
    name = _subject_variants(tuple(speaker))[-1]
    head = _trim([*name[:-1], name[-1] + ":", *said])
    return _render(head) if not _too_long(head) else ""


def _prose(sentence: Sentence) -> bool:
    return sum(1 for t in sentence.tokens if t.kind == "word" and any(c.isalpha() for c in t.text)) >= 5


#: Verbs that cannot end a headline without what follows them.
_NEEDS_COMPLEMENT = frozenset({"is", "are", "was", "were", "be", "been", "being", "has", "have", "had"})


def compose(clause: Clause, bare_verb: bool = True) -> str:
    """Subject, verb and as many whole phrases of the rest as fit the headline.

    The first phrase after the verb (its object or complement) is kept if at all possible:
    a shorter form of the subject is tried first within the target length, then within the
    hard cap; only then is the verb left on its own (a form of "be" or "have" only if ``bare_verb``).
    """
    plural = is_plural(clause.subject) if clause.plural is None else clause.plural
    verbs = verb_phrase(clause.verbs, clause.rest, plural, clause.reported)
    source = [*_subject_variants(clause.source)[-1], "says"] if clause.source else []
    phrases = predicate_phrases(clause.rest)
    subjects = _subject_variants(clause.subject)
    if phrases:
        for limit, whole in ((TARGET_WORDS, True), (MAX_WORDS, True), (TARGET_WORDS, False), (MAX_WORDS, False)):
            for group in _subject_groups(clause.subject):
                found = []
                for subject in group:
                    if limit == TARGET_WORDS and whole and _bare_noun(subject) and subject != subjects[0]:
                        continue  # "Fall demonstrates ...": a lone noun only when nothing fuller fits
                    words = _choose([*source, *subject, *verbs], phrases, limit, whole)
                    if words is not None:
                        # A name without its role, if that lets more of the news in.
                        found.append((_count(words) - _count(subject), _count(subject), words))
                if found:
                    return _render(max(found, key=lambda f: (f[0], f[1]))[2])
    if not verbs or (phrases and not bare_verb and verbs[-1].lower() in _NEEDS_COMPLEMENT):
        # The verb was in the phrase that did not fit, or it cannot end a headline: "are", "has"
        return ""
    for subject in subjects:
        head = _trim([*source, *subject, *verbs])
        if not _too_long(head):
            return _render(head)
    return _render(_trim(_within_limits([*source, *subjects[-1], *verbs])))


def _within_limits(words: list[str]) -> list[str]:
    out = list(words)
    while len(out) > 1 and _too_long(out):
        out.pop()
    return out


def _choose(head: list[str], phrases: list[Phrase], first_limit: int, whole: bool) -> list[str] | None:
    """The head, the first phrase within ``first_limit`` words, then whole phrases up to the target."""
    if _too_long(head):
        return None
    first = _fitting(head, phrases[0], first_limit, whole)
    if first is None:
        return None
    words = [*head, *first]
    taken = 1
    if len(first) == len(phrases[0].words):
        for phrase in phrases[1:]:
            candidate = [*words, *(_text(w) for w in phrase.words)]
            # Past the target only to complete a headline still short ("X remains concerned" + "about Y").
            limit = MAX_WORDS if _count(words) < _SHORT else TARGET_WORDS
            if _count(candidate) > limit or _too_long(candidate):
                break
            words, taken = candidate, taken + 1
    if taken < len(phrases) and phrases[-1].kind == "condition":
        # A closing "if Moscow requests it" is news: it may stand in for the phrases between.
        candidate = [*words, *(_text(w) for w in phrases[-1].words)]
        if not _too_long(candidate):
            words = candidate
    trimmed = _trim(words)
    return trimmed if len(trimmed) > len(head) or not first else None


def _fitting(head: list[str], phrase: Phrase, limit: int, whole: bool) -> list[str] | None:
    """The phrase, or (unless ``whole``) its longest form ending before an "of" phrase, within ``limit`` words."""
    forms = phrase.forms()
    for form in forms[:1] if whole else forms:
        texts = [_text(w) for w in form]
        candidate = [*head, *texts]
        if _count(candidate) <= limit and not _too_long(candidate) and len(_trim(candidate)) > len(head):
            return texts
    return None


def _bare_noun(subject: list[str]) -> bool:
    return len(subject) == 1 and subject[0][:1].islower()


def _subject_variants(subject: tuple[Word, ...]) -> list[list[str]]:
    """The subject from fullest to shortest: articles out; then its trailing phrases; then roles before a name."""
    words = [w for w in subject if not (w.kind == "det" and w.low in ARTICLES and not w.cap)]
    words = [w for w in words if w.low not in _TIME_ADVERBS]  # "President Reagan (today) announced"
    words = drop_time(words, bare=False)  # "The city council (on Wednesday) approved"
    words = [
        w
        for i, w in enumerate(words)
        if not (i and w.low.rstrip(".") in _CORPORATE and words[i - 1].cap and not words[i - 1].possessive)
    ]
    full = [_text(w) for w in words]
    variants = [full]
    shortest = words
    for keep in (1, 0):
        core = _core(words, keep)
        dropped = words[len(core) :]
        # "Shares", without "in Bombardier": a bare noun whose phrase named who.
        vague = len(core) == 1 and core[0].kind == "open" and any(w.kind == "name" for w in dropped)
        if core and len(core) < len(shortest) and not vague:
            variants.append([_text(w) for w in core])
            shortest = core
    named = _name_only(shortest) if not any(w.kind == "prep" for w in shortest) else []
    if named and len(named) < len(shortest):
        variants.append([_text(w) for w in named])
    return variants


def _subject_groups(subject: tuple[Word, ...]) -> list[list[list[str]]]:
    """Subject variants in order of preference; the name without its role ranks with the full form."""
    variants = _subject_variants(subject)
    named = _name_only([w for w in subject if not (w.kind == "det" and w.low in ARTICLES)])
    if len(variants) > 1 and named and variants[-1] == [_text(w) for w in named]:
        return [[v] for v in variants[:-2]] + [variants[-2:]]
    return [[v] for v in variants]


def _core(words: list[Word], phrases: int) -> list[Word]:
    """The subject without a relative clause or infinitive, keeping at most ``phrases`` prepositional phrases."""
    out: list[Word] = []
    preps = 0
    in_participle = False  # "crews searching for oil": the participle and its phrase go together
    for w in words:
        if w.kind in {"rel", "punct", "to"} or (w.low == "that" and out):
            break
        starts = w.kind == "prep" and w.low not in {"of", "than"} and not in_participle
        in_participle = False  # only a phrase right after it ("searching for"), not "representing X at Y"
        if out and _participle(w):
            starts, in_participle = True, True
        if starts:
            preps += 1
            if preps > phrases:
                break
        out.append(w)
    while out and out[-1].low in DANGLING:
        out.pop()
    return out


def _participle(w: Word) -> bool:
    """'crews searching for oil', 'union representing attendants': a participle phrase after a noun."""
    return w.kind == "open" and "-" not in w.low and w.low.endswith("ing") and not inflect.can_be_noun(w.low)


def _name_only(words: list[Word]) -> list[Word]:
    """'Federal Reserve Board chairman Paul Volcker' -> 'Paul Volcker': the name without its role."""
    if len(words) < 3:
        return []
    end = len(words)
    start = end
    while start > 0 and words[start - 1].kind == "name" and words[start - 1].low not in TITLES:
        if words[start - 1].possessive:
            break  # "Aston Villa's Thomas Hitzlsperger": the club's name is not his
        start -= 1
    if start == end or start == 0 or end - start > 4:
        return []
    if end - start == 1 and words[start].low.rstrip(".") in _CORPORATE:
        return []  # "Standard and Poor's Corp": "Corp" alone names nobody
    before = words[start - 1]
    role = before.kind == "open" and not before.text[:1].isupper() and inflect.can_be_noun(before.low)
    if before.low in TITLES or before.low in ROLE_NOUNS or before.possessive or role:
        return words[start:end]
    return []


def _fallback(words: list[Word]) -> str:
    """No clause with a verb: the lead's first phrases, cut between phrases."""
    kept = [w for w in words if w.kind not in {"end"}]
    out: list[str] = []
    for w in kept:
        if w.kind == "punct" and out:
            break
        if w.kind == "punct" or (w.kind == "det" and w.low in ARTICLES):
            continue
        if _count([*out, _text(w)]) > MAX_WORDS or _too_long([*out, _text(w)]):
            break
        out.append(_text(w))
    return _render(_trim(out) or out[:1])


def _text(w: Word) -> str:
    if w.kind == "quote":
        return '"' + " ".join(w.text.split()) + '"'
    return w.text


def _count(words: list[str]) -> int:
    return len(_join(words).split())


def _too_long(words: list[str]) -> bool:
    return _count(words) > MAX_WORDS or len(_join(words)) > MAX_CHARS


def _trim(words: list[str]) -> list[str]:
    """Never end on a function word, a possessive or punctuation."""
    out = list(words)
    while len(out) > 1 and (
        out[-1].lower() in DANGLING or out[-1].endswith(("'s", "’s")) or not any(c.isalnum() for c in out[-1])
    ):
        out.pop()
    return out


def _render(words: list[str]) -> str:
    return _join(words)[:MAX_CHARS].strip()


def _fit_words(words: list[str]) -> str:
    """A given title within the digest's length. An editor chose its words, so it is whole when it
    fits the characters; cut, it ends on the last word that fits but never on a function word."""
    out = list(words)
    while len(out) > 1 and len(_join(out)) > MAX_CHARS:
        out = out[:-1]
    return _render(_trim(out) or out[:1])


def _join(words: list[str]) -> str:
    text = " ".join(words)
    text = _SPACE_BEFORE.sub(r"\1", text)
    return _SPACE_AFTER.sub(r"\1", text)


def _capitalise(text: str) -> str:
    i = 1 if text[:1] in {'"', "'"} else 0  # '"Best person for the job" ...'
    return text[: i + 1].upper() + text[i + 1 :]
