"""Headlines: wire style, written from the story, within the digest's limits."""

from __future__ import annotations

import re

import pytest

from digests import Dispatch, summarise

LEADS = [
    "KYIV, Feb 7 (Sample) — Ukraine has announced it is ready to open a humanitarian corridor to allow "
    "hundreds of civilians to return home—if Moscow formally requests it.\nMore follows.",
    "NAIROBI, June 12 - Kenya cut its maize harvest forecast by a fifth on Thursday after failed rains in the "
    "east, raising the prospect of higher import bills.\nOfficials spoke.",
    "Standard Oil Co and BP North America Inc said they plan to form a venture to manage the money market "
    "borrowing of both companies.\nMore.",
    "The release of a film about the 1993 blasts has been postponed following protests by those on trial.",
]


@pytest.mark.parametrize("text", LEADS)
def test_headline_limits_and_style(text: str) -> None:
    headline = summarise(Dispatch(text=text)).headline
    assert 0 < len(headline.split()) <= 12 and len(headline) <= 90
    assert "(Sample)" not in headline and "KYIV" not in headline and "NAIROBI" not in headline
    assert not re.search(r"\bhas announced it is\b", headline)
    assert headline[0].isupper()


def test_headline_is_written_not_cut() -> None:
    headline = summarise(Dispatch(text=LEADS[0])).headline
    assert headline.startswith("Ukraine ready to open humanitarian corridor")
    assert "if Moscow" in headline


def test_said_they_plan_becomes_to() -> None:
    assert summarise(Dispatch(text=LEADS[2])).headline.startswith("Standard Oil and BP North America to form")


def test_past_tense_main_verb_becomes_present() -> None:
    text = "The central bank raised interest rates by half a point on Tuesday to cool inflation.\nMore."
    assert "raises" in summarise(Dispatch(text=text)).headline


def test_a_title_is_used_when_the_dispatch_has_one() -> None:
    digest = summarise(Dispatch(text="Some body text that says things.", title="  Port strike  ends\n"))
    assert digest.headline == "Port strike ends"


def test_text_without_prose_still_gets_a_headline() -> None:
    assert summarise(Dispatch(text="—")).headline
