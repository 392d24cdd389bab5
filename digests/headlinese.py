"""Headline grammar for a clause: the verb group in headline tense, the rest cut into phrases.

Headlines have their own grammar: present tense for the past ("Kenya cuts forecast"), "to"
for the future ("Kenya to cut"), a bare participle for the passive ("Koubek banned for three
months"), no articles. Modals and hedges carry meaning and stay ("may", "could",
"reportedly"). The rest of the clause is split into phrases (object, prepositional phrases,
an infinitive) so a headline is only ever shortened between phrases, never inside one.
"""

from __future__ import annotations

from dataclasses import dataclass

from digests import inflect
from digests.clauses import find_verb, verb_tags
from digests.lexicon import ROLE_NOUNS, TITLES
from digests.wordclass import (
    ARTICLES,
    FUTURE_MODALS,
    HEDGES,
    NUMBER_WORDS,
    PARTICLES,
    PLURAL_PRONOUNS,
    QUANTITY_HEADS,
    RELATIVE_TIME,
    TIME_UNITS,
    TIME_WORDS,
    Word,
)

#: Words that leave the headline whole: articles, and possessive pronouns in the predicate.
_DROP_IN_PREDICATE = ARTICLES | {"its", "their", "his", "her"}
_CORPORATE = frozenset({"co", "corp", "inc", "ltd", "plc", "llc", "group", "company", "bank", "ag", "sa", "nv"})
_TIME_PREPOSITIONS = frozenset({"on", "in", "at", "during", "since"})
#: Plural nouns that end the name of one company, country or body ("General Motors", "United Nations").
_SINGULAR_BODIES = frozenset(
    """airlines industries technologies systems communications holdings motors resources laboratories labs
enterprises products services networks stores mills foods pharmaceuticals securities partners brothers
associates mines works electronics instruments investments properties materials chemicals semiconductors
states nations emirates islands netherlands philippines bahamas news times""".split()
)
_TIME_MODIFIERS = frozenset({"early", "late", "mid", "end", "start", "beginning", "middle"})


@dataclass(frozen=True)
class Phrase:
    """A run of words a headline keeps or drops as a whole."""

    words: tuple[Word, ...]
    kind: str  # "object", "pp", "inf", "condition"

    def forms(self) -> list[tuple[Word, ...]]:
        """Shorter forms of the phrase, longest first: whole, without adjectives before its nouns,
        then cut before an "of" phrase.

        Never inside a comparison ("better qualified than X") or after a negation ("no
        person ..."): dropping what follows would turn the meaning round.
        """
        forms = [self.words]
        if any(w.kind in {"not"} or w.low in {"no", "none", "nothing", "than"} for w in self.words):
            return forms
        bare = tuple(w for i, w in enumerate(self.words) if not _premodifier(self.words, i))
        if len(bare) < len(self.words):
            forms.append(bare)
        for i in range(len(bare) - 1, 1, -1):
            prev = bare[i - 1]
            if bare[i].low == "of" and prev.low not in QUANTITY_HEADS and prev.kind != "num":
                forms.append(bare[:i])
        head = bare[-1]
        compound = self.kind == "object" and len(bare) > 1 and all(w.kind in {"open", "cc"} for w in bare)
        if compound and head.kind == "open" and inflect.can_be_noun(head.low):
            forms.append((head,))  # "sign (technology licensing and manufacturing) agreement"
        return forms


