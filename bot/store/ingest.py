"""Polls' bookkeeping and ingestion: new items become digests once; an edited item (same guid
or link, new content) is recorded as an update of its digest, never a second post; the same
content under another guid is a duplicate.

Items are summarised and saved one by one, each in its own savepoint: text the database
cannot hold is repaired first (lone surrogates become U+FFFD, NULs go), and an item that
still cannot be saved is skipped with a logged reason, never taking its neighbours with it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import case, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.codepoints import clean_code_points
from bot.notices import DEFAULT_FIX, pause_notice
from bot.store.base import StoreBase
from bot.store.models import DigestEditRow, DigestRow, ItemRow, SourceRow, SubscriptionRow
from bot.store.stories import StoryStore, story_features
from bot.store.subscriptions import backfill_cursor, source_ref
from bot.store.types import IngestResult, NewItem, SourceRef, utcnow
from digests.changes import what_changed
from digests.model import Digest, Dispatch
from digests.stories import StoryFeatures

log = logging.getLogger(__name__)

Summariser = Callable[[Dispatch], Digest]
_CHUNK = 200


def content_hash(item: NewItem) -> str:
    """The story's body, whitespace-normalised (the title when there is no body): the same
    story under another guid is a duplicate; a new body under the same guid is an edit."""
    body = " ".join(item.text.split()) or (item.title or "").strip()
    data = body.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def guid_key(guid: str) -> str:
    """Guids are untrusted and may be huge: long ones are stored as their hash."""
    guid = guid.strip()
    if len(guid) <= 500:
        return guid
    return "sha256:" + hashlib.sha256(guid.encode("utf-8", "surrogatepass")).hexdigest()


def _naive(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


class IngestStore(StoryStore, StoreBase):
    def sources_due(self, now: datetime, kinds: Iterable[str] | None = None) -> list[SourceRef]:
        """Sources with an active subscription, not paused, whose next poll has come."""
        with self.read() as s:
            query = select(SourceRow).where(
                SourceRow.paused_reason.is_(None),
                or_(SourceRow.next_poll.is_(None), SourceRow.next_poll <= now),
                select(SubscriptionRow.id)
                .where(SubscriptionRow.source_id == SourceRow.id, SubscriptionRow.paused_reason.is_(None))
                .exists(),
            )
            if kinds is not None:
                query = query.where(SourceRow.kind.in_(list(kinds)))
            return [source_ref(r) for r in s.scalars(query.order_by(SourceRow.id)).all()]

    def claim_poll(self, source: SourceRef, next_poll: datetime) -> bool:
        """Move the source's next poll forward; only one process wins a given poll."""
        with self.tx() as s:
            cond = (
                SourceRow.next_poll.is_(None) if source.next_poll is None else SourceRow.next_poll == source.next_poll
            )
            result = s.execute(
                update(SourceRow)
                .where(SourceRow.id == source.id, cond, SourceRow.paused_reason.is_(None))
                .values(next_poll=next_poll)
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def poll_ok(self, source_id: int, etag: str | None, last_modified: str | None, title: str | None) -> None:
        """A successful fetch (200 or 304): errors reset, the lease ends, and waiting
        subscriptions activated. Plain UPDATEs (no ORM load): every poll ends here."""
        values: dict[str, Any] = {
            "last_fetch": utcnow(),
            "last_error": None,
            "failures": 0,
            "failing_since": None,
            "lease_until": None,
            "etag": etag or None,
            "last_modified": last_modified or None,
        }
        if title:  # a source still named by its URL takes the feed's title
            named = " ".join(title.split())[:300]
            values["name"] = case((SourceRow.name == SourceRow.url, named), else_=SourceRow.name)
        with self.tx() as s:
            s.execute(update(SourceRow).where(SourceRow.id == source_id).values(values))
            waiting = s.execute(
                select(SubscriptionRow.id, SubscriptionRow.backfill).where(
                    SubscriptionRow.source_id == source_id, SubscriptionRow.cursor.is_(None)
                )
            ).all()
            for sub_id, backfill in waiting:
                s.execute(
                    update(SubscriptionRow)
                    .where(SubscriptionRow.id == sub_id, SubscriptionRow.cursor.is_(None))
                    .values(cursor=backfill_cursor(s, source_id, backfill))
                )

    def poll_failed(
        self,
        source_id: int,
        error: str,
        next_poll: datetime,
        failure_limit: int,
        pause_after: timedelta | None = None,
        fix: str | None = None,
        link: str | None = None,
    ) -> bool:
        """Count a failure; at ``failure_limit`` failures in a row — or, with two or more,
        once the source has been failing for ``pause_after`` — pause it and leave a notice with
        the error and ``fix`` for every subscribed channel (delivered like a digest, exactly
        once); ``link`` is where its button goes (the feed's site, never the feed). Returns True
        if paused."""
        now = utcnow()
        with self.tx() as s:
            row = s.get_one(SourceRow, source_id)
            row.failures += 1
            row.failing_since = row.failing_since or now
            row.last_fetch, row.last_error, row.next_poll, row.lease_until = now, error[:500], next_poll, None
            failing_for = now - row.failing_since
            long_enough = pause_after is not None and row.failures >= 2 and failing_for >= pause_after
            if (row.failures < failure_limit and not long_enough) or row.paused_reason is not None:
                return False
            row.paused_reason = f"paused after {row.failures} failed fetches; last error: {error}"[:500]
            notice = pause_notice(
                row.name, row.failures, failing_for.total_seconds() / 3600, error[:300], fix or DEFAULT_FIX, link
            )
            s.add(
                DigestRow(
                    source_id=source_id,
                    item_id=None,
                    kind="notice",
                    data=json.dumps(notice.to_json()),
                    headline=notice.headline,
                    link=None,
                    published=None,
                    created=now,
                )
            )
            log.warning("source paused", extra={"source": row.url, "failures": row.failures, "error": error})
            return True

    def ingest(self, source: SourceRef, items: list[NewItem], summarise: Summariser) -> IngestResult:
        """Record ``items`` (oldest first). Runs the summariser, so call it off the event loop."""
        batch = _dedupe_batch([_storable(item) for item in items])
        known = self._known(source.id, batch)
        fresh: list[tuple[NewItem, str, str]] = []
        edits: list[tuple[int, str, NewItem, str]] = []
        duplicates = len(items) - len(batch)
        for item, key, chash in batch:
            existing = known["guid"].get(key) or (known["link"].get(item.link) if item.link else None)
            if existing is not None:
                item_id, old_hash = existing
                if old_hash != chash:
                    edits.append((item_id, old_hash, item, chash))
                else:
                    duplicates += 1
                continue
            if chash in known["hash"]:
                duplicates += 1
                continue
            fresh.append((item, key, chash))
        new = self._insert_new(source, [(i, k, h, _summary(summarise, i, source)) for i, k, h in fresh])
        updated = self._apply_edits(
            source, [(iid, old, i, h, _summary(summarise, i, source)) for iid, old, i, h in edits]
        )
        return IngestResult(new=new, updated=updated, duplicates=duplicates + len(fresh) - new)

    def _known(self, source_id: int, batch: list[tuple[NewItem, str, str]]) -> dict[str, dict]:
        maps: dict[str, dict] = {"guid": {}, "link": {}, "hash": {}}
        with self.read() as s:  # a read: it never waits for (or holds) SQLite's write lock
            for start in range(0, len(batch), _CHUNK):
                chunk = batch[start : start + _CHUNK]
                guids = [k for _, k, _ in chunk]
                links = [i.link for i, _, _ in chunk if i.link]
                hashes = [h for _, _, h in chunk]
                rows = s.execute(
                    select(ItemRow.id, ItemRow.guid, ItemRow.link, ItemRow.content_hash).where(
                        ItemRow.source_id == source_id,
                        or_(ItemRow.guid.in_(guids), ItemRow.link.in_(links), ItemRow.content_hash.in_(hashes)),
                    )
                ).all()
                for item_id, guid, link, chash in rows:
                    maps["guid"][guid] = (item_id, chash)
                    if link:
                        maps["link"].setdefault(link, (item_id, chash))
                    maps["hash"][chash] = item_id
        return maps

    def _insert_new(self, source: SourceRef, rows: list[tuple[NewItem, str, str, Digest]]) -> int:
        if not rows:
            return 0
        inserted = 0
        features = [story_features(item) for item, _, _, _ in rows]  # pure, outside the lock
        with self.story_lock(), self.tx() as s:
            self.lock_stories(s)
            for (item, key, chash, digest), feats in zip(rows, features, strict=True):
                try:
                    with s.begin_nested():
                        inserted += self._insert_one(s, source, item, key, chash, digest, feats)
                except SQLAlchemyError as exc:
                    self.forget_stories()  # the index may hold what was rolled back: rebuild it
                    _skipped(source, item, exc)
        return inserted

    def _insert_one(
        self, s: Session, source: SourceRef, item: NewItem, key: str, chash: str, digest: Digest, feats: StoryFeatures
    ) -> int:
        now = utcnow()
        item_id = s.scalar(
            self.insert(ItemRow)
            .values(
                source_id=source.id,
                guid=key,
                link=(item.link or None) and item.link[:2048],
                content_hash=chash,
                title=item.title,
                published=_naive(item.published),
                first_seen=now,
                revisions=0,
            )
            .on_conflict_do_nothing(index_elements=["source_id", "guid"])
            .returning(ItemRow.id)
        )
        if item_id is None:
            return 0  # another process recorded it first
        row = DigestRow(
            source_id=source.id,
            item_id=item_id,
            kind="item",
            data=json.dumps(digest.to_json()),
            headline=digest.headline[:1000],
            link=item.link,
            published=_naive(item.published),
            created=now,
        )
        s.add(row)
        s.flush()
        self.assign_story(s, row, feats)
        return 1

    def _apply_edits(self, source: SourceRef, rows: list[tuple[int, str, NewItem, str, Digest]]) -> int:
        updated = 0
        with self.tx() as s:
            for item_id, old_hash, item, new_hash, digest in rows:
                try:
                    with s.begin_nested():
                        updated += _apply_edit(s, item_id, old_hash, item, new_hash, digest)
                except SQLAlchemyError as exc:
                    _skipped(source, item, exc)
                    continue
                log.info(
                    "item edited; what changed goes to the story's threads",
                    extra={"source": source.url, "item": item_id},
                )
        return updated


def _apply_edit(s: Session, item_id: int, old_hash: str, item: NewItem, new_hash: str, digest: Digest) -> int:
    """Update the item's digest in place and keep what changed, for the story's thread."""
    result = s.execute(
        update(ItemRow)
        .where(ItemRow.id == item_id, ItemRow.content_hash == old_hash)
        .values(content_hash=new_hash, title=item.title, updated=utcnow(), revisions=ItemRow.revisions + 1)
        .returning(ItemRow.revisions)
    )
    revision = result.scalar()
    if revision is None:
        return 0
    row = s.scalar(select(DigestRow).where(DigestRow.item_id == item_id))
    if row is None:
        return 1
    try:
        old = Digest.from_json(json.loads(row.data))
    except (ValueError, TypeError, KeyError):
        old = None
    row.data = json.dumps(digest.to_json())
    row.headline = digest.headline[:1000]
    changes = what_changed(old, digest) if old is not None else None
    if changes is not None and not changes.empty:
        s.add(
            DigestEditRow(
                digest_id=row.id,
                revision=int(revision),
                created=utcnow(),
                changes=json.dumps(changes.to_json(), separators=(",", ":")),
            )
        )
    return 1


def _skipped(source: SourceRef, item: NewItem, exc: Exception) -> None:
    reason = " ".join(str(getattr(exc, "orig", None) or exc).split())[:300]
    extra = {"source": source.url, "guid": item.guid[:200], "error": reason}
    log.warning("item skipped: it cannot be saved", extra=extra)


def _storable(item: NewItem) -> NewItem:
    """The item with every code point the database can store (see the module docstring)."""
    guid, link, title, text = (clean_code_points(v) if v else v for v in (item.guid, item.link, item.title, item.text))
    if (guid, link, title, text) == (item.guid, item.link, item.title, item.text):
        return item
    return NewItem(guid=guid or "", link=link, title=title, text=text or "", published=item.published)


def _summary(summarise: Summariser, item: NewItem, source: SourceRef) -> Digest:
    """The item's digest; if the summariser fails on it, a bare digest (its title, no quotes)
    so the item is still recorded and posted rather than lost."""
    dispatch = _dispatch(item, source)
    try:
        return summarise(dispatch)
    except Exception:
        log.exception("summariser failed; the item is kept without quotes", extra={"source": source.url})
    headline = " ".join((item.title or item.text[:200]).split())[:300] or "Untitled dispatch"
    return Digest(
        headline=headline, dateline=None, quotes=(), key_quotes=(), text=item.text, title=item.title, url=item.link
    )


def _dedupe_batch(items: list[NewItem]) -> list[tuple[NewItem, str, str]]:
    """Drop repeats inside one fetch (duplicate guids, or the same story twice): the entry
    the source lists first (newest) wins, as a feed reader would show it."""
    seen_keys: set[str] = set()
    seen_hashes: set[str] = set()
    out: list[tuple[NewItem, str, str]] = []
    for item in reversed(items):
        if not item.text.strip() and not item.title:
            continue
        key, chash = guid_key(item.guid), content_hash(item)
        if key in seen_keys or chash in seen_hashes:
            continue
        seen_keys.add(key)
        seen_hashes.add(chash)
        out.append((item, key, chash))
    out.reverse()
    return out


def _dispatch(item: NewItem, source: SourceRef) -> Dispatch:
    return Dispatch(text=item.text, title=item.title, url=item.link, source=source.name, published=item.published)
