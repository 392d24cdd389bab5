"""Word classes for the headline: closed-class English words, and open words read with lemminflect.

The headline needs the lead's main clause — subject, finite verb, complement — not a full
parse. Closed classes (articles, prepositions, auxiliaries, subordinators) are small lists of
English; for open words lemminflect's tables say which forms a word can be (noun, verb past,
participle...). Context settles the rest in ``digests.clauses``.
"""

from __future__ import annotations

from dataclasses import dataclass

from digests import inflect
from digests.lexicon import MONTHS_DAYS
from digests.tokens import Sentence

DETERMINERS = frozenset(
    "a an the this that these those each every some any no all both either neither another such".split()
)
ARTICLES = frozenset({"a", "an", "the"})
POSSESSIVES = frozenset("his her its their our my your".split())
SUBJECT_PRONOUNS = frozenset("i you he she it we they".split())
OBJECT_PRONOUNS = frozenset("me him us them".split())
PRONOUNS = SUBJECT_PRONOUNS | OBJECT_PRONOUNS | frozenset("there everyone everybody nobody someone somebody".split())
PLURAL_PRONOUNS = frozenset({"i", "you", "we", "they"})
RELATIVES = frozenset("who whom whose which".split())
PREPOSITIONS = frozenset(
    """
in on at from with by for of about over under into onto upon against among amongst between through throughout
without within across behind beyond toward towards than like via per amid amidst despite following including
regarding concerning near off out up down past around along beside besides except unlike above below inside
outside alongside during plus versus
""".split()
)
#: Words that open a subordinate clause (some are prepositions too: "after the talks").
SUBORDINATORS = frozenset(
    "although though because if unless whereas while whilst when whenever where wherever whether since until till "
    "once as after before lest so".split()
)
COORDINATORS = frozenset({"and", "or", "but", "nor"})
MODALS = frozenset("will would shall should can could may might must".split())
#: Modals a headline writes as "to": "will open" -> "to open".
FUTURE_MODALS = frozenset({"will", "shall"})
BE = frozenset("be is are was were been being am 's".split())
HAVE = frozenset("has have had having".split())
DO = frozenset("do does did".split())
NEGATIONS = frozenset({"not", "n't", "never"})
#: Adverbs that hedge or negate a claim: a headline keeps them ("reportedly agrees").
HEDGES = frozenset(
    "reportedly allegedly apparently possibly probably likely unlikely perhaps maybe seemingly supposedly "
    "no longer still only nearly almost barely hardly".split()
)
ADVERBS = frozenset(
    """
also later then previously once repeatedly recently further earlier again quickly simply just already publicly
privately flatly bluntly openly clearly even always sometimes now finally formally officially effectively
indirectly directly jointly separately similarly ultimately initially originally eventually currently
immediately soon sharply slightly strongly firmly narrowly widely largely mostly partly fully nearly almost
still only reportedly allegedly apparently possibly probably perhaps however meanwhile instead yet too
""".split()
)
#: Particles that stay with their verb ("turned out", "signed up", "shut out").
PARTICLES = frozenset("up out off down back away over ahead forward apart aside in on".split())
NUMBER_WORDS = frozenset(
    """
one two three four five six seven eight nine ten eleven twelve thirteen fifteen twenty thirty forty fifty
hundred hundreds thousand thousands million millions billion billions trillion dozen dozens half
mln bln pct percent
""".split()
)
#: Heads whose number comes from their "of" phrase: "60 pct of workers support", "half of the board says".
QUANTITY_HEADS = frozenset(
    "some most all none any half part portion majority minority rest lot lots pct percent per cent "
    "share proportion plenty much many few several one each either neither".split()
)
TIME_WORDS = frozenset({"yesterday", "today", "tomorrow", "tonight", "overnight", "earlier", "recently"}) | MONTHS_DAYS
TIME_UNITS = frozenset(
    "week weeks month months year years weekend morning afternoon evening night quarter day days decade decades".split()
)
RELATIVE_TIME = frozenset("last this next earlier later past coming previous".split())
#: Speech verbs whose subject is only the source of what follows: "X said (that) CLAUSE".
NEUTRAL_SPEECH = frozenset("say tell announce state report add confirm disclose".split())
#: All speech verbs (lemmas) that mark a trailing attribution: ", the union said".
SPEECH_LEMMAS = NEUTRAL_SPEECH | frozenset(
    "argue warn claim insist note explain write tweet predict believe estimate reckon think add forecast "
    "suggest caution comment declare reply respond rule find conclude show".split()
)
#: Words whose "'s" is "is" ("it's", "there's"), not a possessive.
_CONTRACTED = frozenset({"it", "he", "she", "that", "there", "what", "who", "here"})
_BOUNDARY_PUNCT = frozenset({",", ";", ":", "—", "–", "-", "--"})
#: Symbols a headline may show; others ("<", "*", "|") are markup left in copy.
_KEPT_SYMBOLS = frozenset({"%", "$", "£", "€", "&", "/"})


