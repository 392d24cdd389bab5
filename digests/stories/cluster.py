"""Online story assignment: each article, as it arrives, joins the most similar open story or
starts a new one.

Similarity is the cosine between the article and a story's centroid (the sum of its
articles' unit vectors), for terms and for names, mixed half and half, less a penalty that
grows with the log of the days since the story's last article (0.06 per ln(1 + days)). Weights are TF-IDF: log-scaled
counts times the log inverse document frequency over the articles seen so far, where every key
also has ``prior_documents`` pseudo-documents drawn from general English (see ``background``),
so a stream that opens with one story does not find that story's words common.

Why a centroid and one bar, not single link: single link chains stories on one subject
(every Middle East story ends up one story through pairwise bridges), and a wrong merge hides a
story under another's headline, which is worse than a split. The centroid has to be close to
the article as a whole; the time penalty keeps last month's story on the same subject from
absorbing this week's. A reprint (MinHash Jaccard >= 0.6) joins its original's story at once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from digests.stories.features import StoryFeatures
from digests.stories.fingerprint import DuplicateIndex


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


@dataclass(frozen=True)
class Assignment:
    """Where an article went: its story (the id of the story's first article), whether it
    started that story, why ("new", "similar", "duplicate") and the similarity it had."""

    story: str
    new: bool
    reason: str
    score: float = 0.0
    duplicate_of: str | None = None


Vector = dict[str, float]


class _Story:
    __slots__ = ("first", "id", "last", "n", "names", "names_norm", "terms", "terms_norm")

    def __init__(self, story_id: str, when: datetime) -> None:
        self.id = story_id
        self.first = self.last = when
        self.n = 0
        self.terms: Vector = {}
        self.names: Vector = {}
        self.terms_norm = self.names_norm = 0.0

    def add(self, terms: Vector, names: Vector, when: datetime) -> None:
        for key, value in terms.items():
            self.terms[key] = self.terms.get(key, 0.0) + value
        for key, value in names.items():
            self.names[key] = self.names.get(key, 0.0) + value
        self.terms_norm = math.sqrt(sum(v * v for v in self.terms.values()))
        self.names_norm = math.sqrt(sum(v * v for v in self.names.values()))
        self.n += 1
        self.last = max(self.last, when)


def _cosine(unit: Vector, total: Vector, total_norm: float) -> float:
    if not unit or total_norm <= 0.0:
        return 0.0
    return sum(value * total.get(key, 0.0) for key, value in unit.items()) / total_norm


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
        self._duplicates = DuplicateIndex()
        self._dup_order: list[tuple[datetime, str]] = []

    def __len__(self) -> int:
        return len(self._stories)

    def story_of(self, article_id: str) -> str | None:
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
            best, score = self._best(terms, names, when)
            if best is None:
                result = Assignment(article_id, True, "new", score)
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

    def _best(self, terms: Vector, names: Vector, when: datetime) -> tuple[_Story | None, float]:
        p = self.params
        best: _Story | None = None
        best_score = -1.0
        for story in self._stories.values():
            days = max(0.0, (when - story.last).total_seconds() / 86400.0)
            if days > p.window.total_seconds() / 86400.0:
                continue
            score = (1.0 - p.name_weight) * _cosine(terms, story.terms, story.terms_norm)
            score += p.name_weight * _cosine(names, story.names, story.names_norm)
            score -= p.decay * math.log1p(days)
            if score > best_score:
                best, best_score = story, score
        if best is None or best_score < p.threshold:
            return None, max(best_score, 0.0)
        return best, best_score

    def _record(
        self, article_id: str, story_id: str, terms: Vector, names: Vector, features: StoryFeatures, when: datetime
    ) -> None:
        story = self._stories.get(story_id)
        if story is None:
            story = self._stories[story_id] = _Story(story_id, when)
        story.add(terms, names, when)
        self._article_story[article_id] = story_id
        if features.signature:
            self._duplicates.add(article_id, features.signature)
            self._dup_order.append((when, article_id))

    def _expire(self) -> None:
        """Close stories (and forget fingerprints) older than the window: bounded memory."""
        assert self._latest is not None
        horizon = self._latest - self.params.window
        for story_id in [s.id for s in self._stories.values() if s.last < horizon]:
            del self._stories[story_id]
        if self._dup_order and self._dup_order[0][0] < horizon:
            keep = []
            for when, key in self._dup_order:
                if when < horizon:
                    self._duplicates.remove(key)
                else:
                    keep.append((when, key))
            self._dup_order = keep
