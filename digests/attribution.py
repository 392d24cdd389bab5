"""Attribution: who said each quote, read from the frame of words around it.

For every sentence that holds a quote we look for a *cue* — a speech verb ("said", "told",
"added", "wrote"), "according to", or a colon — and the noun phrase that is its subject
("Kremlin spokesman Dmitry Peskov said"), including inverted order ('..., said Beck'),
appositions ("Peskov, the Kremlin spokesman, said") and relative clauses ("Beck, who said").
Pronouns and "it added" take the last speaker of the right kind (person or organisation).
Quotes with no cue in their sentence take the speaker of a neighbouring sentence or, for a
paragraph that is only a quote, of the paragraph before (or after).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from digests.entities import EntityIndex
from digests.lexicon import (
    AUX_ADVERBS,
    DETERMINERS,
    FUNCTION_WORDS,
    MONTHS_DAYS,
    NOT_NAMES,
    ORG_NOUNS,
    ROLE_NOUNS,
    SPEECH_VERBS,
    STRONG_SPEECH,
    TITLES,
)
from digests.tokens import Sentence, Token

_NP_INNER = frozenset({"of", "for", "at", "and"})
_NAME_CONNECTORS = frozenset(
    {"de", "van", "von", "der", "den", "bin", "al", "da", "di", "du", "le", "la", "del", "dos"}
)
_ASIDE = frozenset({",", "—", "–"})
_NOUN_MARKERS = frozenset({"a", "an", "the", "this", "that", "his", "her", "its", "their", "our", "my", "your"})
_BE = frozenset({"is", "was", "were", "are", "been", "be", "being", "am", "'s", "’s"})
_QUANTIFIERS = frozenset({"one", "another", "some", "several", "many", "two", "three", "four", "most", "other", "few"})
_PLURAL_PRONOUNS = frozenset({"they", "we"})
_MAX_LOWER_MODIFIERS = 4
_MAX_NP = 12


@dataclass(frozen=True)
class Attribution:
    speaker: str | None
    role: str | None
    kind: str | None  # "person", "org", "group" or None
    how: str = ""  # which rule attributed it, for debugging and tests


@dataclass
class _Cue:
    index: int  # token index of the cue word in its sentence
    np: list[Token]
    appositive: list[Token]
    strong: bool


@dataclass
class _History:
    """The running state pronouns resolve against."""

    last: Attribution | None = None
    last_person: Attribution | None = None
    last_org: Attribution | None = None
    last_group: Attribution | None = None
    by_paragraph: dict[int, Attribution] = field(default_factory=dict)

    def remember(self, attr: Attribution, paragraph: int) -> None:
        if attr.speaker is None:
            return
        self.last = attr
        self.by_paragraph[paragraph] = attr
        if attr.kind == "person":
            self.last_person = attr
        elif attr.kind == "org":
            self.last_org = attr
        elif attr.kind == "group":
            self.last_group = attr


def _is_word(tok: Token) -> bool:
    return tok.kind == "word"


def _skip_aux_left(toks: tuple[Token, ...], j: int) -> int:
    while (
        j >= 0
        and _is_word(toks[j])
        and not toks[j].is_cap
        and (toks[j].lower in AUX_ADVERBS or (toks[j].lower.endswith("ly") and len(toks[j].text) > 4))
    ):
        j -= 1
    return j


def _np_left(toks: tuple[Token, ...], end: int) -> list[Token]:
    """The noun phrase ending just before ``end`` ("Russia's defense ministry")."""
    k = end - 1
    lower_run = 0
    generic = False
    taken: list[Token] = []
    while k >= 0 and len(taken) < _MAX_NP:
        tok = toks[k]
        if not _is_word(tok):
            break
        low = tok.lower
        if (low in DETERMINERS and low not in {"that", "this"}) or (low in _QUANTIFIERS and taken):
            taken.append(tok)
            break
        if tok.is_cap and low in MONTHS_DAYS:
            break
        if tok.is_cap and (low not in NOT_NAMES or low.rstrip(".") in TITLES):
            taken.append(tok)
            lower_run = 0
        elif low in _NP_INNER and taken and k > 0 and _is_word(toks[k - 1]) and low != "and":
            taken.append(tok)
        elif low == "and" and taken and taken[-1].is_cap and k > 0 and toks[k - 1].is_cap:
            taken.append(tok)  # "Smith and Jones said"
        elif low in ROLE_NOUNS or low in ORG_NOUNS or low.rstrip(".") in TITLES or (not taken and _role_like(low)):
            taken.append(tok)
        elif not taken and _determined_noun(toks, k):
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
        or _head(taken[0])
        or taken[0].lower in _QUANTIFIERS
    ):
        taken.pop(0)
    while taken and taken[0].lower in _NP_INNER:
        taken.pop(0)
    if not generic and not any(t.is_cap or _head(t) for t in taken) and not (taken and _role_like(taken[-1].lower)):
        return []
    return taken


def _determined_noun(toks: tuple[Token, ...], k: int) -> bool:
    """A plain noun with a determiner just before it ("the actress"): a description of a speaker."""
    low = toks[k].lower
    if low in FUNCTION_WORDS or low in SPEECH_VERBS or low in AUX_ADVERBS or low.endswith(("ly", "ing", "ed")):
        return False
    for back in range(k - 1, max(-1, k - 4), -1):
        tok = toks[back]
        if not _is_word(tok):
            return False
        if tok.lower in {"the", "his", "her", "their", "its", "a", "an", "one", "another"}:
            return True
        if tok.is_cap or tok.lower in FUNCTION_WORDS or tok.lower in SPEECH_VERBS:
            return False
    return False


_ROLE_SUFFIXES = ("ist", "er", "or", "ian", "ant", "ent", "ee", "st", "nd", "rd", "th", "ess", "man", "ive", "ary")


def _role_like(low: str) -> bool:
    """A lowercase word that can stand before a name: "psychologist", "activist", "1st"."""
    if low in FUNCTION_WORDS or low in SPEECH_VERBS or low in AUX_ADVERBS or low.endswith(("ed", "ing", "ly")):
        return False
    stem = low[:-1] if low.endswith("s") and not low.endswith("ss") else low
    return low in ROLE_NOUNS or low.rstrip(".") in TITLES or stem.endswith(_ROLE_SUFFIXES)


def _head(tok: Token) -> bool:
    low = tok.lower
    return low in ROLE_NOUNS or low in ORG_NOUNS or low.rstrip(".") in TITLES


def _np_right(toks: tuple[Token, ...], start: int) -> tuple[list[Token], list[Token]]:
    """The noun phrase starting at ``start`` (inverted "said Beck") and an apposition after it."""
    k = start
    taken: list[Token] = []
    while k < len(toks) and len(taken) < _MAX_NP:
        tok = toks[k]
        if not _is_word(tok):
            break
        low = tok.lower
        if tok.is_cap and low in MONTHS_DAYS:
            break
        words_after = [t for t in toks[k + 1 : k + 4] if _is_word(t)]
        if (
            tok.is_cap
            or low in DETERMINERS
            or _head(tok)
            or tok.possessive
            or (not taken and low in _QUANTIFIERS)  # "said one former official"
            or (low in _NP_INNER and taken and low != "and")
            or (
                low not in FUNCTION_WORDS
                and low not in SPEECH_VERBS
                and not low.endswith("ly")
                and taken
                and (taken[-1].lower in DETERMINERS or taken[-1].possessive)
            )
            # "says psychologist Vaile Wright", "added another New Hampshire Democrat"
            or (_role_like(low) and (any(t.is_cap for t in words_after) or bool(taken)))
        ):
            taken.append(tok)
        else:
            break
        k += 1
    while taken and taken[-1].lower in _NP_INNER | DETERMINERS:
        taken.pop()
    if not any(t.is_cap or _head(t) for t in taken):
        taken = []
    appos: list[Token] = []
    if taken and k < len(toks) and toks[k].text == ",":
        m = k + 1
        while m < len(toks) and _is_word(toks[m]) and len(appos) < 12:
            appos.append(toks[m])
            m += 1
    return taken, appos


def _find_cues(sent: Sentence) -> list[_Cue]:
    toks = sent.tokens
    cues: list[_Cue] = []
    for v, tok in enumerate(toks):
        if not _is_word(tok):
            if tok.text == ":" and v + 1 < len(toks) and toks[v + 1].kind == "quote":
                np = _np_left(toks, v) if v > 0 and _is_word(toks[v - 1]) else []
                if np and any(t.is_cap or _head(t) for t in np):  # "Sanders: '...'", not "facts: '...'"
                    cues.append(_Cue(v, np, [], False))
            continue
        low = tok.lower
        if low == "per" and v + 1 < len(toks):
            np, appos = _np_right(toks, v + 1)
            if np:
                cues.append(_Cue(v, np, appos, False))
            continue
        if low == "according" and v + 1 < len(toks) and toks[v + 1].lower == "to":
            np, appos = _np_right(toks, v + 2)
            by = next((k for k in range(v + 2, min(len(toks), v + 7)) if toks[k].lower == "by"), None)
            if by is not None and not any(t.is_cap for t in np):
                np, appos = _np_right(toks, by + 1)  # "according to calculations by Amy Glasmeier"
            if np:
                cues.append(_Cue(v, np, appos, True))
            continue
        if low not in SPEECH_VERBS or (tok.is_cap and v > 0):
            continue
        cue = _cue_for_verb(toks, v)
        if cue is not None:
            cues.append(cue)
    if not cues:
        cues.extend(_after_quote_cues(toks))
    return cues


def _after_quote_cues(toks: tuple[Token, ...]) -> list[_Cue]:
    """'"...," Oliver barked.': any past-tense verb right after a quote and its subject is a cue."""
    found = []
    for q, tok in enumerate(toks):
        if tok.kind != "quote" or tok.text.rstrip()[-1:] not in ",?!":
            continue
        p = q + 1
        if p < len(toks) and toks[p].text == ",":
            p += 1
        if p >= len(toks) or not _is_word(toks[p]):
            continue
        np = [toks[p]] if toks[p].lower in {"he", "she", "they", "it"} else _np_right(toks, p)[0]
        v = p + len(np)
        if not np or v >= len(toks) or not _is_word(toks[v]):
            continue
        verb = toks[v].lower
        if verb.endswith("ed") and verb not in FUNCTION_WORDS and not toks[v].is_cap:
            found.append(_Cue(v, np, [], False))
    return found


def _cue_for_verb(toks: tuple[Token, ...], v: int) -> _Cue | None:
    strong = toks[v].lower in STRONG_SPEECH
    j = _skip_aux_left(toks, v - 1)
    if j < 0:
        np, appos = _np_right(toks, v + 1)
        return _Cue(v, np, appos, strong) if np else None
    left = toks[j]
    verb = toks[v].lower
    if left.kind == "quote" or (left.text == "," and j > 0 and toks[j - 1].kind == "quote"):
        np, appos = _np_right(toks, v + 1)  # '"...," said Beck'
        if np and appos and not np[-1].is_cap and len(appos) >= 2 and all(t.is_cap for t in appos[:2]):
            return _Cue(v, appos, np, strong)  # 'said Clinton's communications director, Jennifer Palmieri'
        if np:
            return _Cue(v, np, appos, strong)
        return None
    if _is_word(left) and (left.possessive or left.lower in _NOUN_MARKERS or _determined_noun(toks, v)):
        return None  # "Trump's charge", "a post", "a controversial comment": a noun, not a verb
    if verb.endswith("ing") and left.lower not in _BE and (left.text in _ASIDE or _is_word(left)):
        # A participle belongs to its clause's subject: "X wrote to Y, asking ...", "X responded writing"
        near = _np_left(toks, j + 1) if _is_word(left) else []
        if near and (k := toks.index(near[0])) > 0 and toks[k - 1].lower == "with":
            return _Cue(v, near, [], strong)  # "with Sen. John McCain calling it ..."
        np = _clause_subject(toks, j + 1 if _is_word(left) else j) or _nearest_subject(toks, j)
        if np or left.text in _ASIDE:
            return _Cue(v, np, [], strong) if np else None
    if left.lower in {"but", "and", "yet", "then"}:
        np = _clause_subject(toks, j)  # "The Kremlin declined to comment but insisted ..."
        return _Cue(v, np, [], strong) if np else None
    if left.text in {",", "—", "–", ")"}:
        return _appositive_subject(toks, j, v, strong)
    if _is_word(left) and left.lower in {"he", "she", "it", "they", "we", "i", "who"}:
        if left.lower == "who" and j >= 2 and toks[j - 1].text == ",":
            np = _np_left(toks, j - 1)
            if np:
                return _Cue(v, np, [], strong)
        return _Cue(v, [left], [], strong)
    np = _np_left(toks, j + 1)
    if np:
        return _Cue(v, np, [], strong)
    return None


def _appositive_subject(toks: tuple[Token, ...], j: int, v: int, strong: bool) -> _Cue | None:
    """'Peskov, the Kremlin spokesman, said': skip back over the aside to its noun phrase."""
    closer = toks[j].text
    opener = {"(": "(", ")": "(", ",": ",", "—": "—", "–": "–"}.get(closer, ",")
    c = j - 1
    while c >= 0 and j - c < 40 and toks[c].text != opener and toks[c].kind != "quote":
        c -= 1
    if c < 0 or toks[c].text != opener:
        return None
    aside = [t for t in toks[c + 1 : j] if _is_word(t)]
    if aside and aside[0].lower == "who":
        aside = []
    np = _np_left(toks, c)
    first = toks.index(np[0]) if np else -1
    if np and first > 0 and toks[first - 1].kind == "word" and toks[first - 1].lower in FUNCTION_WORDS:
        # "Garin, a pollster working with Priorities USA, a super PAC, said": go one aside back.
        back = next((k for k in range(first - 1, -1, -1) if toks[k].text == ","), None)
        return _appositive_subject(toks, back, v, strong) if back else None
    if not np:
        return None
    aside_is_name = len(aside) >= 2 and all(t.is_cap for t in aside)
    np_is_role = not np[-1].is_cap and _head(np[-1])
    if aside_is_name and (np_is_role or not any(t.is_cap for t in np if t.lower not in DETERMINERS)):
        return _Cue(v, aside, np, strong)  # "her personal lawyer, David E. Kendall, wrote"
    return _Cue(v, np, aside, strong)


_LEADING = FUNCTION_WORDS - {"he", "she", "it", "they", "we", "i", "who", "this", "that", "these", "those"}


def _clause_subject(toks: tuple[Token, ...], limit: int) -> list[Token]:
    """The subject of the sentence's main clause, skipping leading adverbials and participle
    clauses ("On Sunday,", "Preceded at the lectern by X, the sheriff,")."""
    i = 0
    while i < limit and toks[i].kind != "word":
        i += 1
    if i < limit and (_opens_adverbial(toks[i]) or _opens_participle(toks, i)):
        commas = [k for k in range(i, min(limit, i + 40)) if toks[k].text == ","]
        for comma in commas:
            np = _subject_at(toks, comma + 1, limit)
            if np and not _opens_adverbial(np[0]):
                return np
        return []
    return _subject_at(toks, i, limit)


def _opens_adverbial(tok: Token) -> bool:
    low = tok.lower
    if low in _LEADING or low in MONTHS_DAYS or low.endswith("ly"):
        return True
    return tok.initial_common and low.endswith(("ing", "ed"))  # "Reading from ...,", "Preceded by ...,"


def _opens_participle(toks: tuple[Token, ...], i: int) -> bool:
    """'Weighing in on the debate, X agreed': a sentence opening on a participle phrase."""
    low = toks[i].lower
    if not low.endswith(("ing", "ed")) or len(low) < 5 or i + 1 >= len(toks):
        return False
    nxt = toks[i + 1]
    return _is_word(nxt) and not nxt.is_cap


def _subject_at(toks: tuple[Token, ...], i: int, limit: int) -> list[Token]:
    if i >= limit or toks[i].kind != "word":
        return []
    if toks[i].lower in {"he", "she", "it", "they", "we"}:
        return [toks[i]]
    np, _ = _np_right(toks, i)
    return np if np and np[-1].start < toks[limit].start else []


def _nearest_subject(toks: tuple[Token, ...], end: int) -> list[Token]:
    """The closest noun phrase before ``end`` that is followed by a verb: a clause's subject."""
    for k in range(end - 1, 0, -1):
        nxt = toks[k]
        if nxt.kind != "word" or nxt.is_cap or nxt.lower in DETERMINERS or _head(nxt):
            continue
        if nxt.lower in FUNCTION_WORDS and nxt.lower not in {"is", "was", "has", "had", "have", "were", "are"}:
            continue
        prev = toks[k - 1]
        if prev.kind == "word" and prev.lower in {"he", "she", "it", "they"}:
            return [prev]
        np = _np_left(toks, k)
        if np and (np[-1].is_cap or _head(np[-1]) or _role_like(np[-1].lower)):
            return np
    return []


