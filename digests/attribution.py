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

from digests.credits import Credit
from digests.cues import Cue, find_cues, nearest_cue, tag_cue
from digests.entities import EntityIndex, Mention
from digests.lexicon import (
    AUX_ADVERBS,
    COMMON_WORDS,
    FRONTING,
    FUNCTION_WORDS,
    MEDIA_NOUNS,
    ROLE_NOUNS,
    SPEECH_VERBS,
    SUBJECT_PRONOUNS,
    TITLES,
)
from digests.phrases import clause_subject, is_head, is_word
from digests.speaker_phrases import Attribution, SpeakerPhrases, as_rule
from digests.tokens import Sentence, Token

_PLURAL_PRONOUNS = frozenset({"they", "we"})
#: How many sentences back a quote without a cue looks for its speaker.
_LOOK_BACK = 4


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


class Attributor(SpeakerPhrases):
    """Attributes every quote of one document; keeps the pronoun history as it reads."""

    def __init__(self, sentences: list[Sentence], entities: EntityIndex) -> None:
        super().__init__(entities)
        self.sentences = sentences
        self.history = _History()
        self._resolved: dict[int, list[tuple[int, str, Attribution]]] = {}
        self._lowercase_words = {t.text for s in sentences for t in s.tokens if t.kind == "word" and t.text.islower()}
        self._persons_by_sentence: dict[int, list] = {}
        self._speakers: dict[int, list[tuple[int, Attribution]]] = {}
        #: Sentences whose only cue is the tag of the quote before them ("Hannity pressed.").
        self._tags: set[int] = set()
        for m in entities.person_mentions():
            self._persons_by_sentence.setdefault(m.sentence, []).append(m)

    def run(
        self, n_quotes: int, labels: dict[int, str] | None = None, credits: dict[int, Credit] | None = None
    ) -> list[Attribution]:
        """Attributions in quote order; ``labels`` are transcript turns' speaker labels by quote,
        ``credits`` the names printed under pull quotes (digests.credits)."""
        result: list[Attribution | None] = [None] * n_quotes
        for qi, label in (labels or {}).items():
            result[qi] = self._label_attr(label)
        for qi, credit in (credits or {}).items():
            result[qi] = self._credit_attr(credit)
        cues_by_sentence = [find_cues(s) for s in self.sentences]
        for k in range(1, len(self.sentences)):
            prev, sent = self.sentences[k - 1], self.sentences[k]
            if cues_by_sentence[k] or prev.paragraph != sent.paragraph or not prev.tokens:
                continue
            last = next((t for t in reversed(prev.tokens) if t.kind != "punct"), None)
            if last is not None and last.kind == "quote" and last.text.rstrip()[-1:] in {"?", "!"}:
                tag = tag_cue(sent)
                if tag is not None:
                    cues_by_sentence[k] = [tag]
                    self._tags.add(k)
        for s_index, sent in enumerate(self.sentences):
            quote_positions = [i for i, t in enumerate(sent.tokens) if t.kind == "quote"]
            cues = cues_by_sentence[s_index]
            self._resolve_subject_pronoun(sent)
            for qpos in quote_positions:
                qtok = sent.tokens[qpos]
                speaker = _transcript_speaker(qtok.text)
                if speaker:
                    result[qtok.quote] = Attribution(speaker, None, "person", "transcript")
                elif speaker == "":
                    result[qtok.quote] = Attribution(None, None, None, "label")
            for q in quote_positions:
                known = result[sent.tokens[q].quote]
                if known is not None and known.speaker:
                    # A transcript turn or a credited quote: a quote paragraph after it continues it.
                    self.history.remember(known, sent.paragraph)
            quote_positions = [q for q in quote_positions if result[sent.tokens[q].quote] is None]
            if quote_positions and cues:
                for qpos in quote_positions:
                    cue = _governing_cue(sent.tokens, cues, qpos) or nearest_cue(cues, qpos)
                    attr = self._resolve(cue, sent)
                    inside = self._in_parenthesis(sent, cues, qpos)
                    if inside is not None:
                        cue, attr = inside
                    if attr.speaker is None and len(cues) > 1:
                        # "It may be saying something like '...', says psychologist X": a cue whose
                        # subject names nobody gives way to the nearest one that names somebody.
                        for other in sorted((c for c in cues if c is not cue), key=lambda c: abs(c.index - qpos)):
                            found = self._resolve(other, sent)
                            if found.speaker is not None:
                                cue, attr = other, found
                                break
                    result[sent.tokens[qpos].quote] = attr
                    self.history.remember(attr, sent.paragraph)
                    self._note_speaker(sent.index, cue, attr)
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
                        self._note_speaker(sent.index, cue, attr)
        return [a if a is not None else Attribution(None, None, None, "none") for a in result]

    def _in_parenthesis(self, sent: Sentence, cues: list[Cue], qpos: int) -> tuple[Cue, Attribution] | None:
        """'(Clinton called it "horrific" ...), Trump inflamed tensions by saying ...': a quote in
        brackets belongs to the bracket's own clause, not to the sentence around it."""
        toks = sent.tokens
        opened = next((k for k in range(qpos - 1, -1, -1) if toks[k].text in {"(", ")"}), None)
        closed = next((k for k in range(qpos + 1, len(toks)) if toks[k].text in {"(", ")"}), None)
        if opened is None or closed is None or toks[opened].text != "(" or toks[closed].text != ")":
            return None
        inner = [c for c in cues if opened < c.index < closed]
        if inner:
            cue = nearest_cue(inner, qpos)
            attr = self._resolve(cue, sent)
            return (cue, attr) if attr.speaker else None
        segment = toks[opened + 1 : closed]
        np = clause_subject(segment, qpos - opened - 1)
        if not np or len([t for t in segment[: qpos - opened - 1] if t.kind == "word"]) < 2:
            return None
        if not self._can_speak(np, segment):
            return None
        cue = Cue(qpos, np, [], False)
        attr = self._resolve(cue, sent)
        return (cue, as_rule(attr, "subject")) if attr.speaker else None

    def _note_speaker(self, s_index: int, cue: Cue, attr: Attribution) -> None:
        """The subject of a speech verb is the likeliest antecedent of a later "he said"."""
        if not attr.speaker or not cue.np:
            return
        # Named persons only: a description ("the candidate") mostly stands for someone named
        # before, whom the mentions already offer.
        if attr.how == "name" and self.entities.is_person(attr.speaker):
            self._speakers.setdefault(s_index, []).append((cue.np[0].start, attr))

    def _resolve_subject_pronoun(self, sent: Sentence) -> None:
        """'He' opening a sentence continues the chain even when the sentence quotes nobody."""
        if len(sent.tokens) < 2 or not any(t.lower in {"he", "she"} for t in sent.tokens):
            return
        subject = clause_subject(sent.tokens, len(sent.tokens) - 1)
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
        np = clause_subject(sent.tokens, first_quote)
        if not np or not self._can_speak(np, sent.tokens):
            return None
        named = _named_aside(sent.tokens, np)
        appositive: list[Token] = []
        if named:  # "Two military analysts, Patrick Megahan and Chris Harman, found ...": the names speak
            np, appositive = named, np
        attr = self._resolve(Cue(first_quote, np, appositive, False), sent)
        if attr.speaker is None:
            return None
        return Attribution(attr.speaker, attr.role, attr.kind, "subject")

    def _can_speak(self, np: list[Token], toks: tuple[Token, ...]) -> bool:
        """A subject that can have said something - not a sentence's first common word taken for
        a name ("Much of the anger ...", "Good information ...", "Optimism is ...")."""
        if _run_in_head(np, toks):
            return False
        if len(np) > 1:
            # "Other major cleavages include ...": no name, no pronoun, no role or body at its head
            speaker_like = any(t.is_cap or is_head(t) or t.lower in SUBJECT_PRONOUNS for t in np)
            return speaker_like and not self._lone_initial(np, toks)
        tok = np[0]
        low = tok.lower
        if low in SUBJECT_PRONOUNS or is_head(tok) or low in ROLE_NOUNS or self.entities.is_person(tok.bare):
            return True
        if self._lone_initial(np, toks):
            return False
        return not (tok.initial_common or low in COMMON_WORDS or low in self._lowercase_words)

    def _lone_initial(self, np: list[Token], toks: tuple[Token, ...]) -> bool:
        """'Good information can ...': the phrase's one capital is the sentence's first letter, a
        plain noun follows it, and the word is never a name elsewhere in the text: a common word,
        not a speaker. Not an acronym ("UN"), a numbered name ("Article 33") or a modifier of a
        body ("Multiple outlets")."""
        caps = [t for t in np if t.is_cap]
        first = np[0]
        if len(caps) != 1 or caps[0] is not first or is_head(np[-1]) or first.text.isupper() or first is not toks[0]:
            return False
        after = next((t for t in toks if t.start > np[-1].start), None)
        if after is None or not is_word(after) or after.is_cap or after.text[:1].isdigit():
            return False
        low = after.lower
        if is_head(after) or low in MEDIA_NOUNS or low in FUNCTION_WORDS or low in AUX_ADVERBS or low in SPEECH_VERBS:
            return False
        if low.endswith(("ed", "ly")):
            return False  # "Carson defied the question": a verb follows a name
        return sum(1 for m in self.entities.mentions if first.bare in m.tokens) <= 1 and not self.entities.is_person(
            first.bare
        )

    # -- neighbours ---------------------------------------------------------------------------
    def _from_neighbours(
        self,
        s_index: int,
        cues_by_sentence: list[list[Cue]],
        result: list[Attribution | None],
    ) -> Attribution:
        sent = self.sentences[s_index]
        para = sent.paragraph
        # Same paragraph: the previous sentence's speaker ('"A," he said. "B."'), else the next.
        # Only a few sentences back: a speaker further off is a guess, and a bounded look keeps
        # the work linear in a run-on paragraph of a thousand sentences.
        for k in range(s_index - 1, max(-1, s_index - 1 - _LOOK_BACK), -1):
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
        if first_in_para and s_index > 0 and cues_by_sentence[s_index - 1]:
            prev = self.sentences[s_index - 1]
            if prev.paragraph == para - 1 and prev.tokens and not prev.quote_indices:
                # "Jared Potts echoed:" / quote; "Clinton responded, saying the campaign lied." / quote
                attr = self._resolve(cues_by_sentence[s_index - 1][-1], prev)
                if attr.speaker and (prev.tokens[-1].text == ":" or attr.kind == "person"):
                    return Attribution(attr.speaker, attr.role, attr.kind, "introduced")
        for k in range(s_index + 1, min(len(self.sentences), s_index + 3)):
            nxt = self.sentences[k]
            if nxt.paragraph > para + 1:
                break
            if cues_by_sentence[k] and not nxt.quote_indices and k not in self._tags:
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
        for k in range(s_index - 1, max(-1, s_index - 1 - 2 * _LOOK_BACK), -1):
            prev = self.sentences[k]
            if prev.paragraph < para - 1:
                return None
            if prev.paragraph == para or prev.quote_indices:
                continue
            subject = clause_subject(prev.tokens, len(prev.tokens) - 1)
            attr = self._resolve(Cue(0, subject, [], False), prev) if subject else None
            if attr is not None and attr.speaker and attr.kind == "person":
                return Attribution(attr.speaker, attr.role, attr.kind, "introduced")
            named = self._persons_by_sentence.get(prev.index, [])
            if named:  # "... said 17-year-old Jared Potts, who came with his father." / quote
                return as_rule(self._name_attr(named[-1].name, None), "introduced")
            return None
        return None

    def _sentence_speaker(
        self, sent: Sentence, cues: list[Cue], result: list[Attribution | None]
    ) -> Attribution | None:
        for qi in sent.quote_indices[::-1]:
            if result[qi] is not None and result[qi].speaker:
                return result[qi]
        if cues:
            return self._resolve(cues[-1], sent)
        return None

    # -- resolution ---------------------------------------------------------------------------
    def _resolve(self, cue: Cue, sent: Sentence) -> Attribution:
        np = cue.np
        # "It's not enough ...", "He's been ...": a pronoun with a contracted verb is the pronoun.
        if len(np) == 1 and np[0].bare.lower() in {"he", "she", "it", "they", "we", "i", "who"}:
            return self._pronoun(np[0], sent)
        return self._noun_phrase(np, cue.appositive)

    def _pronoun(self, tok: Token, sent: Sentence) -> Attribution:
        low = tok.bare.lower()
        h = self.history
        if low in {"he", "she"}:
            cand = self._antecedent(low, tok.start, sent.index)
            if cand is not None:
                entries = self._resolved.setdefault(sent.index, [])
                if all(o != tok.start for o, _, _ in entries):
                    entries.append((tok.start, low, cand))
                return cand
            if h.last_person is not None:
                return as_rule(h.last_person, "pronoun-last")
            return Attribution(None, None, "person", "pronoun-unresolved")
        if low == "it":
            cand = h.last_org
            return as_rule(cand, "it") if cand else Attribution(None, None, "org", "it-unresolved")
        if low in _PLURAL_PRONOUNS:
            cand = h.last_group or h.last_org
            return as_rule(cand, "they") if cand else Attribution(None, None, "group", "they-unresolved")
        return Attribution(None, None, None, "pronoun-unresolved")

    def _antecedent(self, pronoun: str, offset: int, s_index: int) -> Attribution | None:
        """Hobbs-style: this sentence, then earlier ones; subjects (leftmost) first; gender agrees."""
        for k in range(s_index, max(-1, s_index - 6), -1):
            # Who spoke in that sentence comes first: in "Anyone who replaces Volcker will pale,
            # Hormats said. 'Volcker had the status of a demigod,' he said." he is Hormats.
            for start, who in self._speakers.get(k, []):
                gender = self.entities.gender(who.speaker) if who.speaker else None
                if start < offset and (gender is None or gender == pronoun):
                    return as_rule(who, "pronoun")
            persons = self._persons_by_sentence.get(k, [])
            fronted = _fronted_adverbial_end(self.sentences[k])
            toks = self.sentences[k].tokens
            named = [
                (m.start, m.name, self.entities.gender(m.name))
                for i, m in enumerate(persons)
                if not _possessor_of_named(m, persons[i + 1 : i + 2])
                and not _addressee(toks, m.first, told=k == s_index)
            ]
            # A pronoun already resolved stands for its person where it occurs (a chain).
            chained = [(o, a, p) for o, p, a in self._resolved.get(k, [])]
            # Subjects first: a name inside a fronted adverbial ("Regarding X's speech, Woods said")
            # comes after the clause's own names.
            for start, who, gender in sorted(named + chained, key=lambda c: (c[0] < fronted, c[0])):
                if start >= offset or (gender is not None and gender != pronoun):
                    continue
                if isinstance(who, Attribution):
                    return as_rule(who, "pronoun")
                return as_rule(self._name_attr(who, None), "pronoun")
        return None


