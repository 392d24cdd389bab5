"""The main clause of a lead sentence: its subject, its finite verb group and what follows.

A wire lead often opens with something other than the news: an adverbial ("In a statement
on Tuesday,"), a subordinate clause ("Although sales rose in March, ..."), a participle
("Facing pressure from investors, ..."), and it often ends with its source (", the union
said"). The news is the main clause. We find it the way a reader does: skip leading material
up to the comma after which a subject meets its finite verb, whatever its length; step over
appositions and relative clauses inside the subject; and when the main verb only says who
spoke ("X said it would ..."), take the reported clause, keeping the speaker as actor when the
reported subject is a pronoun standing for them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from digests import inflect
from digests.wordclass import (
    NEUTRAL_SPEECH,
    OBJECT_PRONOUNS,
    PARTICLES,
    RELATIVE_TIME,
    SPEECH_LEMMAS,
    SUBJECT_PRONOUNS,
    TIME_UNITS,
    TIME_WORDS,
    Word,
)

#: Longest subject we accept, in words: past this the "subject" is a misread.
MAX_SUBJECT = 18
_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP"})
_NOT_BEFORE_VERB = frozenset({"det", "poss", "prep", "to", "num", "sub"})
_AUX = frozenset({"md", "be", "have", "do", "not", "adv"})
_HYPHEN_PREFIXES = frozenset({"re", "co", "pre"})
#: Particles that stay with the verb even before a noun phrase ("set up a fund", "sign off the deal").
_STRONG_PARTICLES = frozenset({"up", "out", "off", "down", "back", "away", "ahead", "apart", "aside", "forward"})
_NON_FINITE = frozenset({"be", "been", "being", "having"})
#: Verbs that take an adjective or participle ("remains concerned", "looks set").
_LINKING = frozenset({"remain", "become", "seem", "appear", "stay", "look", "sound", "feel", "prove", "get", "grow"})


@dataclass(frozen=True)
class Clause:
    """A clause read from a lead: subject words, verb-group words and the rest of the clause."""

    subject: tuple[Word, ...]
    verbs: tuple[Word, ...]
    rest: tuple[Word, ...]
    #: From "X said (that) ...": "would" there is a future ("said it would open" -> "to open").
    reported: bool = False
    #: The speaker kept in front ("X says"), when the reported clause cannot stand alone.
    source: tuple[Word, ...] = ()
    #: The subject's number when the text settles it ("Marks and Spencer said it ..."), else None.
    plural: bool | None = None


def main_clause(words: list[Word]) -> Clause | None:
    """The sentence's main clause, or None when no subject meets a finite verb in it."""
    words = [w for w in words if w.kind != "end"]
    words = strip_trailing_attribution(words)
    start = clause_start(words)
    found = find_verb(words, start)
    if found is None:
        # A heading or dateline glued to the sentence ("ATLANTA, March 3 - X said ..."): the first
        # segment after a comma or dash in which a subject meets its verb.
        for c, w in enumerate(words[:-2]):
            opens = words[c + 1].kind not in {"rel", "cc", "sub", "prep", "to", "punct"}
            if w.kind == "punct" and c >= start and opens and (found := find_verb(words, c + 1, allow_lists=False)):
                start = c + 1
                break
    if found is None:
        return None
    verb, asides = found
    subject = tuple(w for i, w in enumerate(words[start:verb], start) if not _in(asides, i))
    end = verb_group_end(words, verb)
    clause = Clause(subject, tuple(words[verb:end]), tuple(words[end:]))
    return _reported(clause)


def _in(spans: list[tuple[int, int]], i: int) -> bool:
    return any(a <= i < b for a, b in spans)


def verb_tags(w: Word) -> frozenset[str]:
    """Verb readings of an open word; hyphenated words are not verbs ("state-owned") unless re-/co-/pre-."""
    if w.kind != "open":
        return frozenset()
    if "-" in w.low:
        prefix, _, stem = w.low.partition("-")
        return inflect.verb_tags(stem) if prefix in _HYPHEN_PREFIXES else frozenset()
    return inflect.verb_tags(w.low)


