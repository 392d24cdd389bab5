"""Roles: the words that say what a speaker is ("finance minister", "head of the union").

A role is the whole pre-name phrase or apposition the text gives a person, never a form of
address alone ("Mr"), an age ("54"), an adverb that stands between commas ("however") or a party
tag ("R-Ohio", "a Democrat").
"""

from __future__ import annotations

import re
from itertools import pairwise

from digests.inflect import can_be_adjective, can_be_noun, verb_tags
from digests.lexicon import AUX_ADVERBS, DETERMINERS, FUNCTION_WORDS, NOT_NAMES, ROLE_NOUNS, TITLES
from digests.phrases import role_like
from digests.tokens import Token

#: Words that join a role's parts: "head of the union", "a Democrat from California".
_ROLE_LINKS = frozenset({"of", "for", "at", "from", "the", "in"})
#: Forms of address that say nothing of a person's role.
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "sir", "madam", "messrs", "mme", "mlle"})


def role_text(tokens: list[Token]) -> str:
    """The role a phrase gives its person: the whole pre-name phrase or apposition ("finance
    minister", "head of the union", "a Democrat from California"), never an honorific alone,
    an age, or an adverb that happens to stand between commas ("Smith, however, said")."""
    words = [t.text for t in tokens]
    while words and (words[0].lower() in DETERMINERS or _is_age(words[0]) or words[0].lower() in _ROLE_LINKS):
        if words[0].lower() == "the" and len(words) > 1 and words[1].lower().endswith(("'s", "’s")):
            break  # "the city's councillor for climate": "city's councillor" would not read
        words = words[1:]  # "Hannu Halttunen, of Helsinki bank KOP": the role is the bank
    out: list[str] = []
    for i, w in enumerate(words):
        if w == ",":
            if not out:
                continue
            out[-1] += ","  # "population, refugees, and migration"
            continue
        low = w.lower()
        nxt = words[i + 1] if i + 1 < len(words) else ""
        joins = low == "and" and out and (nxt[:1].isupper() or nxt.lower() in ROLE_NOUNS or out[-1].endswith(","))
        # "a pollster working with Priorities USA", "a lawyer affiliated with the union"
        joins = joins or (low == "with" and bool(out) and out[-1].lower().endswith(("ing", "ated")))
        # "head of Right to Rise": a small word inside a capitalised name
        joins = joins or (
            low in {"to", "of", "for", "on"} and bool(out) and out[-1][:1].isupper() and nxt[:1].isupper()
        )
        # "Michael Bloomberg, who's thinking about running": a relative clause, not a role
        contracted = re.split(r"['’]", low, maxsplit=1)[0]
        if (low in FUNCTION_WORDS or low in NOT_NAMES or contracted in FUNCTION_WORDS) and (
            low not in _ROLE_LINKS and not joins
        ):
            break
        out.append(w)
    while out and out[-1].rstrip(",").lower() in _ROLE_LINKS | {"and"}:
        out.pop()
    if out:
        out[-1] = out[-1].rstrip(",")
    if not out or len(out) > 10 or all(w.lower().rstrip(".") in HONORIFICS for w in out):
        return ""
    # "That record prompted harbour historian Ida Holm to state": the clause is no part of the role
    out = out[_after_clause(out) :]
    if not out:
        return ""
    if len(out) == 1 and (out[0].lower().endswith("ly") or out[0].lower() in AUX_ADVERBS):
        return ""
    if len(out) == 1 and (_PARTY_TAG.match(out[0]) or out[0].lower() in _PARTIES):
        return ""  # "Marco Rubio, R-Fla.", "Ann Lee, a Democrat": a party tag, not a role
    if len(out) == 1 and out[0].islower() and not role_like(out[0]):
        return ""  # "a new Pew Research report": an adjective before a name is no role
    if len(out) == 1 and out[0].endswith(".") and out[0].rstrip(".").lower() not in TITLES | HONORIFICS:
        return ""  # "a D.C.-based strategist" cut at the hyphen: a place, not a role
    return " ".join(out)


_PARTY_TAG = re.compile(r"^[RDI](?:-[A-Z][A-Za-z.]*)?\.?$")
_PARTIES = frozenset(
    {"democrat", "republican", "tory", "conservative", "labour", "liberal", "green", "independent", "socialist"}
)
_COURTESY = frozenset({"hon", "honourable", "honorable", "rt", "right", "the", "dr", "prof", "excellency"})


def _after_clause(words: list[str]) -> int:
    """Where the role starts after a clause that opens the words: a noun, then a past verb that
    is neither adjective nor noun ("record prompted"). 0 when there is none: "newly appointed"
    and "democratically elected" are roles, with an adverb, not a noun, before the verb."""
    for i, (before, word) in enumerate(pairwise(words)):
        low, prev = word.lower(), before.lower()
        if not (low.isalpha() and prev.isalpha() and prev.islower()) or prev.endswith("ly"):
            continue
        if prev in FUNCTION_WORDS or not can_be_noun(prev) or can_be_adjective(low) or can_be_noun(low):
            continue
        if "VBD" in verb_tags(low):
            return i + 2
    return 0


def courtesy_only(role: str) -> bool:
    words = [w.lower().rstrip(".") for w in role.split()]
    return bool(words) and all(w in _COURTESY or w in HONORIFICS for w in words)


def _is_age(word: str) -> bool:
    """'Johnson, 54, said': an age, not a role."""
    return word.isdigit() or word.lower().endswith(("-year-old", "-years-old"))
