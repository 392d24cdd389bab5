"""Entry point of the core: ``summarise(dispatch) -> Digest``.

Steps, one module each: clean (paragraphs of wrapped copy, headline and header lines, dateline,
sub-heads, sign-off) -> quotes -> tokens and
sentences -> entities -> attribution -> headline -> key quotes.
"""

from __future__ import annotations

import re
from dataclasses import replace

from digests.asides import is_aside
from digests.attribution import Attribution, Attributor
from digests.clean import Cleaned, clean
from digests.credits import Credit, closing_credit, dash_credit, quote_credit
from digests.entities import EntityIndex
from digests.headline import MAX_CHARS, write_headline
from digests.keyquotes import choose_key_quotes
from digests.layout import reflow
from digests.lexicon import AUX_ADVERBS, COMMON_WORDS, DETERMINERS, FUNCTION_WORDS, SPEECH_VERBS
from digests.model import Digest, Dispatch, Quote
from digests.quotes import QuoteSpan, could_be_a_title, find_quotes, looks_like_title
from digests.tokens import Sentence, lowercase_vocabulary, split_sentences, tokenize
from digests.transcript import find_turns

#: Longest text the summariser reads; beyond this a "dispatch" is not a news story.
MAX_TEXT = 400_000


def read(text: str) -> tuple[list[QuoteSpan], list[Sentence], list[Attribution], Cleaned]:
    """Quotes, sentences and attributions of a text (the pipeline minus headline and choice)."""
    cleaned = clean(text)
    paragraphs = [(ln.start, ln.end) for ln in cleaned.body_lines if not is_aside(text[ln.start : ln.end])]
    turns = find_turns(text, paragraphs)
    if 1 in turns and 0 not in turns and cleaned.own_headline is None and _is_title_line(text, *paragraphs[0]):
        # "Press briefing by the Mayor on flood defences" above the first turn: the transcript's title.
        cleaned = replace(cleaned, own_headline=reflow(text, *paragraphs[0]))
        paragraphs = paragraphs[1:]
        turns = find_turns(text, paragraphs)
    spans = [q for q in find_quotes(text, paragraphs) if q.paragraph not in turns]
    spans = sorted([*spans, *(t.span for t in turns.values())], key=lambda q: q.start)
    labels = {qi: turns[q.paragraph].label for qi, q in enumerate(spans) if q.paragraph in turns}
    spans, credits = find_credits(text, paragraphs, spans, labels)
    by_para: dict[int, list[tuple[int, QuoteSpan]]] = {}
    for qi, q in enumerate(spans):
        by_para.setdefault(q.paragraph, []).append((qi, q))
    para_tokens = [tokenize(text, start, end, by_para.get(p, [])) for p, (start, end) in enumerate(paragraphs)]
    common = {w.lower() for toks in para_tokens for w in lowercase_vocabulary(toks)} | COMMON_WORDS | SPEECH_VERBS
    sentences: list[Sentence] = []
    for p_index, toks in enumerate(para_tokens):
        if toks:
            sentences.extend(split_sentences(toks, p_index, len(sentences), common))
    entities = EntityIndex(sentences)
    attributions = Attributor(sentences, entities).run(len(spans), labels, credits)
    keep = [i for i, (q, a) in enumerate(zip(spans, attributions, strict=True)) if _is_speech(text, q, a)]
    return [spans[i] for i in keep], sentences, [attributions[i] for i in keep], cleaned


def find_credits(
    text: str, paragraphs: list[tuple[int, int]], spans: list[QuoteSpan], labels: dict[int, str]
) -> tuple[list[QuoteSpan], dict[int, Credit]]:
    """Pull quotes credited on their last line (cut from the quote) or on a dash line after
    their paragraph (bot.credits); a transcript turn keeps its label."""
    credits: dict[int, Credit] = {}
    out = list(spans)
    for qi, q in enumerate(spans):
        if qi in labels:
            continue
        found = quote_credit(text[q.start : q.end])
        if found is not None:
            out[qi] = replace(q, end=q.start + found[0])
            credits[qi] = found[1]
    for p in range(1, len(paragraphs)):
        line = text[paragraphs[p][0] : paragraphs[p][1]]
        before = [qi for qi, q in enumerate(spans) if q.paragraph == p - 1 and qi not in labels]
        if not before:
            continue
        # The credit line is the next paragraph, or a short line that cleaning set aside
        # between the two.
        gap = text[paragraphs[p - 1][1] : paragraphs[p][0]].strip()
        line = gap or line
        if spans[before[-1]].close < 0:
            credit = closing_credit(line)  # the quote left open above ends on its credit line
            if credit is not None:
                credits.setdefault(before[-1], credit)
                continue
        start, _ = paragraphs[p - 1]
        credit = dash_credit(line)
        if credit is not None and not text[start : spans[before[0]].open].strip():  # opens on the quote
            for qi in before:
                credits.setdefault(qi, credit)
    return out, credits


def _is_title_line(text: str, start: int, end: int) -> bool:
    """A short line without a sentence's closing punctuation."""
    line = reflow(text, start, end).rstrip("\"'’”»)")
    return 2 <= len(line.split()) <= 25 and len(line) <= 200 and line[-1:] not in ".!?:;,"


#: Rules that found a speech cue in the quote's own sentence.
_CUED = frozenset(
    {
        "name",
        "pronoun",
        "description",
        "transcript",
        "it",
        "they",
        "pronoun-last",
        "pronoun-unresolved",
        "it-unresolved",
    }
)