def _premodifier(words: tuple[Word, ...], i: int) -> bool:
    """A modifier before a noun a headline can spare: "serious (leadership) vacuum", "four-year deal".

    Not a word that carries the claim ("former", "first", "only", "anti-war"), nor one
    joined by "and" ("licensing and manufacturing agreement").
    """
    w = words[i]
    nxt = words[i + 1] if i + 1 < len(words) else None
    if w.kind != "open" or nxt is None or nxt.kind not in {"open", "name"} or w.low in _KEEP_MODIFIERS:
        return False
    if (i > 0 and words[i - 1].kind == "cc") or nxt.kind == "cc" or verb_tags(nxt) & {"VBD", "VBZ"}:
        return False
    if i > 0 and words[i - 1].kind in {"prep", "to"} and nxt.kind == "name":
        return False
    if "-" in w.low:
        first = w.low.split("-")[0]
        return first.isdigit() or first in NUMBER_WORDS  # "four-year", "18-month"
    adjective = inflect.can_be_adjective(w.low) or bool(verb_tags(w) & {"VBN", "VBG"})
    return adjective and not (inflect.can_be_noun(w.low) and not inflect.can_be_adjective(w.low))


#: Modifiers that carry the claim: dropping them would change what the headline says.
_KEEP_MODIFIERS = frozenset(
    "former first last next only other same many few more most less least main new old top own "
    "chief senior deputy acting interim".split()
)


def is_plural(subject: tuple[Word, ...]) -> bool:
    """Does the subject take a plural verb? ("Shares in X" yes, "X and Y" yes, "Sales of X" yes)."""
    top = _top_level(subject)
    if not top:
        return False
    if top[0].kind == "open" and top[0].low.endswith("ing") and "VBG" in verb_tags(top[0]):
        return False  # a gerund: "Holding prisoners without charge breaks the law"
    if any(w.low == "and" for w in top) and not _one_company(top) and not _roles_of_one(top):
        return True
    head = top[-1]
    if head.kind == "pron":
        return head.low in PLURAL_PRONOUNS
    if head.kind == "num":
        return head.low not in {"one", "1"}
    if head.kind == "name":
        # "Liberal Democrats", "Beastie Boys" are plural; "Continental Airlines", "United States" one body.
        return inflect.is_plural_noun(head.low) and head.low not in _SINGULAR_BODIES
    return head.kind == "open" and inflect.is_plural_noun(head.low)


def _top_level(subject: tuple[Word, ...]) -> list[Word]:
    """The subject up to its first modifier phrase, or the "of" phrase after a quantity ("60 pct of staff")."""
    words = [w for w in subject if w.kind != "det"]
    for i, w in enumerate(words):
        participle = i > 0 and w.kind == "open" and w.low.endswith("ing") and "VBG" in verb_tags(w)
        if (w.kind in {"prep", "rel", "punct", "to"} and w.low != "than") or w.low == "that" or participle:
            head = words[i - 1] if i else None
            if w.low == "of" and head is not None and (head.low in QUANTITY_HEADS or head.kind == "num"):
                return _top_level(tuple(words[i + 1 :]))
            return words[:i]
    return words


def _roles_of_one(top: list[Word]) -> bool:
    """'chairman and chief executive C Perkins': two roles of one named person."""
    i = next(i for i, w in enumerate(top) if w.low == "and")
    after = top[i + 1 :]
    return bool(after) and after[-1].kind == "name" and after[0].low in TITLES | ROLE_NOUNS


def _one_company(top: list[Word]) -> bool:
    """'Hambrecht and Quist Group': an "and" inside one company's name."""
    i = next(i for i, w in enumerate(top) if w.low == "and")
    before, after = top[:i], top[i + 1 :]
    return (
        bool(after)
        and after[-1].low.rstrip(".") in _CORPORATE
        and not any(w.low.rstrip(".") in _CORPORATE for w in before)
    )


