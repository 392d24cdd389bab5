"""Word forms from lemminflect's tables: which forms a word can be, and a verb's present tense.

A headline puts its verb in the present tense ("agreed" -> "agrees"). Suffix rules misspell
("agres", "denys", "plungs"), so every form here is looked up in lemminflect's tables, built
from real English text; a word the tables do not know is never inflected and stays as written.
The tables load on first use (about half a second, tens of MB), and answers are cached.
"""

from __future__ import annotations

import threading
from functools import lru_cache

from lemminflect import getAllInflections, getAllLemmas

_VERB_TAGS = ("VB", "VBD", "VBN", "VBG", "VBZ", "VBP")
#: The finite present of the three auxiliaries, singular and plural (lemminflect's VBP of "be" is "am"/"are").
_AUX_PRESENT = {"be": ("is", "are"), "have": ("has", "have"), "do": ("does", "do")}


_LOAD = threading.Lock()
_loaded = False


def _load() -> None:
    """Load both tables once, even when a warm-up thread and a first digest ask at the same time."""
    global _loaded
    with _LOAD:
        if not _loaded:
            getAllLemmas("be")
            getAllInflections("be")
            _loaded = True


@lru_cache(maxsize=32768)
def _lemmas(word: str) -> dict[str, tuple[str, ...]]:
    if not _loaded:
        _load()
    return getAllLemmas(word)


@lru_cache(maxsize=16384)
def _inflections(lemma: str) -> dict[str, tuple[str, ...]]:
    """The lemma's verb forms by tag; the tables leave out a participle or plural equal to another form."""
    if not _loaded:
        _load()
    table = dict(getAllInflections(lemma, upos="VERB"))
    if "VBN" not in table and "VBD" in table:
        table["VBN"] = table["VBD"]  # "agreed" is both
    if "VBP" not in table and "VB" in table:
        table["VBP"] = table["VB"]
    return table


@lru_cache(maxsize=32768)
def _verb_lemmas(word: str) -> tuple[str, ...]:
    """Verb lemmas of a word; a British doubled "l" the tables lack ("totalled") reads as its stem's."""
    lemmas = _lemmas(word).get("VERB", ())
    if lemmas or not word.endswith(("lled", "lling")) or _lemmas(word):
        return lemmas
    stem = word[: -len("led")] if word.endswith("lled") else word[: -len("ling")]
    return (stem,) if "VB" in getAllInflections(stem, upos="VERB") else ()


@lru_cache(maxsize=32768)
def verb_tags(word: str) -> frozenset[str]:
    """The Penn tags a lower-case word can carry as a verb: "agreed" -> {VBD, VBN}; "table" -> {VB, VBP}."""
    tags: set[str] = set()
    british = not _lemmas(word)
    for lemma in _verb_lemmas(word):
        if british:
            return frozenset({"VBD", "VBN"} if word.endswith("ed") else {"VBG"})
        for tag, forms in _inflections(lemma).items():
            if tag in _VERB_TAGS and word in forms:
                tags.add(tag)
    return frozenset(tags)


def verb_lemma(word: str) -> str | None:
    """The verb's lemma, preferring the reading in which the word is a past form ("found" -> "find")."""
    low = word.lower()
    lemmas = _verb_lemmas(low)
    if not lemmas:
        return None
    for tag in ("VBD", "VBN", "VBZ", "VBG", "VBP", "VB"):
        for lemma in lemmas:
            if low in _inflections(lemma).get(tag, ()):
                return lemma
    return lemmas[0]


def can_be_noun(word: str) -> bool:
    return "NOUN" in _lemmas(word.lower())


def can_be_adjective(word: str) -> bool:
    return "ADJ" in _lemmas(word.lower())


def can_be_adverb(word: str) -> bool:
    return "ADV" in _lemmas(word.lower())


def is_comparative(word: str) -> bool:
    """'cheaper', 'higher': an adjective in the comparative (its lemma differs)."""
    return any(lemma != word for lemma in _lemmas(word).get("ADJ", ()))


def adverb_only(word: str) -> bool:
    """Only an adverb ("sharply"), not also an adjective ("early", "likely")."""
    return set(_lemmas(word.lower())) == {"ADV"}


def known(word: str) -> bool:
    """Does English (as lemminflect's tables know it) have this word form?"""
    return bool(_lemmas(word.lower()))


def is_plural_noun(word: str) -> bool:
    """A plural common noun: "shares", "children", "people"; not "news", "series" or "Reuters"."""
    low = word.lower()
    if low in _PLURAL_ONLY:
        return True
    lemmas = _lemmas(low).get("NOUN", ())
    return bool(lemmas) and all(lemma != low for lemma in lemmas)


#: Nouns whose plural is the word itself and that take a plural verb ("police are").
_PLURAL_ONLY = frozenset({"people", "police", "cattle", "personnel", "clergy"})


def present(word: str, plural: bool) -> str | None:
    """The present tense of a verb form, agreeing in number: ("agreed", False) -> "agrees".

    None when the tables do not know the word as a verb: the caller keeps the word as it was.
    """
    lemma = verb_lemma(word)
    if lemma is None:
        return None
    if lemma in _AUX_PRESENT:
        return _AUX_PRESENT[lemma][plural]
    forms = _inflections(lemma).get("VBP" if plural else "VBZ", ())
    return forms[0] if forms else None


def base_form(word: str) -> str | None:
    """The verb's base form ("did" -> "do"), None when unknown."""
    lemma = verb_lemma(word)
    if lemma is None:
        return None
    forms = _inflections(lemma).get("VB", ())
    return forms[0] if forms else lemma


def warm_up() -> None:
    """Load the tables now (about a second of CPU), e.g. in a thread of a bot that has just started."""
    _load()
