"""Key quotes: full sentences that carry the news, from more than one voice."""

from __future__ import annotations

from digests import Dispatch, summarise

STORY = (
    "ROTTERDAM, March 3 (Sample) — Dock workers will strike for 48 hours from Thursday, the union said.\n"
    '"We have been patient for eleven months and our members will not accept the offer," union negotiator '
    "Marieke de Vos told reporters.\n"
    'She said the union remained "ready to talk".\n'
    '"We will keep talking to anyone who calls us with a new offer this week," de Vos added.\n'
    '"A stoppage now punishes customers who have done nothing wrong at all," the operators\' association said.\n'
    "Port chief executive Allard Castelein urged calm.\n"
    '"Nobody wins when ships sail to Antwerp instead of coming here," he said.\n'
)


def test_three_to_five_key_quotes_in_text_order() -> None:
    digest = summarise(Dispatch(text=STORY))
    assert 3 <= len(digest.key_quotes) <= 5
    assert list(digest.key_quotes) == sorted(digest.key_quotes)


def test_full_sentences_before_fragments_and_both_sides() -> None:
    digest = summarise(Dispatch(text=STORY))
    key = digest.key
    assert all(len(q.text.split()) >= 5 for q in key[:3])
    speakers = {q.speaker for q in key}
    assert {"Marieke de Vos", "Allard Castelein"} <= speakers
    assert any("association" in (s or "") for s in speakers)


def test_a_fragment_only_when_nothing_better() -> None:
    digest = summarise(Dispatch(text='The minister said the plan was "foiled" by the weather.'))
    assert [q.text for q in digest.key] == ["foiled"]


def test_no_quotes_no_key_quotes() -> None:
    assert summarise(Dispatch(text="Prices rose for a third month in May.")).key_quotes == ()
