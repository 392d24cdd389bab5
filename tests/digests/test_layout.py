"""Hard-wrapped wire copy reads as the same story as the copy it was wrapped from."""

from __future__ import annotations

import textwrap

from hypothesis import given, settings
from hypothesis import strategies as st

from digests import Dispatch, summarise
from digests.layout import paragraphs, reflow

STORY = [
    "HARBOURTON, June 4 (Sample) - Dockers walked out at three ports on Tuesday after talks "
    "with the harbour board broke down over pay and night shifts, the union said.",
    '"We will stay out until the board comes back to the table with a real offer," said union '
    "organiser Lena Fox, speaking outside the main gate of the container terminal.",
    "The board said it regretted the strike and was ready to meet the union again this week.",
    '"Our door is open, and it has been open all along," board chairman Pieter Berg told '
    'reporters. "Nobody gains from ships waiting at anchor for days."',
    "Shipping lines said some vessels had already been sent on to other ports along the coast.",
]


def wrap(paras: list[str], layout: str, width: int = 69) -> str:
    """Copy as a wire terminal delivers it: ANPA (indented starts) or AP (blank lines)."""
    if layout == "anpa":
        return "\n".join(textwrap.fill(p, width, initial_indent="    ", break_on_hyphens=False) for p in paras)
    return "\n\n".join(textwrap.fill(p, width, break_on_hyphens=False) for p in paras)


def quotes_of(text: str) -> list[tuple[str, str | None, str | None]]:
    digest = summarise(Dispatch(text=text))
    for q in digest.quotes:
        assert text[q.start : q.end] == q.text
    return [(" ".join(q.text.split()), q.speaker, q.role) for q in digest.quotes]


def test_wrapped_layouts_read_as_the_plain_story() -> None:
    plain_text = "\n".join(STORY)
    plain = summarise(Dispatch(text=plain_text))
    assert [q.speaker for q in plain.quotes] == ["Lena Fox", "Pieter Berg", "Pieter Berg"]
    for layout in ("anpa", "ap"):
        wrapped_text = wrap(STORY, layout)
        assert len(wrapped_text.splitlines()) > 2 * len(STORY)  # really wrapped
        wrapped = summarise(Dispatch(text=wrapped_text))
        assert len(paragraphs(wrapped_text)) == len(STORY)
        assert quotes_of(wrapped_text) == quotes_of(plain_text)
        assert wrapped.text == plain.text  # the reader sees unwrapped prose
        assert wrapped.headline == plain.headline
        assert wrapped.dateline == plain.dateline
        assert [wrapped.quotes[i].speaker for i in wrapped.key_quotes] == [
            plain.quotes[i].speaker for i in plain.key_quotes
        ]


def test_one_paragraph_a_line_stays_a_paragraph_a_line() -> None:
    text = "The port closed.\nShips waited.\nDockers said they would return on Monday.\nTalks go on"
    assert [text[s:e] for s, e in paragraphs(text)] == text.split("\n")


def test_web_text_with_long_paragraphs_is_not_rewrapped() -> None:
    text = "\n\n".join(STORY)
    assert [text[s:e] for s, e in paragraphs(text)] == STORY


def test_a_hyphen_at_a_line_end_belongs_to_the_compound() -> None:
    text = "    The state-\nowned operator said the strike would cost it dearly\nthis month.\n    It gave no figure."
    spans = paragraphs(text)
    assert len(spans) == 2
    assert reflow(text, *spans[0]) == "The state-owned operator said the strike would cost it dearly this month."


def test_a_sign_off_after_a_full_last_line_stays_apart() -> None:
    text = (
        "The board said on Tuesday that it regretted the strike at the three\n"
        "ports and that it was ready to meet the union again later this week.\n"
        "REUTER"
    )  # "REUTER" would not have fitted on the line above: only its look says it is no prose
    assert [text[s:e] for s, e in paragraphs(text)][-1] == "REUTER"
    assert "REUTER" not in summarise(Dispatch(text=text)).text


SENTENCES = st.sampled_from(
    [
        "The harbour board met on Monday.",
        "Talks broke down late in the evening over pay and shifts.",
        '"We will not go back," said organiser Lena Fox.',
        '"It is a sad day for the port and for the town," the mayor, Anna Lind, told reporters.',
        "Ships were sent on to other ports along the coast.",
        '"Nobody gains from this," she added.',
        "Shipping lines said costs would rise for importers and for exporters alike.",
    ]
)
PARAGRAPHS = st.lists(st.lists(SENTENCES, min_size=1, max_size=4).map(" ".join), min_size=2, max_size=8)


@settings(max_examples=60, deadline=None)
@given(PARAGRAPHS, st.sampled_from(["anpa", "ap"]), st.integers(min_value=60, max_value=76))
def test_any_story_wrapped_reads_as_unwrapped(paras: list[str], layout: str, width: int) -> None:
    plain = "\n".join(paras)
    wrapped = wrap(paras, layout, width)
    if all(len(p) + 4 <= width for p in paras):
        return  # no paragraph needed wrapping: it is a paragraph a line
    assert len(paragraphs(wrapped)) == len(paras)
    assert quotes_of(wrapped) == quotes_of(plain)
