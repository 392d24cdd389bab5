"""Noun phrases around a speech cue: the subject before a verb, the inverted subject after it,
the main clause's subject behind leading adverbials.

Rules over closed-class words and capitalisation: a phrase is a name (capitalised run), a role
("the Kremlin spokesman") or a determined noun ("the actress"), bounded so work per sentence stays
linear in its length.
"""

from __future__ import annotations

from digests.inflect import verb_tags
from digests.lexicon import (
    AUX_ADVERBS,
    COMMON_WORDS,
    DETERMINERS,
    FUNCTION_WORDS,
    MONTHS_DAYS,
    NOT_NAMES,
    ORG_NOUNS,
    ROLE_NOUNS,
    SPEECH_VERBS,
    TITLES,
)
from digests.tokens import Token

NP_INNER = frozenset({"of", "for", "at", "and"})
NAME_CONNECTORS = frozenset({"de", "van", "von", "der", "den", "bin", "al", "da", "di", "du", "le", "la", "del", "dos"})
ASIDE = frozenset({",", "—", "–"})
NOUN_MARKERS = frozenset({"a", "an", "the", "this", "that", "his", "her", "its", "their", "our", "my", "your"})
BE = frozenset({"is", "was", "were", "are", "been", "be", "being", "am", "'s", "’s"})
QUANTIFIERS = frozenset({"one", "another", "some", "several", "many", "two", "three", "four", "most", "other", "few"})
_PLURAL_PRONOUNS = frozenset({"they", "we"})
_MAX_LOWER_MODIFIERS = 4
_MAX_NP = 12


def is_word(tok: Token) -> bool:
    return tok.kind == "word"


_TIME_NOUNS = frozenset(
    {
        "week",
        "month",
        "year",
        "night",
        "morning",
        "afternoon",
        "evening",
        "weekend",
        "spring",
        "summer",
        "autumn",
        "fall",
        "winter",
    }
)
_TIME_LEADS = frozenset({"on", "last", "this", "next", "early", "late", "that", "in"})


def skip_aux_left(toks: tuple[Token, ...], j: int) -> int:
    """Back over what may stand between a subject and its verb: auxiliaries, adverbs and a
    time phrase ("has also said", "Beck on Wednesday called", "she last week told")."""
    while j >= 0 and is_word(toks[j]):
        tok = toks[j]
        if not tok.is_cap and (tok.lower in AUX_ADVERBS or (tok.lower.endswith("ly") and len(tok.text) > 4)):
            j -= 1
        elif (tok.lower in MONTHS_DAYS or tok.lower in _TIME_NOUNS) and j > 0 and toks[j - 1].lower in _TIME_LEADS:
            j -= 2
        else:
            break
    return j


def np_left(toks: tuple[Token, ...], end: int) -> list[Token]:
    """The noun phrase ending just before ``end`` ("Russia's defense ministry")."""
    k = end - 1
    lower_run = 0
    generic = False
    taken: list[Token] = []
    while k >= 0 and len(taken) < _MAX_NP:
        tok = toks[k]
        if not is_word(tok):
            break
        low = tok.lower
        if (low in DETERMINERS and low not in {"that", "this"}) or (low in QUANTIFIERS and taken):
            taken.append(tok)
            break
        if tok.is_cap and low in MONTHS_DAYS:
            break
        if tok.is_cap and (low not in NOT_NAMES or low.rstrip(".") in TITLES):
            taken.append(tok)
            lower_run = 0
        elif low in NP_INNER and taken and k > 0 and is_word(toks[k - 1]) and low != "and":
            taken.append(tok)
        elif low == "and" and taken and taken[-1].is_cap and k > 0 and toks[k - 1].is_cap:
            taken.append(tok)  # "Smith and Jones said"
        elif low in ROLE_NOUNS or low in ORG_NOUNS or low.rstrip(".") in TITLES or (not taken and role_like(low)):
            taken.append(tok)
        elif not taken and determined_noun(toks, k):
            taken.append(tok)  # "the actress", "his colleague"
            generic = True
        elif (
            low not in FUNCTION_WORDS
            and low not in SPEECH_VERBS
            and low not in AUX_ADVERBS
            and not low.endswith("ly")
            and not low.isdigit()
            and taken
            and lower_run < _MAX_LOWER_MODIFIERS
        ):
            taken.append(tok)
            lower_run += 1
        else:
            break
        k -= 1
    taken.reverse()
    # The phrase must start sensibly and hold a head: a name, a role or an organisation.
    while taken and not (
        taken[0].is_cap
        or taken[0].initial_common
        or taken[0].lower in DETERMINERS
        or taken[0].possessive
        or is_head(taken[0])
        or taken[0].lower in QUANTIFIERS
        or (len(taken) > 1 and is_head(taken[1]) and _plain_modifier(taken[0].lower))  # "finance minister"
    ):
        taken.pop(0)
    while taken and taken[0].lower in NP_INNER:
        taken.pop(0)
    if not generic and not any(t.is_cap or is_head(t) for t in taken) and not (taken and role_like(taken[-1].lower)):
        return []
    return taken


