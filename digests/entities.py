"""Names in a dispatch: who is mentioned where, person or organisation, fullest form, role.

Rule-based on capitalisation and closed-class words: wire English marks names reliably, and
this runs in well under a millisecond per story where a tagger would cost tens.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from digests.lexicon import (
    AUX_ADVERBS,
    COMMON_WORDS,
    DETERMINERS,
    FRONTING,
    FUNCTION_WORDS,
    MONTHS_DAYS,
    NOT_NAMES,
    ORG_NOUNS,
    ROLE_NOUNS,
    SPEECH_VERBS,
    TITLES,
)
from digests.phrases import role_like
from digests.tokens import Sentence, Token

_CONNECTORS = frozenset(
    {"de", "van", "von", "der", "den", "bin", "al", "da", "di", "du", "le", "la", "del", "dos", "ter", "mac"}
)
_SUFFIXES = frozenset({"jr.", "sr.", "jr", "sr", "ii", "iii", "iv"})
_DATE_WORDS = frozenset(
    {"in", "on", "since", "until", "by", "from", "last", "next", "this", "early", "late", "mid", "of"}
)
_LOCATIVE = frozenset({"in", "from", "across", "throughout", "into", "near", "outside", "inside", "to"})


@dataclass(frozen=True)
class Mention:
    """A capitalised name outside quotes, with titles split off as its role."""

    name: str
    start: int
    end: int
    role: str | None
    possessive: bool
    sentence: int
    tokens: tuple[str, ...]
    first: int = -1  # index of the mention's first token in its sentence
    last: int = -1  # index of its last token


def _is_title(tok: Token) -> bool:
    return tok.lower.rstrip(".") in TITLES


#: Words that are never a name however they are written ("He's reported ...", "It's").
_NEVER_NAMES = frozenset(
    """he she it they we i you him her them us me his its their our my your this that these those there here what
    who""".split()
)


def _name_token(tok: Token) -> bool:
    if tok.kind != "word" or not tok.text[:1].isupper() or tok.bare.lower() in _NEVER_NAMES:
        return False
    return any(c.isalpha() for c in tok.text)


def _plural_possessive_in_name(tok: Token, nxt: Token) -> bool:
    """'Nigeria Governors' Forum', 'Workers' Party': a plural possessive inside a body's name."""
    return tok.text.endswith(("s'", "s’")) and _name_token(nxt) and nxt.lower in ORG_NOUNS


def find_mentions(sentences: list[Sentence]) -> list[Mention]:
    """Every run of capitalised words outside quotes (a name, an organisation or a place)."""
    mentions: list[Mention] = []
    for sent in sentences:
        toks = sent.tokens
        i = 0
        while i < len(toks):
            if not _name_token(toks[i]):
                i += 1
                continue
            j = i
            while j + 1 < len(toks):
                nxt = toks[j + 1]
                if toks[j].possessive and not _plural_possessive_in_name(toks[j], nxt):
                    break
                if _name_token(nxt) or nxt.lower in _SUFFIXES:
                    j += 1
                elif nxt.lower in _CONNECTORS and j + 2 < len(toks) and _name_token(toks[j + 2]):
                    j += 2
                elif (
                    nxt.lower == "of" and toks[j].lower in ORG_NOUNS and j + 2 < len(toks) and _name_token(toks[j + 2])
                ):
                    j += 2  # "Bank of Japan Governor Satoshi Sumita": the body's name holds "of"
                else:
                    break
            run = list(toks[i : j + 1])
            sentence_initial = i == 0 or (i == 1 and toks[0].kind in {"punct", "quote"})
            if len(run) > 1 and run[0].initial_common and _not_a_name_word(run[0].lower):
                run = run[1:]  # "Even Mike Pence", "Regarding Trump": the sentence's first word
            if j + 1 < len(toks) and _modifies_role(run, toks[j + 1]):
                i = j + 1  # "Former Arizona governor Jan Brewer": a place qualifying a role
                continue
            mention = _mention(run, sent.index, sentence_initial, toks[i - 1] if i > 0 else None)
            if mention is not None:
                first = i + next(k for k, t in enumerate(run) if t.start == mention.start)
                mentions.append(replace(mention, first=first, last=j))
            i = j + 1
    return mentions