def is_finite(words: list[Word], i: int, lo: int) -> bool:
    """Can ``words[i]`` open the finite verb group of a clause whose subject starts at ``lo``?"""
    if i <= lo or i >= len(words):
        return False
    w, prev = words[i], words[i - 1]
    if prev.kind == "to":
        return False
    if w.kind in {"md", "do"}:
        return True
    if w.kind in {"be", "have"}:
        return w.low not in _NON_FINITE
    if w.kind != "open":
        return False
    tags = verb_tags(w)
    if not tags & _FINITE_TAGS:
        return False
    floating = prev.low in {"all", "both", "each"} and i - 1 > lo and words[i - 2].kind in {"pron", "name", "open"}
    if prev.kind in _NOT_BEFORE_VERB and not floating:  # "it all began", "they both said"
        return False
    if prev.possessive and (inflect.can_be_noun(w.low) or inflect.can_be_adjective(w.low)):
        return False  # "the company's shares", but "Standard and Poor's said"
    if prev.kind == "open" and inflect.can_be_adjective(prev.low) and not _nounish(prev):
        return False  # "new plans": an adjective before it makes it a noun
    if inflect.can_be_noun(w.low) and _modifiers_only(words, lo, i):
        return False
    nxt = words[i + 1] if i + 1 < len(words) else None
    ambiguous = inflect.can_be_noun(w.low) or ("VBN" in tags and nxt is not None and nxt.kind == "prep")
    if ambiguous and _auxiliary_follows(words, i + 1):
        return False  # "the blasts in 1993 have been ...", "the man arrested in Paris has been ..."
    noun_first = "VBD" not in tags or "VB" in tags  # "prices", or "output"/"cut" (same form as the base)
    participle_next = nxt is not None and nxt.kind == "open" and nxt.low.endswith("ing") and "VBZ" in tags
    opens_phrase = nxt is not None and (nxt.kind == "prep" or participle_next)  # "boats working in the bay"
    before_phrase = inflect.can_be_noun(w.low) and noun_first and opens_phrase
    if before_phrase and _past_verb_follows(words, i + 1):
        return False  # "sight deposits by banks at the central bank rose": the noun before its phrase
    if "VBD" in tags:
        after_by = words[i + 2] if i + 2 < len(words) else None
        agent = nxt is not None and nxt.low == "by" and not (after_by is not None and after_by.kind == "num")
        return not (agent and "VBN" in tags)  # "arrested by police" is a participle; "dropped by nine" is not
    if nxt is not None and _verb_follows(words, i + 1) and inflect.verb_lemma(w.low) not in _LINKING:
        return False  # "oil prices rose": the word before a verb ends the subject
    if nxt is not None and nxt.low == "of":
        return False
    if "VBZ" in tags:
        if inflect.verb_lemma(w.low) in _LINKING and nxt is not None and nxt.kind == "open":
            return True  # "remains concerned", "looks set"
        return not inflect.can_be_noun(w.low) or _object_follows(nxt)
    # A base form (VBP) is finite only after a plural subject: "analysts (still) expect".
    k = i - 1
    while k > lo and words[k].kind == "adv":
        k -= 1
    subject_end = words[k]
    plural_before = subject_end.low in {"i", "you", "we", "they"} or (
        subject_end.kind in {"open", "name"} and inflect.is_plural_noun(subject_end.low)
    )
    return plural_before and (not inflect.can_be_noun(w.low) or _object_follows(nxt))


def _auxiliary_follows(words: list[Word], j: int) -> bool:
    """Does a finite auxiliary or modal come before the clause's next boundary?

    A list of names ("Sony, Philips and Samsung are") does not end the subject.
    """
    for k in range(j, min(len(words), j + 14)):
        w = words[k]
        if w.kind in {"punct", "cc"} and k + 1 < len(words) and words[k + 1].kind == "name":
            continue
        if w.kind == "punct":
            return _auxiliary_after_aside(words, k)
        if w.kind in {"punct", "end", "sub", "rel", "cc", "pron", "quote"} or w.low == "that":
            return False
        if w.kind in {"md", "do"} or (w.kind in {"be", "have"} and w.low not in _NON_FINITE):
            return True
    return False


def _past_verb_follows(words: list[Word], j: int) -> bool:
    """Does a past-tense verb follow after prepositional phrases only ("deposits by banks at X rose")?"""
    for k in range(j, min(len(words), j + 12)):
        w = words[k]
        if w.kind == "cc" and k + 1 < len(words) and words[k + 1].kind in {"open", "name"}:
            continue  # "on local and world markets"
        if w.kind in {"punct", "end", "sub", "rel", "cc", "pron", "quote", "md", "be", "have", "do", "to"}:
            return False
        if w.low in {"after", "as", "because", "since", "while", "that"}:
            return False
        if w.kind == "open" and "VBD" in verb_tags(w) and words[k - 1].kind in {"name", "open", "num"} and k > j:
            return True
    return False


