"""Sources and subscriptions: subscribe (one source row per unique URL), list, unsubscribe,
pause, and the views `status` shows."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, delete, func, select, update
from sqlalchemy.orm import Session

from bot.domain import ChannelRef, Schedule, SourceInfo, SubscriptionInfo, SubscriptionOptions
from bot.errors import NotFoundError
from bot.schedules import next_fire
from bot.store.base import StoreBase
from bot.store.models import DeliveryRow, DigestRow, SourceRow, SubscriptionRow
from bot.store.types import SourceRef, aware, channel_key, source_host, utcnow


def channel_where(model: Any, channel: ChannelRef) -> Any:
    """Rows of this channel. A row stored without a workspace (made in the CLI as
    ``discord:<channel>``) belongs to the channel too: Discord and Slack channel ids are unique
    on their platform, and such a subscription posts there, so chat must list and manage it."""
    platform, workspace, chan = channel_key(channel)
    workspaces = {workspace, ""}
    return and_(model.platform == platform, model.channel == chan, model.workspace.in_(sorted(workspaces)))


def source_info(row: SourceRow) -> SourceInfo:
    return SourceInfo(
        id=row.id,
        kind=row.kind,
        url=row.url,
        name=row.name,
        last_fetch=aware(row.last_fetch),
        last_error=row.last_error,
        next_poll=aware(row.next_poll) if row.paused_reason is None else None,
        failures=row.failures,
        paused_reason=row.paused_reason,
    )


def source_ref(row: SourceRow) -> SourceRef:
    return SourceRef(row.id, row.kind, row.url, row.name, row.etag, row.last_modified, row.failures, row.next_poll)


def backfill_cursor(session: Session, source_id: int, backfill: int) -> int:
    """The cursor that makes exactly the ``backfill`` latest item digests this subscription's."""
    ids = session.scalars(
        select(DigestRow.id)
        .where(DigestRow.source_id == source_id, DigestRow.kind == "item")
        .order_by(DigestRow.id.desc())
        .limit(backfill + 1)
    ).all()
    return ids[backfill] if len(ids) > backfill else 0


class SubscriptionStore(StoreBase):
    def ensure_source(self, kind: str, url: str, name: str) -> SourceRef:
        """The one row for this URL, created on first use (concurrent creators agree)."""
        with self.tx() as s:
            row = s.scalar(select(SourceRow).where(SourceRow.url == url))
            if row is None:
                s.execute(
                    self.insert(SourceRow)
                    .values(
                        kind=kind, url=url, name=name[:300], failures=0, created=utcnow(), host=source_host(kind, url)
                    )
                    .on_conflict_do_nothing(index_elements=["url"])
                )
                row = s.scalars(select(SourceRow).where(SourceRow.url == url)).one()
            return source_ref(row)

    def find_source(self, url: str) -> SourceInfo | None:
        with self.tx() as s:
            row = s.scalar(select(SourceRow).where(SourceRow.url == url))
            return source_info(row) if row is not None else None

    def subscribe(
        self,
        channel: ChannelRef,
        source_id: int,
        cron: str | None,
        timezone: str,
        backfill: int,
        fresh: timedelta,
        options: SubscriptionOptions | None = None,
    ) -> int:
        """Create or update; a new subscription to a source polled within ``fresh`` gets its
        backfill now, otherwise at the source's next poll (so a long-idle feed cannot flood)."""
        platform, workspace, chan = channel_key(channel)
        now = utcnow()
        with self.tx() as s:
            sub = s.scalar(
                select(SubscriptionRow)
                .where(channel_where(SubscriptionRow, channel), SubscriptionRow.source_id == source_id)
                .order_by(SubscriptionRow.id)
                .limit(1)
            )
            stored = _options_json(options)
            source = s.get_one(SourceRow, source_id)
            if source.paused_reason is not None:
                # Subscribing again (new or existing) is how a user asks to try a paused source once
                # more, as its notice says: the source resumes, for every channel subscribed to it.
                source.paused_reason, source.failures, source.next_poll = None, 0, None
            if sub is not None:
                sub.cron, sub.timezone, sub.backfill, sub.paused_reason = cron, timezone, backfill, None
                sub.options = stored
                return sub.id
            live = source.last_fetch is not None and source.last_fetch >= now - fresh and source.paused_reason is None
            sub = SubscriptionRow(
                platform=platform,
                workspace=workspace,
                channel=chan,
                source_id=source_id,
                cron=cron,
                timezone=timezone,
                backfill=backfill,
                cursor=backfill_cursor(s, source_id, backfill) if live else None,
                created=now,
                options=stored,
            )
            s.add(sub)
            s.flush()
            return sub.id

    def _channel_rows(self, s: Session, channel: ChannelRef | None) -> list[tuple[SubscriptionRow, SourceRow]]:
        query: Select = select(SubscriptionRow, SourceRow).join(SourceRow, SourceRow.id == SubscriptionRow.source_id)
        if channel is not None:
            query = query.where(channel_where(SubscriptionRow, channel))
        query = query.order_by(
            SubscriptionRow.platform, SubscriptionRow.channel, SubscriptionRow.created, SubscriptionRow.id
        )
        return [(sub, src) for sub, src in s.execute(query).all()]

    def subscriptions(self, channel: ChannelRef | None) -> list[SubscriptionInfo]:
        """Numbered 1.. per channel, oldest first; ``channel=None`` lists every channel."""
        now = utcnow()
        with self.tx() as s:
            rows = self._channel_rows(s, channel)
            last_posts = self._last_posts(s, rows)
            infos: list[SubscriptionInfo] = []
            numbers: dict[tuple[str, str], int] = {}
            for sub, src in rows:
                key = (sub.platform, sub.channel)
                numbers[key] = numbers.get(key, 0) + 1
                infos.append(_subscription_info(sub, src, numbers[key], last_posts.get(sub.id), now))
            return infos

    def _last_posts(self, s: Session, rows: list[tuple[SubscriptionRow, SourceRow]]) -> dict[int, datetime]:
        result: dict[int, datetime] = {}
        for sub, _src in rows:
            when = s.scalar(
                select(func.max(DeliveryRow.sent_at))
                .join(DigestRow, DigestRow.id == DeliveryRow.digest_id)
                .where(
                    DigestRow.source_id == sub.source_id,
                    DeliveryRow.platform == sub.platform,
                    DeliveryRow.workspace == sub.workspace,
                    DeliveryRow.channel == sub.channel,
                    DeliveryRow.status == "sent",
                )
            )
            if when is not None:
                result[sub.id] = when
        return result

    def unsubscribe(self, channel: ChannelRef, which: str) -> SubscriptionInfo:
        infos = self.subscriptions(channel)
        if not infos:
            raise NotFoundError("this channel has no subscriptions")
        target = _pick(infos, which.strip())
        if target is None:
            listing = ", ".join(f"{i.number}. {i.source.name}" for i in infos)
            raise NotFoundError(f"this channel has no subscription {which!r}; it has: {listing}")
        with self.tx() as s:
            s.execute(delete(SubscriptionRow).where(SubscriptionRow.id == target.id))
        return target

    def pause_channel(self, channel: ChannelRef, reason: str) -> int:
        with self.tx() as s:
            result = s.execute(
                update(SubscriptionRow)
                .where(channel_where(SubscriptionRow, channel), SubscriptionRow.paused_reason.is_(None))
                .values(paused_reason=reason[:500])
            )
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    def sources(self) -> list[SourceInfo]:
        """Every source that has at least one subscription, for `wirebrief status`."""
        with self.tx() as s:
            rows = s.scalars(
                select(SourceRow)
                .where(select(SubscriptionRow.id).where(SubscriptionRow.source_id == SourceRow.id).exists())
                .order_by(SourceRow.id)
            ).all()
            return [source_info(r) for r in rows]

    def cron_subscriptions(self, platforms: list[str]) -> list[tuple[int, str, str]]:
        """(id, cron, timezone) of active scheduled subscriptions, for the APScheduler jobs."""
        with self.tx() as s:
            rows = s.execute(
                select(SubscriptionRow.id, SubscriptionRow.cron, SubscriptionRow.timezone).where(
                    and_(
                        SubscriptionRow.cron.is_not(None),
                        SubscriptionRow.paused_reason.is_(None),
                        SubscriptionRow.platform.in_(platforms),
                    )
                )
            ).all()
            return [(r[0], r[1], r[2]) for r in rows]


