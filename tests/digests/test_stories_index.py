"""Story assignment through postings: the same decisions as scoring every open story, and
closed stories leave the postings (memory bounded by the story window)."""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from digests.stories import Article, Assignment, StoryIndex, extract
from digests.stories.cluster import Vector, _Story

START = datetime(2026, 1, 5, 6, 0)
_SYLLABLES = "ka lo mi ten dra vos quel pir sun bal ter gon ri fa dul mer zan hob".split()


def _cosine(unit: Vector, total: Vector, total_norm: float) -> float:
    if not unit or total_norm <= 0.0:
        return 0.0
    return sum(value * total.get(key, 0.0) for key, value in unit.items()) / total_norm


class BruteForce(StoryIndex):
    """The scan the postings replaced: every open story scored, in creation order, the best
    two kept for the bridge rule."""

    def _best(self, terms: Vector, names: Vector, when: datetime) -> tuple[_Story | None, float, bool]:
        p = self.params
        scores: list[tuple[float, _Story]] = []
        for story in self._stories.values():
            days = max(0.0, (when - story.last).total_seconds() / 86400.0)
            if days > p.window.total_seconds() / 86400.0:
                continue
            score = (1.0 - p.name_weight) * _cosine(terms, story.terms, story.terms_norm)
            score += p.name_weight * _cosine(names, story.names, story.names_norm)
            score -= p.decay * math.log1p(days)
            scores.append((score, story))
        ranked = sorted(scores, key=lambda pair: (-pair[0], pair[1].seq))
        if not ranked or ranked[0][0] < p.threshold:
            return None, max(ranked[0][0] if ranked else 0.0, 0.0), False
        (best_score, best), runner_up = ranked[0], ranked[1] if len(ranked) > 1 else None
        close = runner_up is not None and runner_up[0] >= p.threshold and best_score - runner_up[0] < p.bridge_margin
        if close and runner_up is not None and self._alike(best, runner_up[1]) < p.threshold:
            return None, best_score, True
        return best, best_score, False


def _stream(seed: int, count: int) -> list[tuple[str, str, datetime]]:
    """Made-up wire copy: topics (their own words and people) breaking over ~10 months, words
    every story uses, late arrivals dated weeks back, reprints of recent articles, and round-ups
    that tell two topics at once (bridges)."""
    rng = random.Random(seed)

    def word() -> str:
        return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))

    common = [word() for _ in range(30)] + ["said", "officials", "report", "week"]
    topics = [
        ([word() for _ in range(12)], [word().title() + " " + word().title() for _ in range(2)], rng.uniform(0, 300))
        for _ in range(50)
    ]
    made: list[tuple[datetime, str, str, datetime]] = []  # (arrival, id, text, dated)
    for n in range(count):
        if made and rng.random() < 0.08:
            _, _, text, when = rng.choice(made[-40:])
            when += timedelta(hours=rng.uniform(1, 30))
        else:
            own, people, day = rng.choice(topics)
            if rng.random() < 0.1:  # a round-up: another topic's words and people as well
                other_own, other_people, _ = rng.choice(topics)
                own, people = own + other_own, people + other_people
            sentences = []
            for _ in range(rng.randint(3, 6)):
                words = rng.sample(own, 4) + rng.sample(common, 5)
                rng.shuffle(words)
                sentences.append(f"The {' '.join(words)}, {rng.choice(people)} said.")
            text = " ".join(sentences)
            when = START + timedelta(days=day + rng.expovariate(1 / 6))
        late = timedelta(days=rng.uniform(0, 40)) if rng.random() < 0.1 else timedelta(0)
        made.append((when + late, f"a{n}", text, when))
    made.sort()
    return [(ident, text, when) for _, ident, text, when in made]


def _run(index: StoryIndex, stream: list[tuple[str, str, datetime]]) -> list[Assignment]:
    return [index.assign(ident, extract(Article(ident, text)), when) for ident, text, when in stream]


def test_postings_decide_as_scoring_every_open_story() -> None:
    for seed in (1, 2):
        stream = _stream(seed, 700)
        indexed, brute = StoryIndex(), BruteForce()
        got, want = _run(indexed, stream), _run(brute, stream)
        assert got == want  # story, reason and score, float for float
        reasons = {a.reason for a in got}
        assert reasons == {"new", "similar", "duplicate", "bridge"}, reasons
        started = sum(a.new for a in got)
        assert len(indexed) == len(brute) < started, "some stories closed with the window"