def verb_phrase(verbs: tuple[Word, ...], rest: tuple[Word, ...], plural: bool, reported: bool) -> list[str]:
    """The verb group in headline grammar, agreeing with its subject.

    "agreed" -> "agrees"; "have tumbled" -> "tumble"; "has been postponed" -> "postponed";
    "will open" -> "to open"; "was unaffected" -> "is unaffected"; "could cut" stays.
    """
    particle: list[str] = []
    if len(verbs) > 1 and verbs[-1].low in PARTICLES and verbs[-2].kind == "open":
        particle, verbs = [verbs[-1].text], verbs[:-1]
    kept = [w for w in verbs if w.kind != "adv" or w.low in HEDGES]
    hedges = [w.text for w in kept if w.kind in {"adv", "not"}]
    core = [w for w in kept if w.kind not in {"adv", "not"}]
    if not core:
        return [w.text for w in kept] + particle
    first, main = core[0], core[-1] if core[-1].kind == "open" else None
    if first.kind == "md":
        return _modal(first, kept, rest, reported, particle)
    if first.kind == "be" or (first.kind == "have" and any(w.low == "been" for w in core)):
        if main is not None and "VBG" in verb_tags(main) and main.low.endswith("ing"):
            if main.low == "going" and rest and rest[0].kind == "to":
                return hedges  # "is going to open" -> "to open"
            return [_agree("be", plural), *hedges, main.text, *particle]  # "is seeking": kept whole
        if main is not None:
            return [*hedges, main.text, *particle]  # the passive: "postponed", "banned for three months"
        if rest and (rest[0].kind == "to" or (len(rest) > 1 and rest[1].kind == "to" and _adjectival(rest[0]))):
            return hedges  # "is to open", "is likely to open" -> "to open", "likely to open"
        return [_agree("be", plural), *hedges]
    if first.kind == "have" and main is None:
        return [_agree("have", plural), *hedges]
    if first.kind in {"have", "do"} and main is not None:
        if any(w.kind == "not" for w in kept):
            return [_agree("do", plural), *hedges, inflect.base_form(main.low) or main.text, *particle]
        return [*hedges, _present(main, plural), *particle]
    if first.kind == "do":
        return [_agree("do", plural), *hedges]
    return [*hedges, _present(first, plural), *particle]


def _adjectival(w: Word) -> bool:
    """'likely', 'ready', 'due', 'set': an adjective or participle, not a noun ("it is time to ...")."""
    if w.kind != "open":
        return False
    return bool(verb_tags(w) & {"VBN"}) or (inflect.can_be_adjective(w.low) and not inflect.can_be_noun(w.low))


def _modal(modal: Word, kept: list[Word], rest: tuple[Word, ...], reported: bool, particle: list[str]) -> list[str]:
    future = modal.low in FUTURE_MODALS or (reported and modal.low == "would")
    if not future:
        return [w.text for w in kept] + particle  # "could cut", "may not be": the modal is the news
    after = [w.text for w in kept[1:] if w.kind not in {"not"}]
    negation = [w.text for w in kept if w.kind == "not"]
    if after == ["have"] and rest and rest[0].kind == "to":
        return negation  # "will have to pay" -> "to pay" (the "to" follows)
    return [*negation, "to", *after, *particle]


def _agree(lemma: str, plural: bool) -> str:
    return inflect.present(lemma, plural) or lemma


def _present(word: Word, plural: bool) -> str:
    """The verb in the present tense; a form the tables do not know stays as written."""
    if word.kind != "open":
        return inflect.present(word.low, plural) or word.text
    tags = verb_tags(word)
    if tags and not tags & {"VBD", "VBZ", "VBP", "VBN"}:
        return word.text
    return inflect.present(word.low, plural) or word.text


