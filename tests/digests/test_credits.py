"""Pull quotes credited under the quote, as newsletters and round-ups print them."""

from __future__ import annotations

from digests import Dispatch, summarise
from digests.credits import dash_credit, quote_credit


def quotes(text: str) -> list[tuple[str, str | None, str | None]]:
    return [(q.text, q.speaker, q.role) for q in summarise(Dispatch(text=text)).quotes]


def test_a_credit_line_inside_the_marks_names_the_speaker_and_leaves_the_quote() -> None:
    text = (
        "The budget fight is back.\n\n"
        '"Nobody in this town wants to talk about the deficit until an election is near.\n'
        'Ruth Kanter, Centre for Fiscal Studies."\n\n'
        "The vote is on Friday."
    )
    assert quotes(text) == [
        (
            "Nobody in this town wants to talk about the deficit until an election is near.",
            "Ruth Kanter",
            "Centre for Fiscal Studies",
        )
    ]


def test_a_dash_line_after_a_quote_paragraph_credits_it() -> None:
    text = (
        "Delegates talked to us on the floor.\n\n"
        '"The whole idea of a rigged vote is something we hear all the time, and it needs to stop."\n\n'
        "— Mara Quist, Lisbon.\n\n"
        '"Great speech. She is ready."\n\n'
        "— Governor Tom Aldous, posting after the speech."
    )
    got = quotes(text)
    assert [(speaker, role) for _, speaker, role in got] == [("Mara Quist", "Lisbon"), ("Tom Aldous", "Governor")]


def test_a_spoken_line_that_opens_on_a_name_is_not_a_credit() -> None:
    assert quote_credit("Sit down.\nAnna Berg, you are out of order.") is None
    assert quote_credit("Sit down.\nAnna, come here.") is None
    assert dash_credit("- The party is over, and we all know it.") is None


def test_a_dash_line_after_prose_credits_nothing() -> None:
    text = 'Jon Paulsen said the port was "closed for good".\n\n— Harbour Desk, Oslo.'
    assert quotes(text)[0][1] == "Jon Paulsen"
