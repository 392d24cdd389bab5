"""Recovering deliveries: marking posts from the platform's answer after the store was away
(bot.journal), and the deliveries that failed for good — listed, counted per subscription for
`status`, and re-queued by `wirebrief deliveries retry`.

Marking from a journal ignores the claim token on purpose: the platform has the message, so
the delivery is sent whoever holds its claim now (a later claimant looks on the platform
before posting and finds the same message)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select, text, update

from bot.domain import ChannelRef
from bot.store.base import StoreBase
from bot.store.deliveries import MAX_ATTEMPTS
from bot.store.models import DeliveryRow, DigestRow, EditionRow, SourceRow, SubscriptionRow
from bot.store.stories import StoryStore
from bot.store.types import utcnow

#: Statuses a journal's answer may turn into "sent" (a claim, a failure, a drop it outran).
_UNSENT = ("claimed", "failed", "dropped")
#: Most failed deliveries one listing shows.
LIST_LIMIT = 200


@dataclass(frozen=True)
class FailedDelivery:
    """A delivery given up for good: where, what, how often tried, and the last error."""

    id: int
    channel: ChannelRef
    slot: str
    status: str
    attempts: int
    error: str | None
    last_try: datetime | None
    headline: str
    source: str


def given_up():  # type: ignore[no-untyped-def]
    """Deliveries no retry will pick up: out of attempts, or dropped (channel gone)."""
    return or_(
        and_(DeliveryRow.status == "failed", DeliveryRow.attempts >= MAX_ATTEMPTS),
        DeliveryRow.status == "dropped",
    )


class RecoveryStore(StoryStore, StoreBase):
    def ping(self) -> None:
        """Raises when the store cannot be reached (the outbox's probe during an outage)."""
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def mark_recorded(self, delivery_id: int, message_id: str | None) -> None:
        """A post the platform has (journal replay, or found on the platform): sent."""
        message = (message_id or None) and str(message_id)[:128]
        with self.tx() as s:
            result = s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == delivery_id, DeliveryRow.status.in_(_UNSENT))
                .values(status="sent", sent_at=utcnow(), message_id=message, next_attempt=None)
            )
            if result.rowcount:  # type: ignore[attr-defined]
                self.record_story_post(s, delivery_id, message)

    def mark_edition_recorded(self, edition_id: int, message_id: str | None) -> None:
        """An edition the platform has: sent, with every digest it carries."""
        now = utcnow()
        message = (message_id or None) and str(message_id)[:128]
        with self.tx() as s:
            result = s.execute(
                update(EditionRow)
                .where(EditionRow.id == edition_id, EditionRow.status.in_(_UNSENT))
                .values(status="sent", sent_at=now, message_id=message, next_attempt=None)
            )
            if result.rowcount:  # type: ignore[attr-defined]
                s.execute(
                    update(DeliveryRow)
                    .where(DeliveryRow.edition_id == edition_id)
                    .values(status="sent", sent_at=now, message_id=message)
                )

    def claim_attempts(self, kind: str, ident: int) -> int:
        """How often a delivery or edition has been claimed; above 1, an earlier attempt may
        have reached the platform, so the platform is searched before posting again."""
        row = DeliveryRow if kind == "delivery" else EditionRow
        with self.read() as s:
            return int(s.scalar(select(row.attempts).where(row.id == ident)) or 0)

    def failed_deliveries(self, limit: int = LIST_LIMIT) -> list[FailedDelivery]:
        """Deliveries given up for good, newest first."""
        with self.read() as s:
            rows = s.execute(
                select(DeliveryRow, DigestRow.headline, SourceRow.name)
                .join(DigestRow, DigestRow.id == DeliveryRow.digest_id)
                .join(SourceRow, SourceRow.id == DigestRow.source_id)
                .where(given_up())
                .order_by(DeliveryRow.id.desc())
                .limit(limit)
            ).all()
        return [
            FailedDelivery(
                id=row.id,
                channel=ChannelRef(row.platform, row.channel, row.workspace or None),
                slot=row.slot,
                status=row.status,
                attempts=row.attempts,
                error=row.error,
                last_try=row.claimed_at,
                headline=headline or "",
                source=source or "",
            )
            for row, headline, source in rows
        ]

    def retry_deliveries(self, ids: list[int] | None) -> list[int]:
        """Re-queue deliveries given up for good (``ids``; None: all); returns those re-queued.
        Attempts restart at 1, so the next claim is a re-claim and looks on the platform first
        (a post that "failed" by timing out may have arrived)."""
        query = update(DeliveryRow).where(given_up())
        if ids is not None:
            query = query.where(DeliveryRow.id.in_(ids))
        with self.tx() as s:
            done = s.scalars(
                query.values(status="failed", attempts=1, next_attempt=None).returning(DeliveryRow.id)
            ).all()
        return sorted(int(i) for i in done)

    def failures_by_subscription(self) -> dict[int, tuple[int, str | None]]:
        """Subscription id -> (deliveries given up for good, the latest one's error)."""
        sub = SubscriptionRow
        with self.read() as s:
            rows = s.execute(
                select(sub.id, func.count(DeliveryRow.id), func.max(DeliveryRow.id))
                .join(DigestRow, DigestRow.source_id == sub.source_id)
                .join(
                    DeliveryRow,
                    and_(
                        DeliveryRow.digest_id == DigestRow.id,
                        DeliveryRow.platform == sub.platform,
                        DeliveryRow.workspace == sub.workspace,
                        DeliveryRow.channel == sub.channel,
                    ),
                )
                .where(given_up())
                .group_by(sub.id)
            ).all()
            latest = [int(last) for _, _, last in rows]
            errors = dict(s.execute(select(DeliveryRow.id, DeliveryRow.error).where(DeliveryRow.id.in_(latest))).all())
        return {int(sub_id): (int(n), errors.get(int(last))) for sub_id, n, last in rows}
