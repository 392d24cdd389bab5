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


def test_a_lowercase_month_is_still_a_date() -> None:
    text = "QUITO, march 3 - The central bank cut its main rate on Friday."
    dateline, start = parse_dateline(text)
    assert dateline is not None and (dateline.place, dateline.date) == ("QUITO", "march 3")
    assert text[start:].startswith("The central bank")
    dateline, start = parse_dateline("Lima, SEPT. 9 (Sample) - Miners went back to work.")
    assert dateline is not None and dateline.date == "SEPT. 9"


def test_slug_and_headline_above_the_dateline() -> None:
    text = (
        "BC-Harbour-Strike\n"
        "Dockers Walk Out At Three Ports\n"
        "By Jane Doe\n"
        "HARBOURTON, june 4 (Sample) - Dockers walked out at three ports on Tuesday, the union said.\n"
        '"We will stay out," said union organiser Lena Fox.\n'
    )
    cleaned = clean(text)
    assert cleaned.dateline is not None and (cleaned.dateline.place, cleaned.dateline.date) == ("HARBOURTON", "june 4")
    assert cleaned.own_headline == "Dockers walk out at three ports"  # one house style: sentence case
    assert cleaned.text.startswith("Dockers walked out")
    assert "BC-Harbour" not in cleaned.text and "Jane Doe" not in cleaned.text
    assert summarise(Dispatch(text=text)).headline == "Dockers walk out at three ports"


def test_an_all_caps_wire_headline_in_sentence_case_as_the_story_writes_its_words() -> None:
    text = (
        "UPDATE 2-HARBOUR BOARD OFFERS DOCKERS NEW TALKS IN HARBOURTON\n"
        "HARBOURTON, June 5 (Sample) - The Harbour Board offered new talks on Wednesday to dockers\n"
        "who have shut three ports in Harbourton since Tuesday, a spokesman for the board said.\n"
    )
    assert clean(text).own_headline == "Harbour Board offers dockers new talks in Harbourton"


def test_a_sentence_case_line_above_a_dateline_is_the_headline() -> None:
    text = "Dockers strike at three ports\nHARBOURTON (Sample) - Dockers walked out on Tuesday.\nTalks broke down."
    assert clean(text).own_headline == "Dockers strike at three ports"


def test_the_dispatch_title_wins_over_the_headline_line() -> None:
    text = "Dockers Walk Out At Three Ports\nDockers walked out at three ports on Tuesday.\nTalks broke down."
    assert summarise(Dispatch(text=text, title="Port strike")).headline == "Port strike"
    assert summarise(Dispatch(text=text)).headline == "Dockers walk out at three ports"


def test_a_lead_that_starts_with_its_dateline_is_no_headline() -> None:
    text = "LONDON (Sample) - Prices rose again in May\nShops said demand was strong.\nThe bank said little."
    cleaned = clean(text)
    assert cleaned.own_headline is None
    assert cleaned.text.startswith("Prices rose again in May\nShops said")


def test_a_sub_head_in_the_middle_is_dropped_and_not_the_headline() -> None:
    text = (
        "Dockers walked out at three ports on Tuesday after talks broke down.\n"
        "Talks Broke Down Over Night Shifts\n"
        "The board said it was ready to talk again this week.\n"
    )
    cleaned = clean(text)
    assert cleaned.own_headline is None
    assert "Night Shifts" not in cleaned.text
    assert summarise(Dispatch(text=text)).headline != "Talks Broke Down Over Night Shifts"


def test_a_long_headline_line_is_cut_at_a_clause_end() -> None:
    text = (
        "Board Offers Dockers New Talks, Says Ports Must Reopen Before The Holiday Rush Begins Next Week\n"
        "Dockers walked out at three ports on Tuesday.\nTalks broke down.\n"
    )
    assert summarise(Dispatch(text=text)).headline.lower() == "board offers dockers new talks"