class Attributor:
    """Attributes every quote of one document; keeps the pronoun history as it reads."""

    def __init__(self, sentences: list[Sentence], entities: EntityIndex) -> None:
        self.sentences = sentences
        self.entities = entities
        self.history = _History()
        self._roles_seen: dict[str, str] = {}
        self._resolved: dict[int, list[tuple[int, str, Attribution]]] = {}
        self._persons_by_sentence: dict[int, list] = {}
        for m in entities.person_mentions():
            self._persons_by_sentence.setdefault(m.sentence, []).append(m)

    def run(self, n_quotes: int) -> list[Attribution]:
        result: list[Attribution | None] = [None] * n_quotes
        cues_by_sentence = [_find_cues(s) for s in self.sentences]
        for s_index, sent in enumerate(self.sentences):
            quote_positions = [i for i, t in enumerate(sent.tokens) if t.kind == "quote"]
            cues = cues_by_sentence[s_index]
            self._resolve_subject_pronoun(sent)
            for qpos in quote_positions:
                qtok = sent.tokens[qpos]
                speaker = _transcript_speaker(qtok.text)
                if speaker:
                    result[qtok.quote] = Attribution(speaker, None, "person", "transcript")
            quote_positions = [q for q in quote_positions if result[sent.tokens[q].quote] is None]
            if quote_positions and cues:
                for qpos in quote_positions:
                    cue = _nearest_cue(cues, qpos)
                    attr = self._resolve(cue, sent)
                    result[sent.tokens[qpos].quote] = attr
                    self.history.remember(attr, sent.paragraph)
            elif quote_positions:
                attr = self._from_subject(sent, quote_positions[0]) or self._from_neighbours(
                    s_index, cues_by_sentence, result
                )
                for qpos in quote_positions:
                    result[sent.tokens[qpos].quote] = attr
                self.history.remember(attr, sent.paragraph)
            elif cues:
                # A cue with no quote still moves the pronoun history ("He also said ...").
                for cue in cues:
                    attr = self._resolve(cue, sent)
                    if attr.speaker and attr.kind:
                        self._note_subject(attr)
        return [a if a is not None else Attribution(None, None, None, "none") for a in result]

    def _resolve_subject_pronoun(self, sent: Sentence) -> None:
        """'He' opening a sentence continues the chain even when the sentence quotes nobody."""
        if len(sent.tokens) < 2:
            return
        subject = _clause_subject(sent.tokens, len(sent.tokens) - 1)
        if len(subject) == 1 and subject[0].lower in {"he", "she"}:
            self._pronoun(subject[0], sent)

    def _note_subject(self, attr: Attribution) -> None:
        if attr.kind == "person":
            self.history.last_person = attr
        elif attr.kind == "org":
            self.history.last_org = attr

    def _from_subject(self, sent: Sentence, first_quote: int) -> Attribution | None:
        """No speech verb, but a clause with a subject frames the quote ("X called it '...'")."""
        words_before = [t for t in sent.tokens[:first_quote] if t.kind == "word"]
        if len(words_before) < 2:
            return None
        np = _clause_subject(sent.tokens, first_quote)
        if not np:
            return None
        attr = self._resolve(_Cue(first_quote, np, [], False), sent)
        if attr.speaker is None:
            return None
        return Attribution(attr.speaker, attr.role, attr.kind, "subject")

    # -- neighbours ---------------------------------------------------------------------------
    def _from_neighbours(
        self,
        s_index: int,
        cues_by_sentence: list[list[_Cue]],
        result: list[Attribution | None],
    ) -> Attribution:
        sent = self.sentences[s_index]
        para = sent.paragraph
        # Same paragraph: the previous sentence's speaker ('"A," he said. "B."'), else the next.
        for k in range(s_index - 1, -1, -1):
            prev = self.sentences[k]
            if prev.paragraph != para:
                break
            attr = self._sentence_speaker(prev, cues_by_sentence[k], result)
            if attr is not None:
                return Attribution(attr.speaker, attr.role, attr.kind, "previous-sentence")
        for k in range(s_index + 1, min(len(self.sentences), s_index + 3)):
            nxt = self.sentences[k]
            if nxt.paragraph != para:
                break
            if cues_by_sentence[k]:
                attr = self._resolve(cues_by_sentence[k][0], nxt)
                return Attribution(attr.speaker, attr.role, attr.kind, "next-sentence")
        # Paragraph boundary: continuation of the previous paragraph's speaker, or the next
        # paragraph's opening cue ("... " / Smith said on Monday).
        prev_para = self.history.by_paragraph.get(para - 1)
        first_in_para = s_index == 0 or self.sentences[s_index - 1].paragraph != para
        if prev_para is not None and first_in_para:
            return Attribution(prev_para.speaker, prev_para.role, prev_para.kind, "previous-paragraph")
        for k in range(s_index + 1, min(len(self.sentences), s_index + 3)):
            nxt = self.sentences[k]
            if nxt.paragraph > para + 1:
                break
            if cues_by_sentence[k] and not nxt.quote_indices:
                attr = self._resolve(cues_by_sentence[k][0], nxt)
                if attr.speaker:
                    return Attribution(attr.speaker, attr.role, attr.kind, "next-paragraph")
        if prev_para is not None:
            return Attribution(prev_para.speaker, prev_para.role, prev_para.kind, "previous-paragraph")
        return self._introduced_before(s_index) or Attribution(None, None, None, "none")

    def _introduced_before(self, s_index: int) -> Attribution | None:
        """A quote paragraph after a paragraph that introduces its speaker without quoting
        ("Mike Murphy, who runs the super PAC, was blunt."): the subject of the sentence before."""
        para = self.sentences[s_index].paragraph
        for k in range(s_index - 1, -1, -1):
            prev = self.sentences[k]
            if prev.paragraph < para - 1:
                return None
            if prev.paragraph == para or prev.quote_indices:
                continue
            subject = _clause_subject(prev.tokens, len(prev.tokens) - 1)
            attr = self._resolve(_Cue(0, subject, [], False), prev) if subject else None
            if attr is not None and attr.speaker and attr.kind == "person":
                return Attribution(attr.speaker, attr.role, attr.kind, "introduced")
            named = self._persons_by_sentence.get(prev.index, [])
            if named:  # "... said 17-year-old Jared Potts, who came with his father." / quote
                return _as(self._name_attr(named[-1].name, None), "introduced")
            return None
        return None

    def _sentence_speaker(
        self, sent: Sentence, cues: list[_Cue], result: list[Attribution | None]
    ) -> Attribution | None:
        for qi in sent.quote_indices[::-1]:
            if result[qi] is not None and result[qi].speaker:
                return result[qi]
        if cues:
            return self._resolve(cues[-1], sent)
        return None

    # -- resolution ---------------------------------------------------------------------------
    def _resolve(self, cue: _Cue, sent: Sentence) -> Attribution:
        np = cue.np
        if len(np) == 1 and np[0].lower in {"he", "she", "it", "they", "we", "i", "who"}:
            return self._pronoun(np[0], sent)
        return self._noun_phrase(np, cue.appositive)

    def _pronoun(self, tok: Token, sent: Sentence) -> Attribution:
        low = tok.lower
        h = self.history
        if low in {"he", "she"}:
            cand = self._antecedent(low, tok.start, sent.index)
            if cand is not None:
                entries = self._resolved.setdefault(sent.index, [])
                if all(o != tok.start for o, _, _ in entries):
                    entries.append((tok.start, low, cand))
                return cand
            if h.last_person is not None:
                return _as(h.last_person, "pronoun-last")
            return Attribution(None, None, "person", "pronoun-unresolved")
        if low == "it":
            cand = h.last_org
            return _as(cand, "it") if cand else Attribution(None, None, "org", "it-unresolved")
        if low in _PLURAL_PRONOUNS:
            cand = h.last_group or h.last_org
            return _as(cand, "they") if cand else Attribution(None, None, "group", "they-unresolved")
        return Attribution(None, None, None, "pronoun-unresolved")

    def _antecedent(self, pronoun: str, offset: int, s_index: int) -> Attribution | None:
        """Hobbs-style: this sentence, then earlier ones; subjects (leftmost) first; gender agrees."""
        for k in range(s_index, max(-1, s_index - 6), -1):
            named = [(m.start, m.name, self.entities.gender(m.name)) for m in self._persons_by_sentence.get(k, [])]
            # A pronoun already resolved stands for its person where it occurs (a chain).
            chained = [(o, a, p) for o, p, a in self._resolved.get(k, [])]
            for start, who, gender in sorted(named + chained, key=lambda c: c[0]):
                if start >= offset or (gender is not None and gender != pronoun):
                    continue
                if isinstance(who, Attribution):
                    return _as(who, "pronoun")
                return _as(self._name_attr(who, None), "pronoun")
        return None

    def _noun_phrase(self, np: list[Token], appositive: list[Token]) -> Attribution:
        words = list(np)
        # "Stephen Vladeck of the University of Texas": the name before "of" is the speaker.
        for i, t in enumerate(words):
            if t.lower in {"of", "for", "at"} and i > 0:
                left = words[:i]
                if left[-1].is_cap and left[-1].lower.rstrip(".") not in TITLES and not _head(left[-1]):
                    affiliation = [w for w in words[i + 1 :] if w.lower not in DETERMINERS]
                    attr = self._noun_phrase(left, appositive)
                    if attr.role is None and affiliation and attr.kind == "person":
                        role = " ".join(w.text for w in affiliation)
                        return Attribution(attr.speaker, role if len(affiliation) <= 8 else None, attr.kind, attr.how)
                    return attr
                break
        # Split a trailing name from the role words before it: "Kremlin spokesman Dmitry Peskov".
        k = len(words)
        while k > 0 and (
            (words[k - 1].is_cap and words[k - 1].lower.rstrip(".") not in TITLES)
            or (words[k - 1].lower in _NAME_CONNECTORS and k > 1 and words[k - 2].is_cap and k < len(words))
        ):
            k -= 1
        name_toks = words[k:]
        role_toks = words[:k]
        head = words[-1].lower
        if name_toks and (head in ORG_NOUNS or any(t.lower in ORG_NOUNS for t in name_toks)):
            return self._description(words)
        if name_toks and not words[-1].possessive:
            name = " ".join(t.text for t in name_toks[:-1]) + (" " if len(name_toks) > 1 else "") + name_toks[-1].bare
            role = _role_text(role_toks) or _role_text(appositive) or None
            return self._name_attr(name, role)
        return self._description(words)

    def _name_attr(self, name: str, role: str | None) -> Attribution:
        full = self.entities.full_name(name)
        if role and full not in self._roles_seen:
            self._roles_seen[full] = role
        role = role or self._roles_seen.get(full) or self.entities.role_of(full)
        is_person = self.entities.is_person(full) or (
            role is not None and any(w.lower().rstrip(".") in TITLES | ROLE_NOUNS for w in role.split())
        )
        if not is_person and len(full.split()) == 1:
            kind = "org"
        else:
            kind = "person" if is_person or len(full.split()) >= 2 else "org"
        if full.isupper() and len(full) <= 6:
            kind = "org"  # an acronym: AFP, CNN, NATO
        return Attribution(full, role, kind, "name")

    def _description(self, words: list[Token]) -> Attribution:
        # "Ukrainian President Volodymyr Zelensky's office": the speaker starts at the owner.
        start = 0
        for i, t in enumerate(words[:-1]):
            if t.possessive and t.is_cap:
                start = i
                while start > 0 and words[start - 1].is_cap and words[start - 1].lower.rstrip(".") not in TITLES:
                    start -= 1
                break
        kept = words[start:]
        while kept and kept[0].lower in DETERMINERS:
            kept = kept[1:]
        if not kept:
            return Attribution(None, None, None, "empty")
        text = " ".join(t.text for t in kept)
        head = kept[-1].lower
        plural = head.endswith("s") and not head.endswith("ss") and head not in ORG_NOUNS
        kind = "org" if head in ORG_NOUNS or (kept[-1].is_cap and not plural) else ("group" if plural else "person")
        if len(kept) == 1 and kept[0].is_cap:
            return self._name_attr(kept[0].bare, None)
        return Attribution(text, None, kind, "description")


