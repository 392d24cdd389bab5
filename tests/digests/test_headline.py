"""Headlines: written from the lead's main clause, in headline grammar, within the digest's limits.

Every example sentence here is our own, written for the rule it tests.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digests import Dispatch, inflect, summarise
from digests.headline import DANGLING, MAX_CHARS, MAX_WORDS


def headline(text: str) -> str:
    return summarise(Dispatch(text=text + "\nMore follows.")).headline


def words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9'’.-]*", text)


def has_verb(head: str) -> bool:
    """A finite verb, participle or infinitive that lemminflect knows as a verb form."""
    return any(inflect.verb_tags(w.lower()) for w in words(head)[1:]) or " to " in f" {head} "


LEADS = [
    "KYIV, Feb 7 (Sample) — Ukraine has announced it is ready to open a humanitarian corridor to allow "
    "hundreds of civilians to return home—if Moscow formally requests it.",
    "NAIROBI, June 12 - Kenya cut its maize harvest forecast by a fifth on Thursday after failed rains in the "
    "east, raising the prospect of higher import bills.",
    "Standard Oil Co and BP North America Inc said they plan to form a venture to manage the money market "
    "borrowing of both companies.",
    "The release of a film about the 1993 blasts has been postponed following protests by those on trial.",
]


@pytest.mark.parametrize("text", LEADS)
def test_headline_limits_and_style(text: str) -> None:
    head = headline(text)
    assert 0 < len(head.split()) <= MAX_WORDS and len(head) <= MAX_CHARS
    assert "(Sample)" not in head and "KYIV" not in head and "NAIROBI" not in head
    assert not re.search(r"\bhas announced it is\b", head)
    assert head[0].isupper() and has_verb(head)


def test_reported_pronoun_clause_keeps_the_speaker_and_its_condition() -> None:
    head = headline(LEADS[0])
    assert head.startswith("Ukraine ready to open humanitarian corridor")
    assert head.endswith("if Moscow formally requests it")


def test_said_they_plan_keeps_both_companies_as_actors() -> None:
    assert headline(LEADS[2]).startswith("Standard Oil and BP North America plan to form venture")


def test_past_tense_main_verb_becomes_present() -> None:
    assert headline("The central bank raised interest rates by half a point on Tuesday to cool inflation.").startswith(
        "Central bank raises interest rates"
    )


def test_leading_subordinate_clause_is_skipped_whatever_its_length() -> None:
    text = (
        "Although sales rose sharply in the first half, helped by a weak currency and strong demand in Asia, "
        "the company cut 500 jobs on Tuesday."
    )
    assert headline(text) == "Company cuts 500 jobs"


def test_long_leading_adverbial_is_skipped() -> None:
    text = (
        "In a statement issued late on Tuesday after a lengthy board meeting in the capital, the national "
        "carrier said it would cancel all flights to the islands."
    )
    assert headline(text) == "National carrier to cancel all flights to islands"


def test_gerund_subject_is_not_a_leading_phrase() -> None:
    text = "Holding prisoners without charge breaks the law, the country's highest court has ruled."
    assert headline(text) == "Holding prisoners without charge breaks law"


def test_passive_stays_a_participle() -> None:
    head = headline("Tennis player Jan Novak was banned for three months by the sport's governing body on Friday.")
    assert "banned for three months" in head and "bans" not in head


def test_modal_may_stays_and_the_month_may_is_a_date() -> None:
    head = headline("The central bank may raise interest rates again in May, its governor said.")
    assert head == "Central bank may raise interest rates"
    digest = summarise(Dispatch(text="LONDON, May 5 (Wire) - The port may close for a week, its owner said."))
    assert digest.dateline is not None and digest.dateline.date == "May 5"
    assert digest.headline == "Port may close for week"


def test_verb_agrees_with_a_plural_subject() -> None:
    assert headline("Spectators were evacuated from the stadium after a bomb threat.") == (
        "Spectators evacuated from stadium"
    )
    assert headline("Shares in the airline have tumbled after the firm warned it could run out of cash.") == (
        "Shares in airline tumble"
    )
    assert headline("More than 2,000 people turned out on Sunday to greet the returning team.").startswith(
        "More than 2,000 people turn out"
    )


def test_copula_is_kept_and_agrees_when_it_is_the_only_verb() -> None:
    assert (
        headline("The two ministers were unaware of the deal, officials said.") == "Two ministers are unaware of deal"
    )


def test_participial_adjective_is_not_inflected() -> None:
    head = headline("A state-owned firm has bought a stake in the port.")
    assert head.startswith("State-owned firm buys stake")


def test_and_is_kept_in_a_coordinated_subject() -> None:
    head = headline("Britain and France have agreed to share intelligence on smuggling gangs.")
    assert head.startswith("Britain and France agree to share intelligence")


def test_told_keeps_the_speaker_as_actor_not_the_addressee() -> None:
    head = headline("The mining company told investors on Monday it will close two pits next year.")
    assert head == "Mining company to close two pits"


def test_told_a_long_addressee_that_keeps_the_speaker() -> None:
    text = (
        "The finance minister told a parliamentary budget committee that he does not think the currency "
        "is in free fall."
    )
    assert headline(text).startswith("Finance minister does not think currency is in free fall")


def test_an_aside_and_a_time_word_before_the_verb_are_skipped() -> None:
    text = "The governor, reacting to protests by farmers, today announced she will seek more money for the dams."
    assert headline(text) == "Governor to seek more money for dams"


def test_two_roles_of_one_person_take_a_singular_verb() -> None:
    head = headline("The chairman and chief executive John Marsh resigned on Friday after a row over pay.")
    assert head.endswith("John Marsh resigns")


def test_by_a_number_is_not_a_passive_agent() -> None:
    text = "The number of fishing boats working in the bay dropped by twelve last month, the harbour office said."
    head = headline(text)
    assert head.startswith("Number of fishing boats") and head.endswith("drops by twelve")


def test_single_quote_marks_and_floating_quantifiers() -> None:
    assert headline("The judge blocked the state's 'religious freedom' law on Friday.") == (
        "Judge blocks state's religious freedom law"
    )
    assert headline("It all began with a letter from the mayor to the harbour board.").startswith("It all begins")


def test_attribution_goes_when_the_reported_clause_has_its_own_subject() -> None:
    head = headline("The ministry said the new bridge would open to traffic in March.")
    assert head == "New bridge to open to traffic"
    head = headline("Prices of fresh fish doubled in a week, traders in the harbour said.")
    assert head == "Prices of fresh fish double in week"


def test_a_comparison_is_never_cut_off() -> None:
    head = headline(
        "The board can think of no person better qualified than the current chairman to lead the company "
        "through its crisis."
    )
    assert "no person" not in head or "than current chairman" in head


@pytest.mark.parametrize(
    "text",
    [
        "The committee, which met for the third time in a week amid mounting pressure from shareholders "
        "and regulators in several countries, approved the merger of the two largest regional lenders.",
        "Workers at the northern plant, angry about pay and about the closure of two canteens, walked out "
        "in the middle of the night shift on Wednesday without warning their managers.",
    ],
)
def test_cut_only_between_phrases_never_on_a_function_word(text: str) -> None:
    head = headline(text)
    assert len(head.split()) <= MAX_WORDS
    assert words(head)[-1].lower() not in DANGLING
    assert has_verb(head)


@pytest.mark.parametrize(
    ("text", "verb"),
    [
        ("The two unions agreed a new pay deal with the railway operator.", "agree"),
        ("The minister denied reports that she would resign.", "denies"),
        ("The donor conference pledged aid worth millions to the region.", "pledges"),
        ("The university honoured the retiring professor with a new prize.", "honours"),
        ("The currency plunged to a record low against the dollar.", "plunges"),
        ("The city council totalled the cost of the repairs.", "totals"),
    ],
)
def test_present_tense_comes_from_lemminflect_never_suffix_rules(text: str, verb: str) -> None:
    head = headline(text)
    assert verb in head.split()
    for word in words(head):
        assert word.lower() in text.lower() or inflect.known(word), word


@pytest.mark.parametrize(
    "text",
    [
        "A batch of weak figures has cast doubt over the recovery.",
        "Fears over the harvest, already high after a dry spring, grew on Monday.",
        "The Smith and Jones Group said its operations were unaffected by the strike.",
        "Police in the capital are investigating a series of thefts from parked cars.",
    ],
)
def test_never_without_a_verb(text: str) -> None:
    assert has_verb(headline(text))


def test_a_title_is_used_when_the_dispatch_has_one() -> None:
    digest = summarise(Dispatch(text="Some body text that says things.", title="  Port strike  ends\n"))
    assert digest.headline == "Port strike ends"


def test_text_without_prose_still_gets_a_headline() -> None:
    assert summarise(Dispatch(text="—")).headline


_VOCAB = st.sampled_from(
    "the a minister said told it would will may May has been was were banned agreed shares in and of to "
    "Anna Berg , . — ( ) that which who after although company workers rose fell state-owned".split()
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_VOCAB, st.text(max_size=12)), max_size=80).map(" ".join))
def test_any_text_yields_a_bounded_headline(text: str) -> None:
    head = summarise(Dispatch(text=text)).headline
    assert head and len(head) <= MAX_CHARS and len(head.split()) <= MAX_WORDS


@pytest.mark.parametrize(
    ("lead", "expected"),
    [
        ("We are going to win so much, Mayor Ida Holm told a rally in Tromso on Monday.", "Ida Holm: We are going"),
        (
            "I am not leaving the party, said the deputy speaker of the assembly.",
            "deputy speaker of assembly: I am not leaving",
        ),
    ],
)
def test_a_first_person_lead_is_headed_by_its_speaker_not_turned_into_headlinese(lead: str, expected: str) -> None:
    head = headline(lead)
    assert expected.lower() in head.lower()
    assert " to win" not in head.replace("going to win", "")


def test_a_closing_attribution_to_an_audience_is_still_an_attribution() -> None:
    head = headline("The new bridge will open in May, port director Anna Berg told a meeting in Bergen on Monday.")
    assert head.startswith("New bridge to open") and "told" not in head


def test_a_title_keeps_the_space_before_an_opening_single_quote() -> None:
    text = "Court halts Norway's 'harbour first' law\n\nOSLO, May 3 (NTB) - A court on Friday halted the law.\n"
    assert summarise(Dispatch(text=text)).headline == "Court halts Norway's 'harbour first' law"


def test_a_headline_never_ends_on_a_copula_cut_from_its_complement() -> None:
    """'Careers of harbour pilots Anna Berg and Tor Lund are' reads broken: the next lead
    sentence serves instead."""
    text = (
        "The careers of harbour pilots Anna Berg and Tor Lund are over, says the head of the authority "
        "that cleared them of breaking the speed limit.\nAuthority chief Piet Hals told the regional "
        'parliament: "I believe they will not work again."'
    )
    headline = summarise(Dispatch(text=text)).headline
    assert headline.split()[-1].lower() not in {"are", "is", "were", "was"}
    assert "Piet Hals" in headline