#: Verbs whose object is spoken to: "he" in their clause is the speaker, not the one addressed.
_ADDRESSING = frozenset(
    "told tells tell asked asks ask informed informs assured assures reminded reminds urged urges warned warns".split()
)


def _addressee(toks: tuple[Token, ...], first: int, told: bool = True) -> bool:
    """'The president told NPR correspondent Steve Inskeep that he believes ...': the name after
    a verb of telling (over its role words), or after "an interview with", is the one addressed;
    "he" there is the teller."""
    for k in range(first - 1, max(-1, first - 5), -1):
        tok = toks[k]
        if tok.lower in _ADDRESSING:
            return told  # the one told something is addressed in that sentence, not ever after
        if tok.lower == "with" and k > 0 and toks[k - 1].lower in _EXCHANGES:
            return True  # "in an interview with CNN's Ana Lee, the actor said he ...": the interviewer
        if not is_word(tok) or tok.lower in FUNCTION_WORDS:
            return False  # role words, capitalised or not, may stand between: "told NPR's host X"
    return False


#: Nouns of a talk between two people: the one the talk is "with" is not the one quoted.
_EXCHANGES = frozenset({"interview", "conversation", "chat", "talk", "discussion", "sit-down", "exchange"})


def _named_aside(toks: tuple[Token, ...], np: list[Token]) -> list[Token]:
    """The names in an aside right after a plain subject ("Two analysts, Ann Lee and Bo Ek, found")."""
    if any(t.is_cap for t in np):
        return []
    k = toks.index(np[-1]) + 1
    if k >= len(toks) or toks[k].text != ",":
        return []
    end = next((m for m in range(k + 1, min(len(toks), k + 10)) if toks[m].text == ","), None)
    aside = list(toks[k + 1 : end]) if end is not None else []
    if len(aside) >= 2 and aside[-1].is_cap and all(t.is_cap or t.lower == "and" for t in aside):
        return aside
    return []


