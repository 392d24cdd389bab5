"""Speech cues: the word that says a quote was spoken ("said", "according to", a colon) and the
noun phrase that is its subject, before or after it, through appositions and relative clauses.
"""

from __future__ import annotations

from dataclasses import dataclass

from digests.lexicon import (
    AUX_ADVERBS,
    DOCUMENT_NOUNS,
    FUNCTION_WORDS,
    MEDIA_NOUNS,
    SPEECH_NOUNS,
    SPEECH_VERBS,
    STRONG_SPEECH,
    SUBJECT_PRONOUNS,
)
from digests.phrases import (
    ASIDE,
    BE,
    DETERMINERS,
    NOUN_MARKERS,
    clause_subject,
    determined_noun,
    is_head,
    is_word,
    nearest_subject,
    np_left,
    np_right,
    skip_aux_left,
)
from digests.speech_nouns import (
    determined_phrase,
    introduces_quote,
    modified_speech_noun,
    owner_of,
    source_description,
)
from digests.tokens import Sentence, Token


@dataclass
class Cue:
    """A speech cue in a sentence: where it is, its subject phrase and an apposition to it."""

    index: int  # token index of the cue word in its sentence
    np: list[Token]
    appositive: list[Token]
    strong: bool


def find_cues(sent: Sentence) -> list[Cue]:
    toks = sent.tokens
    cues: list[Cue] = []
    relayed: Cue | None = None
    covered = -1  # the last token of a source phrase already taken ("according to the report")
    for v, tok in enumerate(toks):
        if v <= covered:
            continue
        if not is_word(tok):
            if tok.text == ":" and v + 1 < len(toks) and toks[v + 1].kind == "quote":
                np = np_left(toks, v) if v > 0 and is_word(toks[v - 1]) else []
                # "Sanders: '...'", not "facts: '...'" nor "X told The Huffington Post: '...'"
                if np and any(t.is_cap or is_head(t) for t in np) and not _addressed(toks, np):
                    cues.append(Cue(v, np, [], False))
            continue
        low = tok.lower
        if low == "per" and v + 1 < len(toks):
            np, appos = np_right(toks, v + 1)
            np = np or source_description(toks, v + 1)  # "per the party's bylaws"
            if np:
                cues.append(Cue(v, np, appos, False))
            continue
        if low == "according" and v + 1 < len(toks) and toks[v + 1].lower == "to":
            np, appos = np_right(toks, v + 2)
            by = next((k for k in range(v + 2, min(len(toks), v + 7)) if toks[k].lower == "by"), None)
            if by is not None and not any(t.is_cap for t in np):
                np, appos = np_right(toks, by + 1)  # "according to calculations by Amy Glasmeier"
            np = np or source_description(toks, v + 2)
            if np:
                cues.append(Cue(v, np, appos, True))
                covered = toks.index(np[-1])
            continue
        if low in _QUOTING and v + 1 < len(toks):
            found = _relayed_speaker(toks, v)
            if found is not None:
                relayed = found
                continue
        if low in _QUOTE_NOUNS and v + 2 < len(toks) and toks[v + 1].lower == "from":
            np, appos = np_right(toks, v + 2)  # "That quote from Commissioner Thomas Krebs appeared ..."
            if np and any(t.is_cap for t in np):
                cues.append(Cue(v, np, appos, False))
                continue
        owner = owner_of(toks, v) if low in SPEECH_NOUNS else -1
        if owner >= 0 and introduces_quote(toks, v + 1):
            # "the ministry's statement that ...", "Trump's claim: ...", "Podliska's most
            # explosive claim is that ...": the owner speaks
            np = np_left(toks, owner + 1)
            if np:
                cues.append(Cue(v, np, [], False))
            continue
        # A capitalised word mid-sentence is a name ("Said Williams"), unless it is a past form after
        # an apposition's comma ("Murray, the head of the group, Tweeted on Friday").
        if low not in SPEECH_VERBS or (tok.is_cap and v > 0 and not (low.endswith("ed") and toks[v - 1].text == ",")):
            continue
        if low in _WEAK_SPEECH and not _next_to_quote(toks, v):
            continue  # "Trump continued to hurt his cause": not speech unless a quote is beside it
        cue = _cue_for_verb(toks, v)
        if cue is not None:
            cues.append(_participle_of(toks, cues, cue))
    if relayed is not None and (relayed.strong or all(_relays(toks, c) for c in cues)):
        return [relayed]  # the outlet that quotes someone is not the one who speaks
    if not cues:
        cues.extend(_after_quote_cues(toks))
    return cues


