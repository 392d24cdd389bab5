"""Retention: digests older than the horizon are removed with their deliveries, editions and
stories that nothing refers to any more, in short batches, so the store stops growing.

What stays, whatever its age:
- item rows (a source's guid, link and content hash): ingest dedupes against them, so an item a
  feed still lists after its digest is gone is recognised and never posted again;
- the digests of a story still active within the horizon (its last article newer than the
  cutoff), so its thread and the story's replies keep their first post;
- deliveries of every digest that stays: they are what makes a post exactly-once.

A digest and its deliveries go in one transaction — a digest never stays without the
deliveries that settle it, which would make it owed again — and each transaction carries at
most ``DELIVERIES_PER_TX`` deliveries, so a prune never holds SQLite's write lock long.
Stories go once the story clusterer has closed them (``digests.stories`` window) and no digest
names them. Candidates are found walking ids upwards from the oldest (ids grow with time), so
a run reads what it removes and stops at the first digest inside the horizon.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from bot.store.base import StoreBase
from bot.store.models import DeliveryRow, DigestRow, EditionRow, StoryRow
from bot.store.types import utcnow
from digests.stories.cluster import StoryParams

log = logging.getLogger(__name__)

#: Candidates read per step.
BATCH = 500
#: Most deliveries removed in one transaction (a digest with more goes alone).
DELIVERIES_PER_TX = 5000
#: Editions whose post is settled; others may still be sent or retried.
_SETTLED_EDITIONS = ("sent", "dropped", "empty")
#: A story no article joined for this long is closed (the clusterer forgets it).
STORY_WINDOW = StoryParams().window


@dataclass
class PruneReport:
    """What a prune removed (or, dry, would remove)."""

    cutoff: datetime
    dry_run: bool = False
    digests: int = 0
    deliveries: int = 0
    editions: int = 0
    stories: int = 0
    kept_active: int = 0

    @property
    def removed(self) -> int:
        return self.digests + self.deliveries + self.editions + self.stories

    def summary(self) -> str:
        parts = (
            (self.digests, "digest"),
            (self.deliveries, "delivery"),
            (self.editions, "edition"),
            (self.stories, "story"),
        )
        return ", ".join(f"{n:,} {_plural(word, n)}" for n, word in parts)


def _plural(word: str, n: int) -> str:
    if n == 1:
        return word
    return word[:-1] + "ies" if word.endswith("y") else word + "s"


def horizon(retention_days: float, thread_window_hours: float) -> timedelta:
    """How long to keep: the configured days, never less than the story thread window (a
    story's first post must outlive every reply it may still get)."""
    return timedelta(days=max(retention_days, thread_window_hours / 24))


class RetentionStore(StoreBase):
    def prune(
        self, keep: timedelta, *, dry_run: bool = False, now: datetime | None = None, batch: int = BATCH
    ) -> PruneReport:
        """Remove what is older than ``keep`` (see the module docstring); ``dry_run``: count only."""
        now = now or utcnow()
        report = PruneReport(cutoff=now - keep, dry_run=dry_run)
        self._prune_digests(report, batch)
        self._prune_editions(report, batch)
        self._prune_stories(report, min(report.cutoff, now - STORY_WINDOW), batch)
        if report.removed and not dry_run:
            log.info(
                "store pruned",
                extra={
                    "before": report.cutoff.isoformat(timespec="seconds"),
                    "digests": report.digests,
                    "deliveries": report.deliveries,
                    "editions": report.editions,
                    "stories": report.stories,
                },
            )
        return report

    def _prune_digests(self, report: PruneReport, batch: int) -> None:
        after = 0
        while True:
            with self.read() as s:
                rows = s.execute(
                    select(DigestRow.id, DigestRow.created, StoryRow.last_seen)
                    .outerjoin(StoryRow, StoryRow.id == DigestRow.story_id)
                    .where(DigestRow.id > after)
                    .order_by(DigestRow.id)
                    .limit(batch)
                ).all()
                old = [r for r in rows if r.created < report.cutoff]
                doomed = [r.id for r in old if r.last_seen is None or r.last_seen < report.cutoff]
                report.kept_active += len(old) - len(doomed)
                sizes = _delivery_counts(s, doomed)
            for chunk in _chunks(doomed, sizes):
                report.digests += len(chunk)
                report.deliveries += sum(sizes.get(d, 0) for d in chunk)
                if not report.dry_run:
                    with self.tx() as s:  # one transaction: a digest never outlives its deliveries
                        s.execute(delete(DeliveryRow).where(DeliveryRow.digest_id.in_(chunk)))
                        s.execute(delete(DigestRow).where(DigestRow.id.in_(chunk)))
            if len(rows) < batch or len(old) < len(rows):
                return  # the end, or the first digest inside the horizon: the rest is newer
            after = rows[-1].id

    def _prune_editions(self, report: PruneReport, batch: int) -> None:
        """Settled editions older than the cutoff that no longer carry a delivery."""
        carried = select(DeliveryRow.id).where(DeliveryRow.edition_id == EditionRow.id).exists()
        after = 0
        while True:
            with self.read() as s:
                rows = s.execute(
                    select(EditionRow.id, EditionRow.claimed_at, EditionRow.status, carried)
                    .where(EditionRow.id > after)
                    .order_by(EditionRow.id)
                    .limit(batch)
                ).all()
            # dry: an old edition's deliveries are as old as it, so they would go first
            old = [r for r in rows if r[1] < report.cutoff and r[2] in _SETTLED_EDITIONS]
            doomed = [r[0] for r in old if report.dry_run or not r[3]]
            report.editions += len(doomed)
            if doomed and not report.dry_run:
                with self.tx() as s:
                    s.execute(delete(EditionRow).where(EditionRow.id.in_(doomed), ~carried))
            if len(rows) < batch or any(r[1] >= report.cutoff for r in rows):
                return
            after = rows[-1][0]

    def _prune_stories(self, report: PruneReport, closed_before: datetime, batch: int) -> None:
        """Stories closed for the clusterer that no digest names any more."""
        named = select(DigestRow.id).where(DigestRow.story_id == StoryRow.id).exists()
        after = 0
        while True:
            with self.read() as s:
                rows = s.execute(
                    select(StoryRow.id, StoryRow.first_seen, StoryRow.last_seen, named)
                    .where(StoryRow.id > after)
                    .order_by(StoryRow.id)
                    .limit(batch)
                ).all()
            doomed = [r[0] for r in rows if r[2] < closed_before and not r[3]]
            report.stories += len(doomed)
            if doomed and not report.dry_run:
                with self.tx() as s:
                    s.execute(delete(StoryRow).where(StoryRow.id.in_(doomed), ~named))
            if len(rows) < batch or any(r[1] >= closed_before for r in rows):
                return  # a story first seen after the cutoff was last seen after it too
            after = rows[-1][0]


def _delivery_counts(s, digest_ids: list[int]) -> dict[int, int]:  # type: ignore[no-untyped-def]
    if not digest_ids:
        return {}
    rows = s.execute(
        select(DeliveryRow.digest_id, func.count())
        .where(DeliveryRow.digest_id.in_(digest_ids))
        .group_by(DeliveryRow.digest_id)
    ).all()
    return {int(d): int(n) for d, n in rows}


def _chunks(digest_ids: list[int], sizes: dict[int, int]) -> list[list[int]]:
    """Digests grouped so that each group carries at most DELIVERIES_PER_TX deliveries."""
    chunks: list[list[int]] = []
    current: list[int] = []
    weight = 0
    for digest_id in digest_ids:
        size = sizes.get(digest_id, 0) + 1
        if current and weight + size > DELIVERIES_PER_TX:
            chunks.append(current)
            current, weight = [], 0
        current.append(digest_id)
        weight += size
    if current:
        chunks.append(current)
    return chunks
