"""Attribution as a reader sees it: who said each quote, in the patterns wire copy uses."""

from __future__ import annotations

import pytest

from digests import Dispatch, summarise


def speakers(text: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in summarise(Dispatch(text=text)).quotes]


def roles(text: str) -> dict[str, str | None]:
    return {q.speaker or "": q.role for q in summarise(Dispatch(text=text)).quotes}


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('"The harbour will reopen on Monday," port director Anna Berg said.', "Anna Berg"),
        ('Port director Anna Berg said: "The harbour will reopen on Monday."', "Anna Berg"),
        ('"The harbour will reopen on Monday," said Anna Berg, the port director.', "Anna Berg"),
        ('Anna Berg, the port director, said "the harbour will reopen on Monday".', "Anna Berg"),
        ('"The harbour will reopen on Monday," Anna Berg told Reuters.', "Anna Berg"),
        ('The harbour will reopen "within days", according to Anna Berg.', "Anna Berg"),
        ('"The harbour will reopen on Monday," Anna Berg wrote on social media.', "Anna Berg"),
    ],
)
def test_name_before_or_after_the_quote(text: str, speaker: str) -> None:
    assert speakers(text)[0][1] == speaker


def test_surname_takes_the_fullest_name_and_role_from_first_mention() -> None:
    text = (
        "Kremlin spokesman Dmitry Peskov spoke to reporters on Thursday.\n"
        '"This question depends on contacts between our militaries," Peskov said.'
    )
    digest = summarise(Dispatch(text=text))
    assert digest.quotes[0].speaker == "Dmitry Peskov"
    assert digest.quotes[0].role == "Kremlin spokesman"


def test_pre_modifier_role_is_split_from_the_name() -> None:
    text = '"About 1,500 civilians remain," Military spokesperson Oleksiy Dmytrashkivsky told AFP.'
    assert roles(text) == {"Oleksiy Dmytrashkivsky": "Military spokesperson"}


def test_it_added_carries_the_last_organisation() -> None:
    text = (
        '"We are ready to open a corridor," the country\'s foreign ministry said in a statement.\n'
        '"We have not received a request," it added, accusing its neighbour of "indifference".'
    )
    got = speakers(text)
    assert [s for _, s in got] == ["country's foreign ministry"] * 3


def test_pronoun_takes_the_last_person_of_the_right_gender() -> None:
    text = (
        "Union negotiator Marieke de Vos said her members were angry. Port chief Tom Hart said his offer stood.\n"
        '"We will not accept that trade," she said.'
    )
    assert speakers(text)[-1] == ("We will not accept that trade,", "Marieke de Vos")


def test_quote_only_paragraph_continues_the_previous_speaker() -> None:
    text = (
        '"Nobody wins when ships sail elsewhere," port chief executive Allard Castelein said.\n'
        '"I have asked the mediator to call both parties in before Thursday."'
    )
    assert [s for _, s in speakers(text)] == ["Allard Castelein", "Allard Castelein"]


def test_speaker_in_the_next_sentence() -> None:
    text = '"Prices have already gone up twice this month." That was the verdict of miller Rajan Shah.\n'
    text += 'Shah added: "An import window in August is of no use."'
    assert speakers(text)[-1][1] == "Rajan Shah"


def test_two_quotes_around_one_cue() -> None:
    text = '"Prices have gone up twice," said Rajan Shah, "and they will rise again."'
    assert [s for _, s in speakers(text)] == ["Rajan Shah", "Rajan Shah"]


def test_partial_quote_after_but_takes_the_clause_subject() -> None:
    text = 'The Kremlin declined to comment publicly but insisted it was "doing everything" to help.'
    assert speakers(text) == [("doing everything", "Kremlin")]


def test_participle_takes_the_subject_of_its_clause() -> None:
    text = 'Health Minister Rosa Klein wrote to the mayor on Friday, calling the plan "a disgrace".'
    assert speakers(text) == [("a disgrace", "Rosa Klein")]


def test_nobody_named_gives_no_speaker() -> None:
    text = 'The sign on the door read: "We are closed for repairs until the end of the month, sorry."'
    assert speakers(text)[0][1] is None


def test_a_short_phrase_nobody_said_is_not_a_quote() -> None:
    assert speakers('The so-called "establishment" stayed home all week long.') == []


def test_speaker_is_never_a_bare_pronoun_when_a_name_precedes() -> None:
    text = 'Maria Lopez runs the bakery. "Bread prices are rising," she said.'
    assert speakers(text)[0][1] == "Maria Lopez"