#: Verbs that report speech only right beside a quote ('"...," he continued'), and otherwise
#: mean something else ("prices continued to fall", "talks began").
_WEAK_SPEECH = frozenset(
    form
    for base in ("continue", "begin", "start", "finish", "end", "think", "feel", "believe", "reckon", "reason")
    for form in (base, base + "s", base + "d", base + "ed", base + "ing", base[:-1] + "ing")
) | {"began", "begun", "thought", "felt", "ended", "started"}


def _next_to_quote(toks: tuple[Token, ...], v: int) -> bool:
    """A quote (or a colon before one) within three tokens of the verb, either side."""
    for k in range(max(0, v - 4), min(len(toks), v + 5)):
        if toks[k].kind == "quote" or (toks[k].text == ":" and k > v):
            return True
    return False


def _relays(toks: tuple[Token, ...], cue: Cue) -> bool:
    """'AFP reported, quoting ...', 'state radio said, quoting ...': a medium passing words on."""
    return toks[cue.index].lower in {"reported", "reports", "reporting"} or any(
        t.lower in MEDIA_NOUNS or (t.text.isupper() and len(t.text) > 1) for t in cue.np
    )


_QUOTING = frozenset({"quoted", "quoting", "quotes", "quote", "reported", "cited"})


def _addressed(toks: tuple[Token, ...], np: list[Token]) -> bool:
    """'X told The Huffington Post: "..."', 'X said to the newspaper NRC: "..."': the phrase before
    the colon is the addressee of a speech verb, not the speaker."""
    k = toks.index(np[0]) - 1
    while k >= 0 and is_word(toks[k]) and not toks[k].is_cap and k > toks.index(np[0]) - 4:
        low = toks[k].lower
        if low in SPEECH_VERBS or low in _ADDRESS_PREPOSITIONS:
            return True
        if low in FUNCTION_WORDS:
            return False
        k -= 1  # "the weekly", "the Dutch newspaper": modifiers of the addressee
    return False


_ADDRESS_PREPOSITIONS = frozenset({"to", "with", "on", "in", "from", "for"})


def _relayed_speaker(toks: tuple[Token, ...], v: int) -> Cue | None:
    """'Interfax quoted Peskov as saying', 'AFP reported, quoting a port official': the person
    quoted speaks, not the medium that relays the words."""
    nxt = toks[v + 1]
    if nxt.lower in {"him", "her", "them"}:
        pronoun = {"him": "he", "her": "she", "them": "they"}[nxt.lower]
        as_saying = v + 3 < len(toks) and toks[v + 2].lower == "as" and toks[v + 3].lower in SPEECH_VERBS
        return Cue(v, [Token(pronoun, nxt.start, nxt.end, "word")], [], as_saying)
    np, appos = np_right(toks, v + 1)
    if not np or np[-1].possessive or np[-1].lower in SPEECH_NOUNS:
        return None  # "quoting a reporter's tweet": a text, not a speaker
    end = v + 1 + len(np)
    as_saying = end + 1 < len(toks) and toks[end].lower == "as" and toks[end + 1].lower in SPEECH_VERBS
    if toks[v].lower in {"quoted", "quotes", "quote", "reported", "cited"} and not as_saying:
        return None  # "the figure quoted by ...": not a relayed speaker
    return Cue(v, np, appos, as_saying)  # strong: "X quoted Y as saying" always names the speaker


