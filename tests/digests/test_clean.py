"""Cleaning: datelines, sub-heads and sign-offs are found and kept out of the story."""

from __future__ import annotations

import pytest

from digests import Dispatch, summarise
from digests.clean import clean, parse_dateline


@pytest.mark.parametrize(
    ("text", "place", "date", "agency"),
    [
        ("Kyiv, Ukraine, Feb 7 (V7N) — Ukraine said on Friday ...", "Kyiv, Ukraine", "Feb 7", "V7N"),
        ("FRANKFURT, March 4 - The Bundesbank said ...", "FRANKFURT", "March 4", None),
        ("WASHINGTON (Reuters) - The Senate voted ...", "WASHINGTON", None, "Reuters"),
        ("LONDON — Prices rose ...", "LONDON", None, None),
    ],
)
def test_datelines(text: str, place: str, date: str | None, agency: str | None) -> None:
    dateline, start = parse_dateline(text)
    assert dateline is not None
    assert (dateline.place, dateline.date, dateline.agency) == (place, date, agency)
    assert text[start:][:1].isupper()


def test_a_sentence_with_a_dash_is_not_a_dateline() -> None:
    assert parse_dateline("Ukraine - a country at war - said on Friday it would talk.")[0] is None


def test_sign_off_and_trailing_cruft_are_not_in_the_cleaned_text() -> None:
    text = (
        "PARIS, May 2 (Sample) — The minister resigned on Friday after a week of protests.\n"
        "Her deputy will take over until a vote next month.\n"
        "END/WD/RH/\n"
        "Comment:"
    )
    cleaned = clean(text)
    assert "END/WD" not in cleaned.text and "Comment" not in cleaned.text
    assert cleaned.text.startswith("The minister resigned")


@pytest.mark.parametrize("signoff", ["Reuter", "(Reporting by Jane Doe; Editing by John Roe)"])
def test_wire_sign_offs(signoff: str) -> None:
    text = f"The bank raised rates on Thursday.\nIt said inflation was too high.\n{signoff}"
    assert signoff not in clean(text).text


def test_sub_heads_are_not_quotes_or_prose() -> None:
    text = (
        "The strike began on Monday at the port.\n"
        "Workers: 'No Retreat'\n"
        '"We will stay out until they talk," said organiser Lena Fox.\n'
    )
    digest = summarise(Dispatch(text=text))
    assert "No Retreat" not in digest.text
    assert [q.speaker for q in digest.quotes] == ["Lena Fox"]