def _not_a_name_word(low: str) -> bool:
    """A sentence-initial word that cannot begin a name: adverbs, prepositions, participles."""
    if low in COMMON_WORDS or low in SPEECH_VERBS:
        return True
    return low.endswith(("ly", "ing")) or (low.endswith("ed") and len(low) > 4)


def _modifies_role(run: list[Token], nxt: Token) -> bool:
    """A capitalised run right before a lowercase role noun qualifies that role ("Arizona
    governor", "Kremlin spokesman"): it names a place or body, not the person who speaks."""
    if nxt.kind != "word" or not nxt.text[:1].islower() or run[-1].possessive:
        return False
    return nxt.lower in ROLE_NOUNS or nxt.lower.rstrip(".") in TITLES


def _month_not_a_name(run: list[Token], before: Token | None) -> bool:
    """'In May Smith said' is a date; 'Jan Brewer' or 'April Ryan' is a name."""
    if run[0].lower not in MONTHS_DAYS:
        return False
    if len(run) == 1 or run[0].lower.endswith("day") or run[0].text.endswith("."):
        return True
    return before is not None and before.lower in _DATE_WORDS


def _mention(run: list[Token], sentence: int, sentence_initial: bool, before: Token | None = None) -> Mention | None:
    while run and (run[0].lower in NOT_NAMES or _month_not_a_name(run, before)) and not _is_title(run[0]):
        run = run[1:]
    if not run:
        return None
    # Everything up to the last title word is the role: "Ukrainian President Volodymyr Zelensky".
    cut = 0
    for k, tok in enumerate(run[:-1]):
        if _is_title(tok) or tok.lower in ROLE_NOUNS:
            cut = k + 1
    titles, run = run[:cut], run[cut:]
    if (
        len(titles) > 1
        and titles[-1].lower.rstrip(".") in _HONORIFICS_ONLY
        and not any(_is_title(t) or t.lower in ROLE_NOUNS for t in titles[:-1])
    ):
        titles = titles[-1:]  # "#Franceisstrong Mr. Trump": what stands before the honorific is no role
    if all(t.lower in MONTHS_DAYS for t in run):
        return None
    if sentence_initial and len(run) == 1 and not titles and run[0].lower in NOT_NAMES:
        return None
    last = run[-1]
    names = [t.text for t in run[:-1]] + [last.bare]
    role = " ".join(t.text for t in titles) or None
    return Mention(
        name=" ".join(names),
        start=run[0].start,
        end=last.end,
        role=role,
        possessive=last.possessive,
        sentence=sentence,
        tokens=tuple(n.lower().rstrip(".") for n in names),
    )


_MALE = frozenset({"he", "him", "his", "himself"})
_HONORIFICS_ONLY = frozenset({"mr", "mrs", "ms", "miss", "mx"})
_FEMALE = frozenset({"she", "her", "hers", "herself"})
_MALE_TITLES = frozenset(
    {"mr", "mr.", "sir", "lord", "king", "prince", "spokesman", "chairman", "congressman", "father"}
)
_FEMALE_TITLES = frozenset(
    {
        "mrs",
        "mrs.",
        "ms",
        "ms.",
        "miss",
        "dame",
        "lady",
        "queen",
        "princess",
        "spokeswoman",
        "chairwoman",
        "congresswoman",
        "mother",
        "sister",
    }
)


