"""Any text in, a bounded digest out: never an exception, whatever a feed sends."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digests import Dispatch, summarise
from digests.headline import MAX_CHARS, MAX_WORDS

MARKS = st.sampled_from(['"', "“", "”", "„", "«", "»", "'", "‘", "’", "\n", "\n\n", ", ", ". ", " said ", " he ", "—"])
WORDS = st.sampled_from(
    ["Anna", "Berg", "said", "told", "the", "minister", "it", "added", "according", "to", "END/AB/"]
)
PIECES = st.one_of(st.text(max_size=40), MARKS, WORDS)


def check(text: str) -> None:
    digest = summarise(Dispatch(text=text))
    assert digest.headline and len(digest.headline) <= MAX_CHARS and len(digest.headline.split()) <= MAX_WORDS
    assert len(digest.key_quotes) <= 5
    assert all(0 <= i < len(digest.quotes) for i in digest.key_quotes)
    for q in digest.quotes:
        assert text[q.start : q.end] == q.text
        assert q.speaker is None or q.speaker.lower() not in {"he", "she", "it", "they", "i", "we", "who"}
    digest.to_json()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=60).map("".join))
def test_any_mix_of_quotes_and_prose(text: str) -> None:
    check(text)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000).map(lambda b: b.decode("utf-8", "replace")))
def test_binary_junk(text: str) -> None:
    check(text)


def test_empty_only_quotes_and_unbalanced() -> None:
    for text in ["", " ", '"', '""', '"""""', "“" * 1000, '"a" ' * 2000, "«»" * 500, "\n" * 1000]:
        check(text)


def test_five_megabytes_is_bounded() -> None:
    """A 5 MB dispatch is read up to the summariser's cap and still gives a digest."""
    text = ('"We will reopen the port on Monday," Anna Berg said. ' * 100_000)[: 5 * 1024 * 1024]
    digest = summarise(Dispatch(text=text))
    assert digest.quotes and digest.quotes[0].speaker == "Anna Berg"
