"""Story threads: one post per story in a channel, everything after it in that post's thread.

When a story a channel already has arrives again — another outlet's write-up, or a later
article from a source already in the thread — within the thread window (48 h by default),
the channel gets no second post: the digest is delivered in the slot "reply", as a reply
in the first post's thread, or recorded as "merged" when it brings nothing new. An item
edited after it was delivered gets one reply per channel and revision, slot "edit:<n>".

Exactly once, as for posts: every reply is a deliveries row claimed before it is sent. The
first post of a story in a channel claims its ``story_posts`` row in the same transaction
as its delivery, so two digests of one story due at once cannot both become posts: the
loser waits until the thread exists, then becomes a reply.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import String, and_, cast, select, update
from sqlalchemy.orm import Session, aliased

from bot.domain import ChannelRef, Reply
from bot.store.models import DeliveryRow, DigestEditRow, DigestRow, SourceRow, StoryPostRow, SubscriptionRow
from bot.store.types import Candidate, utcnow
from digests.changes import Changes, new_quotes
from digests.model import Digest

#: Slot of a later article of a story, delivered in the story's thread.
REPLY = "reply"
#: Slot prefix of what an edit changed, delivered in the story's thread.
EDIT = "edit:"
#: An edit not told to a channel within this long never is (its story has moved on).
EDIT_HORIZON = timedelta(days=7)
#: Deliveries that put a digest in front of a channel (a post, a reply, or merged silently).
SHOWN = ("sent", "merged")

ChannelKey = tuple[str, str, str]


@dataclass(frozen=True)
class Thread:
    """A story's first post in a channel, and how its delivery stands."""

    id: int
    digest_id: int
    delivery_id: int | None
    message_id: str | None
    posted_at: datetime
    status: str | None
    attempts: int

    def dead(self, max_attempts: int) -> bool:
        """Its post will never be made (dropped, or out of retries): the story needs a new head."""
        return self.status == "dropped" or (self.status == "failed" and self.attempts >= max_attempts)


def threads(s: Session, keys: set[tuple[int, str, str, str]]) -> dict[tuple[int, str, str, str], Thread]:
    """The threads of (story, platform, workspace, channel) keys, one query per story batch."""
    if not keys:
        return {}
    stories = sorted({k[0] for k in keys})
    out: dict[tuple[int, str, str, str], Thread] = {}
    for start in range(0, len(stories), 500):
        rows = s.execute(
            select(StoryPostRow, DeliveryRow.status, DeliveryRow.attempts)
            .outerjoin(DeliveryRow, DeliveryRow.id == StoryPostRow.delivery_id)
            .where(StoryPostRow.story_id.in_(stories[start : start + 500]))
        ).all()
        for post, status, attempts in rows:
            key = (post.story_id, post.platform, post.workspace, post.channel)
            if key in keys:
                out[key] = _thread(post, status, attempts)
    return out


def _thread(post: StoryPostRow, status: str | None, attempts: int | None) -> Thread:
    return Thread(post.id, post.digest_id, post.delivery_id, post.message_id, post.posted_at, status, attempts or 0)


def arrival_slot(
    thread: Thread | None, digest_id: int, created: datetime, window: timedelta, max_attempts: int
) -> str | None:
    """How an on-arrival digest of a story reaches a channel: "arrival" (a post, the story's
    thread from then on), REPLY (in the existing thread), or None (the thread's first post is
    still on its way: wait for it). A window of zero turns threads off."""
    if window <= timedelta(0):
        return "arrival"
    if thread is None or thread.digest_id == digest_id or thread.dead(max_attempts):
        return "arrival"
    if created - thread.posted_at > window:
        return "arrival"  # the story went quiet for longer than the window: a fresh post
    if thread.status == "sent":
        return REPLY
    return None


