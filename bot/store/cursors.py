"""Subscription cursors that advance as deliveries complete, so that what is owed
(``bot.store.deliveries.owed_query``) costs what is new, not every delivery ever made.

``subscriptions.settled_through``: every digest of the subscription's source with an id at or
below it needs nothing more for that subscription — it was never owed (at or below the
backfill ``cursor``, a notice from before the subscription) or its delivery to the channel
is final (sent, merged, skipped by the filter, dropped, failed for good). ``owed_query`` looks
only past it, through the (source_id, id) index of digests, so one poll that found news costs
an index seek per subscription of that source plus the digests still open.

Nothing owed is ever passed over:
- the cursor stops at the first digest still open for the subscription (owed, claimed,
  failed and due for a retry, waiting for an edition's fire or for its story's first post);
  a final delivery row never becomes owed again, so what was final stays final;
- digests younger than ``SETTLE_MARGIN`` are never passed: a digest's id is taken when its row
  is inserted, and on PostgreSQL a transaction that took a lower id may commit after one that
  took a higher id; the margin outlasts any such transaction (SQLite writers are serial anyway).

A delivery opened again after it was final (a given-up one re-queued by hand) moves the
cursor back before it at the next pass (a probe of the channel's open deliveries), and a
forward move only applies to the value it read, so a concurrent move back wins.

Advancing reads in a read transaction (on SQLite no write lock), then writes only the
subscriptions whose cursor moved, and only forward: two processes advancing at once agree.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import aliased

from bot.store.base import StoreBase
from bot.store.deliveries import MAX_ATTEMPTS
from bot.store.models import DeliveryRow, DigestRow, SubscriptionRow
from bot.store.types import utcnow

log = logging.getLogger(__name__)

#: Delivery statuses after which a digest is never owed to that channel again ...
FINAL = ("sent", "dropped", "skipped", "merged")
#: ... and those still on their way (a failed one until it runs out of attempts).
OPEN = ("claimed", "failed", "edition")
#: Digests younger than this are never passed (see the module docstring).
SETTLE_MARGIN = timedelta(minutes=10)
#: Subscriptions advanced per transaction.
BATCH = 500
#: The engine's passes over every subscription (the sweep, the look after a post was sent) move
#: the cursors at most this often; those of a source that found news move every time.
FULL_PASS_EVERY = 10.0


def final_for(sub, dig, before: datetime):  # type: ignore[no-untyped-def]
    """SQL: digest ``dig`` needs nothing more for subscription ``sub``. Never NULL: a NULL
    here would read as "open" under NOT, and only ever as "open"."""
    delivered = (
        select(DeliveryRow.id)
        .where(
            DeliveryRow.digest_id == dig.id,
            DeliveryRow.platform == sub.platform,
            DeliveryRow.workspace == sub.workspace,
            DeliveryRow.channel == sub.channel,
            or_(
                DeliveryRow.status.in_(FINAL),
                and_(DeliveryRow.status == "failed", DeliveryRow.attempts >= MAX_ATTEMPTS),
            ),
        )
        .correlate_except(DeliveryRow)
        .offset(0)  # a per-row index probe: PostgreSQL would otherwise hash all of deliveries
        .exists()
    )
    never_owed = or_(
        and_(dig.kind == "item", sub.cursor.is_not(None), dig.id <= func.coalesce(sub.cursor, 0)),
        and_(dig.kind == "notice", dig.created < sub.created),
    )
    return and_(dig.created < before, or_(never_owed, delivered))


def reopened(sub):  # type: ignore[no-untyped-def]
    """SQL: the lowest digest at or below ``sub``'s cursor whose delivery to the channel is
    open again (a given-up delivery re-queued by hand, say), else NULL. Driven by the
    (platform, workspace, channel, status) index: only the channel's open rows are read."""
    dig = aliased(DigestRow)
    of_source = (
        select(dig.id)
        .where(dig.id == DeliveryRow.digest_id, dig.source_id == sub.source_id)
        .correlate_except(dig)
        .exists()
    )
    return (
        select(func.min(DeliveryRow.digest_id))
        .where(
            DeliveryRow.platform == sub.platform,
            DeliveryRow.workspace == sub.workspace,
            DeliveryRow.channel == sub.channel,
            DeliveryRow.status.in_(OPEN),
            or_(DeliveryRow.status != "failed", DeliveryRow.attempts < MAX_ATTEMPTS),
            DeliveryRow.digest_id <= sub.settled_through,
            of_source,
        )
        .correlate(sub)
        .scalar_subquery()
    )