def test_inverted_pronoun_after_the_quote_is_a_cue() -> None:
    text = 'Harbour master Ole Brandt walked to the quay. "We go on," said he. "The sea does not wait."'
    assert [s for _, s in speakers(text)] == ["Ole Brandt", "Ole Brandt"]


@pytest.mark.parametrize(
    ("text", "speaker", "role"),
    [
        # the medium that relays the words is not the speaker
        ('Interfax quoted Kremlin aide Ivan Sokol as saying: "Moscow will respond."', "Ivan Sokol", "Kremlin aide"),
        ('"The port is shut," state radio quoted harbour master Eva Lind as saying.', "Eva Lind", "harbour master"),
        ('"This is a disaster," AFP reported, quoting port official Rui Costa.', "Rui Costa", "port official"),
        ('"The strike goes on," AFP reported union leader Ali Musa as saying.', "Ali Musa", "union leader"),
        # an inverted description with adjectives after a quantifier
        ('"There is no deal," said one senior diplomatic source.', "one senior diplomatic source", None),
        # a sentence-initial "Said" is the verb, not a first name
        ('Said Williams: "We are ready to talk."', "Williams", None),
        # the whole pre-name phrase is the role; honorifics and ages are not roles
        ('"The budget holds," finance minister Brian Manning said.', "Brian Manning", "finance minister"),
        ('"The budget holds," Mr Manning said.', "Manning", None),
        ('Carla Moss, 54, said: "We will appeal."', "Carla Moss", None),
        ('"The bill is dead," said Ann Lee, a Democrat from California.', "Ann Lee", "Democrat from California"),
        ('"The bill is dead," said Ann Lee, a Democrat.', "Ann Lee", None),
        ('"The bill is dead," said Tom Ray, R-Ohio.', "Tom Ray", None),
        # "X's statement that ..." gives X
        ('The ministry\'s statement that "all troops have withdrawn" was disputed.', "ministry", None),
    ],
)
def test_speaker_and_role_of_the_speech_verb(text: str, speaker: str, role: str | None) -> None:
    [quote] = summarise(Dispatch(text=text)).quotes
    assert (quote.speaker, quote.role) == (speaker, role)


def test_quoting_a_text_keeps_the_author_who_tweeted() -> None:
    text = '"Deporting them all is absurd," Lena Ortiz tweeted, quoting a reporter\'s post on the plan.'
    assert speakers(text)[0][1] == "Lena Ortiz"


def test_a_place_qualifying_a_role_is_not_the_person() -> None:
    text = (
        "Former Utah governor Jan Brewster, an early backer, praised the plan.\n"
        '"That is something voters want," she said in an interview.'
    )
    assert speakers(text)[0][1] == "Jan Brewster"


def test_an_opening_adverb_is_not_part_of_the_name() -> None:
    text = 'Even Mark Pole, the party chairman, was unsure. "We will see," he said.'
    assert speakers(text)[0][1] == "Mark Pole"


def test_a_pronoun_continues_the_named_person_not_her_possessor() -> None:
    text = 'Tom Reed\'s wife, Mary, said she was proud of him. "He worked hard all his life," she said.'
    assert speakers(text)[0][1] == "Mary"


def test_a_name_in_apposition_to_a_kin_noun_is_a_person_of_that_gender() -> None:
    text = (
        "Campaign chief Gary Holt spoke first. Her father, Brad, 39, was less sure.\n"
        '"People are afraid of wasting their votes," he said.'
    )
    assert speakers(text)[0][1] == "Brad"


def test_a_description_speaks_as_the_body_the_text_names() -> None:
    text = (
        "Acme Corp cut 500 jobs on Friday.\n"
        '"We had no choice," the company said. "The market collapsed," it added.\n'
        'The Defence Ministry denied it. "No troops crossed," the ministry said.'
    )
    assert [s for _, s in speakers(text)] == ["Acme Corp", "Acme Corp", "Defence Ministry"]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('Port chief Lena Holm told The Harbour Gazette: "We reopen on Monday."', "Lena Holm"),
        ('Lena Holm explained it to the weekly Harbour Gazette: "We reopen on Monday."', "Lena Holm"),
        ('Hours later, Lena Holm replied to the union, telling reporters: "We reopen on Monday."', "Lena Holm"),
        ('Shipping donor Carl Brandt spoke late. "We reopen on Monday," Brandt said.', "Carl Brandt"),
    ],
)
def test_the_addressee_or_a_time_phrase_is_never_the_speaker(text: str, speaker: str) -> None:
    assert speakers(text)[0][1] == speaker


