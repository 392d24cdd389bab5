"""What a later article adds to a story and what an edit changed (pure comparisons)."""

from __future__ import annotations

from digests import summarise
from digests.changes import Changes, new_quotes, sentences, what_changed
from digests.model import Dispatch
from tests.digests.story_fixtures import STRIKE_AFP, STRIKE_AP, STRIKE_BBC_QUOTED


def test_a_quote_already_reported_is_not_new_however_it_is_trimmed() -> None:
    ap = summarise(Dispatch(STRIKE_AP))
    trimmed = STRIKE_AP.replace('"We have been patient for eleven months,"', '"We have been patient for eleven months"')
    assert new_quotes(summarise(Dispatch(trimmed)), [ap]) == ()
    bbc = new_quotes(summarise(Dispatch(STRIKE_BBC_QUOTED)), [ap])
    assert [q.speaker for q in bbc] == ["Jens Holt"]
    assert new_quotes(summarise(Dispatch(STRIKE_AFP)), [ap]) == ()  # reported speech only: nothing new


def test_what_changed_names_the_headline_new_quotes_and_sentences() -> None:
    old = summarise(Dispatch('The dam opened on Monday. "It works," said engineer Ida Berg.', title="Dam opens"))
    new = summarise(
        Dispatch(
            'The dam opened on Monday, two years late. "It works," said engineer Ida Berg. '
            '"We are proud of the crews," said mayor Jon Lund.',
            title="Dam opens",
        )
    )
    changes = what_changed(old, new)
    assert [q.speaker for q in changes.quotes] == ["Jon Lund"]
    assert changes.added == ("The dam opened on Monday, two years late.",)
    assert changes.removed == 1 and not changes.correction and not changes.empty
    assert Changes.from_json(changes.to_json()) == changes


def test_a_correction_is_told_apart_from_an_update() -> None:
    old = summarise(Dispatch("The budget is 4 million."))
    new = summarise(Dispatch("The budget is 40 million.\n\nCorrection: an earlier version gave 4 million."))
    assert what_changed(old, new).correction
    assert not what_changed(new, new).correction and what_changed(new, new).empty


def test_sentences_split_on_ends_not_on_abbreviated_numbers() -> None:
    assert sentences('He left. "Why?" she asked.\nNew paragraph 3.5 times') == [
        "He left.",
        '"Why?" she asked.',
        "New paragraph 3.5 times",
    ]