_WORK_MARKERS = frozenset({"on", "in", "of", "called", "titled", "entitled"})
#: Nouns for works whose titles stand in quotation marks.
_WORK_NOUNS = frozenset(
    """
show film movie documentary book memoir novel play musical series song album single podcast program programme
episode column magazine sitcom drama opera poem report study essay bill act
""".split()
)


def _names_a_work(text: str, span: QuoteSpan) -> bool:
    """NBC's "Meet the Press", on "This Week", her film "Trainwreck.": the title of a work."""
    before = [w.strip(",;:—–-").lower() for w in text[max(0, span.open - 60) : span.open].split()]
    if not before:
        return False
    last = before[-1]
    if last.endswith(("'s", "’s")) or any(w in _WORK_NOUNS for w in before[-3:]):
        return True
    return last in _WORK_MARKERS and looks_like_title(text[span.start : span.end])


def _is_speech(text: str, span: QuoteSpan, attribution: Attribution) -> bool:
    """Is this quoted span something somebody said?

    Quoted titles ("Meet the Press") are not, unless a speech verb frames them. A short
    phrase in quotation marks whose own sentence names no speaker ("the so-called
    'establishment'") is a scare quote or a term, not a quote, and neither is a quote of a
    few words that nobody in the text can have said.
    """
    quote = text[span.start : span.end]
    if could_be_a_title(quote) and _names_a_work(text, span):
        return False
    if _used_as_modifier(text, span, quote):
        return False  # the "junk bond" department, a "zero tolerance" policy: a term, not speech
    if attribution.how in _CUED:
        return True
    if looks_like_title(quote):
        return False
    words = len(quote.split())
    if words <= 2 and _is_verdict(text, span, quote) and attribution.speaker is not None:
        return True  # 'The jury's verdict: "Guilty."' - a word that is the news
    if words <= 2 and attribution.how != "subject":
        return False
    return not (attribution.speaker is None and words <= 5)


def _used_as_modifier(text: str, span: QuoteSpan, quote: str) -> bool:
    """A short quoted phrase between a determiner and a noun qualifies that noun: the "junk bond"
    department, a "zero tolerance" policy. (A single word there, the "disgusting" media, is
    someone's word and stays a quote.)"""
    words = quote.split()
    if span.close < 0 or not 2 <= len(words) <= 4 or quote.rstrip()[-1:] in ".!?,;:" or not quote.islower():
        return False
    before = text[max(0, span.open - 12) : span.open].split()
    if not before or (before[-1].lower() not in DETERMINERS and not before[-1].endswith(("'s", "’s"))):
        return False
    if len(before) > 1 and before[-2].lower() in SPEECH_VERBS:
        return False  # what critics "called a "fraudulent scheme"": their words
    after = text[span.close + 1 : span.close + 40].split()
    if not after:
        return False
    nxt = after[0]
    low = nxt.lower()
    if not nxt.isalpha() or not nxt.islower() or low in FUNCTION_WORDS or low in SPEECH_VERBS or low in AUX_ADVERBS:
        return False
    return not low.endswith(("ly", "ed")) and low not in DETERMINERS


def _is_verdict(text: str, span: QuoteSpan, quote: str) -> bool:
    """A one- or two-word answer that closes its own sentence or follows a colon ("Guilty.")."""
    before = text[max(0, span.open - 3) : span.open].rstrip()
    return quote.rstrip()[-1:] in ".!" or before.endswith(":")


#: Where a headline line can end early: after a clause ("On Ethanol, He’s For Oil ..."), a colon or a dash.
_CLAUSE_END = re.compile(r"[,;:…](?=\s)|\s[—–-](?=\s)|(?<=\w)-(?=\s)|[.!?](?=\s)")


def _within_limits(line: str) -> str:
    """A headline line someone wrote, at most the digest's length: cut at its last clause end that
    fits, so a long title loses its tail clause rather than ending mid-phrase."""
    line = " ".join(line.split())
    if len(line) <= MAX_CHARS:
        return line
    best = line
    for m in _CLAUSE_END.finditer(line):
        head = line[: m.start() + 1].rstrip(" ,;:—–-")
        if len(head) > MAX_CHARS:
            break
        if len(head.split()) >= 3:
            best = head
    return best


def summarise(dispatch: Dispatch) -> Digest:
    """Turn a dispatch into a digest. Never raises on odd text: worst case, a bare digest."""
    text = dispatch.text[:MAX_TEXT]
    spans, sentences, attributions, cleaned = read(text)
    quotes = tuple(
        Quote(text=text[q.start : q.end], speaker=a.speaker, role=a.role, start=q.start, end=q.end)
        for q, a in zip(spans, attributions, strict=True)
    )
    # The dispatch's own headline line, when it carries one, is the headline an editor wrote.
    title = dispatch.title or cleaned.own_headline
    headline = write_headline(cleaned, sentences, title=_within_limits(title) if title else None)
    lead = cleaned.text[:600]
    key = choose_key_quotes(quotes, attributions, f"{headline} {lead}")
    return Digest(
        headline=headline,
        dateline=cleaned.dateline,
        quotes=quotes,
        key_quotes=tuple(key),
        text=cleaned.text,
        title=dispatch.title,
        url=dispatch.url,
        id=dispatch.id,
    )