def test_place_names_are_not_persons_a_pronoun_can_take() -> None:
    text = (
        "Mayor Ana Ruiz spoke to a radio station in San Marino and to reporters from New Carlow.\n"
        '"Nothing has changed," she said.'
    )
    assert speakers(text)[0][1] == "Ana Ruiz"


def test_the_subject_of_an_infinitive_speech_verb_speaks() -> None:
    text = 'Lars Eng promised calm, only for Mia Berg to tweet that "the port is closed for good."'
    assert speakers(text)[0][1] == "Mia Berg"


@pytest.mark.parametrize(
    "aside",
    [
        "READ ALSO: Dockers in Lisbon vote on Monday",
        "Photo: Maria Costa/Reuters",
        "Harbour workers wait at the gate. (AP Photo/Peter Lund)",
        "By JOHN DOE, Associated Press",
    ],
)
def test_captions_promo_lines_and_bylines_do_not_break_the_pronoun_chain(aside: str) -> None:
    text = f'Union leader Anna Berg addressed the strikers on Monday.\n{aside}\n"We stay out until Friday," she said.'
    assert speakers(text)[0][1] == "Anna Berg"


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        # a time phrase between subject and verb
        ('The anger fell on the mayor, whom Lena Holm on Wednesday called "a coward".', "Lena Holm"),
        # an apposition whose closing comma the writer left out
        ('Ivo Marsh, president and chief executive of the Harbour Guild stated, "It is a math problem."', "Ivo Marsh"),
        # a participle after the quote takes the clause's subject, not its own object
        ('Ivo Marsh walked out. He said it was a "gross distortion," describing the union as reckless.', "Ivo Marsh"),
    ],
)
def test_subject_found_past_time_phrases_open_appositions_and_participles(text: str, speaker: str) -> None:
    assert speakers(text)[0][1] == speaker


def test_a_sentence_opening_common_word_is_not_a_speaker() -> None:
    text = 'Much of the anger fell on the council, and much of it was "entirely deserved".'
    assert [s for _, s in speakers(text)] in ([], [None])


def test_speech_verbs_with_a_doubled_consonant_are_cues() -> None:
    text = 'Port chief Lena Holm admitted defeat. "We lost," she admitted. "It hurts," Holm quipped.'
    assert [s for _, s in speakers(text)] == ["Lena Holm", "Lena Holm"]


def test_an_event_is_not_a_person_a_pronoun_can_take() -> None:
    text = 'Ana Ruiz spoke after the Harbour Workers Convention closed.\n"The way I see it, we won," she said.'
    assert speakers(text)[0][1] == "Ana Ruiz"


def test_a_transcript_without_quotation_marks_gives_each_turn_to_its_label() -> None:
    text = (
        "Interview with the harbour master\n\n"
        "Q: Will the port reopen this week?\n\n"
        "HARBOUR MASTER: We expect the first ships on Friday, weather permitting.\n\n"
        "Q: And the dockers?\n\n"
        "HARBOUR MASTER: They have agreed to return, and we thank them for it."
    )
    digest = summarise(Dispatch(text=text))
    assert [(q.speaker, q.text[:12]) for q in digest.quotes] == [
        ("Interviewer", "Will the por"),
        ("Harbour Master", "We expect th"),
        ("Interviewer", "And the dock"),
        ("Harbour Master", "They have ag"),
    ]
    assert all(q.speaker == "Harbour Master" for q in digest.key)  # the interviewer's questions are not key quotes


def test_one_capitalised_label_is_a_dateline_not_a_transcript() -> None:
    text = 'NEW DELHI: The court refused to stay the demolition. "We will appeal," lawyer Ravi Nair said.'
    assert speakers(text) == [("We will appeal,", "Ravi Nair")]


@pytest.mark.parametrize(
    ("text", "speaker", "role"),
    [
        (
            '"This campaign protects the vulnerable," said Dr. the Hon. Colin Reid, Minister of Health and Wellness.',
            "Colin Reid",
            "Minister of Health and Wellness",
        ),
        (
            'In a statement, the Harbour Workers\' Union said: "We will strike on Monday."',
            "Harbour Workers' Union",
            None,
        ),
    ],
)
def test_courtesy_titles_and_plural_possessive_names(text: str, speaker: str, role: str | None) -> None:
    [quote] = summarise(Dispatch(text=text)).quotes
    assert (quote.speaker, quote.role) == (speaker, role)


def test_a_body_named_with_of_stays_whole_in_the_role() -> None:
    text = 'Bank of Norland Governor Ivar Dahl ruled out a cut.\n"The time is not ripe," Dahl said.'
    assert roles(text) == {"Ivar Dahl": "Bank of Norland Governor"}