def determined_noun(toks: tuple[Token, ...], k: int) -> bool:
    """A plain noun with a determiner just before it ("the actress"): a description of a speaker."""
    low = toks[k].lower
    if low in FUNCTION_WORDS or low in SPEECH_VERBS or low in AUX_ADVERBS or low.endswith(("ly", "ing", "ed")):
        return False
    for back in range(k - 1, max(-1, k - 4), -1):
        tok = toks[back]
        if not is_word(tok):
            return False
        if tok.lower in {"the", "his", "her", "their", "its", "a", "an", "one", "another"}:
            return True
        if tok.is_cap or tok.lower in FUNCTION_WORDS or tok.lower in SPEECH_VERBS:
            return False
    return False


_ROLE_SUFFIXES = ("ist", "er", "or", "ian", "ant", "ent", "ee", "st", "nd", "rd", "th", "ess", "man", "ive", "ary")


_ORDINAL_SUFFIXES = ("st", "nd", "rd", "th")
_WORD_ROLE_SUFFIXES = tuple(x for x in _ROLE_SUFFIXES if x not in _ORDINAL_SUFFIXES)


#: Verb forms a role noun never has ("sent", "went", "represents").
_PAST_OR_3RD = frozenset({"VBD", "VBN", "VBZ"})


def role_like(low: str) -> bool:
    """A lowercase word that can stand before a name: "psychologist", "activist", "1st"."""
    if low in FUNCTION_WORDS or low in SPEECH_VERBS or low in AUX_ADVERBS or low.endswith(("ed", "ing", "ly")):
        return False
    stem = low[:-1] if low.endswith("s") and not low.endswith("ss") else low
    if stem.endswith(_ORDINAL_SUFFIXES) and not stem[:1].isdigit() and not stem.endswith(_WORD_ROLE_SUFFIXES):
        return low in ROLE_NOUNS or low.rstrip(".") in TITLES  # "1st", "3rd" - not "word", "third"
    if low in ROLE_NOUNS or low.rstrip(".") in TITLES:
        return True
    # "-ent", "-er" and the like make roles ("agent", "runner"), but "sent" and "went" are verbs
    return stem.endswith(_ROLE_SUFFIXES) and not verb_tags(low) & _PAST_OR_3RD


def _plain_modifier(low: str) -> bool:
    """A lowercase word that can qualify a role noun ("finance", "deputy", "foreign"), not a verb."""
    if low in FUNCTION_WORDS or low in SPEECH_VERBS or low in AUX_ADVERBS:
        return False
    return not low.endswith(("ed", "ing", "ly")) and low.isalpha()


def _reaches_head(toks: tuple[Token, ...], k: int) -> bool:
    """Plain modifiers from ``k`` (at most two) and then a role or body noun."""
    for m in range(k, min(len(toks), k + 3)):
        tok = toks[m]
        if not is_word(tok) or tok.is_cap:
            return False
        if is_head(tok) or role_like(tok.lower):
            return True
        if not _plain_modifier(tok.lower):
            return False
    return False


def is_head(tok: Token) -> bool:
    low = tok.lower
    return low in ROLE_NOUNS or low in ORG_NOUNS or low.rstrip(".") in TITLES


