"""Stories in the store: each new digest is assigned a story as it is recorded, and each
story's first post per channel is kept (with the platform's message id) as its thread.

The clusterer (``digests.stories``) is online and keeps its open stories in memory; the store
is the truth. Assignments are serialised — SQLite's write lock, a PostgreSQL advisory lock,
and a thread lock inside one process — and before deciding, the in-memory index replays
every digest recorded since it last looked (by any process), so several instances decide as
one and a restart rebuilds the same open stories from the ``features`` column.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from bot.store.base import StoreBase
from bot.store.models import DeliveryRow, DigestRow, StoryPostRow, StoryRow
from bot.store.types import NewItem, utcnow
from digests.stories import Article, StoryFeatures, StoryIndex, extract

log = logging.getLogger(__name__)

#: PostgreSQL advisory lock key serialising story assignment across processes.
_STORY_LOCK = 0x57B10A


def story_features(item: NewItem) -> StoryFeatures:
    """What the clusterer compares, from the item as the source gave it."""
    return extract(Article(item.guid, item.text, item.title))


class StoryStore(StoreBase):
    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._story_index: StoryIndex | None = None
        self._story_seen = 0
        self._story_mutex = threading.Lock()

    @contextmanager
    def story_lock(self) -> Iterator[None]:
        """Held around a transaction that records digests (see ``IngestStore._insert_new``)."""
        with self._story_mutex:
            yield

    def lock_stories(self, s: Session) -> None:
        """Inside the transaction: take the cross-process lock before anything is inserted,
        so digest ids grow in the order stories are decided."""
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _STORY_LOCK})

    def assign_story(self, s: Session, digest: DigestRow, features: StoryFeatures) -> int:
        """Decide and record the story of a just-inserted (flushed) digest; its story id."""
        index = self._refreshed_index(s)
        when = digest.created
        decided = index.assign(str(digest.id), features, when)
        story_id = int(decided.story)
        if decided.new:
            s.add(StoryRow(id=story_id, headline=digest.headline[:1000], first_seen=when, last_seen=when, articles=1))
            s.flush()
        else:
            s.execute(
                update(StoryRow).where(StoryRow.id == story_id).values(articles=StoryRow.articles + 1, last_seen=when)
            )
        digest.story_id = story_id
        digest.features = json.dumps(features.to_json(), separators=(",", ":"))
        self._story_seen = max(self._story_seen, digest.id)
        log.debug("story", extra={"digest": digest.id, "story": story_id, "why": decided.reason})
        return story_id

    def forget_stories(self) -> None:
        """Drop the in-memory index; the next assignment rebuilds it from the store."""
        self._story_index = None
        self._story_seen = 0

    def _refreshed_index(self, s: Session) -> StoryIndex:
        """The in-memory index with every digest another process (or an earlier run) recorded."""
        if self._story_index is None:
            self._story_index = StoryIndex()
            horizon = utcnow() - self._story_index.params.window
            self._story_seen = int(s.scalar(select(DigestRow.id).order_by(DigestRow.id.desc()).limit(1)) or 0)
            since = select(DigestRow.id).where(DigestRow.created >= horizon).order_by(DigestRow.id).limit(1)
            first = s.scalar(since)
            self._replay(s, (first - 1) if first is not None else self._story_seen, upto=self._story_seen)
            return self._story_index
        self._replay(s, self._story_seen, upto=None)
        return self._story_index

    def _replay(self, s: Session, after: int, upto: int | None) -> None:
        assert self._story_index is not None
        query = (
            select(DigestRow.id, DigestRow.story_id, DigestRow.features, DigestRow.created)
            .where(DigestRow.id > after, DigestRow.features.is_not(None), DigestRow.story_id.is_not(None))
            .order_by(DigestRow.id)
        )
        if upto is not None:
            query = query.where(DigestRow.id <= upto)
        for digest_id, story_id, features, created in s.execute(query):
            try:
                parsed = StoryFeatures.from_json(json.loads(features))
            except (ValueError, TypeError, KeyError, AttributeError):
                continue
            self._story_index.add(str(digest_id), parsed, str(story_id), created)
            self._story_seen = max(self._story_seen, digest_id)

    def record_story_post(self, s: Session, delivery_id: int, message_id: str | None) -> None:
        """A sent delivery of a story's digest: the thread it claimed gets the platform's
        message id; a post claimed without one (made before threads) becomes the thread if
        the story has none in that channel yet."""
        message_id = (message_id or None) and str(message_id)[:128]
        done = s.execute(
            update(StoryPostRow)
            .where(StoryPostRow.delivery_id == delivery_id)
            .values(message_id=message_id, posted_at=utcnow())
        )
        if done.rowcount:  # type: ignore[attr-defined]
            return
        row = s.execute(
            select(
                DeliveryRow.digest_id,
                DeliveryRow.platform,
                DeliveryRow.workspace,
                DeliveryRow.channel,
                DeliveryRow.slot,
                DigestRow.story_id,
            )
            .join(DigestRow, DigestRow.id == DeliveryRow.digest_id)
            .where(DeliveryRow.id == delivery_id)
        ).first()
        if row is None or row.story_id is None or row.slot == "reply" or row.slot.startswith("edit:"):
            return
        s.execute(
            self.insert(StoryPostRow)
            .values(
                story_id=row.story_id,
                platform=row.platform,
                workspace=row.workspace,
                channel=row.channel,
                digest_id=row.digest_id,
                delivery_id=delivery_id,
                message_id=message_id,
                posted_at=utcnow(),
            )
            .on_conflict_do_nothing(index_elements=["story_id", "platform", "workspace", "channel"])
        )

    def story_of(self, digest_id: int) -> int | None:
        with self.tx() as s:
            return s.scalar(select(DigestRow.story_id).where(DigestRow.id == digest_id))

    def story_posts(self, story_id: int) -> list[tuple[str, str, str, str | None, datetime]]:
        """(platform, workspace, channel, message id, posted at) of the story's first posts."""
        with self.tx() as s:
            rows = s.execute(
                select(
                    StoryPostRow.platform,
                    StoryPostRow.workspace,
                    StoryPostRow.channel,
                    StoryPostRow.message_id,
                    StoryPostRow.posted_at,
                )
                .where(StoryPostRow.story_id == story_id)
                .order_by(StoryPostRow.id)
            ).all()
            return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]