_MALE_NOUNS = frozenset(
    {"man", "husband", "father", "son", "brother", "boy", "uncle", "nephew", "grandfather", "actor", "businessman"}
)
_FEMALE_NOUNS = frozenset(
    {
        "woman",
        "wife",
        "mother",
        "daughter",
        "sister",
        "girl",
        "aunt",
        "niece",
        "grandmother",
        "actress",
        "businesswoman",
    }
)


_FIRM_NOUNS = frozenset(
    {"company", "firm", "group", "carrier", "airline", "bank", "lender", "maker", "insurer", "retailer", "operator"}
)
_CORPORATE_SUFFIXES = frozenset(
    {"corp", "corporation", "inc", "ltd", "plc", "co", "group", "holdings", "ag", "sa", "nv", "llc", "se", "spa"}
)


class EntityIndex:
    """What the document says about each name: fullest form, kind, gender, role.

    Evidence is counted over the whole document: a name is a person when a title precedes it,
    when its surname is used alone, or when it is the subject of a speech verb; it is a place
    when it follows "in", "from", "to"; gender comes from titles and from the pronouns that
    follow the name in its sentence.
    """

    def __init__(self, sentences: list[Sentence]) -> None:
        self.mentions = find_mentions(sentences)
        self._full: dict[tuple[str, ...], str] = {}
        self._roles: dict[str, str] = {}
        self._score: dict[str, int] = {}
        self._gender: dict[str, list[int]] = {}
        self._build(sentences)

    def _build(self, sentences: list[Sentence]) -> None:
        singles_seen = Counter(m.tokens for m in self.mentions if len(m.tokens) == 1)
        tokens_of = {s.index: s.tokens for s in sentences}
        multi = [
            m
            for m in self.mentions
            if len(m.tokens) >= 2 and not _org_like(m) and not _body_then_person(m, tokens_of, singles_seen)
        ]
        counts = Counter(m.name for m in multi)
        # The most used full form wins ("Donald Trump" over a stray "Washington Post Trump").
        for m in sorted(multi, key=lambda m: (-counts[m.name], -len(m.tokens))):
            for k in range(len(m.tokens)):
                self._full.setdefault(m.tokens[k:], m.name)
        singles = {m.tokens for m in self.mentions if len(m.tokens) == 1}
        for m in self.mentions:
            full = self.full_name(m.name)
            score = self._score.setdefault(full, 0)
            if _org_like(m):
                score -= 5
            if m.role and any(w.lower().rstrip(".") in TITLES for w in m.role.split()):
                score += 3
            if m.role and _good_role(m.role) and full not in self._roles:
                self._roles[full] = m.role
            if len(m.tokens) >= 2 and m.tokens[-1:] in singles:
                score += 2  # surname used alone elsewhere: a person
            if len(m.tokens) >= 2 and _place_form(m.tokens):
                score -= 3  # "New Jersey", "San Diego", "United States", "Kansas City": a place
            elif len(m.tokens) >= 2:
                score += 2  # a first name and a surname: a person unless evidence says otherwise
            self._score[full] = score
            self._count_gender(full, m)
        by_sentence = {s.index: s for s in sentences}
        for m in self.mentions:
            sent = by_sentence[m.sentence]
            full = self.full_name(m.name)
            toks = sent.tokens
            before = toks[m.first - 1].lower if m.first > 0 else ""
            if before in _LOCATIVE:
                self._score[full] = self._score.get(full, 0) - 2
            if before == "the" and not m.role:
                self._score[full] = self._score.get(full, 0) - 3  # "the United States": not a person
            appositive_of = _apposed_role(toks, m)
            if appositive_of is not None:  # "her father, Brad, 39," / "the actress, Jane Doe,"
                self._score[full] = self._score.get(full, 0) + 3
                self._gender_from_role(full, appositive_of)
            if not m.possessive:
                self._gender_from_sentence(full, m, sent)
            if _speech_follows(toks[m.last + 1 : m.last + 4]):
                self._score[full] = self._score.get(full, 0) + 2
            elif (m.first == 0 or (before == "," and toks[0].lower in FRONTING)) and _past_verb_follows(
                toks[m.last + 1 : m.last + 3]
            ):  # "Regarding the speech, Woods shared ...": the subject after a fronted phrase
                self._score[full] = self._score.get(full, 0) + 1  # "Carson defied the question"
        for full, (male, female) in self._gender.items():
            if max(male, female) >= 2 and min(male, female) == 0:
                self._score[full] = self._score.get(full, 0) + 1  # "he"/"she" keeps following it
        capitalised = {t.text for s in sentences for t in s.tokens if t.kind == "word" and t.text[:1].isupper()}
        for full in list(self._score):
            if _group_plural(full, capitalised):
                self._score[full] -= 5  # "Latinos", "Hispanics": a people, not a person

    def _gender_from_role(self, full: str, role: str) -> None:
        counts = self._gender.setdefault(full, [0, 0])
        if role in _MALE_TITLES or role in _MALE_NOUNS:
            counts[0] += 3
        elif role in _FEMALE_TITLES or role in _FEMALE_NOUNS:
            counts[1] += 3

    def _count_gender(self, full: str, m: Mention) -> None:
        counts = self._gender.setdefault(full, [0, 0])
        if m.role:
            words = {w.lower() for w in m.role.split()}
            counts[0] += 3 * len(words & _MALE_TITLES)
            counts[1] += 3 * len(words & _FEMALE_TITLES)

    def _gender_from_sentence(self, full: str, m: Mention, sent: Sentence) -> None:
        """A subject or possessive pronoun after a name in its own sentence, before any other name,
        usually refers back to it ("Woods said she ...", "Woods and her lawyer"). An object pronoun
        does not: in "Sanders began to challenge her" she is somebody else."""
        counts = self._gender.setdefault(full, [0, 0])
        toks = sent.tokens
        for k in range(m.last + 1, min(len(toks), m.last + 40)):
            t = toks[k]
            if t.kind != "word":
                continue
            if t.is_cap and t.lower not in NOT_NAMES and t.lower not in _MALE | _FEMALE:
                return  # another name: the pronoun may be theirs
            low = t.lower
            if low == "him" or (low == "her" and not _possessive_her(toks, k)):
                continue  # an object: somebody other than the subject
            if low in _MALE:
                counts[0] += 2
                return
            if low in _FEMALE:
                counts[1] += 2
                return

    def full_name(self, name: str) -> str:
        """The longest form of a name the document uses: "Peskov" -> "Dmitry Peskov"."""
        key = tuple(w.lower().rstrip(".") for w in name.split())
        return self._full.get(key, name)

    def role_of(self, name: str) -> str | None:
        return self._roles.get(self.full_name(name))

    def gender(self, name: str) -> str | None:
        male, female = self._gender.get(self.full_name(name), [0, 0])
        if male > female:
            return "he"
        if female > male:
            return "she"
        return None

    def is_person(self, name: str) -> bool:
        return self._score.get(self.full_name(name), 0) >= 2

    def organisation_before(self, head: str, offset: int) -> str | None:
        """The organisation a description ("the company", "the ministry") stands for: the latest
        one named before ``offset`` whose name carries the same head noun, or, for a firm, the
        latest company named with a corporate suffix. None when the text names no such body."""
        for m in reversed(self.mentions):
            if m.end > offset or (m.possessive and m.tokens[-1] != head):
                continue
            if head in m.tokens or (head in _FIRM_NOUNS and m.tokens[-1] in _CORPORATE_SUFFIXES):
                return m.name
        return None

    def person_mentions(self) -> list[Mention]:
        return [m for m in self.mentions if self.is_person(m.name)]