def _as(attr: Attribution, how: str) -> Attribution:
    return Attribution(attr.speaker, attr.role, attr.kind, how)


def _role_text(tokens: list[Token]) -> str:
    words = [t.text for t in tokens]
    while words and words[0].lower() in DETERMINERS:
        words = words[1:]
    out: list[str] = []
    for w in words:
        if w.lower() in FUNCTION_WORDS and w.lower() not in {"of", "for", "at"}:
            break
        out.append(w)
    while out and out[-1].lower() in {"of", "for", "at", "and"}:
        out.pop()
    if not out or len(out) > 8:
        return ""
    return " ".join(out)


def _transcript_speaker(quote: str) -> str | None:
    """'WALLACE: If I may, sir...' - a transcript names its speaker inside the quote."""
    head, sep, rest = quote.partition(":")
    if not sep or not rest.strip() or len(head) > 30:
        return None
    words = head.split()
    if 1 <= len(words) <= 3 and all(w.isupper() and w.replace(".", "").isalpha() for w in words):
        return head.strip()
    return None


def _nearest_cue(cues: list[_Cue], qpos: int) -> _Cue:
    def distance(cue: _Cue) -> tuple[float, int]:
        d = abs(cue.index - qpos)
        return (d * (0.5 if cue.strong else 1.0), d)

    return min(cues, key=distance)