def test_professor_is_a_title_not_part_of_the_name() -> None:
    text = 'Professor Kari Lunde leads the project. "Robots must respect our space," Professor Lunde said.'
    assert speakers(text)[0][1] == "Kari Lunde"


def test_a_pronoun_continues_whoever_spoke_in_the_sentence_before() -> None:
    text = (
        "Anyone nominated to replace Lars Vik would pale in comparison, Eric Holm said.\n"
        '"Vik had the status of a demigod," he said.'
    )
    assert speakers(text)[0][1] == "Eric Holm"


def test_continue_and_begin_are_speech_only_beside_a_quote() -> None:
    text = (
        "Ana Ruiz, the mayor, said Tom Berg continued to hurt the port by attacking the union.\n"
        '"It has not gone well for him," she said. "We are not done," she continued.'
    )
    assert [s for _, s in speakers(text)] == ["Ana Ruiz", "Ana Ruiz"]


def test_a_capitalised_occupation_before_a_name_is_a_role() -> None:
    text = 'Comedian Rita Moss told the crowd: "We laugh so we do not cry."'
    assert roles(text) == {"Rita Moss": "Comedian"}


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('"Friends for decades," said Berg ally Jonas Lind. "He is sincere."', "Jonas Lind"),
        ('"There was no order," said the base chief known as Tor. "None at all."', "Tor"),
    ],
)
def test_a_name_after_a_role_noun_or_known_as_is_the_speaker(text: str, speaker: str) -> None:
    assert [s for _, s in speakers(text)] == [speaker, speaker]


def test_a_transcript_title_line_is_the_headline_and_its_turns_stay_apart() -> None:
    """A sentence-case title above the turns is the digest's headline, not the lead it is written
    from; turns on consecutive lines (no blank line between them) are separate paragraphs even when
    a line is as long as the copy's widest, which a wrapped-copy reader could take for a soft wrap."""
    text = (
        "Press briefing by the harbour master on the storm barriers\n\n"
        "INTERVIEWER: Will the barriers be finished before the winter storms arrive?\n"
        "HARBOUR MASTER: They will be finished by March, and no home will be left unprotected.\n"
        "INTERVIEWER: And the cost of the works?\n"
        "HARBOUR MASTER: The cost is within the budget that the council approved in June.\n"
    )
    digest = summarise(Dispatch(text=text))
    assert digest.headline == "Press briefing by the harbour master on the storm barriers"
    said = [(q.speaker, q.text) for q in digest.quotes]
    assert ("Harbour Master", "They will be finished by March, and no home will be left unprotected.") in said
    assert ("Harbour Master", "The cost is within the budget that the council approved in June.") in said
    assert ("Interviewer", "And the cost of the works?") in said


@pytest.mark.parametrize(
    ("text", "speaker", "role"),
    [
        (
            '"It is an invasion of the state\'s domain," Scott Parrot, the Republican attorney general of Ohio,'
            " one of the states suing the agency, said at an event.",
            "Scott Parrot",
            "Republican attorney general of Ohio",
        ),
        (
            '"We will win," Joel Garin, a pollster working with Priorities USA, a super PAC, said on Monday.',
            "Joel Garin",
            "pollster working with Priorities USA",
        ),
    ],
)
def test_the_name_before_two_asides_speaks_and_the_first_aside_is_its_role(text: str, speaker: str, role: str) -> None:
    quote = summarise(Dispatch(text=text)).quotes[0]
    assert (quote.speaker, quote.role) == (speaker, role)


def test_a_pronoun_prefers_the_subject_to_a_name_in_a_fronted_phrase() -> None:
    text = (
        "Regarding the mayor's rhetoric after Khizr Kahn's speech at the convention, Woods shared her belief"
        " that none of it was wrong.\n\n"
        '"The way I see it," she elaborated, "nobody questioned his sacrifice."'
    )
    assert {q.speaker for q in summarise(Dispatch(text=text)).quotes} == {"Woods"}


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        (
            '"It was misleading," Axel tweeted after Lane argued for the second time that "if everyone had'
            ' voted as he voted, we would not have rescued the industry."',
            "Lane",
        ),
        (
            "The senator took to the airwaves on Wednesday, in an interview in which Harriet Lane expressed"
            ' confidence that the server would not be an issue "that is going to affect the campaign."',
            "Harriet Lane",
        ),
        (
            "Asked about the mayor's claim that it had been a bomb, Clinton said, \"I think it is important to"
            ' know the facts first."',
            "Clinton",
        ),
        (
            'Manafort acknowledged that the work could be termed "influence peddling," The Washington Post'
            " reported in 1991.",
            "The Washington Post",
        ),
    ],
)
def test_a_quote_in_a_that_clause_belongs_to_the_verb_that_opens_it(text: str, speaker: str) -> None:
    assert speakers(text)[-1][1] == speaker


