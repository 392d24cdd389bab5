"""Quote spans: every kind of double quotation mark, multi-paragraph quotes, nesting."""

from __future__ import annotations

import pytest

from digests import Dispatch, summarise


def quote_texts(text: str) -> list[str]:
    return [q.text for q in summarise(Dispatch(text=text)).quotes]


@pytest.mark.parametrize(
    "text",
    [
        'Anna Berg said: "We will reopen."',
        "Anna Berg said: “We will reopen.”",
        "Anna Berg sagte: „We will reopen.“",
        "Anna Berg a dit : « We will reopen. »",
        "Anna Berg sa: »We will reopen.«",
    ],
)
def test_every_kind_of_mark(text: str) -> None:
    assert quote_texts(text) == ["We will reopen."]


def test_offsets_point_into_the_original_text() -> None:
    text = "PARIS, May 2 (Sample) — “We will reopen,” Anna Berg said. “Soon.”\nEND/AB/"
    for q in summarise(Dispatch(text=text)).quotes:
        assert text[q.start : q.end] == q.text


def test_quote_running_over_paragraphs_ends_at_each_paragraph_and_keeps_its_speaker() -> None:
    text = (
        'Union leader Anna Berg said: "We have waited eleven months for an offer.\n"We will wait no longer," she added.'
    )
    digest = summarise(Dispatch(text=text))
    assert [q.text for q in digest.quotes] == ["We have waited eleven months for an offer.", "We will wait no longer,"]
    assert {q.speaker for q in digest.quotes} == {"Anna Berg"}


def test_nested_single_quotes_stay_inside() -> None:
    text = "“It is the principle of ‘peace through strength’,” Anna Berg said."
    assert quote_texts(text) == ["It is the principle of ‘peace through strength’,"]


def test_quoted_titles_of_shows_are_not_quotes() -> None:
    text = 'She said on NBC\'s "Meet the Press" that the plan was "clearly lacking."'
    assert quote_texts(text) == ["clearly lacking."]


def test_inch_marks_are_not_quotes() -> None:
    assert quote_texts('The 6" pipe burst, the company said.') == []


@pytest.mark.parametrize(
    "text",
    [
        '"He told me, "Never give up," and I never did," said coach Ann Vik.',
        "“He told me, “Never give up,” and I never did,” said coach Ann Vik.",
    ],
)
def test_a_quote_nested_in_the_same_marks_stays_inside_its_parent(text: str) -> None:
    [quote] = summarise(Dispatch(text=text)).quotes
    assert quote.text.startswith("He told me,") and quote.text.endswith("I never did,")
    assert quote.speaker == "Ann Vik"


def test_run_on_copy_keeps_every_quote_when_one_is_left_open() -> None:
    text = (
        'The mayor spoke first. "We will rebuild, she said. "Nobody will be left behind." Her rival '
        'disagreed. "The plan is a fantasy," he said. "It cannot be paid for."'
    )
    texts = quote_texts(text)
    assert "The plan is a fantasy," in texts and "It cannot be paid for." in texts


def test_a_closing_mark_typed_as_an_opening_one_still_closes() -> None:
    text = "“The risk pool is out of balance,“ the insurers' group wrote. “A correction is needed.”"
    assert quote_texts(text) == ["The risk pool is out of balance,", "A correction is needed."]


def test_a_term_in_marks_before_its_noun_is_not_a_quote() -> None:
    text = 'Tom Ash worked in the "junk bond" department for years. "It was a madhouse," Ash said.'
    assert quote_texts(text) == ["It was a madhouse,"]


def test_a_one_word_verdict_that_is_the_news_is_kept() -> None:
    text = 'The jury\'s verdict on the harbour fire: "Guilty." Judge Ann Moe set sentencing for May.'
    [quote] = summarise(Dispatch(text=text)).quotes
    assert (quote.text, quote.speaker) == ("Guilty.", "jury")


@pytest.mark.parametrize(
    "text",
    [
        'Ana Ruiz, star of the film "Harbour Lights," spoke on Monday. "We will strike," she said.',
        'Ana Ruiz wrote the book "Failure to Adjust: How Ports Lost Their Way." "We will strike," she said.',
        'Ana Ruiz appeared on NBC\'s "Today." "We will strike," she said.',
    ],
)
def test_titles_of_works_are_not_quotes_even_with_a_full_stop_inside(text: str) -> None:
    assert quote_texts(text) == ["We will strike,"]