def predicate_phrases(rest: tuple[Word, ...]) -> list[Phrase]:
    """The rest of the clause as phrases, up to the first clause boundary; time phrases left out."""
    words, condition = _clause_part(list(rest))
    words = drop_time(words)
    words = [w for w in words if not (w.kind == "det" and w.low in ARTICLES) and w.low not in _DROP_IN_PREDICATE]
    words = [w for w in words if w.kind != "adv" or w.low in HEDGES]
    phrases: list[Phrase] = []
    current: list[Word] = []
    kind = "object"
    participle = False  # inside "land owned by a British company": its phrase is one
    comparing = False  # inside "better qualified than the chairman": never split
    for i, w in enumerate(words):
        lone = len(current) == 1 and (_adjectival(current[0]) or current[0].kind in {"sub", "prep"})
        between_numbers = (
            bool(current) and current[-1].kind == "num" and i + 1 < len(words) and words[i + 1].kind == "num"
        )
        # Not "likely to", "whether to", nor "3.10 to 0.10".
        infinitive = w.kind == "to" and bool(current) and not lone and not between_numbers
        starts = (w.kind == "prep" and w.low not in {"of", "than"}) or infinitive
        if participle and w.kind == "prep":
            starts, participle = False, False
        elif _post_participle(current, w):
            starts, participle = True, True
        if _comparative(w) and any(x.low == "than" for x in words[i + 1 : i + 7]):
            comparing = True
        elif comparing:
            starts = False
            comparing = w.low != "than"
        if starts and current:
            phrases.append(Phrase(tuple(current), kind))
            current, kind = [], ("inf" if w.kind == "to" else "pp")
        elif not current:
            kind = "inf" if w.kind == "to" else ("pp" if w.kind == "prep" else "object")
        current.append(w)
    if current:
        phrases.append(Phrase(tuple(current), kind))
    if condition:
        phrases.append(Phrase(tuple(condition), "condition"))
    return phrases


def _comparative(w: Word) -> bool:
    """'more', 'better', 'cheaper': a comparison whose "than" phrase belongs to it."""
    if w.low in {"more", "less", "fewer", "better", "worse", "rather", "other"}:
        return True
    return w.kind == "open" and w.low.endswith("er") and inflect.is_comparative(w.low)


def _post_participle(current: list[Word], w: Word) -> bool:
    """A participle after a noun opens a reduced relative: "cars equipped with ...", "land owned by ..."."""
    if not current or w.kind != "open" or current[-1].kind not in {"open", "name"} or not _nounish(current[-1]):
        return False
    tags = verb_tags(w)
    return "VBN" in tags and not inflect.can_be_noun(w.low) and not tags & {"VBZ", "VBP"}


def _clause_part(rest: list[Word]) -> tuple[list[Word], list[Word]]:
    """Words before the first clause boundary, and a closing "if"/"unless" clause if that is what follows."""
    if rest and rest[0].low == "that":
        rest = rest[1:]  # "warned that ...": the complementiser goes
    for i, w in enumerate(rest):
        if _boundary(rest, i):
            if w.low in {"if", "unless"} and i and rest[i - 1].low in {"only", "even"}:
                i -= 1  # "only if": the adverb belongs to the condition
            tail = rest[i + 1 :] if w.kind == "punct" else rest[i:]
            if (
                tail
                and tail[0].low in {"if", "unless", "only", "even"}
                and len(tail) <= 8
                and not any(x.kind == "punct" for x in tail)
            ):
                return rest[:i], tail  # "... corridor if Moscow requests it": the condition is news
            return rest[:i], []
    return rest, []


def _boundary(rest: list[Word], i: int) -> bool:
    w = rest[i]
    prev = rest[i - 1] if i else None
    if w.kind == "punct" and _list_continues(rest, i):
        return False  # "cut its one, two and three month rates"
    if w.kind in {"punct", "end", "rel"} or (w.kind == "sub" and (i > 0 or w.low not in _COMPLEMENT_SUBS)):
        return True  # "closed when a tanker ran aground": the when-clause is detail
    if w.low == "but":
        return True
    clause_follows = w.kind == "prep" and w.low in {"after", "before", "since", "until", "as", "once"}
    if clause_follows and find_verb(rest, i + 1, allow_lists=False, max_subject=8) is not None:
        return True  # "... after the firm warned": a clause of cause or time is detail, not news
    if prev is None:
        return False
    if w.low == "that" and prev.kind in {"name", "open", "num", "quote"}:
        return True
    if w.kind == "prep" and w.low in {"after", "following", "amid", "despite", "as"}:
        return i >= 2
    if w.low in {"but", "while", "whereas"}:
        return True
    if w.kind == "cc":
        nxt = rest[i + 1] if i + 1 < len(rest) else None
        if nxt is None:
            return True
        if nxt.kind in {"pron", "md", "be", "have", "do"} or (nxt.kind == "open" and verb_tags(nxt) & {"VBD", "VBZ"}):
            return True
        found = find_verb(rest, i + 1, allow_lists=False, max_subject=5)
        return found is not None
    after_verb = i >= 2 and rest[i - 2].kind == "to"  # "to keep searching": the verb's own complement
    if (
        w.kind == "open"
        and "VBG" in verb_tags(w)
        and prev.kind in {"name", "open", "num", "quote"}
        and not (prev.possessive or (prev.kind == "open" and not _nounish(prev)) or after_verb)
    ):
        nxt = rest[i + 1] if i + 1 < len(rest) else None
        object_follows = nxt is not None and nxt.kind in {"det", "num", "poss", "name", "pron", "quote"}
        noun_follows = nxt is None or nxt.kind in {"cc", "end", "punct"} or (nxt.kind == "open" and _nounish(nxt))
        if inflect.can_be_noun(w.low) or noun_follows:
            return object_follows  # "technology licensing and ...", "development drilling on": noun phrases
        return True
    return False


