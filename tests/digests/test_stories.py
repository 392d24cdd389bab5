"""Story clustering: one story across outlets, apart from other stories on the same subject."""

from __future__ import annotations

import random
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from digests.stories import Article, StoryFeatures, StoryIndex, StoryParams, extract
from digests.stories.fingerprint import jaccard, signature
from tests.digests.story_fixtures import BRIDGE, BUDGET, FIRE, STRIKE_AFP, STRIKE_AP, STRIKE_BBC, WHEN


def _assign(index: StoryIndex, ident: str, text: str, when_key: str, title: str | None = None):  # type: ignore[no-untyped-def]
    article = Article(ident, text, title, published=WHEN[when_key])
    return index.assign(ident, extract(article), WHEN[when_key])


def test_three_outlets_one_story_and_other_events_apart() -> None:
    index = StoryIndex()
    first = _assign(index, "ap", STRIKE_AP, "ap")
    assert first.new and first.story == "ap"
    assert _assign(index, "bbc", STRIKE_BBC, "bbc").story == "ap"
    assert _assign(index, "afp", STRIKE_AFP, "afp").story == "ap"
    fire = _assign(index, "fire", FIRE, "fire")
    assert fire.new, "a ship fire in the same port is another story"
    assert _assign(index, "budget", BUDGET, "budget").new


def _strike_fire_budget(params: StoryParams | None = None) -> StoryIndex:
    index = StoryIndex(params)
    for ident, text in (("ap", STRIKE_AP), ("fire", FIRE), ("budget", BUDGET)):
        assert _assign(index, ident, text, ident).new
    return index


def test_an_article_on_two_unlike_stories_starts_its_own_and_chains_neither() -> None:
    index = _strike_fire_budget()
    bridge = index.assign("both", extract(Article("both", BRIDGE)), WHEN["bridge"])
    assert bridge.new and bridge.reason == "bridge", "the port round-up is neither the strike nor the fire"
    more_strike = index.assign("afp", extract(Article("afp", STRIKE_AFP)), WHEN["bridge"] + timedelta(hours=1))
    assert more_strike.story == "ap", "the strike's next article still finds the strike"
    without_rule = _strike_fire_budget(StoryParams(bridge_margin=0.0))
    joined = without_rule.assign("both", extract(Article("both", BRIDGE)), WHEN["bridge"])
    assert not joined.new and joined.story in {"ap", "fire"}, "the rule, not the bar, kept it apart"


def test_two_close_candidates_that_tell_one_event_are_no_bridge() -> None:
    index = StoryIndex(StoryParams(bridge_margin=1.0))  # every runner-up above the bar is "close"
    # As a store may hold them: the strike told twice as two stories (decided before).
    index.add("ap", extract(Article("ap", STRIKE_AP)), "ap", WHEN["ap"])
    index.add("bbc", extract(Article("bbc", STRIKE_BBC)), "bbc", WHEN["bbc"])
    index.add("fire", extract(Article("fire", FIRE)), "fire", WHEN["fire"])
    got = index.assign("afp", extract(Article("afp", STRIKE_AFP)), WHEN["afp"])
    assert not got.new and got.reason == "similar" and got.story in {"ap", "bbc"}


def _words_story(rng: random.Random, words: list[str], person: str, sentences: int) -> str:
    return " ".join(f"The {' '.join(rng.sample(words, 6))}, {person} said." for _ in range(sentences))


def test_a_weak_member_pulls_its_story_less_toward_another_event() -> None:
    """A story of a landslip; a piece mostly on it but with a paragraph on an orchard frost
    joins it weakly; then an orchard article arrives. Had the weak member counted fully, the
    landslip story would have taken in the frost through it."""
    quarry = "quarry brenholt landslip pit reopen engineers survey slope village road".split()
    orchard = "orchard frost apples harvest growers insurance blossom valley crop losses".split()
    start = WHEN["ap"]
    results = []
    for full_member in (0.3, 0.0):  # the default, then every member counting fully
        rng = random.Random(0)
        index = StoryIndex(StoryParams(threshold=0.2, full_member=full_member))
        for n in range(3):
            text = _words_story(rng, quarry, "Mira Tal", 4)
            index.assign(f"q{n}", extract(Article(f"q{n}", text)), start + timedelta(hours=n))
        mixed = _words_story(rng, quarry, "Oskar Lind", 2) + " " + _words_story(rng, orchard, "Oskar Lind", 1)
        weak = index.assign("mixed", extract(Article("mixed", mixed)), start + timedelta(hours=4))
        assert weak.story == "q0" and weak.score < 0.3, weak
        frost = _words_story(rng, orchard, "Oskar Lind", 4)
        results.append(index.assign("frost", extract(Article("frost", frost)), start + timedelta(hours=5)))
    weighted, unweighted = results
    assert weighted.new, "the frost is its own story"
    assert unweighted.story == "q0", "counted fully, the weak member would have chained it"


def test_a_reprint_joins_as_a_duplicate() -> None:
    index = StoryIndex()
    _assign(index, "ap", STRIKE_AP, "ap")
    _assign(index, "budget", BUDGET, "budget")
    reprint = STRIKE_AP.replace("(AP)", "(Sample Wire)").replace("told reporters", "said")
    got = index.assign("copy", extract(Article("copy", reprint)), WHEN["afp"])
    assert got.reason == "duplicate" and got.story == "ap" and got.duplicate_of == "ap"


def test_the_same_subject_months_later_is_a_new_story() -> None:
    index = StoryIndex()
    _assign(index, "ap", STRIKE_AP, "ap")
    later = index.assign("later", extract(Article("later", STRIKE_BBC)), WHEN["ap"] + timedelta(days=120))
    assert later.new


def test_names_and_dateline_place_are_features() -> None:
    features = extract(Article("x", FIRE))
    assert "rotterdam" in features.names and "granneman" in features.names and "smit" in features.names
    assert "earlier" not in features.names, "a sentence's common first word is no name"
    assert "panama" in features.names and "flagged" not in features.names
    assert "fire" in features.terms and "the" not in features.terms


def test_features_round_trip_and_replay_gives_the_same_decisions() -> None:
    live = StoryIndex()
    decided = [
        (ident, _assign(live, ident, text, ident).story)
        for ident, text in (("ap", STRIKE_AP), ("bbc", STRIKE_BBC), ("fire", FIRE))
    ]
    replayed = StoryIndex()
    for ident, story in decided:
        stored = extract(Article(ident, {"ap": STRIKE_AP, "bbc": STRIKE_BBC, "fire": FIRE}[ident])).to_json()
        replayed.add(ident, StoryFeatures.from_json(stored), story, WHEN[ident])
    a = live.assign("afp", extract(Article("afp", STRIKE_AFP)), WHEN["afp"])
    b = replayed.assign("afp", extract(Article("afp", STRIKE_AFP)), WHEN["afp"])
    assert a.story == b.story == "ap"
    assert abs(a.score - b.score) < 1e-3


def test_signatures_estimate_overlap() -> None:
    words = STRIKE_AP.lower().split()
    assert jaccard(signature(words), signature(words)) == 1.0
    assert jaccard(signature(words), signature(BUDGET.lower().split())) < 0.2
    assert signature(["too", "short"]) == ()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=3000), st.one_of(st.none(), st.text(max_size=200)))
def test_any_text_gives_bounded_features_and_an_assignment(text: str, title: str | None) -> None:
    features = extract(Article("x", text, title))
    assert len(features.terms) <= len(text) + len(title or "")
    index = StoryIndex()
    assert index.assign("x", features).story == "x"
    assert index.assign("y", extract(Article("y", text, title))).story in {"x", "y"}