def _after_quote_cues(toks: tuple[Token, ...]) -> list[Cue]:
    """'"...," Oliver barked.': any past-tense verb right after a quote and its subject is a cue."""
    found = []
    for q, tok in enumerate(toks):
        if tok.kind != "quote" or tok.text.rstrip()[-1:] not in ",?!":
            continue
        p = q + 1
        if p < len(toks) and toks[p].text == ",":
            p += 1
        if p >= len(toks) or not is_word(toks[p]):
            continue
        np = [toks[p]] if toks[p].lower in {"he", "she", "they", "it"} else np_right(toks, p)[0]
        if not np and toks[p].lower in DETERMINERS:
            # '"...," the suit reads.': a document, after its determiner and modifiers
            head = next((k for k in range(p + 1, min(len(toks), p + 4)) if toks[k].lower in DOCUMENT_NOUNS), None)
            np = list(toks[p : head + 1]) if head is not None else []
        v = p + len(np)
        if not np or v >= len(toks) or not is_word(toks[v]):
            continue
        verb = toks[v].lower
        # '"...," Oliver barked.', '"...," the suit reads.'
        present = verb.endswith("s") and not verb.endswith("ss") and len(verb) > 3
        if (verb.endswith("ed") or present) and verb not in FUNCTION_WORDS and not toks[v].is_cap:
            found.append(Cue(v, np, [], False))
    return found


def tag_cue(sent: Sentence) -> Cue | None:
    """'"Would it be negotiable?" Hannity pressed.': after a quote that ends on a question or an
    exclamation, the short sentence "Name verb-ed" that follows is its speech tag, whatever the verb."""
    words = [t for t in sent.tokens if t.kind != "punct"]
    if not 2 <= len(words) <= 6 or any(t.kind == "quote" for t in words):
        return None
    toks = sent.tokens
    np = [toks[0]] if toks[0].lower in {"he", "she", "they"} else np_right(toks, 0)[0]
    v = len(np)
    if not np or v >= len(toks) or not is_word(toks[v]):
        return None
    verb = toks[v].lower
    if toks[v].is_cap or verb in FUNCTION_WORDS or not (verb.endswith("ed") or verb in SPEECH_VERBS):
        return None
    return Cue(v, np, [], False)


