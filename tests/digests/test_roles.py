"""Roles shown beside a speaker: a post or a description, never a stray word or place."""

from __future__ import annotations

from digests import Dispatch, summarise


def roles(text: str) -> dict[str, str | None]:
    return {q.speaker or "": q.role for q in summarise(Dispatch(text=text)).quotes}


def test_an_adjective_before_a_name_is_not_a_role() -> None:
    text = 'A new Harbour Watch report compares the ports. "All the ports lose money," new Harbour Watch said.'
    assert roles(text).get("Harbour Watch") is None


def test_a_place_cut_from_a_hyphenated_word_is_not_a_role() -> None:
    text = '"The loudest lie holds some truth," said Anna Berg, a D.C.-based Democratic strategist.'
    assert roles(text)["Anna Berg"] != "D.C."


def test_a_common_word_seen_before_a_name_is_not_its_role() -> None:
    text = (
        "A man in the crowd used a rude word to describe rival Per Lind, a word Holm then repeated.\n\n"
        '"That is terrible, terrible," Holm said. "What kind of people do I have here?" Holm asked.'
    )
    assert roles(text)["Holm"] != "word"


def test_a_relative_clause_after_a_name_is_not_a_role() -> None:
    text = (
        "It was three years ago that Ida Holm, who's thinking about running for mayor, said it was "
        '"impossible" for an independent to win. "The parties own this town," she said.'
    )
    assert roles(text)["Ida Holm"] is None


def test_a_clause_before_a_name_is_not_part_of_its_role() -> None:
    text = 'That record prompted harbour historian Ida Holm to state, "The port has never been busier."'
    assert roles(text)["Ida Holm"] == "harbour historian"
    appointed = 'Newly appointed harbour master Ida Holm said: "The port has never been busier."'
    assert roles(appointed)["Ida Holm"] == "Newly appointed harbour master"
