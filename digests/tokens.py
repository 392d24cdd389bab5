"""Tokens and sentences of a paragraph, with each quote folded into a single token.

Attribution reads the *frame* around quotes ("..., Kremlin spokesman Dmitry Peskov said"),
so a quote becomes one token of kind ``quote``; sentence ends inside quotes are ignored and a
quote that ends a sentence (`."` followed by a capital) closes its sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digests.lexicon import ABBREVIATIONS, FUNCTION_WORDS
from digests.quotes import QuoteSpan

_TOKEN = re.compile(
    r"(?P<abbr>(?:[A-Za-z]\.){2,})"
    r"|(?P<number>[$£€]?\d+(?:[.,:/]\d+)+[%a-zA-Z]*)"
    r"|(?P<word>[^\W_]+(?:['’\-&][^\W_]+)*(?:['’](?=\s|$|[^\w]))?)"
    r"|(?P<punct>[^\w\s])"
)


#: A "sentence" longer than this is split: no prose sentence is, and it bounds the work per sentence.
MAX_SENTENCE_TOKENS = 250


class Token:
    """A word, a punctuation mark or a whole quote, with its offsets in the original text.

    A plain slotted class rather than a dataclass: a 400 KB dispatch has hundreds of thousands
    of tokens, and attribution reads ``lower`` and ``is_cap`` on each many times, so both are
    computed once here; two tokens are equal only if they are the same token.
    """

    __slots__ = ("end", "initial_common", "is_cap", "kind", "lower", "quote", "start", "text")

    def __init__(
        self, text: str, start: int, end: int, kind: str, quote: int = -1, initial_common: bool = False
    ) -> None:
        self.text = text
        self.start = start
        self.end = end
        self.kind = kind  # "word", "punct", "quote"
        self.quote = quote  # index into the document's quotes, for kind == "quote"
        #: Capitalised only because it starts a sentence ("Supporters say ..."): not a name.
        self.initial_common = initial_common
        self.lower = text.lower()
        self.is_cap = kind == "word" and text[:1].isupper() and not initial_common

    def __repr__(self) -> str:
        return f"Token({self.text!r}, {self.start}, {self.end}, {self.kind!r})"

    @property
    def bare(self) -> str:
        """The word without a possessive ending: "Zelensky’s" -> "Zelensky"."""
        t = self.text
        for suffix in ("’s", "'s", "’", "'"):
            if t.endswith(suffix) and len(t) > len(suffix):
                return t[: -len(suffix)]
        return t

    @property
    def possessive(self) -> bool:
        return self.kind == "word" and self.text.endswith(("’s", "'s", "s’", "s'")) and len(self.text) > 2


@dataclass(frozen=True)
class Sentence:
    tokens: tuple[Token, ...]
    paragraph: int
    index: int  # position in the document's list of sentences

    @property
    def start(self) -> int:
        return self.tokens[0].start

    @property
    def end(self) -> int:
        return self.tokens[-1].end

    @property
    def quote_indices(self) -> list[int]:
        return [t.quote for t in self.tokens if t.kind == "quote"]

    @property
    def only_quotes(self) -> bool:
        """True when nothing but quotes and punctuation is in the sentence."""
        return all(t.kind != "word" for t in self.tokens) and any(t.kind == "quote" for t in self.tokens)


def tokenize(text: str, start: int, end: int, quotes: list[tuple[int, QuoteSpan]]) -> list[Token]:
    """Tokens of ``text[start:end]``; each quote (with its marks) is one token."""
    tokens: list[Token] = []
    pos = start
    for qi, q in quotes:
        q_end = q.close + 1 if q.close >= 0 else q.end
        tokens.extend(_words(text, pos, q.open))
        tokens.append(Token(text[q.start : q.end], q.open, q_end, "quote", qi))
        pos = q_end
    tokens.extend(_words(text, pos, end))
    return _join_abbreviations(tokens)


def _words(text: str, start: int, end: int) -> list[Token]:
    out = []
    for m in _TOKEN.finditer(text, start, end):
        kind = m.lastgroup or "punct"
        out.append(Token(m.group(), m.start(), m.end(), "word" if kind in {"abbr", "number"} else kind))
    return out


def _join_abbreviations(tokens: list[Token]) -> list[Token]:
    """Attach the dot to "Mr", "Sen", initials ("J.") so it is not read as a sentence end."""
    out: list[Token] = []
    for tok in tokens:
        prev = out[-1] if out else None
        if (
            tok.text == "."
            and prev is not None
            and prev.kind == "word"
            and prev.end == tok.start
            and (prev.lower in ABBREVIATIONS or (len(prev.text) == 1 and prev.text.isupper()))
        ):
            out[-1] = Token(prev.text + ".", prev.start, tok.end, "word")
            continue
        out.append(tok)
    return out


def _ends_sentence(tokens: list[Token], i: int) -> bool:
    tok = tokens[i]
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if nxt is None:
        return True
    starts_new = nxt.kind == "quote" or nxt.text[:1].isupper() or nxt.text[:1].isdigit()
    if tok.kind == "quote":
        return starts_new and tok.text.rstrip()[-1:] in ".!?" and nxt.kind != "punct"
    if tok.text in {".", "!", "?"}:
        return starts_new or nxt.text in {"(", "["}
    return False


def lowercase_vocabulary(tokens: list[Token]) -> set[str]:
    """Words the document writes in lower case somewhere: such words are not names."""
    return {t.text for t in tokens if t.kind == "word" and t.text[:1].islower()}


def split_sentences(
    tokens: list[Token], paragraph: int, first_index: int, common: set[str] | frozenset[str] = frozenset()
) -> list[Sentence]:
    sentences: list[Sentence] = []
    current: list[Token] = []
    for i, tok in enumerate(tokens):
        if (
            tok.kind == "word"
            and not any(t.kind == "word" for t in current)
            and tok.text[:1].isupper()
            # "He's reported from ...", "It's not enough ...": a function word with a contracted verb
            and (tok.text.lower() in common or tok.bare.lower() in FUNCTION_WORDS)
            and not tok.text.isupper()
        ):
            tok = Token(tok.text, tok.start, tok.end, tok.kind, tok.quote, initial_common=True)
        current.append(tok)
        if _ends_sentence(tokens, i) or len(current) >= MAX_SENTENCE_TOKENS:
            sentences.append(Sentence(tuple(current), paragraph, first_index + len(sentences)))
            current = []
    if current:
        sentences.append(Sentence(tuple(current), paragraph, first_index + len(sentences)))
    return sentences