def _group_plural(name: str, capitalised: set[str]) -> bool:
    """A one-word name that is the plural of another capitalised word in the text ("Latinos"
    beside "Latino", "Mexicans" beside "Mexican") names a people or a group, not a person."""
    if " " in name or not name.endswith("s") or name.endswith("ss") or len(name) < 4:
        return False
    stem = name[:-1]
    return stem in capitalised or (name.endswith("es") and name[:-2] in capitalised)


#: Words that form place names in English ("New ...", "San ...", "... City", "... County").
_PLACE_FIRST = frozenset(
    {
        "new",
        "san",
        "santa",
        "los",
        "las",
        "saint",
        "st",
        "fort",
        "port",
        "mount",
        "lake",
        "north",
        "south",
        "east",
        "west",
        "upper",
        "lower",
        "great",
        "el",
        "la",
    }
)
_PLACE_LAST = frozenset(
    {
        "city",
        "county",
        "state",
        "states",
        "island",
        "islands",
        "river",
        "valley",
        "beach",
        "park",
        "street",
        "avenue",
        "square",
        "bay",
        "mountains",
        "province",
        "republic",
        "kingdom",
        "region",
        "district",
        "emirates",
        "peninsula",
        "strait",
        "sea",
        "ocean",
        "coast",
        "heights",
        "hills",
        "falls",
        "springs",
    }
)