def _run_in_head(np: list[Token], toks: tuple[Token, ...]) -> bool:
    """'Veto Power Impedes Peace Efforts: Eliminating "the scourge of war" is ...': a sub-head run
    into its paragraph, four or more capitalised words then a colon, is not a speaker. A name
    that long opens on a title ("President Barack Hussein Obama:")."""
    if len(np) < 4 or not all(t.is_cap or t.initial_common for t in np) or np[0].lower.rstrip(".") in TITLES:
        return False
    k = toks.index(np[-1]) + 1
    return k < len(toks) and toks[k].text == ":" and toks.index(np[0]) == 0


def _governing_cue(toks: tuple[Token, ...], cues: list[Cue], qpos: int) -> Cue | None:
    """'"...," Axel tweeted after Lane argued for the second time that "if everyone ..."': a quote
    inside a that-clause is the words of the verb that opens the clause, even when a stronger
    speech verb stands nearer."""
    that = None
    for k in range(qpos - 1, max(-1, qpos - 30), -1):
        if toks[k].kind == "quote":
            return None
        if is_word(toks[k]) and toks[k].lower == "that":
            that = k
            break
    if that is None or any(that < c.index <= qpos + 4 for c in cues):
        return None  # a cue inside the clause or right after the quote ('"...," the Post reported') speaks
    before = [c for c in cues if c.index < that and not any(t.kind == "quote" for t in toks[c.index + 1 : that])]
    if not before:
        return None
    best = max(before, key=lambda c: c.index)
    return best if that - best.index <= 8 else None