def _auxiliary_after_aside(words: list[Word], k: int) -> bool:
    """', estimated at 1.7 mln tonnes, is worrying': an aside, then the subject's auxiliary."""
    for j in range(k + 1, min(len(words), k + 16)):
        w = words[j]
        if w.kind == "punct":
            j = _skip_adverbs(words, j + 1)
            return j < len(words) and _is_auxiliary(words[j])
        if _is_auxiliary(w):
            nxt = words[k + 1]
            return nxt.kind == "open" and bool(verb_tags(nxt) & {"VBN", "VBG"})
        if w.kind in {"end", "sub", "rel", "pron"}:
            return False
    return False


def _is_auxiliary(w: Word) -> bool:
    return w.kind in {"md", "do"} or (w.kind in {"be", "have"} and w.low not in _NON_FINITE)


def _modifiers_only(words: list[Word], lo: int, i: int) -> bool:
    """'The ongoing public spat': after a determiner, only adjectives so far — the next word is the noun."""
    if words[lo].kind not in {"det", "poss"} or i - lo < 2:
        return False
    return all(w.kind == "open" and inflect.can_be_adjective(w.low) for w in words[lo + 1 : i])


def _nounish(w: Word) -> bool:
    return w.kind == "name" or inflect.can_be_noun(w.low)


def _verb_follows(words: list[Word], j: int) -> bool:
    """Is ``words[j]`` an unmistakable finite verb (auxiliary, modal, past tense)?"""
    w = words[j]
    if w.kind in {"md", "do"} or (w.kind in {"be", "have"} and w.low not in _NON_FINITE):
        return True
    tags = verb_tags(w)
    return "VBD" in tags and not (inflect.can_be_noun(w.low) and j + 1 < len(words) and words[j + 1].kind == "end")


def _object_follows(nxt: Word | None) -> bool:
    """After a verb: an object, a prepositional phrase, an infinitive or the clause's end."""
    if nxt is None:
        return True
    if nxt.kind in {"det", "poss", "num", "to", "adv", "name", "quote", "not", "punct", "end", "sub"}:
        return True
    if nxt.kind == "pron":
        return nxt.low in OBJECT_PRONOUNS or nxt.low in {"it", "you"}
    if nxt.kind == "prep":
        return nxt.low != "of"
    return nxt.kind == "open" and not verb_tags(nxt) & _FINITE_TAGS


def find_verb(
    words: list[Word], lo: int, allow_lists: bool = True, max_subject: int = MAX_SUBJECT
) -> tuple[int, list[tuple[int, int]]] | None:
    """Index of the finite verb whose subject starts at ``lo``, and the asides skipped on the way.

    Appositions (", one of the largest producers,") and relative clauses ("who ..."), with or
    without commas, belong to the subject; a comma-separated list ("Britain, France and
    Germany said") continues it when ``allow_lists``.
    """
    asides: list[tuple[int, int]] = []
    in_relative = False
    relative_verb_seen = False
    i = lo + 1
    n = len(words)
    if lo >= n or words[lo].kind in {"punct", "end", "rel", "cc", "sub"}:
        return None
    while i < n and i - lo - sum(b - a for a, b in asides) <= max_subject:
        w = words[i]
        if w.kind in {"end"}:
            return None
        if w.kind == "punct":
            close = _aside_end(words, i, lo)
            if close is not None:
                asides.append((i, close))
                i, in_relative = _skip_adverbs(words, close), False
                continue
            nxt_punct = next((j for j in range(i + 1, n) if words[j].kind in {"punct", "end"}), n)
            if allow_lists and w.low == "," and _list_item(words, i + 1, nxt_punct):
                i += 1
                continue
            return None
        if w.kind == "rel" or (w.low == "that" and _nounish_word(words[i - 1])):
            in_relative, relative_verb_seen = True, False
            i += 1
            continue
        if is_finite(words, i, lo):
            if not in_relative:
                return i, asides
            prev_kind = words[i - 1].kind
            ends_relative = w.kind in {"md", "be", "have", "do"} or prev_kind in {"name", "open", "num", "quote"}
            if relative_verb_seen and prev_kind not in {"pron", "cc"} and ends_relative:
                return i, asides
            relative_verb_seen = True
            i = verb_group_end(words, i)
            continue
        i += 1
    return None


