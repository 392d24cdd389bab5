"""Editions in the store: which are due, claiming each exactly once, and what each carries.

A scheduled subscription's items are not posted one by one: every (channel, schedule) pair
gets one edition per fire time, holding every item owed to the channel on that schedule
from all its sources. An edition is due once a fire time has come with items owed; after
downtime, missed fires coalesce into one edition at the latest fire (never a flood).

Exactly once, as for deliveries: the ``editions`` row, UNIQUE by (channel, schedule, fire),
is claimed with INSERT ... ON CONFLICT DO NOTHING before anything is posted, and in the same
transaction the claimant fixes what the edition carries (a delivery row per digest, status
"edition", pointing at it). A claim left unsent is taken over by one claimant after the
timeout and posts the same edition again (the adapters make the platform recognise a
re-post: Discord's nonce). A failed edition is retried; one that fails for good gives its
items back to the next edition.

An empty period posts nothing, unless a subscription on that schedule asked for one line
(``empty_line``): then each fire with nothing owed is an edition of no stories, claimed and
posted exactly once like any other (only the latest fire after downtime, never a backlog).
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from bot.domain import ChannelRef, Edition
from bot.editions import EditionItem, build_edition
from bot.schedules import next_fire, slot_for
from bot.store.base import StoreBase
from bot.store.deliveries import MAX_ATTEMPTS, owed_query, reclaimable
from bot.store.models import DeliveryRow, DigestRow, EditionRow, SourceRow, SubscriptionRow
from bot.store.rules import SKIPPED, _passes
from bot.store.subscriptions import channel_where, load_options
from bot.store.types import EditionCandidate, aware, channel_key, utcnow
from digests.model import Digest

log = logging.getLogger(__name__)

#: Status of a digest's delivery row while the edition carrying it is on its way.
IN_EDITION = "edition"
#: Fires looked at when finding the latest one a long downtime missed.
_MAX_FIRES = 10_000
#: How far back an empty edition is still worth its one line (after downtime: the latest fire only).
_EMPTY_LOOKBACK = timedelta(days=2)

OwedKey = tuple[str, str, str, str, str]  # platform, workspace, channel, cron, timezone


def fire_key(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def parse_fire(key: str) -> datetime:
    return datetime.strptime(key, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)


def latest_fire(cron: str, timezone: str, first: datetime, now: datetime) -> datetime:
    """The last fire time at or before ``now``, starting from ``first`` (itself a fire ≤ now)."""
    fire = first
    for _ in range(_MAX_FIRES):
        following = next_fire(cron, timezone, fire + timedelta(seconds=1))
        if following is None or following > now:
            return fire
        fire = following
    return fire


def _edition_reclaimable(now: datetime, timeout: timedelta):  # type: ignore[no-untyped-def]
    return or_(
        and_(EditionRow.status == "claimed", EditionRow.claimed_at <= now - timeout),
        and_(
            EditionRow.status == "failed",
            EditionRow.attempts < MAX_ATTEMPTS,
            or_(EditionRow.next_attempt.is_(None), EditionRow.next_attempt <= now),
        ),
    )


class EditionStore(StoreBase):
    def editions_due(
        self, platforms: list[str], timeout: timedelta, now: datetime | None = None
    ) -> list[EditionCandidate]:
        """Every edition owed now: (channel, schedule) pairs with items whose fire has come,
        at the latest such fire; and editions claimed earlier but left unsent or failed."""
        now = now or utcnow()
        if not platforms:
            return []
        aware_now = aware(now)
        assert aware_now is not None
        latest: dict[OwedKey, datetime] = {}
        with self.read() as s:  # reads only: never waits for (or holds) SQLite's write lock
            for row in s.execute(owed_query(platforms, now, timeout, scheduled=True)).all():
                _sub, platform, workspace, chan, cron, tz, sub_created, _digest, kind, created, _story = row
                if kind != "item" or cron is None:
                    continue
                _, due_at = slot_for(cron, tz, max(created, sub_created))
                if due_at is None or due_at > aware_now:
                    continue
                key = (platform, workspace or "", chan, cron, tz)
                latest[key] = max(latest.get(key, due_at), due_at)
            stale = s.execute(
                select(
                    EditionRow.platform, EditionRow.workspace, EditionRow.channel, EditionRow.schedule, EditionRow.fire
                )
                .where(EditionRow.platform.in_(platforms), _edition_reclaimable(now, timeout))
                .order_by(EditionRow.id)
            ).all()
        out: dict[tuple, EditionCandidate] = {}
        for (platform, workspace, chan, cron, tz), first in latest.items():
            fire = latest_fire(cron, tz, first, aware_now)
            cand = EditionCandidate(ChannelRef(platform, chan, workspace or None), cron, tz, fire_key(fire))
            out[cand.key] = cand
        for platform, workspace, chan, schedule, fire in stale:
            cron, _, tz = schedule.rpartition("|")
            cand = EditionCandidate(ChannelRef(platform, chan, workspace or None), cron, tz, fire)
            out.setdefault(cand.key, cand)
        for cand in self._empty_lines_due(platforms, aware_now):
            out.setdefault(cand.key, cand)
        return list(out.values())

    def _empty_lines_due(self, platforms: list[str], now: datetime) -> list[EditionCandidate]:
        """The latest fire of each schedule whose channel asked for one line when nothing is new,
        when that fire has no edition yet (one with stories, if any, is found the usual way)."""
        out = []
        with self.tx() as s:
            for (platform, workspace, chan, cron, tz), since in self._empty_line_schedules(s, platforms).items():
                schedule = f"{cron}|{tz}"
                newest = s.scalar(
                    select(EditionRow.fire)
                    .where(
                        EditionRow.platform == platform,
                        EditionRow.workspace == workspace,
                        EditionRow.channel == chan,
                        EditionRow.schedule == schedule,
                    )
                    .order_by(EditionRow.fire.desc())
                    .limit(1)
                )
                after = parse_fire(newest) + timedelta(minutes=1) if newest else since
                start = max(since, after, now - _EMPTY_LOOKBACK)
                first = next_fire(cron, tz, start)
                if first is None or first > now:
                    continue
                fire = fire_key(latest_fire(cron, tz, first, now))
                if fire != newest:
                    out.append(EditionCandidate(ChannelRef(platform, chan, workspace or None), cron, tz, fire))
        return out

    def _empty_line_schedules(self, s: Session, platforms: list[str]) -> dict[OwedKey, datetime]:
        """(channel, schedule) pairs with an active subscription that asked for ``empty_line``,
        each with the time its oldest such subscription was made (aware)."""
        rows = s.execute(
            select(
                SubscriptionRow.platform,
                SubscriptionRow.workspace,
                SubscriptionRow.channel,
                SubscriptionRow.cron,
                SubscriptionRow.timezone,
                SubscriptionRow.created,
                SubscriptionRow.options,
            ).where(
                SubscriptionRow.platform.in_(platforms),
                SubscriptionRow.cron.is_not(None),
                SubscriptionRow.paused_reason.is_(None),
                SubscriptionRow.options.contains("empty_line"),
            )
        ).all()
        found: dict[OwedKey, datetime] = {}
        for platform, workspace, chan, cron, tz, created, options in rows:
            if not load_options(options).empty_line:
                continue
            key = (platform, workspace or "", chan, cron, tz)
            made = aware(created)
            assert made is not None
            found[key] = min(found.get(key, made), made)
        return found

    def claim_edition(self, cand: EditionCandidate, token: str, timeout: timedelta) -> int | None:
        """The edition's id if this claimant won the right to post it, else None (another has
        it, or nothing is owed: an empty period posts nothing)."""
        now = utcnow()
        platform, workspace, chan, schedule, fire = cand.key
        with self.tx() as s:
            won = s.scalar(
                self.insert(EditionRow)
                .values(
                    platform=platform,
                    workspace=workspace,
                    channel=chan,
                    schedule=schedule,
                    fire=fire,
                    status="claimed",
                    claim_token=token,
                    claimed_at=now,
                    attempts=1,
                    stories=0,
                )
                .on_conflict_do_nothing(index_elements=["platform", "workspace", "channel", "schedule", "fire"])
                .returning(EditionRow.id)
            )
            if won is None:
                return s.scalar(
                    update(EditionRow)
                    .where(
                        EditionRow.platform == platform,
                        EditionRow.workspace == workspace,
                        EditionRow.channel == chan,
                        EditionRow.schedule == schedule,
                        EditionRow.fire == fire,
                        _edition_reclaimable(now, timeout),
                    )
                    .values(status="claimed", claim_token=token, claimed_at=now, attempts=EditionRow.attempts + 1)
                    .returning(EditionRow.id)
                )
            carried = self._carry(s, int(won), cand, token, now, timeout)
            if not carried and not self._wants_empty_line(s, cand):
                s.execute(update(EditionRow).where(EditionRow.id == won).values(status="empty"))
                return None
            s.execute(update(EditionRow).where(EditionRow.id == won).values(stories=carried))
            return int(won)

    def _wants_empty_line(self, s: Session, cand: EditionCandidate) -> bool:
        platform, workspace, chan = channel_key(cand.channel)
        return (platform, workspace, chan, cand.cron, cand.timezone) in self._empty_line_schedules(s, [platform])

    def _carry(
        self, s: Session, edition_id: int, cand: EditionCandidate, token: str, now: datetime, timeout: timedelta
    ) -> int:
        """Fix what the edition carries: every item owed to the channel on this schedule whose
        fire is this one or earlier, less what each subscription's filter refuses."""
        fire = parse_fire(cand.fire)
        platform, workspace, chan = channel_key(cand.channel)
        members: list[tuple[int, int]] = []
        for row in s.execute(owed_query([platform], now, timeout, scheduled=True)).all():
            sub_id, _p, ws, ch, cron, tz, sub_created, digest_id, kind, created, _story = row
            if kind != "item" or (ws or "", ch) != (workspace, chan) or (cron, tz) != (cand.cron, cand.timezone):
                continue
            _, due_at = slot_for(cron, tz, max(created, sub_created))
            if due_at is not None and due_at <= fire:
                members.append((sub_id, digest_id))
        members = self._filtered(s, members, now, settle=(cand, now))
        carried = 0
        for digest_id in dict.fromkeys(d for _, d in members):
            values = {"status": IN_EDITION, "edition_id": edition_id, "claim_token": token, "claimed_at": now}
            inserted = s.scalar(
                self.insert(DeliveryRow)
                .values(
                    digest_id=digest_id,
                    platform=platform,
                    workspace=workspace,
                    channel=chan,
                    slot=cand.fire,
                    attempts=1,
                    **values,
                )
                .on_conflict_do_nothing(index_elements=["digest_id", "platform", "workspace", "channel", "slot"])
                .returning(DeliveryRow.id)
            )
            if inserted is None:  # a per-item delivery of this slot from before editions: take it over
                inserted = s.scalar(
                    update(DeliveryRow)
                    .where(
                        DeliveryRow.digest_id == digest_id,
                        DeliveryRow.platform == platform,
                        DeliveryRow.workspace == workspace,
                        DeliveryRow.channel == chan,
                        DeliveryRow.slot == cand.fire,
                        reclaimable(now, timeout),
                    )
                    .values(**values)
                    .returning(DeliveryRow.id)
                )
            carried += inserted is not None
        return carried

    def _filtered(
        self,
        s: Session,
        members: list[tuple[int, int]],
        now: datetime,
        settle: tuple[EditionCandidate, datetime] | None = None,
    ) -> list[tuple[int, int]]:
        """The (subscription, digest) pairs whose subscription's filter lets them in; with
        ``settle``, the refused ones are settled as skipped (never weighed again)."""
        subs = sorted({sub for sub, _ in members})
        options = {
            sub_id: load_options(text)
            for sub_id, text in s.execute(
                select(SubscriptionRow.id, SubscriptionRow.options).where(SubscriptionRow.id.in_(subs))
            ).all()
        }
        ruled = {sub for sub, opts in options.items() if opts.filters}
        if not ruled:
            return members
        ids = [d for sub, d in members if sub in ruled]
        data = dict(s.execute(select(DigestRow.id, DigestRow.data).where(DigestRow.id.in_(ids))).all())
        kept = []
        for sub, digest_id in members:
            if sub in ruled and not _passes(options[sub].filters or "", Digest.from_json(json.loads(data[digest_id]))):
                if settle is not None:
                    self._skip_in(s, settle[0], digest_id, settle[1])
                continue
            kept.append((sub, digest_id))
        return kept

    def _skip_in(self, s: Session, cand: EditionCandidate, digest_id: int, now: datetime) -> None:
        platform, workspace, chan = channel_key(cand.channel)
        s.execute(
            self.insert(DeliveryRow)
            .values(
                digest_id=digest_id,
                platform=platform,
                workspace=workspace,
                channel=chan,
                slot=cand.fire,
                status=SKIPPED,
                claim_token="filter",
                claimed_at=now,
                attempts=0,
                error="not matched by the subscription's filter",
            )
            .on_conflict_do_nothing(index_elements=["digest_id", "platform", "workspace", "channel", "slot"])
        )

    def edition_for(self, edition_id: int) -> Edition:
        """The edition a claim carries, chosen and ranked (``bot.editions``)."""
        with self.tx() as s:
            row = s.get_one(EditionRow, edition_id)
            items = _items(
                s,
                select(DigestRow, SourceRow)
                .join(SourceRow, SourceRow.id == DigestRow.source_id)
                .join(DeliveryRow, DeliveryRow.digest_id == DigestRow.id)
                .where(DeliveryRow.edition_id == edition_id),
            )
            _cron, _, tz = row.schedule.rpartition("|")
            channel = ChannelRef(row.platform, row.channel, row.workspace or None)
            return build_edition(channel, parse_fire(row.fire), tz, items, edition_id)

    def next_edition(self, channel: ChannelRef, timeout: timedelta, now: datetime | None = None) -> Edition | None:
        """What the channel's next edition would hold now (for `/digest edition`): the items
        owed on its soonest schedule. None when the channel has no scheduled subscription."""
        now = now or utcnow()
        aware_now = aware(now)
        assert aware_now is not None
        platform, workspace, chan = channel_key(channel)
        with self.tx() as s:
            schedules = s.execute(
                select(SubscriptionRow.cron, SubscriptionRow.timezone)
                .where(
                    channel_where(SubscriptionRow, channel),
                    SubscriptionRow.cron.is_not(None),
                    SubscriptionRow.paused_reason.is_(None),
                )
                .distinct()
            ).all()
            if not schedules:
                return None
            fires = {(c, tz): next_fire(c, tz, aware_now) for c, tz in schedules}
            (cron, tz), fire = min(
                ((k, f) for k, f in fires.items() if f is not None), key=lambda kv: kv[1], default=(schedules[0], None)
            )
            owed: dict[int, int] = {}
            for row in s.execute(owed_query([platform], now, timeout, scheduled=True)).all():
                sub_id, _p, ws, ch, c, z, _sc, digest_id, kind, _created, _story = row
                if kind == "item" and ch == chan and (ws or "") in (workspace, "") and (c, z) == (cron, tz):
                    owed.setdefault(digest_id, sub_id)
            kept = self._filtered(s, [(sub, d) for d, sub in owed.items()], now)
            ids = [d for _, d in kept]
            items = _items(
                s,
                select(DigestRow, SourceRow)
                .join(SourceRow, SourceRow.id == DigestRow.source_id)
                .where(DigestRow.id.in_(ids)),
            )
            return build_edition(channel, fire or aware_now, tz, items)

    def refresh_edition_claim(self, edition_id: int, token: str) -> bool:
        with self.tx() as s:
            result = s.execute(
                update(EditionRow)
                .where(EditionRow.id == edition_id, EditionRow.claim_token == token, EditionRow.status == "claimed")
                .values(claimed_at=utcnow())
            )
            return bool(result.rowcount)  # type: ignore[attr-defined]

    def mark_edition_sent(self, edition_id: int, token: str, message_id: str | None) -> bool:
        """Sent: the edition and every digest it carried."""
        now = utcnow()
        message = (message_id or None) and str(message_id)[:128]
        with self.tx() as s:
            result = s.execute(
                update(EditionRow)
                .where(EditionRow.id == edition_id, EditionRow.claim_token == token)
                .values(status="sent", sent_at=now, message_id=message)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return False
            s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.edition_id == edition_id)
                .values(status="sent", sent_at=now, message_id=message)
            )
            return True

    def mark_edition_failed(self, edition_id: int, token: str, error: str, retry_in: timedelta | None) -> bool:
        """Retried after ``retry_in`` (bounded by MAX_ATTEMPTS); dropped if None or out of
        retries — then its items are given back, to go in the channel's next edition.
        True when dropped."""
        now = utcnow()
        with self.tx() as s:
            row = s.get(EditionRow, edition_id)
            if row is None or row.claim_token != token:
                return False
            final = retry_in is None or row.attempts >= MAX_ATTEMPTS
            row.status = "dropped" if final else "failed"
            row.error = error[:500]
            row.next_attempt = None if final else now + retry_in  # type: ignore[operator]
            if final:
                s.execute(
                    delete(DeliveryRow).where(DeliveryRow.edition_id == edition_id, DeliveryRow.status == IN_EDITION)
                )
                log.warning(
                    "edition %s to %s:%s given up after %d attempt(s) (last error: %s); its items go in the next one",
                    edition_id, row.platform, row.channel, row.attempts, error[:200],
                )  # fmt: skip
            return final

    def edition_counts(self) -> dict[str, int]:
        """Editions by status (for tests and status)."""
        from sqlalchemy import func

        with self.tx() as s:
            rows = s.execute(select(EditionRow.status, func.count()).group_by(EditionRow.status)).all()
            return {status: int(n) for status, n in rows}


def _items(s: Session, query) -> list[EditionItem]:  # type: ignore[no-untyped-def]
    out: list[EditionItem] = []
    for digest_row, source in s.execute(query).all():
        try:
            digest = Digest.from_json(json.loads(digest_row.data))
        except (ValueError, TypeError, KeyError):
            continue
        out.append(
            EditionItem(
                digest_id=digest_row.id,
                digest=digest,
                story_id=digest_row.story_id,
                source_id=source.id,
                source_name=source.name,
                url=digest_row.link or digest.url or (source.url if source.kind == "feed" else None),
                published=aware(digest_row.published),
                created=digest_row.created,
            )
        )
    return out