@dataclass(frozen=True, slots=True)
class Word:
    """One token of the lead with its closed class (or "open"); ``cap`` marks a name."""

    text: str
    low: str
    kind: str  # det poss pron rel prep sub cc to md be have do not adv num punct end quote name open
    cap: bool = False

    @property
    def possessive(self) -> bool:
        return self.low.endswith(("'s", "’s", "s'", "s’")) and len(self.low) > 2

    def is_(self, *kinds: str) -> bool:
        return self.kind in kinds


def words_of(sentence: Sentence) -> list[Word]:
    """The sentence's tokens as classed words; bracketed asides are left out."""
    out: list[Word] = []
    depth = 0
    closes = sum(1 for t in sentence.tokens if t.text in {")", "]"})
    for tok in sentence.tokens:
        if tok.text in {"(", "["}:
            depth += 1 if closes > 0 else 0  # an unclosed bracket ("(WestLB said") hides nothing
            closes -= 1
            continue
        if tok.text in {")", "]"}:
            depth = max(0, depth - 1)
            continue
        if depth:
            continue
        if tok.kind == "quote":
            out.append(Word(tok.text, tok.text.lower(), "quote"))
            continue
        stem, _, tail = tok.text.replace("’", "'").partition("'")
        if tail == "s" and stem.lower() in _CONTRACTED:
            # "it's goodbye": a pronoun and "is"
            out.extend([classify(stem, first=not out), Word("is", "is", "be")])
            continue
        text = tok.text
        if text[-1:] in {"'", "’"} and not text[:-1].lower().endswith("s") and len(text) > 1:
            text = text[:-1]  # "wrong'" closing a single-quoted phrase; "Jones'" stays
        word = classify(text, first=not out, name=tok.is_cap)
        if word.kind == "drop":
            continue
        if word.low == "more" and out and out[-1].low == "once":
            word = Word(word.text, word.low, "adv")  # "has once more turned"
        out.append(word)
    return out


def classify(text: str, first: bool = False, name: bool = False) -> Word:
    """The word's class out of context. ``name``: capitalised and not a sentence-initial common word."""
    low = text.lower()
    if text in {".", "!", "?"}:
        return Word(text, low, "end")
    if text in _BOUNDARY_PUNCT:
        return Word(text, low, "punct")
    if not any(c.isalnum() for c in text):
        return Word(text, low, "sym" if text in _KEPT_SYMBOLS else "drop")
    if any(c.isdigit() for c in text) or low in NUMBER_WORDS:
        return Word(text, low, "num")
    if text[:1].isupper() and not first:
        return Word(text, low, "name", cap=True)
    kind = _closed_kind(low)
    if kind:
        return Word(text, low, kind)
    if text[:1].isupper() and (name or not inflect.known(low)) and not inflect.known(low.split("-")[0]):
        return Word(text, low, "name", cap=True)  # "Sony said": a name English does not know as a word
    return Word(text, low, "open", cap=text[:1].isupper() and name)


def _closed_kind(low: str) -> str | None:
    for kind, words in _CLOSED:
        if low in words:
            return kind
    if low.endswith("ly") and len(low) > 4 and (inflect.adverb_only(low) or not inflect.known(low)):
        return "adv"  # "sharply"; not "early", "daily", "likely", which are adjectives too
    return None


_CLOSED: tuple[tuple[str, frozenset[str]], ...] = (
    ("to", frozenset({"to"})),
    ("not", NEGATIONS),
    ("md", MODALS),
    ("be", BE),
    ("have", HAVE),
    ("do", DO),
    ("det", DETERMINERS),
    ("poss", POSSESSIVES),
    ("pron", PRONOUNS),
    ("rel", RELATIVES),
    ("cc", COORDINATORS),
    ("sub", SUBORDINATORS - {"after", "before", "since", "until", "till", "once", "as"}),
    ("prep", PREPOSITIONS | {"after", "before", "since", "until", "till", "as"}),
    ("adv", ADVERBS),
)