def _aside_end(words: list[Word], i: int, lo: int) -> int | None:
    """End of an aside opened by the comma at ``i`` when the subject's verb follows it.

    ", one of the largest producers, could cut"; ", a company formed by A, B and C, said"
    (up to three commas on); ", estimated at 1.7 mln tonnes is worrying" (a participle
    phrase whose closing comma the writer left out).
    """
    n = len(words)
    seen = 0
    for j in range(i + 1, n):
        if words[j].kind == "end" or seen > 3:
            break
        if words[j].kind == "punct":
            seen += 1
            if is_finite(words, _skip_adverbs(words, j + 1), lo):
                return j + 1
    first = words[i + 1] if i + 1 < n else None
    if first is not None and first.kind == "open" and verb_tags(first) & {"VBN", "VBG"}:
        for j in range(i + 2, min(n, i + 16)):
            if words[j].kind in {"punct", "end"}:
                break
            if words[j].kind in {"md", "be", "have"} and words[j].low not in _NON_FINITE:
                return j
    return None


def _nounish_word(w: Word) -> bool:
    return w.kind in {"name", "num"} or (w.kind == "open" and _nounish(w))


def _skip_adverbs(words: list[Word], i: int) -> int:
    """Past adverbs and time words between a subject and its verb ("..., today announced")."""
    while i < len(words) and (words[i].kind == "adv" or (words[i].low in TIME_WORDS and words[i].kind != "md")):
        i += 1
    return i


def _list_item(words: list[Word], a: int, b: int) -> bool:
    """A list item after a comma in a subject ("Britain, France and Germany said"): a noun phrase."""
    seg = words[a:b]
    return bool(seg) and seg[0].kind in {"name", "open", "det", "num", "poss", "cc"}


def verb_group_end(words: list[Word], i: int) -> int:
    """End of the verb group starting at ``i``: auxiliaries, adverbs, the main verb and its particle."""
    n = len(words)
    j = i
    aux_last: Word | None = None
    while j < n and words[j].kind in _AUX:
        if words[j].kind in {"md", "be", "have", "do"}:
            aux_last = words[j]
        j += 1
    if aux_last is None:  # a plain verb: "rose", "agreed"
        j = i + 1
    elif j < n and _main_after(aux_last, words[j]):
        j += 1
    else:
        # Copula or auxiliary without a main verb ("could be ready", "has a plan"): trailing adverbs go.
        while j > i + 1 and words[j - 1].kind == "adv":
            j -= 1
        return j
    if j < n and words[j].low in PARTICLES and words[j].kind in {"prep", "adv", "open"}:
        nxt = words[j + 1] if j + 1 < n else None
        if words[j].low in _STRONG_PARTICLES or nxt is None or nxt.kind in {"punct", "end", "prep", "to"}:
            j += 1
    return j


def _main_after(aux: Word, w: Word) -> bool:
    tags = verb_tags(w)
    if not tags:
        return False
    if aux.kind in {"md", "do"}:
        return "VB" in tags
    if aux.kind == "be":
        return bool(tags & {"VBN", "VBG"})
    return "VBN" in tags  # have + participle


def strip_trailing_attribution(words: list[Word]) -> list[Word]:
    """Drop ", the union said (on Tuesday)" / ", said X" / ", according to X" after a full clause."""
    for c, w in enumerate(words):
        if w.kind != "punct" or w.low not in {",", "—", "–"} or c < 3:
            continue
        end = next((j for j in range(c + 1, len(words)) if words[j].kind == "punct"), len(words))
        tail = words[c + 1 : end]
        if _is_attribution(tail) and find_verb(words[:c], clause_start(words[:c]), allow_lists=True):
            return words[:c]
    return words


