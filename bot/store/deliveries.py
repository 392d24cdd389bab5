"""Exactly-once delivery. A candidate is claimed by INSERT ... ON CONFLICT DO NOTHING on the
UNIQUE (digest, platform, workspace, channel, slot) key before anything is posted; only the
inserter posts. A claim still unsent after the timeout, or a failure due for retry, is taken
over by a conditional UPDATE that, again, exactly one claimant wins.

Replies in a story's thread (bot.store.threads) are deliveries too, in the slots "reply"
and "edit:<revision>"; the first post of a story in a channel also claims the story's
thread there, in the same transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, true, update
from sqlalchemy.orm import Session

from bot.domain import ChannelRef, Post, Reply
from bot.schedules import ARRIVAL, slot_for
from bot.store import threads
from bot.store.base import StoreBase
from bot.store.models import DeliveryRow, DigestRow, SourceRow, SubscriptionRow
from bot.store.stories import StoryStore
from bot.store.subscriptions import channel_where
from bot.store.types import Candidate, aware, utcnow
from digests.model import Digest

#: A failed post is retried at most this many times in all, then dropped (and logged).
MAX_ATTEMPTS = 5
#: The claim time of a released claim: older than any claim timeout, so claimable at once.
RELEASED = datetime(2000, 1, 1)
#: A story's later articles within this time of its first post in a channel go in its thread.
THREAD_WINDOW = timedelta(hours=48)


def settled(now: datetime, timeout: timedelta):  # type: ignore[no-untyped-def]
    """Deliveries that rule a candidate out: sent, dropped, freshly claimed, or failed and not yet due."""
    return or_(
        # skipped: refused by the filter; merged: noted in a story's thread; edition: carried by one
        DeliveryRow.status.in_(("sent", "dropped", "skipped", "merged", "edition")),
        and_(DeliveryRow.status == "claimed", DeliveryRow.claimed_at > now - timeout),
        and_(
            DeliveryRow.status == "failed",
            or_(DeliveryRow.attempts >= MAX_ATTEMPTS, DeliveryRow.next_attempt > now),
        ),
    )


def reclaimable(now: datetime, timeout: timedelta):  # type: ignore[no-untyped-def]
    return or_(
        and_(DeliveryRow.status == "claimed", DeliveryRow.claimed_at <= now - timeout),
        and_(
            DeliveryRow.status == "failed",
            DeliveryRow.attempts < MAX_ATTEMPTS,
            or_(DeliveryRow.next_attempt.is_(None), DeliveryRow.next_attempt <= now),
        ),
    )


def owed_query(  # type: ignore[no-untyped-def]
    platforms: list[str],
    now: datetime,
    timeout: timedelta,
    scheduled: bool | None = None,
    subscription_ids: list[int] | None = None,
):
    """(subscription, digest) pairs owed and not settled: items past the subscription's
    cursor, notices since it was made. Rows: sub id, platform, workspace, channel, cron,
    timezone, sub created, digest id, kind, digest created, story id.

    Only digests past ``settled_through`` are looked at (bot.store.cursors advances it as
    deliveries complete): the cost is what is new, through the (source_id, id) index.
    ``scheduled``: True, only scheduled subscriptions' items (editions); False, everything
    else (posts on arrival, and every notice); None, both. ``subscription_ids``: only those (the
    caller picks them of ``platforms``).

    Shaped for the planners: subscriptions drive the join (filtered by id, never by source,
    which planners turn into "every digest of the source" first) and
    the settled check stays a per-pair index probe (OFFSET 0 keeps PostgreSQL from turning
    it into an anti-join that reads all of deliveries); tests/bot/test_due_plan.py checks."""
    sub, dig = SubscriptionRow, DigestRow
    return (
        select(
            sub.id,
            sub.platform,
            sub.workspace,
            sub.channel,
            sub.cron,
            sub.timezone,
            sub.created,
            dig.id,
            dig.kind,
            dig.created,
            dig.story_id,
        )
        .join(dig, dig.source_id == sub.source_id)
        .where(
            sub.platform.in_(platforms) if subscription_ids is None else sub.id.in_(subscription_ids),
            sub.paused_reason.is_(None),
            dig.id > sub.settled_through,
            _scheduled_where(scheduled),
            or_(
                and_(dig.kind == "item", sub.cursor.is_not(None), dig.id > sub.cursor),
                and_(dig.kind == "notice", dig.created >= sub.created),
            ),
            ~select(DeliveryRow.id)
            .where(
                DeliveryRow.digest_id == dig.id,
                DeliveryRow.platform == sub.platform,
                DeliveryRow.workspace == sub.workspace,
                DeliveryRow.channel == sub.channel,
                settled(now, timeout),
            )
            .offset(0)
            .exists(),
        )
        .order_by(dig.id, sub.id)
    )


def _scheduled_where(scheduled: bool | None):  # type: ignore[no-untyped-def]
    sub, dig = SubscriptionRow, DigestRow
    if scheduled is None:
        return true()
    if scheduled:
        return and_(sub.cron.is_not(None), dig.kind == "item")
    return or_(sub.cron.is_(None), dig.kind != "item")


@dataclass(frozen=True)
class Claimed:
    """A delivery this claimant won, and what it sends."""

    candidate: Candidate
    delivery_id: int
    #: Claims of it so far, this one included: above 1, an earlier claimant may have posted it.
    attempts: int
    #: The post or reply; None for a later article of a story that adds nothing (mark it merged).
    post: Post | Reply | None


class DeliveryStore(StoryStore, StoreBase):
    def due(
        self,
        platforms: list[str],
        timeout: timedelta,
        now: datetime | None = None,
        window: timedelta = THREAD_WINDOW,
        source_ids: list[int] | None = None,
    ) -> list[Candidate]:
        """Every (digest, channel) owed now, computed from the store alone — so a restart,
        or a second process, sees exactly what is still owed, including missed cron fires.
        A story the channel already has (within ``window``) is owed as a reply in its thread,
        and what an edit changed as one more reply. ``source_ids``: only the subscriptions of
        those sources."""
        now = now or utcnow()
        if not platforms:
            return []
        with self.read() as s:
            subs = None
            if source_ids is not None:
                picked = select(SubscriptionRow.id, SubscriptionRow.platform).where(
                    SubscriptionRow.source_id.in_(source_ids)
                )
                subs = [sub_id for sub_id, platform in s.execute(picked) if platform in platforms]
            owed = owed_query(platforms, now, timeout, scheduled=False, subscription_ids=subs)
            rows = s.execute(owed).all() if subs != [] else []
            keys = {(r[10], r[1], r[2] or "", r[3]) for r in rows if r[10] is not None and r[4] is None}
            known = threads.threads(s, keys)
            edits = threads.edits_due(s, platforms, settled(now, timeout), now - threads.EDIT_HORIZON)
        out: list[Candidate] = []
        heads: set[tuple[int, str, str, str]] = set()
        aware_now = aware(now)
        for sub_id, platform, workspace, chan, cron, tz, sub_created, digest_id, kind, created, story in rows:
            if kind == "item" and cron is not None:
                continue  # a scheduled subscription's items go out in its editions (bot.store.editions)
            slot, due_at = slot_for(None if kind == "notice" else cron, tz, max(created, sub_created))
            if due_at is not None and due_at > aware_now:  # type: ignore[operator]
                continue
            if slot == ARRIVAL and kind == "item" and story is not None:
                key = (story, platform, workspace or "", chan)
                decided = threads.arrival_slot(known.get(key), digest_id, created, window, MAX_ATTEMPTS)
                if decided is None or (decided == ARRIVAL and key in heads and window > timedelta(0)):
                    continue  # its story's first post here is on its way: it will be a reply
                if decided == ARRIVAL:
                    heads.add(key)
                slot = decided
            out.append(Candidate(digest_id, ChannelRef(platform, chan, workspace or None), slot, sub_id))
        return out + edits

    def claim(
        self, candidate: Candidate, token: str, timeout: timedelta, window: timedelta = THREAD_WINDOW
    ) -> int | None:
        """The delivery id if this claimant won the right to post, else None."""
        won = self._claim(candidate, token, timeout, window)
        return won[0] if won is not None else None

    def claim_posts(
        self, candidates: Sequence[Candidate], token: str, timeout: timedelta, window: timedelta = THREAD_WINDOW
    ) -> list[Claimed]:
        """Claim each candidate as :meth:`claim` does, then read what the won ones send: one
        call for a batch instead of a claim, a read and an attempts look-up per post, so the
        outbox has posts claimed before the rate limit lets them go.

        Each claim is a transaction of its own, as a single claim is: a batch never holds one
        claim's row locks while taking the next, so two instances claiming overlapping batches
        in different orders cannot deadlock, and exactly one claimant wins each delivery."""
        won: list[tuple[Candidate, int, int]] = []
        taken = self._settled_keys(candidates, timeout)
        for candidate in candidates:
            if candidate.key in taken:
                continue  # claimed by another instance meanwhile (or sent): its claim would lose
            claimed = self._claim(candidate, token, timeout, window)
            if claimed is not None:
                won.append((candidate, *claimed))
        if not won:
            return []
        with self.read() as s:
            posts = self._posts_for(s, won)
        return [Claimed(cand, ident, attempts, post) for (cand, ident, attempts), post in zip(won, posts, strict=True)]

    def _settled_keys(self, candidates: Sequence[Candidate], timeout: timedelta) -> set[tuple]:
        """The keys of ``candidates`` whose delivery is settled (sent, or freshly claimed by
        someone else): one read for the batch instead of a losing claim each — with two
        instances walking one fan-out, a third of their claims near its end. Only a shortcut:
        a claim it lets through still has to win."""
        if not candidates:
            return set()
        now = utcnow()
        with self.read() as s:
            rows = s.execute(
                select(
                    DeliveryRow.digest_id,
                    DeliveryRow.platform,
                    DeliveryRow.workspace,
                    DeliveryRow.channel,
                    DeliveryRow.slot,
                ).where(
                    DeliveryRow.digest_id.in_(sorted({c.digest_id for c in candidates})),
                    DeliveryRow.channel.in_(sorted({c.channel.channel for c in candidates})),
                    settled(now, timeout),
                )
            ).all()
        return {tuple(row) for row in rows}

    def _claim(self, candidate: Candidate, token: str, timeout: timedelta, window: timedelta) -> tuple[int, int] | None:
        """(delivery id, claims of it so far) if this claimant won, else None."""
        now = utcnow()
        digest_id, platform, workspace, chan, slot = candidate.key
        with self.tx() as s:
            if not slot.startswith(threads.EDIT):
                elsewhere = s.scalar(
                    select(DeliveryRow.id).where(
                        DeliveryRow.digest_id == digest_id,
                        DeliveryRow.platform == platform,
                        DeliveryRow.workspace == workspace,
                        DeliveryRow.channel == chan,
                        DeliveryRow.slot != slot,
                        DeliveryRow.slot.not_like(threads.EDIT + "%"),
                        settled(now, timeout),
                    )
                )
                if elsewhere is not None:
                    return None  # posted (or being posted) under another slot: schedule or thread
            thread = None
            if slot == ARRIVAL:
                digest = s.get(DigestRow, digest_id)
                if (
                    digest is not None
                    and digest.kind == "item"
                    and digest.story_id is not None
                    and window > timedelta(0)
                ):
                    thread = threads.claim_thread(
                        s, self.insert, digest, (platform, workspace, chan), window, MAX_ATTEMPTS
                    )
                    if thread is None:
                        return None  # the story has its post here already: this digest becomes a reply
            won = self._claim_row(s, candidate, token, now, timeout)
            if won is not None and thread is not None:
                threads.attach_delivery(s, thread, won[0])
            return won

    def _claim_row(  # type: ignore[no-untyped-def]
        self, s, candidate: Candidate, token: str, now: datetime, timeout: timedelta
    ) -> tuple[int, int] | None:
        digest_id, platform, workspace, chan, slot = candidate.key
        won = s.scalar(
            self.insert(DeliveryRow)
            .values(
                digest_id=digest_id,
                platform=platform,
                workspace=workspace,
                channel=chan,
                slot=slot,
                status="claimed",
                claim_token=token,
                claimed_at=now,
                attempts=1,
            )
            .on_conflict_do_nothing(index_elements=["digest_id", "platform", "workspace", "channel", "slot"])
            .returning(DeliveryRow.id)
        )
        if won is not None:
            return int(won), 1
        retaken = s.execute(
            update(DeliveryRow)
            .where(
                DeliveryRow.digest_id == digest_id,
                DeliveryRow.platform == platform,
                DeliveryRow.workspace == workspace,
                DeliveryRow.channel == chan,
                DeliveryRow.slot == slot,
                reclaimable(now, timeout),
            )
            .values(status="claimed", claim_token=token, claimed_at=now, attempts=DeliveryRow.attempts + 1)
            .returning(DeliveryRow.id, DeliveryRow.attempts)
        ).first()
        return (int(retaken[0]), int(retaken[1])) if retaken is not None else None

    def release_claims(self, claims: Sequence[tuple[int, str]]) -> int:
        """Give back claims (delivery id, token) taken ahead and never sent: claimable again at
        once, by any claimant, as the attempt they were not (nothing of them reached the
        platform, so the next claim looks for nothing there). Returns how many were ours."""
        released = 0
        with self.tx() as s:
            for delivery_id, token in sorted(claims):
                result = s.execute(
                    update(DeliveryRow)
                    .where(
                        DeliveryRow.id == delivery_id,
                        DeliveryRow.claim_token == token,
                        DeliveryRow.status == "claimed",
                    )
                    .values(claimed_at=RELEASED, attempts=DeliveryRow.attempts - 1)
                )
                released += result.rowcount  # type: ignore[attr-defined]
        return released

    def refresh_claim(self, delivery_id: int, token: str) -> bool:
        """Extend a claim we still hold (while waiting out a platform's rate limit)."""
        with self.tx() as s:
            result = s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.claim_token == token, DeliveryRow.status == "claimed")
                .values(claimed_at=utcnow())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def mark_sent(self, delivery_id: int, token: str, message_id: str | None) -> bool:
        """Sent; the first sent digest of a story in a channel becomes that story's thread."""
        with self.tx() as s:
            result = s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.claim_token == token)
                .values(status="sent", sent_at=utcnow(), message_id=(message_id or None) and str(message_id)[:128])
            )
            if result.rowcount:  # type: ignore[attr-defined]
                self.record_story_post(s, delivery_id, message_id)
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def mark_merged(self, delivery_id: int, token: str) -> bool:
        """A later article of a story that brought nothing new: recorded in the thread, not posted."""
        with self.tx() as s:
            result = s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.claim_token == token)
                .values(status="merged", sent_at=utcnow())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def mark_failed(self, delivery_id: int, token: str, error: str, retry_in: timedelta | None) -> bool:
        """A failed post: retried after ``retry_in`` (bounded by MAX_ATTEMPTS), or dropped if
        None. True when it is given up for good (dropped, or out of attempts)."""
        with self.tx() as s:
            attempts = s.scalar(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.claim_token == token)
                .values(
                    status="failed" if retry_in is not None else "dropped",
                    error=error[:500],
                    next_attempt=utcnow() + retry_in if retry_in is not None else None,
                )
                .returning(DeliveryRow.attempts)
            )
        return retry_in is None or (attempts is not None and attempts >= MAX_ATTEMPTS)

    def post_for(self, candidate: Candidate, delivery_id: int | None = None) -> Post | Reply | None:
        """What a claimed delivery sends: a post, a reply in its story's thread, or None for
        a later article that adds nothing to the thread (mark it merged)."""
        with self.read() as s:
            if delivery_id is not None and _in_thread(candidate):
                return threads.reply_for(s, candidate, delivery_id)
            row, source = s.execute(
                select(DigestRow, SourceRow)
                .join(SourceRow, SourceRow.id == DigestRow.source_id)
                .where(DigestRow.id == candidate.digest_id)
            ).one()
            return _post(row, source, candidate.channel, delivery_id)

    def _posts_for(self, s: Session, won: list[tuple[Candidate, int, int]]) -> list[Post | Reply | None]:
        """:meth:`post_for` of each claimed delivery, the digests read in one query."""
        wanted = sorted({cand.digest_id for cand, _, _ in won if not _in_thread(cand)})
        found = (
            s.execute(
                select(DigestRow, SourceRow)
                .join(SourceRow, SourceRow.id == DigestRow.source_id)
                .where(DigestRow.id.in_(wanted))
            ).all()
            if wanted
            else []
        )
        rows = {row.id: (row, source) for row, source in found}
        out: list[Post | Reply | None] = []
        for cand, delivery_id, _ in won:
            if _in_thread(cand):
                out.append(threads.reply_for(s, cand, delivery_id))
            else:
                out.append(_post(*rows[cand.digest_id], cand.channel, delivery_id))
        return out

    def latest(self, channel: ChannelRef) -> Post | None:
        with self.read() as s:
            found = s.execute(
                select(DigestRow, SourceRow)
                .join(SourceRow, SourceRow.id == DigestRow.source_id)
                .join(SubscriptionRow, SubscriptionRow.source_id == DigestRow.source_id)
                .where(channel_where(SubscriptionRow, channel), DigestRow.kind == "item")
                .order_by(DigestRow.created.desc(), DigestRow.id.desc())
                .limit(1)
            ).first()
            if found is None:
                return None
            return _post(found[0], found[1], channel, None)

    def delivery_counts(self) -> dict[str, int]:
        """Deliveries by status (for `status` and tests)."""
        from sqlalchemy import func

        with self.read() as s:
            rows = s.execute(select(DeliveryRow.status, func.count()).group_by(DeliveryRow.status)).all()
            return {status: int(n) for status, n in rows}


def _in_thread(candidate: Candidate) -> bool:
    """A reply in a story's thread (a later article, or what an edit changed)."""
    return candidate.slot == threads.REPLY or candidate.slot.startswith(threads.EDIT)


def _post(row: DigestRow, source: SourceRow, channel: ChannelRef, delivery_id: int | None) -> Post:
    digest = Digest.from_json(json.loads(row.data))
    if row.kind == "notice":
        digest.extra["notice"] = True
    return Post(
        digest=digest,
        channel=channel,
        source_name=source.name,
        # a notice about a broken source links nowhere: its button would only open the broken feed
        source_url=row.link or (source.url if source.kind == "feed" and row.kind != "notice" else None),
        published=aware(row.published),
        delivery_id=delivery_id,
    )