def _cue_for_verb(toks: tuple[Token, ...], v: int) -> Cue | None:
    strong = toks[v].lower in STRONG_SPEECH
    j = skip_aux_left(toks, v - 1)
    if j < 0:
        if toks[v].lower.endswith("ing"):
            # "Acknowledging that X '...,' though, Allen did suggest": the fronted participle's
            # subject is the main clause's, after the phrase.
            main = _main_subject_after(toks, v)
            return Cue(v, main, [], strong) if main else None
        np, appos = np_right(toks, v + 1)
        return Cue(v, np, appos, strong) if np else None
    left = toks[j]
    verb = toks[v].lower
    if left.kind == "quote" or (left.text == "," and j > 0 and toks[j - 1].kind == "quote"):
        if verb.endswith("ing"):
            # '"a distortion," describing the team as ...': the participle's subject speaks,
            # the phrase after it is its object
            np = clause_subject(toks, j)
            return Cue(v, np, [], strong) if np else None
        np, appos = np_right(toks, v + 1)  # '"...," said Beck'
        named = _known_as(toks, v + 1 + len(np)) if np and not any(t.is_cap for t in np) else []
        if named:
            return Cue(v, named, np, strong)  # 'said the base chief known as Bob'
        if np and appos and not np[-1].is_cap and len(appos) >= 2 and all(t.is_cap for t in appos[:2]):
            return Cue(v, appos, np, strong)  # 'said Clinton's communications director, Jennifer Palmieri'
        if np:
            return Cue(v, np, appos, strong)
        if v + 1 < len(toks) and toks[v + 1].lower in SUBJECT_PRONOUNS:
            return Cue(v, [toks[v + 1]], [], strong)  # '"We go on," said he.'
        return None
    if is_word(left) and (
        left.possessive or left.lower in NOUN_MARKERS or determined_noun(toks, v) or modified_speech_noun(toks, v)
    ):
        return None  # "Trump's charge", "a post", "his past comments": a noun, not a verb
    if verb.endswith("ing") and left.lower not in BE and (left.text in ASIDE or is_word(left)):
        # A participle belongs to its clause's subject: "X wrote to Y, asking ...", "X responded writing"
        near = np_left(toks, j + 1) if is_word(left) else []
        if near and (k := toks.index(near[0])) > 0 and toks[k - 1].lower == "with":
            return Cue(v, near, [], strong)  # "with Sen. John McCain calling it ..."
        np = (
            _subordinate_subject(toks, j)
            or clause_subject(toks, j + 1 if is_word(left) else j)
            or nearest_subject(toks, j)
        )
        if np or left.text in ASIDE:
            return Cue(v, np, [], strong) if np else None
    if left.lower == "to":
        # "only for Trump to tweet that ...", "advisers like Gene Sperling to counter that ...": the
        # infinitive's subject. Not "she expects Obama to announce ...": there the subject speaks.
        if j >= 2 and toks[j - 1].lower == "on" and toks[j - 2].lower in {"go", "goes", "went", "going", "gone"}:
            np = clause_subject(toks, j - 2)  # "The email goes on to say: ..."
            if not np and toks[0].lower in DETERMINERS and 2 <= j - 2 <= 4 and all(is_word(t) for t in toks[: j - 2]):
                np = list(toks[: j - 2])
            return Cue(v, np, [], strong) if np else None
        np = np_left(toks, j)
        k = toks.index(np[0]) - 1 if np else -1
        if np and (k < 0 or not is_word(toks[k]) or toks[k].lower in {"for", "like", "as"}):
            return Cue(v, np, [], strong)
        return None
    if left.lower in {"but", "and", "yet", "then"}:
        np = clause_subject(toks, j)  # "The Kremlin declined to comment but insisted ..."
        return Cue(v, np, [], strong) if np else None
    if left.text in {",", "—", "–", ")"}:
        found = _appositive_subject(toks, j, v, strong)
        if found is None and left.text == "," and strong:
            # "... a more liberal member of the commission, said Bart Naylor, an advocate": no
            # aside before the comma; the subject is inverted after the verb.
            np, appos = np_right(toks, v + 1)
            if np and any(t.is_cap or is_head(t) for t in np):
                return Cue(v, np, appos, strong)
        return found
    if is_word(left) and left.lower in {"he", "she", "it", "they", "we", "i", "who"}:
        if left.lower == "who" and j >= 2 and toks[j - 1].text == ",":
            np = np_left(toks, j - 1)
            if np:
                return Cue(v, np, [], strong)
        return Cue(v, [left], [], strong)
    if left.lower in DOCUMENT_NOUNS:
        document = determined_phrase(toks, j)
        if document:
            return Cue(v, document, [], strong)  # "the report said", "the congressional report said"
    np = np_left(toks, j + 1)
    if np and ((np[0].lower not in DETERMINERS and (not np[-1].is_cap or _role_phrase(np))) or _tail_of_role(toks, np)):
        named = _unclosed_apposition(toks, np)
        if named:  # "Anthony Anton, president and CEO of the association stated"
            return Cue(v, named, np, strong)
    if np:
        return Cue(v, np, [], strong)
    return None


def _subordinate_subject(toks: tuple[Token, ...], j: int) -> list[Token]:
    """'X asks as a clerk walks past her, saying ...': after a clause opened by "as", "while" or
    "when", a participle is that clause's subject's."""
    for k in range(j - 1, max(-1, j - 12), -1):
        tok = toks[k]
        if tok.kind == "quote" or tok.text in {";", ":"}:
            return []
        if tok.lower in {"as", "while", "when"} and k + 2 < j:
            np, _ = np_right(toks, k + 1)
            if not np and toks[k + 1].lower in DETERMINERS and is_word(toks[k + 2]):
                np = [toks[k + 1], toks[k + 2]]  # "as a clerk walks past"
            return np if np and toks.index(np[-1]) < j - 1 else []
    return []