class CursorStore(StoreBase):
    _full_pass_at = float("-inf")

    def keep_cursors(self, source_ids: list[int] | None) -> int:
        """What the engine calls before computing what is due (see FULL_PASS_EVERY)."""
        if source_ids is None:
            if time.monotonic() - self._full_pass_at < FULL_PASS_EVERY:
                return 0
            self._full_pass_at = time.monotonic()
        return self.advance_cursors(source_ids)

    def advance_cursors(self, source_ids: list[int] | None = None, now: datetime | None = None) -> int:
        """Move the cursors of the subscriptions of ``source_ids`` (None: all) past every
        digest settled for good, or back before a delivery that was opened again; the number
        of subscriptions whose cursor moved."""
        before = (now or utcnow()) - SETTLE_MARGIN
        moved, after = 0, 0
        while True:
            with self.read() as s:
                query = select(SubscriptionRow.id).where(SubscriptionRow.id > after)
                if source_ids is not None:
                    query = query.where(SubscriptionRow.source_id.in_(source_ids))
                batch = list(s.scalars(query.order_by(SubscriptionRow.id).limit(BATCH)))
                if not batch:
                    return moved
                targets = self._targets(s, batch, before)
            after = batch[-1]
            if targets:
                moved += self._move(targets)

    def _targets(self, s, batch: list[int], before: datetime) -> dict[int, tuple[int, int]]:  # type: ignore[no-untyped-def]
        """{subscription id: (cursor read, new cursor)} for those in ``batch`` that move.

        One join of the batch's subscriptions with the digests past their cursors, in the
        shape of ``owed_query`` (subscriptions drive, the (source_id, id) index serves each),
        each digest flagged final or not; then, in id order, the cursor goes up to the first
        digest still open."""
        sub, dig = SubscriptionRow, DigestRow
        settled = dict(s.execute(select(sub.id, sub.settled_through).where(sub.id.in_(batch))).all())
        rows = s.execute(
            select(sub.id, dig.id, final_for(sub, dig, before))
            .join(dig, dig.source_id == sub.source_id)
            .where(sub.id.in_(batch), dig.id > sub.settled_through)
            .order_by(sub.id, dig.id)
        ).all()
        reached: dict[int, int] = {}
        stopped: set[int] = set()
        for sub_id, digest_id, final in rows:
            if sub_id in stopped:
                continue
            if final:
                reached[sub_id] = digest_id
            else:
                stopped.add(sub_id)
        again = {
            sub_id: lowest
            for sub_id, lowest in s.execute(select(sub.id, reopened(sub)).where(sub.id.in_(batch)))
            if lowest is not None
        }
        out: dict[int, tuple[int, int]] = {}
        for sub_id, read in settled.items():
            target = again[sub_id] - 1 if sub_id in again else reached.get(sub_id, read)
            if target != read:
                out[sub_id] = (int(read), int(target))
        return out

    def _move(self, targets: dict[int, tuple[int, int]]) -> int:
        """Forward only from the value read (a cursor another process moved back meanwhile,
        for a delivery opened again, stays back); back whenever lower."""
        moved = 0
        with self.tx() as s:
            for sub_id, (read, target) in targets.items():
                where = (
                    SubscriptionRow.settled_through == read
                    if target > read
                    else SubscriptionRow.settled_through > target
                )
                result = s.execute(
                    update(SubscriptionRow).where(SubscriptionRow.id == sub_id, where).values(settled_through=target)
                )
                moved += int(result.rowcount or 0)  # type: ignore[attr-defined]
        log.debug("delivery cursors moved", extra={"subscriptions": moved})
        return moved