def _nounish(w: Word) -> bool:
    return inflect.can_be_noun(w.low) and not (inflect.can_be_adjective(w.low) and not verb_tags(w))


#: Subordinators that open a verb's own complement ("decide whether to"), not an adverbial clause.
_COMPLEMENT_SUBS = frozenset({"whether", "if", "how", "what", "why", "where", "when"})


def _list_continues(rest: list[Word], i: int) -> bool:
    """A comma inside a list of like words ("one, two and three", "Sony, Philips and Samsung")."""
    if rest[i].low != "," or i == 0 or i + 1 >= len(rest):
        return False
    before, after = rest[i - 1], rest[i + 1]
    if before.kind != after.kind or before.kind not in {"num", "name"}:
        return False
    segment = []
    for w in rest[i + 1 :]:
        if w.kind in {"punct", "end"}:
            break
        segment.append(w)
    return len(segment) <= 5 and any(w.low in {"and", "or"} for w in segment)


def drop_time(words: list[Word], bare: bool = True) -> list[Word]:
    """'on Tuesday', 'in February', 'in 1993', 'last week', 'yesterday': the digest shows the date.

    ``bare=False`` drops only a preposition with a day or month ("on Wednesday"), as in a
    subject, where "January sales" or "product in the 1986 fourth quarter" need their date.
    """
    out: list[Word] = []
    i = 0
    while i < len(words):
        j = _time_phrase_end(words, i)
        led = words[i].kind == "prep" and i + 1 < len(words) and words[i + 1].low in TIME_WORDS
        if j > i and (bare or led):
            i = j
            continue
        out.append(words[i])
        i += 1
    return out


def _time_phrase_end(words: list[Word], i: int) -> int:
    w = words[i]
    j = i
    if (w.kind == "prep" and w.low in _TIME_PREPOSITIONS) or w.low in _TIME_MODIFIERS:
        j = i + 1
        while j < len(words) and (words[j].low in _TIME_MODIFIERS or words[j].kind == "det"):
            j += 1
    end = _bare_time_end(words, j)
    if end > j:
        return end
    return i


def _bare_time_end(words: list[Word], j: int) -> int:
    if j >= len(words):
        return j
    w = words[j]
    nxt = words[j + 1] if j + 1 < len(words) else None
    if w.low in RELATIVE_TIME and nxt is not None and nxt.low in TIME_UNITS:
        return j + 2
    if w.low in TIME_WORDS and (w.kind == "name" or w.low not in {"may", "march"}):
        k = j + 1
        if k < len(words) and words[k].low in TIME_UNITS:
            return k + 1  # "Tuesday night", "yesterday morning"
        while k < len(words) and words[k].kind == "num" and len(words[k].text) <= 4:
            k += 1
        return k
    if w.kind == "num" and len(w.text) == 4 and w.text.isdigit() and w.text[:2] in {"19", "20"}:
        return j + 1 if j > 0 and words[j - 1].kind == "prep" else j
    return j