def _pick(infos: list[SubscriptionInfo], which: str) -> SubscriptionInfo | None:
    if which.isdigit():
        number = int(which)
        return next((i for i in infos if i.number == number), None)
    lowered = which.lower()
    for info in infos:
        if lowered in (info.source.url.lower(), info.source.name.lower()):
            return info
    return None


def _subscription_info(
    sub: SubscriptionRow, src: SourceRow, number: int, last_post: datetime | None, now: datetime
) -> SubscriptionInfo:
    if sub.paused_reason is not None:
        next_post = None
    elif sub.cron is not None:
        next_post = next_fire(sub.cron, sub.timezone, now)
    else:
        next_post = aware(src.next_poll) if src.paused_reason is None else None
    return SubscriptionInfo(
        id=sub.id,
        number=number,
        channel=ChannelRef(sub.platform, sub.channel, sub.workspace or None),
        source=source_info(src),
        schedule=Schedule(sub.cron, sub.timezone),
        backfill=sub.backfill,
        created=aware(sub.created),  # type: ignore[arg-type]
        last_post=aware(last_post),
        next_post=next_post,
        paused_reason=sub.paused_reason or (f"source paused: {src.paused_reason}" if src.paused_reason else None),
        options=load_options(sub.options),
    )


def load_options(text: str | None) -> SubscriptionOptions:
    """A subscription's stored settings; unreadable JSON counts as none (never a crash)."""
    if not text:
        return SubscriptionOptions()
    try:
        return SubscriptionOptions.from_json(json.loads(text))
    except (ValueError, TypeError):
        return SubscriptionOptions()


def _options_json(options: SubscriptionOptions | None) -> str | None:
    data = options.to_json() if options is not None else {}
    return json.dumps(data, sort_keys=True) if data else None


class MetaStore(StoreBase):
    def claim_flag(self, key: str) -> bool:
        """Set a once-only flag; True for the one caller that set it."""
        from bot.store.models import MetaRow

        # RETURNING, not rowcount: psycopg reports -1 for INSERT ... ON CONFLICT DO NOTHING,
        # which made every restart on PostgreSQL "win" the flag and reseed removed samples.
        with self.tx() as s:
            won = s.scalar(
                self.insert(MetaRow)
                .values(key=key, value=utcnow().isoformat())
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(MetaRow.key)
            )
            return won is not None