def _fronted_adverbial_end(sent: Sentence) -> int:
    """Offset of the comma that closes a fronted adverbial ("Regarding X's speech, ..."), or -1."""
    toks = sent.tokens
    if not toks or toks[0].kind != "word" or toks[0].lower not in FRONTING:
        return -1
    for t in toks[1:25]:
        if t.kind == "quote":
            return -1
        if t.text == ",":
            return t.start
    return -1


def _possessor_of_named(m: Mention, following: list[Mention]) -> bool:
    """'Smith's wife, Mary, said she ...': the possessor of a person the text names right after
    is not who a later pronoun continues (but 'Comey's statement ... He called' is)."""
    return m.possessive and bool(following) and following[0].first - m.last <= 6


def _transcript_speaker(quote: str) -> str | None:
    """'WALLACE: If I may, sir...' - a transcript names its speaker inside the quote; "" for a
    page's label ("VIDEO: ..."), which names nobody; None when the quote has no such head."""
    head, sep, rest = quote.partition(":")
    if not sep or not rest.strip() or len(head) > 30:
        return None
    words = head.split()
    if 1 <= len(words) <= 3 and all(w.isupper() and w.replace(".", "").isalpha() for w in words):
        if " ".join(words).lower() in _EDITORIAL_LABELS:
            return ""  # "VIDEO: ...", "UPDATE: ...": the page's label; nobody speaks
        return head.strip()
    return None


#: Labels pages and wires put before a colon that name no speaker (whole labels, lower case).
_EDITORIAL_LABELS = frozenset(
    {
        *"""video photo photos watch listen audio update updated correction clarification breaking note
        related advertisement sponsored exclusive analysis opinion live graphic map chart source sources
        transcript""".split(),
        "read more",
        "see also",
        "editor's note",
        "editors' note",
        "editor’s note",
        "breaking news",
        "live updates",
    }
)
