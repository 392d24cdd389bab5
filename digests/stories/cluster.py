"""Online story assignment: each article, as it arrives, joins the most similar open story or
starts a new one.

Similarity is the cosine between the article and a story's centroid (the sum of its
articles' unit vectors, each weighted by how strongly it joined: see below), for terms and for
names, mixed half and half, less a penalty that grows with the log of the days since the
story's last article (0.06 per ln(1 + days)). Weights are TF-IDF: log-scaled
counts times the log inverse document frequency over the articles seen so far, where every key
also has ``prior_documents`` pseudo-documents drawn from general English (see ``background``),
so a stream that opens with one story does not find that story's words common.

Why a centroid and one bar, not single link: single link chains stories on one subject
(every Middle East story ends up one story through pairwise bridges), and a wrong merge hides a
story under another's headline, which is worse than a split. The centroid has to be close to
the article as a whole; the time penalty keeps last month's story on the same subject from
absorbing this week's. A reprint (MinHash Jaccard >= 0.6) joins its original's story at once.

Two guards against chaining, where one story on a subject drifts into the next event:
- Bridges: an article about as close to two open stories that are not alike themselves (a
  round-up of a port strike and of a ship fire in the same port, with a story open on each)
  links two events. Joining either is how chaining starts: the next article on the other event
  follows the link. Such an article starts its own story. Two close candidates that are alike
  (fragments of one event) are no bridge: the article joins the better one.
- Member weights: an article that joined near the bar counts in its story's centroid in
  proportion to its similarity (half, at the bar; fully from ``full_member`` up), so a piece
  that is partly about something else pulls the story less toward that.

Cost per article: only the open stories that share a key with the article are scored, their dot
products summed through postings (``postings``: the same floats as a story-by-story scan, a
step per shared key instead of a look-up per article key per story); stories close through a
heap ordered by their last article and fingerprints through one ordered by time, so expiry
costs what closes, not what is open. Scoring still grows with the open stories that share a
common word with the article (nearly all of them, on news): less per story, not flat.
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from digests.stories.features import StoryFeatures
from digests.stories.fingerprint import DuplicateIndex
from digests.stories.postings import Postings


@dataclass(frozen=True)
class StoryParams:
    #: Least similarity (after the time penalty) for an article to join a story.
    threshold: float = 0.15
    #: Share of names in the similarity (the rest is terms).
    name_weight: float = 0.5
    #: Penalty per log(1 + days since the story's last article).
    decay: float = 0.06
    #: A story with no article for this long is closed: nothing joins it any more.
    window: timedelta = timedelta(days=90)
    #: Pseudo-documents of general English behind the stream's document frequencies.
    prior_documents: float = 200.0
    #: A runner-up story within this of the best (both at or above the bar) makes the article
    #: a bridge, unless the two stories are alike (their own similarity at or above the bar).
    bridge_margin: float = 0.1
    #: A member that joined with this similarity or more counts fully in its story's centroid;
    #: one that joined lower counts in proportion (one at the bar counts half).
    full_member: float = 0.3


@dataclass(frozen=True)
class Assignment:
    """Where an article went: its story (the id of the story's first article), whether it
    started that story, why ("new", "similar", "duplicate", or "bridge": close to two unlike
    stories, so it starts its own) and the similarity it had."""

    story: str
    new: bool
    reason: str
    score: float = 0.0
    duplicate_of: str | None = None


Vector = dict[str, float]


class _Story:
    __slots__ = ("articles", "first", "id", "last", "n", "names", "names_norm", "seq", "terms", "terms_norm")

    def __init__(self, story_id: str, when: datetime, seq: int) -> None:
        self.id = story_id
        #: Creation order: ties between equal scores go to the older story.
        self.seq = seq
        self.first = self.last = when
        self.n = 0
        #: Its articles' ids, so they are forgotten when it closes.
        self.articles: list[str] = []
        self.terms: Vector = {}
        self.names: Vector = {}
        self.terms_norm = self.names_norm = 0.0

    def add(self, terms: Vector, names: Vector, when: datetime, weight: float = 1.0) -> None:
        for key, value in terms.items():
            self.terms[key] = self.terms.get(key, 0.0) + weight * value
        for key, value in names.items():
            self.names[key] = self.names.get(key, 0.0) + weight * value
        self.terms_norm = math.sqrt(sum(v * v for v in self.terms.values()))
        self.names_norm = math.sqrt(sum(v * v for v in self.names.values()))
        self.n += 1
        self.last = max(self.last, when)


def _dots(unit: Vector, postings: Postings[_Story], *, names: bool) -> dict[_Story, float]:
    """The article's dot product with every open story's centroid that shares a key with it,
    summed key by key in the article's order: for each story, the products a story-by-story
    ``sum(unit[k] * centroid.get(k, 0.0) for k in unit)`` adds, in its order, without its zeros."""
    dots: dict[_Story, float] = {}
    for key, value in unit.items():
        held = postings.get(key)
        if held is None:
            continue
        for story in held:
            centroid = story.names if names else story.terms
            dots[story] = dots.get(story, 0) + value * centroid[key]
    return dots


def _cosine(unit: Vector, centroid: Vector, norm: float) -> float:
    """The dot product of two vectors over ``norm`` (0 when it is 0), summed over the shorter:
    an article's cosine with a centroid, or two centroids' with the product of their norms."""
    if norm <= 0.0:
        return 0.0
    if len(unit) > len(centroid):
        return sum(value * unit.get(key, 0.0) for key, value in centroid.items()) / norm
    return sum(value * centroid.get(key, 0.0) for key, value in unit.items()) / norm


class StoryIndex:
    """The open stories and the stream's statistics. Feed it articles in arrival order:
    :meth:`assign` decides and records; :meth:`add` records a decision made before (replaying
    a store), so both give the same state."""

    def __init__(self, params: StoryParams | None = None) -> None:
        self.params = params or StoryParams()
        self._stories: dict[str, _Story] = {}
        self._article_story: dict[str, str] = {}
        self._term_df: dict[str, int] = {}
        self._name_df: dict[str, int] = {}
        self._documents = 0
        self._latest: datetime | None = None
        self._created = 0
        self._term_postings: Postings[_Story] = Postings()
        self._name_postings: Postings[_Story] = Postings()
        #: (last article's time, seq, id) per story, pushed again when its last article moves:
        #: the oldest entries say which stories close, without a look at every open story.
        self._by_last: list[tuple[datetime, int, str]] = []
        self._duplicates = DuplicateIndex()
        #: Fingerprinted articles in arrival order (some already forgotten: see ``_dup_live``)
        #: and by time, so expiry forgets exactly what it forgot when it scanned a list.
        self._dup_order: deque[tuple[datetime, str]] = deque()
        self._dup_by_time: list[tuple[datetime, int, str]] = []
        self._dup_live: set[str] = set()
        self._fingerprinted = 0

    def __len__(self) -> int:
        return len(self._stories)

    def story_of(self, article_id: str) -> str | None:
        """The story of an article whose story is still open (a closed story's articles are
        forgotten with it, so memory follows the window, not the stream)."""
        return self._article_story.get(article_id)

    def assign(self, article_id: str, features: StoryFeatures, when: datetime | None = None) -> Assignment:
        """Decide which story the article belongs to, record it, and say why."""
        if article_id in self._article_story:
            story = self._article_story[article_id]
            return Assignment(story, False, "known", 1.0)
        when = self._when(when)
        self._count(features)
        terms, names = self._vectors(features)
        dup = self._duplicates.nearest(features.signature)
        if dup is not None and dup[0] in self._article_story and self._article_story[dup[0]] in self._stories:
            story_id = self._article_story[dup[0]]
            result = Assignment(story_id, False, "duplicate", dup[1], dup[0])
        else:
            best, score, bridge = self._best(terms, names, when)
            if best is None:
                result = Assignment(article_id, True, "bridge" if bridge else "new", score)
            else:
                result = Assignment(best.id, False, "similar", score)
        self._record(article_id, result.story, terms, names, features, when)
        return result

    def add(self, article_id: str, features: StoryFeatures, story_id: str, when: datetime | None = None) -> None:
        """Record an article whose story was decided before (e.g. read back from a store)."""
        if article_id in self._article_story:
            return
        when = self._when(when)
        self._count(features)
        terms, names = self._vectors(features)
        self._record(article_id, story_id, terms, names, features, when)

    # -- internals ---------------------------------------------------------------------------
    def _when(self, when: datetime | None) -> datetime:
        if when is None:
            when = self._latest or datetime(1970, 1, 1)
        if when.tzinfo is not None:
            when = when.replace(tzinfo=None) - (when.utcoffset() or timedelta(0))
        if self._latest is None or when > self._latest:
            self._latest = when
            self._expire()
        return when

    def _count(self, features: StoryFeatures) -> None:
        self._documents += 1
        for key in features.terms:
            self._term_df[key] = self._term_df.get(key, 0) + 1
        for key in features.names:
            self._name_df[key] = self._name_df.get(key, 0) + 1

    def _vectors(self, features: StoryFeatures) -> tuple[Vector, Vector]:
        return (
            self._unit(features.terms, features.term_chance, self._term_df),
            self._unit(features.names, features.name_chance, self._name_df),
        )

    def _unit(self, counts: dict[str, float], chance: dict[str, float], df: dict[str, int]) -> Vector:
        prior = self.params.prior_documents
        total = self._documents + prior + 1.0
        vec: Vector = {}
        for key, count in counts.items():
            if count <= 0:
                continue
            seen = df.get(key, 0) + prior * chance.get(key, 0.0) + 0.5
            weight = (1.0 + math.log(count)) * math.log(total / seen)
            if weight > 0:
                vec[key] = weight
        norm = math.sqrt(sum(v * v for v in vec.values()))
        return {k: v / norm for k, v in vec.items()} if norm > 0 else {}

    def postings_size(self) -> tuple[int, int]:
        """(keys, key-story entries) in the postings: memory bounded by the open stories."""
        terms, names = self._term_postings, self._name_postings
        return len(terms) + len(names), terms.entries() + names.entries()

    def _best(self, terms: Vector, names: Vector, when: datetime) -> tuple[_Story | None, float, bool]:
        """The most similar open story at or above the bar (the oldest of equals), or None and
        the best score seen (at least 0); True with None when the article is a bridge (see the
        module docstring). Only stories sharing a key are scored (``postings``): any other
        scores at most 0, below a bar above 0."""
        p = self.params
        term_dots = _dots(terms, self._term_postings, names=False)
        name_dots = _dots(names, self._name_postings, names=True)
        if p.threshold > 0.0:
            stories: Iterable[_Story] = sorted(term_dots.keys() | name_dots.keys(), key=lambda story: story.seq)
        else:
            stories = self._stories.values()
        best: _Story | None = None
        runner_up: _Story | None = None
        best_score = runner_up_score = -1.0
        for story in stories:
            days = max(0.0, (when - story.last).total_seconds() / 86400.0)
            if days > p.window.total_seconds() / 86400.0:
                continue
            term_dot, name_dot = term_dots.get(story), name_dots.get(story)
            score = (1.0 - p.name_weight) * (term_dot / story.terms_norm if term_dot is not None else 0.0)
            score += p.name_weight * (name_dot / story.names_norm if name_dot is not None else 0.0)
            score -= p.decay * math.log1p(days)
            if score > best_score:
                runner_up, runner_up_score = best, best_score
                best, best_score = story, score
            elif score > runner_up_score:
                runner_up, runner_up_score = story, score
        if best is None or best_score < p.threshold:
            return None, max(best_score, 0.0), False
        if (
            runner_up is not None
            and runner_up_score >= p.threshold
            and best_score - runner_up_score < p.bridge_margin
            and self._alike(best, runner_up) < p.threshold
        ):
            return None, best_score, True
        return best, best_score, False

    def _alike(self, one: _Story, other: _Story) -> float:
        """Two stories' similarity, centroid to centroid, mixed as an article's is (no time
        penalty: it asks whether they tell one event, not when)."""
        p = self.params
        terms = _cosine(one.terms, other.terms, one.terms_norm * other.terms_norm)
        names = _cosine(one.names, other.names, one.names_norm * other.names_norm)
        return (1.0 - p.name_weight) * terms + p.name_weight * names

    def _membership(self, story: _Story, terms: Vector, names: Vector, when: datetime) -> float:
        """How much a joining article counts in its story's centroid: fully from ``full_member``
        up, in proportion below (never under the bar's share). A weak join pulls the story less
        toward itself, so the next article of a neighbouring event finds less of it there.
        Computed here for decided and replayed articles alike, so a replay rebuilds the same
        centroids without storing the weight."""
        p = self.params
        if p.full_member <= 0.0:
            return 1.0
        days = max(0.0, (when - story.last).total_seconds() / 86400.0)
        score = (1.0 - p.name_weight) * _cosine(terms, story.terms, story.terms_norm)
        score += p.name_weight * _cosine(names, story.names, story.names_norm)
        score -= p.decay * math.log1p(days)
        return min(1.0, max(score, p.threshold) / p.full_member)

    def _record(
        self, article_id: str, story_id: str, terms: Vector, names: Vector, features: StoryFeatures, when: datetime
    ) -> None:
        story = self._stories.get(story_id)
        if story is None:
            self._created += 1
            story = self._stories[story_id] = _Story(story_id, when, self._created)
            heapq.heappush(self._by_last, (story.last, story.seq, story_id))
            weight = 1.0
        else:
            weight = self._membership(story, terms, names, when)
        last = story.last
        story.add(terms, names, when, weight)
        self._term_postings.add(story, terms)
        self._name_postings.add(story, names)
        if story.last != last:
            heapq.heappush(self._by_last, (story.last, story.seq, story_id))
        self._article_story[article_id] = story_id
        story.articles.append(article_id)
        if features.signature:
            self._duplicates.add(article_id, features.signature)
            self._dup_order.append((when, article_id))
            self._fingerprinted += 1
            heapq.heappush(self._dup_by_time, (when, self._fingerprinted, article_id))
            self._dup_live.add(article_id)

    def _expire(self) -> None:
        """Close stories (and forget fingerprints) older than the window: bounded memory."""
        assert self._latest is not None
        horizon = self._latest - self.params.window
        by_last = self._by_last
        while by_last and by_last[0][0] < horizon:
            last, seq, story_id = heapq.heappop(by_last)
            story = self._stories.get(story_id)
            if story is not None and story.seq == seq and story.last == last:
                del self._stories[story_id]
                for article_id in story.articles:
                    if self._article_story.get(article_id) == story_id:
                        del self._article_story[article_id]
                self._term_postings.remove(story, story.terms)
                self._name_postings.remove(story, story.names)
        self._expire_fingerprints(horizon)

    def _expire_fingerprints(self, horizon: datetime) -> None:
        """Once the earliest-arrived fingerprint still held is older than the horizon, forget
        every fingerprint older than it (as a scan of the arrival list did: a late arrival
        dated before the horizon stays until then)."""
        order, live = self._dup_order, self._dup_live
        while order and order[0][1] not in live:
            order.popleft()
        if not order or order[0][0] >= horizon:
            return
        by_time = self._dup_by_time
        while by_time and by_time[0][0] < horizon:
            _, _, key = heapq.heappop(by_time)
            self._duplicates.remove(key)
            live.discard(key)
        while order and order[0][1] not in live:
            order.popleft()