_SUBORDINATORS = frozenset({"as", "when", "while", "because", "after", "before", "who", "which", "that", "since", "if"})


def _participle_of(toks: tuple[Token, ...], earlier: list[Cue], cue: Cue) -> Cue:
    """'X's "excesses" are sickening, Hollande said in Paris, noting the nominee "makes you
    retch."': a participle after a speech verb's clause is that speaker's, not the sentence's
    first subject's, unless another clause comes between ("... as a guard walks in, saying")."""
    verb = toks[cue.index]
    if not verb.lower.endswith("ing") or not earlier or cue.index == 0 or toks[cue.index - 1].text != ",":
        return cue
    before = earlier[-1]
    if before.index >= cue.index or not before.np or toks[before.index].lower.endswith("ing"):
        return cue
    between = toks[before.index + 1 : cue.index - 1]
    if any(t.kind == "quote" or t.lower in _SUBORDINATORS or t.text in {";", ":"} for t in between):
        return cue
    return Cue(cue.index, before.np, before.appositive, cue.strong)


def _role_phrase(np: list[Token]) -> bool:
    """'CEO of Washington Restaurant Association': a role with its organisation, no person."""
    return is_head(np[0]) and any(t.lower in {"of", "for", "at"} for t in np)


def _tail_of_role(toks: tuple[Token, ...], np: list[Token]) -> bool:
    """'... chief executive of the Harbour Guild stated': the phrase is the end of a role."""
    k = toks.index(np[0]) - 1
    return k > 0 and toks[k].lower in {"of", "for", "at"}


def _known_as(toks: tuple[Token, ...], k: int) -> list[Token]:
    """'the base chief known as Bob', 'a protester identified as Jane Roe': the name given."""
    if k + 1 < len(toks) and toks[k].lower in {"known", "identified", "named"}:
        k += 1 + (toks[k + 1].lower == "as")
    elif k < len(toks) and toks[k].lower == "named":
        k += 1
    else:
        return []
    name = []
    while k < len(toks) and toks[k].is_cap and len(name) < 4:
        name.append(toks[k])
        k += 1
    return name


def _unclosed_apposition(toks: tuple[Token, ...], np: list[Token]) -> list[Token]:
    """The name before a role phrase whose closing comma the writer left out."""
    k = toks.index(np[0]) - 1
    stop = max(-1, k - 6)
    while k > stop and is_word(toks[k]) and not toks[k].is_cap:
        k -= 1  # "president and", "the"
    if k <= 0 or toks[k].text != ",":
        return []
    name = np_left(toks, k)
    if len(name) < 2 or not all(t.is_cap for t in name):
        return []
    first = toks.index(name[0])
    if first > 0 and is_word(toks[first - 1]) and toks[first - 1].lower in FUNCTION_WORDS:
        return []  # "provided to The Post, the officer said": not an apposition
    return name


