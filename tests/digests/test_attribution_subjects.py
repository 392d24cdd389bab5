"""Who speaks when the sentence's subject is not plain: a sentence adverb before it, a common
word that only looks like a name, a source named by a plain noun phrase, a long role before a name."""

from __future__ import annotations

from digests import Dispatch, summarise


def speakers(text: str) -> list[tuple[str, str | None]]:
    return [(q.text, q.speaker) for q in summarise(Dispatch(text=text)).quotes]


def test_a_sentence_adverb_before_the_subject_does_not_hide_it() -> None:
    text = (
        'Still, Marta Okonjo has rejected the plan and said, "We will fight this in court." '
        "Her deputy, Piet Hals, said he agreed."
    )
    assert speakers(text)[0][1] == "Marta Okonjo"


def test_a_common_word_opening_a_sentence_is_not_a_speaker() -> None:
    text = (
        "Rumours spread fast on the island, Tomas Brenner said. Bad luck still travels faster than good, "
        'but only when "the rumour is more exciting than the truth."'
    )
    assert speakers(text)[0][1] == "Tomas Brenner"


def test_a_phrase_without_a_name_or_a_speaker_noun_does_not_speak() -> None:
    text = 'Several larger gaps, according to the survey, involve age ("very young" voters lean left).'
    assert speakers(text)[0][1] == "survey"


def test_according_to_a_plain_noun_phrase_names_the_source() -> None:
    text = 'Ferry traffic fell by half, according to the harbour report, because of "persistent fog".'
    assert speakers(text)[0][1] == "harbour report"


def test_a_long_role_before_a_name_stays_with_the_name() -> None:
    text = 'Former Liberal party chairwoman Ines Varga told the local paper: "We were never asked."'
    quote = summarise(Dispatch(text=text)).quotes[0]
    assert (quote.speaker, quote.role) == ("Ines Varga", "Former Liberal party chairwoman")


def test_a_short_tag_after_a_question_names_who_asked_whatever_the_verb() -> None:
    text = (
        '"The fence stays," Mayor Ilse Grub said.\n\n'
        '"Would it be cheaper to move the road?" Dirk Haller pressed. "Maybe by a mile?"\n\n'
        '"Not negotiable," Grub said.'
    )
    assert [speaker for _, speaker in speakers(text)] == ["Ilse Grub", "Dirk Haller", "Dirk Haller", "Ilse Grub"]


def test_a_question_tag_does_not_claim_the_quote_paragraph_before_it() -> None:
    text = (
        '"The fence stays," Mayor Ilse Grub said.\n\n'
        '"Moving it? Not negotiable."\n\n'
        '"Would it be cheaper to move the road?" Dirk Haller pressed.'
    )
    assert [speaker for _, speaker in speakers(text)][:2] == ["Ilse Grub", "Ilse Grub"]


def test_an_inverted_speaker_after_a_comma_speaks_for_the_quote_that_follows() -> None:
    text = (
        "Councillors could still replace the board before the vote, said Ola Brandt, an adviser to the "
        'tenants\' union. "It would avoid a long fight."'
    )
    assert speakers(text) == [("It would avoid a long fight.", "Ola Brandt")]


def test_a_verb_with_an_object_after_a_comma_is_not_an_inverted_speaker() -> None:
    text = 'Sen. Rhea Moss (D-Maine), also a candidate, called the league "abhorrent" in a post on Sunday.'
    assert speakers(text)[0][1] == "Rhea Moss"


def test_a_title_word_after_a_name_ends_the_name() -> None:
    text = 'District Judge Amos Tuller late Thursday blocked a law that protected "sincere belief" claims.'
    quote = summarise(Dispatch(text=text)).quotes[0]
    assert (quote.speaker, quote.role) == ("Amos Tuller", "District Judge")