def _open_modifier_slot(taken: list[Token]) -> bool:
    """After "a", "one", "the party's" and before the head noun, adjectives may follow
    ("said one senior diplomatic source"); once a head or a name is taken, the phrase is done."""
    if not (taken[0].lower in DETERMINERS or taken[0].lower in QUANTIFIERS or taken[0].possessive):
        return False
    if any(t.is_cap and not t.possessive for t in taken) or any(is_head(t) for t in taken):
        return False
    return len(taken) <= _MAX_LOWER_MODIFIERS


def np_right(toks: tuple[Token, ...], start: int) -> tuple[list[Token], list[Token]]:
    """The noun phrase starting at ``start`` (inverted "said Beck") and an apposition after it."""
    k = start
    taken: list[Token] = []
    while k < len(toks) and len(taken) < _MAX_NP:
        tok = toks[k]
        if not is_word(tok):
            break
        low = tok.lower
        if tok.is_cap and low in MONTHS_DAYS:
            break
        words_after = [t for t in toks[k + 1 : k + 4] if is_word(t)]
        if (
            taken
            and taken[-1].is_cap
            and not tok.is_cap
            and low.rstrip(".") in TITLES
            and low not in ROLE_NOUNS
            and not (words_after and words_after[0].is_cap and words_after[0].lower not in MONTHS_DAYS)
        ):
            break  # "Judge Carlton Reeves late Thursday": a title word after the name opens no other name
        if (
            tok.is_cap
            or low in DETERMINERS
            or is_head(tok)
            or tok.possessive
            or (not taken and low in QUANTIFIERS)  # "said one former official"
            or (low in NP_INNER and taken and low != "and")
            # "said Anna Berg and Tor Lund": two names joined
            or (
                low == "and"
                and taken
                and taken[-1].is_cap
                and len(words_after) >= 2
                and words_after[0].is_cap
                and words_after[1].is_cap
                and is_word(toks[k + 1])
            )
            or (
                low not in FUNCTION_WORDS
                and low not in SPEECH_VERBS
                and not low.endswith("ly")
                and taken
                and _open_modifier_slot(taken)
            )
            # "says psychologist Vaile Wright", "added another New Hampshire Democrat"
            # not "Christie refers to ...": after a name, only another name makes a role word part of it
            or (role_like(low) and (any(t.is_cap for t in words_after) or (bool(taken) and not taken[-1].is_cap)))
            # "said Clinton ally James Carville": a noun between a modifier and a full name
            or (
                taken
                and taken[-1].is_cap
                and _plain_modifier(low)
                and len(words_after) >= 2
                and words_after[0].is_cap
                and words_after[1].is_cap
            )
            # "The Democratic presidential candidate blasted ...": after an article and a capitalised
            # modifier, plain modifiers up to the role or body noun that heads the phrase
            or (taken and taken[0].lower in DETERMINERS and taken[-1].is_cap and _reaches_head(toks, k))
            # "quoting port official Rui Costa", "Former Republican presidential candidate Jeb Bush":
            # a modifier, its role noun, then the name
            or (
                (not taken or taken[-1].is_cap or is_head(taken[-1]))
                and _plain_modifier(low)
                and len(words_after) >= 2
                and role_like(words_after[0].lower)
                and words_after[1].is_cap
            )
        ):
            taken.append(tok)
        else:
            break
        k += 1
    while taken and taken[-1].lower in NP_INNER | DETERMINERS:
        taken.pop()
    if not any(t.is_cap or is_head(t) for t in taken):
        taken = []
    appos: list[Token] = []
    if taken and k < len(toks) and toks[k].text == ",":
        m = k + 1
        while m < len(toks) and is_word(toks[m]) and len(appos) < 12:
            appos.append(toks[m])
            m += 1
    return taken, appos


_LEADING = FUNCTION_WORDS - {"he", "she", "it", "they", "we", "i", "who", "this", "that", "these", "those"}


