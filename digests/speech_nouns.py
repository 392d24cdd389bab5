"""Speech words read as nouns, and sources named by a noun phrase.

Many speech verbs are nouns as well ("his past comments", "a belly laugh"): after a determiner
or an owner, with only modifiers between, they name a thing said, not an act of saying, and the
owner of such a claim is its speaker ("Podliska's most explosive claim is that ..."). A source
may also be a plain noun phrase with its determiner: "according to the poll", "the report said".
"""

from __future__ import annotations

from digests.lexicon import AUX_ADVERBS, DETERMINERS, FUNCTION_WORDS, SPEECH_NOUNS, SPEECH_VERBS
from digests.phrases import NOUN_MARKERS, is_word
from digests.tokens import Token


def source_description(toks: tuple[Token, ...], k: int) -> list[Token]:
    """'according to the poll', 'according to a court filing': a determiner and the plain noun
    phrase after it name the source when no person or body is named."""
    if k >= len(toks) or toks[k].lower not in DETERMINERS - {"this", "that"}:
        return []
    phrase = [toks[k]]
    for tok in toks[k + 1 : k + 6]:
        if not is_word(tok) or tok.lower in FUNCTION_WORDS:
            break
        phrase.append(tok)
    return phrase if len(phrase) >= 2 else []


def owner_of(toks: tuple[Token, ...], v: int) -> int:
    """The possessive before a speech noun, over up to two modifiers ("Podliska's most explosive
    claim"), or -1."""
    for back in range(v - 1, max(-1, v - 4), -1):
        tok = toks[back]
        if not is_word(tok):
            return -1
        if tok.possessive:
            return back
        if tok.is_cap or tok.lower in FUNCTION_WORDS or tok.lower in SPEECH_VERBS:
            return -1
    return -1


def introduces_quote(toks: tuple[Token, ...], k: int) -> bool:
    """After a speech noun: "that", a colon or the quote itself (", \"...\"") must follow, or
    "is that" ("her claim is that ...")."""
    if k < len(toks) and toks[k].text == ",":
        k += 1
    if k + 1 < len(toks) and toks[k].lower in {"is", "was"} and toks[k + 1].lower == "that":
        return True
    if k < len(toks) and (toks[k].kind == "quote" or toks[k].lower == "that" or toks[k].text == ":"):
        return True
    # "the jury's verdict on the harbour fire: "Guilty."": a short qualifier, then the colon
    for m in range(k, min(len(toks), k + 7)):
        if toks[m].text == ":":
            return m + 1 < len(toks) and toks[m + 1].kind == "quote"
        if not is_word(toks[m]):
            return False
    return False


def determined_phrase(toks: tuple[Token, ...], head: int) -> list[Token]:
    """'the congressional report': the head noun back to its determiner over plain modifiers."""
    for back in range(head - 1, max(-1, head - 4), -1):
        tok = toks[back]
        if not is_word(tok) or (tok.is_cap and not tok.initial_common):
            return []
        if tok.lower in DETERMINERS:
            return list(toks[back : head + 1])
        if tok.lower in FUNCTION_WORDS or tok.lower in SPEECH_VERBS:
            return []
    return []


def modified_speech_noun(toks: tuple[Token, ...], v: int) -> bool:
    """'his past comments', 'a plutonian belly laugh', 'her most explosive claim': a word that is a
    noun as well as a speech verb, after a determiner or an owner and only modifiers between."""
    low = toks[v].lower
    if low not in SPEECH_NOUNS and low.rstrip("s") not in _NOUN_TOO:
        return False
    for back in range(v - 1, max(-1, v - 4), -1):
        tok = toks[back]
        if not is_word(tok):
            return False
        if tok.lower in NOUN_MARKERS or tok.possessive:
            return True
        if (tok.is_cap and "-" not in tok.text) or tok.lower in FUNCTION_WORDS or tok.lower in SPEECH_VERBS:
            return False  # a hyphenated compound is a modifier: "a Trump-style retort"
        if tok.lower in AUX_ADVERBS:
            return False
    return False


#: Speech verbs that are nouns as well, beyond the speech nouns: "a belly laugh", "a quick joke".
_NOUN_TOO = frozenset({"laugh", "joke", "quip", "shout", "cry", "boast", "complaint", "note", "report", "retort"})