def claim_thread(
    s: Session, insert, digest: DigestRow, key: ChannelKey, window: timedelta, max_attempts: int
) -> int | None:  # type: ignore[no-untyped-def]
    """Inside a post's claim: make this digest the story's first post in the channel. The
    story_posts row id, or None when another digest of the story holds the thread (then this
    one must become a reply, not a second post)."""
    platform, workspace, chan = key
    now = utcnow()
    won = s.scalar(
        insert(StoryPostRow)
        .values(
            story_id=digest.story_id,
            platform=platform,
            workspace=workspace,
            channel=chan,
            digest_id=digest.id,
            delivery_id=None,
            message_id=None,
            posted_at=now,
        )
        .on_conflict_do_nothing(index_elements=["story_id", "platform", "workspace", "channel"])
        .returning(StoryPostRow.id)
    )
    if won is not None:
        return int(won)
    found = s.execute(
        select(StoryPostRow, DeliveryRow.status, DeliveryRow.attempts)
        .outerjoin(DeliveryRow, DeliveryRow.id == StoryPostRow.delivery_id)
        .where(
            StoryPostRow.story_id == digest.story_id,
            StoryPostRow.platform == platform,
            StoryPostRow.workspace == workspace,
            StoryPostRow.channel == chan,
        )
    ).first()
    if found is None:
        return None
    thread = _thread(*found)
    if arrival_slot(thread, digest.id, digest.created, window, max_attempts) != "arrival":
        return None
    if thread.digest_id == digest.id:
        return thread.id
    taken = s.execute(
        update(StoryPostRow)
        .where(StoryPostRow.id == thread.id, StoryPostRow.digest_id == thread.digest_id)
        .values(digest_id=digest.id, delivery_id=None, message_id=None, posted_at=now)
    )
    return thread.id if taken.rowcount else None  # type: ignore[attr-defined]


def attach_delivery(s: Session, thread_id: int, delivery_id: int) -> None:
    s.execute(update(StoryPostRow).where(StoryPostRow.id == thread_id).values(delivery_id=delivery_id))


def edits_due(s: Session, platforms: list[str], settled, since: datetime) -> list[Candidate]:  # type: ignore[no-untyped-def]
    """One candidate per (edit, channel that was shown the edited digest before the edit),
    for edits recorded since ``since``. The recent edits are read first (by their index), so
    the deliveries are only probed for the digests they edited, never read whole."""
    recent = list(s.scalars(select(DigestEditRow.id).where(DigestEditRow.created >= since)))
    if not recent:
        return []
    shown = aliased(DeliveryRow)
    sub = SubscriptionRow
    edit_slot = EDIT + cast(DigestEditRow.revision, String)
    already = (
        select(DeliveryRow.id)
        .where(
            DeliveryRow.digest_id == DigestEditRow.digest_id,
            DeliveryRow.platform == shown.platform,
            DeliveryRow.workspace == shown.workspace,
            DeliveryRow.channel == shown.channel,
            DeliveryRow.slot == edit_slot,
            settled,
        )
        .exists()
    )
    rows = s.execute(
        select(DigestEditRow.digest_id, DigestEditRow.revision, shown.platform, shown.workspace, shown.channel, sub.id)
        .join(shown, shown.digest_id == DigestEditRow.digest_id)
        .join(DigestRow, DigestRow.id == DigestEditRow.digest_id)
        .join(
            sub,
            and_(
                sub.source_id == DigestRow.source_id,
                sub.platform == shown.platform,
                sub.workspace == shown.workspace,
                sub.channel == shown.channel,
            ),
        )
        .where(
            shown.platform.in_(platforms),
            shown.status.in_(SHOWN),
            shown.slot.in_(("arrival", REPLY)),
            shown.sent_at < DigestEditRow.created,
            sub.paused_reason.is_(None),
            DigestEditRow.id.in_(recent),
            ~already,
        )
        .order_by(DigestEditRow.id)
    ).all()
    return [
        Candidate(digest_id, ChannelRef(platform, chan, workspace or None), f"{EDIT}{revision}", sub_id)
        for digest_id, revision, platform, workspace, chan, sub_id in rows
    ]