@pytest.mark.parametrize(
    "signoff",
    [
        "MORE",
        "(MORE)",
        "-more-",
        "REUTER",
        "Reuters 1432 GMT",
        "-0-",
        "-30-",
        "AP-NY-06-04-24 1432EDT<",
        "1432 GMT",
        "0932ET",
        "(Writing by Jane Doe; Editing by Tim Roe)",
        "Reporting by Jane Doe in Harbourton; Editing by Tim Roe",
        "Copyright 2024 Sample News. All rights reserved.",
        "(c) Sample News 2024",
        "ENDS",
        "ENDIT",
        "xxx",
        "# # #",
        "jd/tr",
        "bur-jd/tr",
        "((jane.doe@example.com; +1 555 0100))",
    ],
)
def test_more_sign_off_forms(signoff: str) -> None:
    text = f"Dockers walked out at three ports on Tuesday.\nThe board said it was ready to talk.\n{signoff}"
    cleaned = clean(text)
    assert cleaned.text == "Dockers walked out at three ports on Tuesday.\nThe board said it was ready to talk."


@pytest.mark.parametrize(
    "sentence",
    [
        "More than 200 ships were waiting outside the port.",
        "Reuters reported the deal on Monday.",
        "End of an era for the port, she said.",
        "Copyright law was changed on Monday.",
        "Follow the money, she said.",
        "Related talks broke down as well.",
        "Reporting by the local radio showed long queues.",
        "Comments from the board were brief.",
    ],
)
def test_a_closing_sentence_is_not_a_sign_off(sentence: str) -> None:
    text = f"Dockers walked out at three ports on Tuesday.\nThe board said it was ready to talk.\n{sentence}"
    assert clean(text).text.endswith(sentence)


def test_a_colon_dateline_below_a_headline_but_not_below_prose() -> None:
    cleaned = clean("Port strike ends after three days\nNEW DELHI: Dockers went back to work on Friday.\nShips moved.")
    assert cleaned.dateline is not None and cleaned.dateline.place == "NEW DELHI"
    assert cleaned.own_headline == "Port strike ends after three days"
    cleaned = clean("Dockers went back to work on Friday.\nREAD ALSO: Ships wait at sea\nShips moved.")
    assert cleaned.dateline is None and cleaned.own_headline is None


def test_a_label_that_starts_several_turns_is_no_dateline() -> None:
    text = "Talking to the mayor\nMAYOR: The bridge opens in May.\nQ: On time?\nMAYOR: On time, and under budget."
    cleaned = clean(text)
    assert cleaned.dateline is None and cleaned.own_headline is None
    assert cleaned.text.startswith("Talking to the mayor\nMAYOR: The bridge")


def test_a_title_case_headline_line_is_written_in_sentence_case_keeping_names_and_acronyms() -> None:
    text = (
        "Harbour Board Chief Ana DuVernay Offers PAC Donors A Seat: The Talks Resume In June\n"
        "Ana DuVernay, who chairs the Harbour Board, said on Monday that donors to the port's PAC would get"
        " a seat at the table when the talks resume.\n"
        "The talks broke down in May.\n"
    )
    expected = "Harbour Board chief Ana DuVernay offers PAC donors a seat: The talks resume in June"
    assert clean(text).own_headline == expected


def test_a_headline_line_an_editor_wrote_is_kept_whole_up_to_the_length_limit_and_never_dangles() -> None:
    line = "Mayors, Governors Wear ‘Make Harbours Great Again Also’ Hats At Rally In Harbourton"
    body = "Mayors and governors wore ‘Make Harbours Great Again Also’ hats at a rally on Monday.\nIt ended.\n"
    # 13 words, 84 characters: whole, in sentence case
    assert summarise(Dispatch(text=f"{line}\n{body}")).headline == (
        "Mayors, governors wear ‘Make Harbours Great Again Also’ hats at rally in Harbourton"
    )
    long = "Mayors And Governors Wear Hats At The Rally In Harbourton After The Vote Of The Board And The Council"
    headline = summarise(Dispatch(text=f"{long}\n{body}")).headline
    assert len(headline) <= 90 and headline.split()[-1].lower() not in {"the", "and", "of"}


def test_a_dateline_with_the_state_written_out_after_a_capitalised_city() -> None:
    cleaned = clean("JACKSON, Miss. - The state's new law was blocked on Thursday night.")
    assert cleaned.dateline is not None and cleaned.dateline.place == "JACKSON, Miss."
    assert cleaned.text.startswith("The state's new law")


def test_a_title_case_line_of_two_sentences_capitalises_the_second() -> None:
    text = (
        "Council Finally Approves A Budget. Is This The Last One?\n\n"
        "On Monday the council approved a budget, the last one this year.\n"
    )
    assert summarise(Dispatch(text=text)).headline == "Council finally approves a budget. Is this the last one?"