def _place_form(tokens: tuple[str, ...]) -> bool:
    return tokens[0] in _PLACE_FIRST or tokens[-1] in _PLACE_LAST


def _apposed_role(toks: tuple[Token, ...], m: Mention) -> str | None:
    """The role noun a name stands in apposition to: "her father, Brad," -> "father"."""
    if m.first < 2 or toks[m.first - 1].text != ",":
        return None
    head = toks[m.first - 2]
    if head.kind != "word" or head.is_cap:
        return None
    after = toks[m.last + 1] if m.last + 1 < len(toks) else None
    if after is not None and after.text not in {",", ".", ")", "—", "–"}:
        return None
    low = head.lower
    return low if low in ROLE_NOUNS or low in _MALE_NOUNS or low in _FEMALE_NOUNS else None


def _past_verb_follows(after: tuple[Token, ...]) -> bool:
    """A subject followed by a past-tense verb ("Carson defied", "Cruz openly admitted")."""
    for t in after:
        if t.kind != "word" or t.is_cap:
            return False
        if t.lower.endswith("ed") and len(t.lower) > 4:
            return True
        if t.lower not in AUX_ADVERBS:
            return False
    return False


def _speech_follows(after: tuple[Token, ...]) -> bool:
    for t in after:
        if t.lower in SPEECH_VERBS:
            return True
        if t.kind != "word" or t.lower not in AUX_ADVERBS:
            return False
    return False


def _org_like(m: Mention) -> bool:
    if any(t in ORG_NOUNS for t in m.tokens):
        return True
    return any(w.isupper() and len(w) > 1 for w in m.name.split())


def _good_role(role: str) -> bool:
    """Up to six words; one word only if it names a post ("Senator", "economist"), not a place
    ("D.C.") or a common word ("word")."""
    words = role.split()
    if len(words) == 1:
        low = words[0].lower()
        return low.rstrip(".") in TITLES or role_like(low)
    return 0 < len(words) <= 6


def _possessive_her(toks: tuple[Token, ...], k: int) -> bool:
    """'her campaign' (possessive) rather than 'challenge her.' (object): a word follows that is
    not a function word."""
    nxt = toks[k + 1] if k + 1 < len(toks) else None
    return nxt is not None and nxt.kind == "word" and nxt.lower not in FUNCTION_WORDS and nxt.lower not in DETERMINERS


def _body_then_person(m: Mention, tokens_of: dict[int, tuple[Token, ...]], singles: Counter) -> bool:
    """'the Washington Post Trump said': after "the" a body's name runs into a person the text
    names on his own elsewhere; the run is not that person's full name."""
    toks = tokens_of.get(m.sentence, ())
    return 0 < m.first <= len(toks) and toks[m.first - 1].lower == "the" and singles[m.tokens[-1:]] >= 2