def reply_for(s: Session, candidate: Candidate, delivery_id: int) -> Reply | None:
    """The reply a claimed REPLY or EDIT delivery posts; None when another outlet's article
    brings nothing the thread lacks (it is then recorded as merged, with no message)."""
    digest_row, source = s.execute(
        select(DigestRow, SourceRow)
        .join(SourceRow, SourceRow.id == DigestRow.source_id)
        .where(DigestRow.id == candidate.digest_id)
    ).one()
    digest = Digest.from_json(json.loads(digest_row.data))
    key = _key(candidate.channel)
    head = _head(s, digest_row, key)
    thread_id, thread_title = (head.message_id, head_headline(s, head.digest_id)) if head else (None, None)
    if thread_id is None and head is None:
        thread_id = _own_message(s, digest_row.id, key)
    common = {
        "channel": candidate.channel,
        "source_name": source.name,
        "source_url": digest_row.link or (source.url if source.kind == "feed" else None),
        "headline": digest.headline,
        "thread": thread_id,
        "thread_title": thread_title or digest.headline,
        "delivery_id": delivery_id,
    }
    if candidate.slot.startswith(EDIT):
        revision = int(candidate.slot.removeprefix(EDIT))
        raw = s.scalar(
            select(DigestEditRow.changes).where(
                DigestEditRow.digest_id == digest_row.id, DigestEditRow.revision == revision
            )
        )
        changes = Changes.from_json(json.loads(raw)) if raw else Changes()
        kind = "correction" if changes.correction else "edit"
        return Reply(kind=kind, quotes=changes.quotes, changes=change_lines(changes), **common)
    seen = _seen(s, digest_row, key)
    quotes = new_quotes(digest, [d for d, _ in seen])
    if any(source_id == digest_row.source_id for _, source_id in seen):
        return Reply(kind="followup", quotes=quotes, **common)
    if not quotes:
        return None
    return Reply(kind="outlet", quotes=quotes, **common)


def change_lines(changes: Changes) -> tuple[str, ...]:
    """What changed, in plain sentences (adapters escape them for their platform)."""
    lines: list[str] = []
    if changes.headline:
        lines.append(f"Headline changed from “{changes.headline[0]}” to “{changes.headline[1]}”.")
    for sentence in changes.added:
        lines.append(f"Added: “{sentence}”")
    hidden = changes.added_count - len(changes.added) - len(changes.quotes)
    if hidden > 0 and changes.added:
        lines.append(f"{hidden} more new sentence{'s' if hidden != 1 else ''}.")
    if changes.removed:
        lines.append(f"{changes.removed} sentence{'s' if changes.removed != 1 else ''} removed.")
    if changes.removed_quotes:
        n = changes.removed_quotes
        lines.append(f"{n} quote{'s' if n != 1 else ''} removed.")
    if not lines and not changes.quotes:
        lines.append("The text was revised.")
    return tuple(lines)


def _key(channel: ChannelRef) -> ChannelKey:
    return channel.platform, channel.workspace or "", channel.channel


def _head(s: Session, digest: DigestRow, key: ChannelKey) -> StoryPostRow | None:
    if digest.story_id is None:
        return None
    platform, workspace, chan = key
    return s.scalar(
        select(StoryPostRow).where(
            StoryPostRow.story_id == digest.story_id,
            StoryPostRow.platform == platform,
            StoryPostRow.workspace == workspace,
            StoryPostRow.channel == chan,
        )
    )


def head_headline(s: Session, digest_id: int) -> str | None:
    return s.scalar(select(DigestRow.headline).where(DigestRow.id == digest_id))


def _own_message(s: Session, digest_id: int, key: ChannelKey) -> str | None:
    platform, workspace, chan = key
    return s.scalar(
        select(DeliveryRow.message_id).where(
            DeliveryRow.digest_id == digest_id,
            DeliveryRow.platform == platform,
            DeliveryRow.workspace == workspace,
            DeliveryRow.channel == chan,
            DeliveryRow.status == "sent",
            DeliveryRow.slot == "arrival",
        )
    )


def _seen(s: Session, digest: DigestRow, key: ChannelKey) -> list[tuple[Digest, int]]:
    """The story's digests this channel was already shown (posted, replied or merged)."""
    if digest.story_id is None:
        return []
    platform, workspace, chan = key
    rows = s.execute(
        select(DigestRow.data, DigestRow.source_id)
        .where(
            DigestRow.story_id == digest.story_id,
            DigestRow.id != digest.id,
            select(DeliveryRow.id)
            .where(
                DeliveryRow.digest_id == DigestRow.id,
                DeliveryRow.platform == platform,
                DeliveryRow.workspace == workspace,
                DeliveryRow.channel == chan,
                DeliveryRow.status.in_(SHOWN),
            )
            .exists(),
        )
        .order_by(DigestRow.id)
    ).all()
    out: list[tuple[Digest, int]] = []
    for data, source_id in rows:
        try:
            out.append((Digest.from_json(json.loads(data)), source_id))
        except (ValueError, TypeError, KeyError):
            continue
    return out