def trailing_speaker(words: list[Word]) -> list[Word]:
    """The speaker of a closing attribution (", Trump told a rally", ", said the minister"), or []."""
    words = [w for w in words if w.kind != "end"]
    kept = strip_trailing_attribution(words)
    if len(kept) == len(words):
        return []
    tail = words[len(kept) + 1 :]
    end = next((j for j, w in enumerate(tail) if w.kind == "punct"), len(tail))
    tail = tail[:end]
    if tail and tail[0].low == "according":
        return [w for w in tail[2:] if w.kind != "det"]
    verb = next((j for j, w in enumerate(tail) if w.kind == "open" and _speech(w)), None)
    if verb is None:
        return []
    speaker = tail[:verb] if verb > 0 else tail[verb + 1 :]
    while speaker and speaker[0].kind == "det":
        speaker = speaker[1:]
    return speaker[:6]


def _is_attribution(tail: list[Word]) -> bool:
    if not tail or len(tail) > 16:
        return False
    if tail[0].low == "according" and len(tail) > 1 and tail[1].low == "to":
        return True
    if tail[0].kind == "open" and _speech(tail[0]) and verb_tags(tail[0]) & _FINITE_TAGS:
        # ", said the minister", ", argues analyst Bill Thompson": a speaker and nothing more.
        speaker = tail[1:]
        return bool(speaker) and speaker[0].kind in {"det", "name", "open", "poss"} and not _has_clause(speaker)
    found = find_verb(tail, 0, allow_lists=False, max_subject=10)
    if found is None:
        return False
    end = verb_group_end(tail, found[0])
    main = tail[end - 1] if end > found[0] else tail[found[0]]
    after = tail[end:]
    if after and (after[0].kind == "quote" or after[0].low == "that"):
        return False  # ", X said that ...": a clause is reported, this is no closing attribution
    if after and after[0].kind in {"pron", "det", "name"} and (_has_clause(after) or len(after) == 1):
        return False  # ", X said it would ...", but not ", Trump told a rally in Ohio"
    return _speech(main)


def _has_clause(words: list[Word]) -> bool:
    return any(is_finite(words, i, 0) for i in range(1, len(words)))


def _speech(w: Word) -> bool:
    lemma = inflect.verb_lemma(w.low) if w.kind == "open" else None
    return lemma in SPEECH_LEMMAS


def clause_start(words: list[Word]) -> int:
    """Where the main clause begins: after a leading adverbial or subordinate clause, if any."""
    if not words or not _leading(words):
        return 0
    for c, w in enumerate(words):
        if w.kind != "punct":
            continue
        s = c + 1
        opens_clause = s < len(words) and words[s].kind not in {"rel", "cc", "sub", "prep", "to", "punct"}
        if opens_clause and find_verb(words, s, allow_lists=False) is not None:
            return s
    # No comma: "On Tuesday the bank raised rates" -> the noun phrase before the first finite verb.
    for i in range(2, len(words)):
        if is_finite(words, i, 0):
            j = i
            while j > 1 and words[j - 1].kind in {"name", "open", "det", "poss", "num"}:
                j -= 1
                if words[j].kind in {"det", "poss"}:
                    break
            return j if j < i else 0
    return 0


def _leading(words: list[Word]) -> bool:
    """Does the sentence open with an adverbial, a subordinate clause or a participle phrase?"""
    first = words[0]
    if first.kind in {"sub", "prep", "adv", "to"}:
        return True
    if first.low in RELATIVE_TIME and len(words) > 1 and (words[1].low in TIME_UNITS or words[1].low in TIME_WORDS):
        return True  # "Last week, ...", "Last Saturday, ..."
    if len(words) > 1 and words[1].kind == "punct" and first.kind == "open" and inflect.can_be_adverb(first.low):
        return True  # "Well, ...", "Instead, ..."
    if first.low in TIME_WORDS:
        return True
    if first.kind == "open":
        tags = verb_tags(first)
        if not tags & {"VBG", "VBN"} or inflect.can_be_noun(first.low) or "VBD" in tags:
            return False
        # "Detaining suspects without trial breaks the law": a gerund subject, not a leading phrase.
        comma = next((i for i, w in enumerate(words) if w.kind == "punct"), len(words))
        return not any(is_finite(words, i, 0) for i in range(1, comma))
    return False