def _appositive_subject(toks: tuple[Token, ...], j: int, v: int, strong: bool) -> Cue | None:
    """'Peskov, the Kremlin spokesman, said': skip back over the aside to its noun phrase."""
    closer = toks[j].text
    opener = {"(": "(", ")": "(", ",": ",", "—": "—", "–": "–"}.get(closer, ",")
    c = _opener(toks, j, opener)
    if c < 0:
        return None
    # "Anne Rich, assistant secretary for population, refugees, and migration, said": the commas of a
    # list inside the aside are not its ends.
    end = j
    while opener == "," and _list_item(toks[c + 1 : end]):
        earlier = _opener(toks, c, opener)
        if earlier < 0:
            break
        c, end = earlier, c
    aside = [t for t in toks[c + 1 : j] if is_word(t) or t.text == ","]  # list commas stay in a role
    if aside and aside[0].lower == "who":
        aside = []
    np = np_left(toks, c)
    first = toks.index(np[0]) if np else -1
    if np and first > 0 and toks[first - 1].kind == "word" and toks[first - 1].lower in _PREPOSITIONS:
        # "Garin, a pollster working with Priorities USA, a super PAC, said": go one aside back.
        back = next((k for k in range(first - 1, -1, -1) if toks[k].text == ","), None)
        if back is None:
            return None
        deeper = _appositive_subject(toks, back, v, strong)
        name = np_left(toks, back) if deeper is None else []
        if name and all(t.is_cap for t in name):
            # '"...," Scott Parrot, the attorney general of Ohio, one of the states suing, said': the
            # name before the first aside speaks, the first aside is its role.
            return Cue(v, name, [t for t in toks[back + 1 : c] if is_word(t)], strong)
        return deeper
    if not np:
        return None
    if first > 1 and toks[first - 1].text == "," and np[0].lower in DETERMINERS:
        name = np_left(toks, first - 1)
        if len(name) >= 2 and all(t.is_cap for t in name):
            # "Scott Parrot, the attorney general of Ohio, one of the states suing, said": two asides
            # after the name; the first is its role.
            return Cue(v, name, np, strong)
    aside_is_name = len(aside) >= 2 and all(t.is_cap or t.lower == "and" for t in aside) and aside[-1].is_cap
    np_is_role = not np[-1].is_cap and is_head(np[-1])
    if aside_is_name and (np_is_role or not any(t.is_cap for t in np if t.lower not in DETERMINERS)):
        return Cue(v, aside, np, strong)  # "her personal lawyer, David E. Kendall, wrote"
    return Cue(v, np, aside, strong)


#: Nouns for quoted words that name their speaker with "from" ("that quote from X").
_QUOTE_NOUNS = frozenset({"quote", "quotes", "remark", "remarks", "comment", "comments", "words", "line"})


def _main_subject_after(toks: tuple[Token, ...], v: int) -> list[Token]:
    """The subject of the main clause after a fronted phrase: the name after one of its commas
    that a lower-case verb follows ("..., though, Allen did suggest")."""
    for k in range(v + 1, min(len(toks) - 1, v + 40)):
        if toks[k].text != ",":
            continue
        np, _ = np_right(toks, k + 1)
        after = toks.index(np[-1]) + 1 if np else -1
        verb_follows = 0 < after < len(toks) and is_word(toks[after]) and not toks[after].is_cap
        if (
            np
            and np[0].is_cap
            and verb_follows
            and (toks[after].lower not in FUNCTION_WORDS or toks[after].lower in AUX_ADVERBS)
        ):
            return np
    return []


#: Prepositions whose object is not the subject of a following verb ("working with Priorities USA").
_PREPOSITIONS = frozenset("with of for at by from in on to about against under over into than like".split())


def _opener(toks: tuple[Token, ...], j: int, opener: str) -> int:
    """The aside's opening mark before position ``j`` (within 40 tokens, not past a quote), or -1."""
    c = j - 1
    while c >= 0 and j - c < 40 and toks[c].text != opener and toks[c].kind != "quote":
        c -= 1
    return c if c >= 0 and toks[c].text == opener else -1


def _list_item(segment: tuple[Token, ...]) -> bool:
    """One item of a list between commas: a few lower-case words ("refugees", "and migration")."""
    words = [t for t in segment if is_word(t)]
    if not words or len(words) > 3 or any(not is_word(t) for t in segment):
        return False
    if words[0].lower in {"and", "or"}:
        return True
    return all(t.text.isalpha() and t.text.islower() for t in words) and words[0].lower not in AUX_ADVERBS


def nearest_cue(cues: list[Cue], qpos: int) -> Cue:
    """The cue nearest the quote; a strong verb counts as nearer. A relative clause's verb
    ("a candidate who promised ...") governs only a quote right after it, so from further off
    it counts as three times as far."""

    def distance(cue: Cue) -> tuple[float, int]:
        d = abs(cue.index - qpos)
        relative = len(cue.np) == 1 and cue.np[0].lower in {"who", "which"}
        if relative and not 0 < qpos - cue.index <= 3:
            d *= 3
        return (d * (0.5 if cue.strong else 1.0), d)

    return min(cues, key=distance)