def clause_subject(toks: tuple[Token, ...], limit: int) -> list[Token]:
    """The subject of the sentence's main clause, skipping leading adverbials and participle
    clauses ("On Sunday,", "Preceded at the lectern by X, the sheriff,")."""
    i = 0
    while i < limit and toks[i].kind != "word":
        i += 1
    if i < limit and (
        _opens_adverbial(toks[i])
        or _opens_participle(toks, i)
        or _time_phrase_first(toks, i, limit)
        or _sentence_adverb(toks, i, limit)
    ):
        commas = [k for k in range(i, min(limit, i + 40)) if toks[k].text == ","]
        first: list[Token] = []
        for comma in reversed(commas):
            np = _subject_at(toks, comma + 1, limit)
            if np and not _opens_adverbial(np[0]):
                # "Preceded by Joe Arpaio, the Arizona sheriff, Trump launched ...": the phrase
                # nearest the verb that follows it is the subject; a phrase followed by another
                # comma is an aside inside the opening phrase.
                after = toks.index(np[-1]) + 1
                if after < len(toks) and is_word(toks[after]) and toks[after].lower not in {"and", "or"}:
                    return np
                first = np  # the earliest such phrase, if no phrase is followed by its verb
        return first
    return _subject_at(toks, i, limit)


_TIME_ENDS = frozenset({"later", "earlier", "ago", "afterwards", "before", "after"})


def _sentence_adverb(toks: tuple[Token, ...], i: int, limit: int) -> bool:
    """'Already, Trump ...', 'Still, the mayor ...': a common word alone before a comma is an
    adverb of the whole sentence, not its subject (a name there is capitalised mid-text too)."""
    if i + 2 < limit and toks[i + 1].lower.endswith("ly") and toks[i + 2].text == ",":
        # "More recently, Democrats ...", "Most importantly, ...": a common word and an adverb
        return toks[i].initial_common or toks[i].lower in COMMON_WORDS
    if not (i + 1 < limit and toks[i + 1].text == ","):
        return False
    # "Instead, he was back to boasting": a pronoun subject after the comma marks the word an adverb
    return toks[i].initial_common or (i + 2 < limit and toks[i + 2].lower in {"he", "she", "it", "they", "we", "i"})


def _time_phrase_first(toks: tuple[Token, ...], i: int, limit: int) -> bool:
    """'Hours later, Trump ...', 'Two days ago, ...': a short time phrase, then a comma."""
    for k in range(i + 1, min(limit, i + 4)):
        if toks[k].text == ",":
            return toks[k - 1].lower in _TIME_ENDS
        if not is_word(toks[k]):
            return False
    return False


def _opens_adverbial(tok: Token) -> bool:
    low = tok.lower
    if low in _LEADING or low in MONTHS_DAYS or low.endswith("ly"):
        return True
    # "Reading from ...,", "Preceded by ...,", "Given his past comments ...,"
    return low == "given" or (tok.initial_common and low.endswith(("ing", "ed")))


def _opens_participle(toks: tuple[Token, ...], i: int) -> bool:
    """'Weighing in on the debate, X agreed': a sentence opening on a participle phrase."""
    low = toks[i].lower
    if not low.endswith(("ing", "ed")) or len(low) < 5 or i + 1 >= len(toks):
        return False
    nxt = toks[i + 1]
    return is_word(nxt) and not nxt.is_cap


def _subject_at(toks: tuple[Token, ...], i: int, limit: int) -> list[Token]:
    if i >= limit or toks[i].kind != "word":
        return []
    if toks[i].lower in {"he", "she", "it", "they", "we"}:
        return [toks[i]]
    if toks[i].lower.endswith(("-year-old", "-years-old")) and i + 1 < limit:
        i += 1  # "14-year-old Aubrey Pelletier hoisted ...": the age is not part of the name
    np, _ = np_right(toks, i)
    return np if np and np[-1].start < toks[limit].start else []


def nearest_subject(toks: tuple[Token, ...], end: int) -> list[Token]:
    """The closest noun phrase before ``end`` that is followed by a verb: a clause's subject."""
    for k in range(end - 1, 0, -1):
        nxt = toks[k]
        if nxt.kind != "word" or nxt.is_cap or nxt.lower in DETERMINERS or is_head(nxt):
            continue
        if nxt.lower in FUNCTION_WORDS and nxt.lower not in {"is", "was", "has", "had", "have", "were", "are"}:
            continue
        prev = toks[k - 1]
        if prev.kind == "word" and prev.lower in {"he", "she", "it", "they"}:
            return [prev]
        np = np_left(toks, k)
        if np and (np[-1].is_cap or is_head(np[-1]) or role_like(np[-1].lower)):
            return np
    return []