def _reported(clause: Clause) -> Clause:
    """'X said (that) CLAUSE': the reported clause is the news; 'X said it would' keeps X as the actor."""
    main = clause.verbs[-1]
    lemma = inflect.verb_lemma(main.low) if main.kind == "open" else None
    if lemma not in NEUTRAL_SPEECH or not clause.subject:
        return clause
    rest = list(clause.rest)
    if lemma not in {"say", "tell"} and not (rest and (rest[0].low == "that" or rest[0].low in SUBJECT_PRONOUNS)):
        return clause  # "announced plans for ...": an object, not a reported clause
    k = 0
    if lemma == "tell":
        k = _skip_addressee(rest)
        if k < len(rest) and rest[k].kind == "to":
            return clause  # "X told Y to leave": an instruction, not a report
    k = _skip_circumstance(rest, k)
    if k < len(rest) and rest[k].low == "that":
        k += 1
    if k >= len(rest) or rest[k].kind in {"to", "prep", "punct", "end", "quote"}:
        return clause
    found = find_verb(rest, k, allow_lists=False)
    if found is None:
        return clause
    verb, asides = found
    subject = tuple(w for i, w in enumerate(rest[k:verb], k) if not _in(asides, i))
    end = verb_group_end(rest, verb)
    inner = Clause(subject, tuple(rest[verb:end]), tuple(rest[end:]), reported=True)
    inner = _reported(inner)
    if len(subject) == 1 and _empty_subject(subject[0], inner):
        return replace(inner, source=clause.subject)  # "X said it was time to ..." -> "X says it is time to ..."
    if len(subject) == 1 and subject[0].low in SUBJECT_PRONOUNS:
        # "X said it would open" -> "X to open"; "it" or "they" also tells X's number.
        plural = subject[0].low in {"they", "we"} if subject[0].low in {"it", "they", "we"} else None
        return replace(inner, subject=clause.subject, plural=plural)
    if subject and subject[0].kind == "poss":
        return replace(inner, subject=subject[1:], source=clause.subject)  # "X says operations ..."
    return inner


#: Adjectives after an empty "it" that carries a clause: "it is important to act", "it was clear that".
_EXTRAPOSING = frozenset(
    "important necessary possible impossible clear unclear difficult hard easy vital essential crucial right "
    "wrong unacceptable wise fair true false obvious inevitable urgent worth".split()
)


def _empty_subject(subject: Word, inner: Clause) -> bool:
    """'there are ...', 'it was time to ...', 'it is important that ...': no actor to put the speaker in for."""
    if subject.low == "there":
        return True
    if subject.low != "it" or not _copula_only(inner.verbs) or not inner.rest:
        return False
    first = next((w for w in inner.rest if w.kind not in {"det", "adv"}), inner.rest[0])
    if first.low in _EXTRAPOSING:
        return True
    return first.kind == "open" and inflect.can_be_noun(first.low) and not inflect.can_be_adjective(first.low)


def _copula_only(verbs: tuple[Word, ...]) -> bool:
    """'was', 'will be', 'is not': a copula with no main verb, as after an empty "it" ("it was time to ...")."""
    return bool(verbs) and all(w.kind in {"be", "md", "not", "adv"} for w in verbs) and verbs[-1].kind != "md"


def _skip_addressee(rest: list[Word]) -> int:
    """'told Reuters', 'told reporters on Tuesday', 'told the BBC's Today programme': the addressee."""
    k = 0
    while k < len(rest) and k < 10:
        w = rest[k]
        if w.low == "that":
            break
        joined = w.low in {"and", "of"} and 0 < k < len(rest) - 1 and rest[k - 1].kind == rest[k + 1].kind == "name"
        closed = w.kind in {"det", "name", "num"} or w.low in OBJECT_PRONOUNS or w.possessive or joined
        nominal = w.kind == "open" and (k == 0 or inflect.can_be_noun(w.low) or inflect.can_be_adjective(w.low))
        if not closed and not nominal:
            break
        k += 1
    return k


def _skip_circumstance(rest: list[Word], k: int) -> int:
    """Time words and a short phrase before 'that' ("said on Tuesday that", "said in a statement that")."""
    while k < len(rest) and (rest[k].low in TIME_WORDS or rest[k].kind == "adv"):
        k += 1
    if k < len(rest) and rest[k].kind == "prep":
        for j in range(k + 1, min(len(rest), k + 6)):
            if rest[j].low == "that":
                return j
            if rest[j].kind in {"punct", "end", "md", "be", "have"}:
                break
        if k + 1 < len(rest) and rest[k + 1].low in TIME_WORDS:
            k += 2
    if k < len(rest) and rest[k].kind == "punct":
        close = next((j for j in range(k + 1, min(len(rest), k + 8)) if rest[j].kind == "punct"), None)
        if close is not None:
            return close + 1
    return k