def test_a_line_ending_in_a_colon_introduces_the_quote_paragraph_below_it() -> None:
    text = (
        "17-year-old Jared Pitts echoed:\n\n"
        '"He speaks his mind, and I think that might be what the country needs."\n\n'
        "After the mayor was elected, a party was held at which all the attendees expressed their support."
    )
    assert speakers(text)[0][1] == "Jared Pitts"


def test_a_capitalised_past_speech_verb_after_an_apposition_is_still_the_verb() -> None:
    text = '"Not us but can\'t argue with it!" Murray, the head of Right to Rise, Tweeted on Friday.'
    quote = summarise(Dispatch(text=text)).quotes[0]
    assert (quote.speaker, quote.role) == ("Murray", "head of Right to Rise")


def test_a_role_with_a_list_in_it_stays_one_apposition() -> None:
    text = (
        'The new plans "are steps in the right direction," Anne Rich, assistant secretary of state for'
        " population, refugees, and migration, said on the same call."
    )
    quote = summarise(Dispatch(text=text)).quotes[0]
    assert (quote.speaker, quote.role) == (
        "Anne Rich",
        "assistant secretary of state for population, refugees, and migration",
    )


def test_that_quote_from_a_named_person_gives_the_speaker() -> None:
    text = (
        '"I would rather have a sister in the circus than a brother in the bureau." That quote from'
        " Securities Commissioner Thomas Kreb appeared on the front page in 1980."
    )
    quote = summarise(Dispatch(text=text)).quotes[0]
    assert (quote.speaker, quote.role) == ("Thomas Kreb", "Securities Commissioner")


def test_a_fronted_participle_speaks_for_the_main_clause_subject() -> None:
    text = 'Acknowledging that the mayor "says a lot of stupid stuff," though, Allen did suggest that he is rich.'
    assert speakers(text)[0][1] == "Allen"


def test_a_quote_paragraph_before_a_sentence_that_names_who_described_it() -> None:
    text = (
        "FULL TEXT.\n\n"
        '"You had a lot of people saying you should have combined a donkey with a rabbit."\n\n'
        "That was how Jeffrey Bewley, the chief executive of Time Corp, once described his company's merger."
    )
    assert speakers(text)[0][1] == "Jeffrey Bewley"


def test_a_capitalised_particle_opening_a_sentence_is_part_of_the_name_not_a_role() -> None:
    text = (
        "Mayor Bill de Blasio rejected the criticism on Monday.\n\n"
        'De Blasio said the move was made by the commissioner and said, "Who are you going to trust?"'
    )
    quote = summarise(Dispatch(text=text)).quotes[0]
    assert (quote.speaker, quote.role) == ("Bill de Blasio", "Mayor")


def test_a_word_before_an_honorific_is_not_a_role() -> None:
    text = (
        'The minister posted #Harbourisstrong Mr. Tromp on Tuesday.\n\n"We will rebuild the harbour," Mr. Tromp said.'
    )
    assert summarise(Dispatch(text=text)).quotes[0].role is None


def test_a_quote_paragraph_continues_the_speaker_introduced_just_above_it() -> None:
    text = (
        "Helen Carter, clearly frustrated, responded by pointing at the woman, saying the rival campaign was"
        " conflating donations.\n\n"
        '"I am so sick of the rival campaign lying about me. I am sick of it."\n\n'
        "The rival campaign responded Friday, saying lobbyists had donated to a group supporting Carter."
    )
    assert speakers(text)[0][1] == "Helen Carter"


def test_a_body_named_after_the_runs_into_a_person_without_a_comma() -> None:
    text = (
        "Tromp has long doubted the alliance. Tromp wants allies to pay more.\n\n"
        "In a March meeting with the editorial board of the Harbour Post Tromp said that involvement may need"
        ' to shrink. "We certainly cannot afford to do this anymore," Tromp said.'
    )
    assert {q.speaker for q in summarise(Dispatch(text=text)).quotes} == {"Tromp"}


def test_a_role_opening_on_a_possessive_keeps_its_article() -> None:
    text = '"The last coal leaves our bills," said Anna Holm, the city\'s councillor for climate.'
    assert summarise(Dispatch(text=text)).quotes[0].role == "the city's councillor for climate"