def test_closed_stories_leave_the_postings() -> None:
    index = StoryIndex()
    stream = _stream(3, 300)
    _run(index, stream)
    keys, entries = index.postings_size()
    assert entries > keys > 0, "open stories share keys"
    latest = max(when for _, _, when in stream)
    later = extract(Article("later", "Quarry owners in Brenholt reopened the north pit, Mira Tal said."))
    index.assign("later", later, latest + timedelta(days=100))
    keys, entries = index.postings_size()
    assert len(index) == 1
    assert 0 < keys == entries <= len(later.terms) + len(later.names)
    assert index.story_of("later") == "later"
    assert all(index.story_of(ident) is None for ident, _, _ in stream), "closed stories' articles are forgotten"


def test_a_reprint_after_the_window_starts_a_story() -> None:
    text = _stream(4, 1)[0][1]
    index = StoryIndex()
    index.assign("first", extract(Article("first", text)), START)
    again = index.assign("again", extract(Article("again", text)), START + timedelta(days=1))
    assert again.reason == "duplicate"
    late = index.assign("late", extract(Article("late", text)), START + timedelta(days=200))
    assert late.new and late.reason == "new"


def _topic_text(rng: random.Random, own: list[str], person: str) -> str:
    return " ".join(f"The {' '.join(rng.sample(own, 6))}, {person} said." for _ in range(4))


def test_a_story_followed_monthly_stays_open_past_its_first_window() -> None:
    rng = random.Random(7)
    own = ["quarry", "brenholt", "landslip", "pit", "reopen", "engineers", "survey", "slope", "village", "road"]
    for index in (StoryIndex(), BruteForce()):
        first = index.assign("m0", extract(Article("m0", _topic_text(rng, own, "Mira Tal"))), START)
        for month in range(1, 8):
            ident = f"m{month}"
            got = index.assign(
                ident, extract(Article(ident, _topic_text(rng, own, "Mira Tal"))), START + timedelta(days=30 * month)
            )
            assert got.story == first.story and got.reason == "similar", (month, got)


def test_a_late_article_stays_findable_as_a_reprint_while_its_story_is_open() -> None:
    """Fingerprints leave once the earliest-arrived one still held is past the window — then
    all that are (a late arrival dated before the window stays until then)."""
    rng = random.Random(8)
    dock = ["dockers", "varnemund", "strike", "pay", "terminal", "cranes", "talks", "union", "ships", "cargo"]
    farm = ["orchard", "frost", "apples", "harvest", "growers", "insurance", "blossom", "valley", "crop", "losses"]
    late_text = _topic_text(rng, dock, "Ilse Brandt")
    for index in (StoryIndex(), BruteForce()):
        index.assign("early", extract(Article("early", _topic_text(rng, farm, "Oskar Lind"))), START)
        late = index.assign("late", extract(Article("late", late_text)), START - timedelta(days=50))
        follow = _topic_text(rng, dock, "Ilse Brandt")
        assert index.assign("follow", extract(Article("follow", follow)), START + timedelta(days=30)).story == "late"
        index.assign(
            "other", extract(Article("other", _topic_text(rng, farm, "Oskar Lind"))), START + timedelta(days=45)
        )
        again = index.assign("again", extract(Article("again", late_text)), START + timedelta(days=46))
        assert late.new and again.story == "late" and again.reason == "duplicate", again


def test_a_replay_rebuilds_the_same_stories_weights_and_all() -> None:
    """Members count in their centroid by how strongly they joined; the weight is recomputed
    on replay (as a store's index does at start), so later decisions match float for float."""
    stream = _stream(1, 500)
    live, replayed = StoryIndex(), StoryIndex()
    decided = _run(live, stream[:300])
    assert any(a.reason == "similar" and a.score < live.params.full_member for a in decided), "weak members"
    for (ident, text, when), got in zip(stream[:300], decided, strict=True):
        replayed.add(ident, extract(Article(ident, text)), got.story, when)
    assert _run(live, stream[300:]) == _run(replayed, stream[300:])
