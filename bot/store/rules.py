"""A subscription's own rules on what is owed: its filter and its cap on posts per hour.

Applied to the candidates the delivery query found, before any claim: an item the filter
refuses is settled for good as a "skipped" delivery (so it is never weighed again, and the
exactly-once key stays the same); an item over the hourly cap simply stays owed and goes at
the next sweep with room. Notices about the source are never filtered or capped."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select

from bot.domain import SubscriptionOptions
from bot.errors import UserInputError
from bot.filters import parse_filter
from bot.store.base import StoreBase
from bot.store.models import DeliveryRow, DigestRow, SubscriptionRow
from bot.store.subscriptions import load_options
from bot.store.types import Candidate, utcnow
from digests.model import Digest

log = logging.getLogger(__name__)

#: The status of a delivery a subscription's filter refused: settled, never posted, not a failure.
SKIPPED = "skipped"
HOUR = timedelta(hours=1)


class RulesStore(StoreBase):
    def subscription_options(self, subscription_ids: list[int]) -> dict[int, SubscriptionOptions]:
        if not subscription_ids:
            return {}
        with self.tx() as s:
            rows = s.execute(
                select(SubscriptionRow.id, SubscriptionRow.options).where(SubscriptionRow.id.in_(subscription_ids))
            ).all()
        return {sub_id: load_options(text) for sub_id, text in rows}

    def screen(self, candidates: list[Candidate], now: datetime | None = None) -> list[Candidate]:
        """The candidates that may be claimed now, in order; filtered-out items are settled."""
        now = now or utcnow()
        options = self.subscription_options(sorted({c.subscription_id for c in candidates}))
        ruled = {sid for sid, o in options.items() if o.filters or o.max_per_hour}
        if not ruled:
            return candidates
        ruled_cands = [c for c in candidates if c.subscription_id in ruled]
        digests = self._digests([c.digest_id for c in ruled_cands])
        kept: list[Candidate] = []
        skipped: list[Candidate] = []
        for cand in candidates:
            opts = options.get(cand.subscription_id)
            found = digests.get(cand.digest_id)
            if opts is None or cand.subscription_id not in ruled or found is None or found[0] != "item":
                kept.append(cand)
            elif opts.filters and not _passes(opts.filters, found[1]):
                skipped.append(cand)
            else:
                kept.append(cand)
        if skipped:
            self._skip(skipped, now)
        return self._cap(kept, options, digests, now)

    def _digests(self, ids: list[int]) -> dict[int, tuple[str, Digest]]:
        out: dict[int, tuple[str, Digest]] = {}
        with self.tx() as s:
            for start in range(0, len(ids), 500):
                chunk = sorted(set(ids[start : start + 500]))
                for digest_id, kind, data in s.execute(
                    select(DigestRow.id, DigestRow.kind, DigestRow.data).where(DigestRow.id.in_(chunk))
                ).all():
                    out[digest_id] = (kind, Digest.from_json(json.loads(data)))
        return out

    def _skip(self, skipped: list[Candidate], now: datetime) -> None:
        with self.tx() as s:
            for cand in skipped:
                digest_id, platform, workspace, chan, slot = cand.key
                s.execute(
                    self.insert(DeliveryRow)
                    .values(
                        digest_id=digest_id,
                        platform=platform,
                        workspace=workspace,
                        channel=chan,
                        slot=slot,
                        status=SKIPPED,
                        claim_token="filter",
                        claimed_at=now,
                        attempts=0,
                        error="not matched by the subscription's filter",
                    )
                    .on_conflict_do_nothing(index_elements=["digest_id", "platform", "workspace", "channel", "slot"])
                )
        log.info("items filtered out", extra={"count": len(skipped)})

    def _cap(
        self,
        candidates: list[Candidate],
        options: dict[int, SubscriptionOptions],
        digests: dict[int, tuple[str, Digest]],
        now: datetime,
    ) -> list[Candidate]:
        room: dict[int, int] = {}
        held: defaultdict[int, int] = defaultdict(int)
        kept: list[Candidate] = []
        for cand in candidates:
            cap = options.get(cand.subscription_id, SubscriptionOptions()).max_per_hour
            kind = digests.get(cand.digest_id, ("item", None))[0]
            if not cap or kind != "item":
                kept.append(cand)
                continue
            if cand.subscription_id not in room:
                room[cand.subscription_id] = cap - self.posts_in_last_hour(cand, now)
            if room[cand.subscription_id] > 0:
                room[cand.subscription_id] -= 1
                kept.append(cand)
            else:
                held[cand.subscription_id] += 1
        for sub_id, count in held.items():
            log.info("hourly cap reached; items wait", extra={"subscription": sub_id, "waiting": count})
        return kept

    def posts_in_last_hour(self, cand: Candidate, now: datetime) -> int:
        """Posts of this subscription (its channel, its source) sent or in flight in the past hour."""
        _, platform, workspace, chan, _ = cand.key
        with self.tx() as s:
            source_id = s.scalar(select(SubscriptionRow.source_id).where(SubscriptionRow.id == cand.subscription_id))
            return int(
                s.scalar(
                    select(func.count())
                    .select_from(DeliveryRow)
                    .join(DigestRow, DigestRow.id == DeliveryRow.digest_id)
                    .where(
                        DigestRow.source_id == source_id,
                        DigestRow.kind == "item",
                        DeliveryRow.platform == platform,
                        DeliveryRow.workspace == workspace,
                        DeliveryRow.channel == chan,
                        or_(
                            and_(DeliveryRow.status == "sent", DeliveryRow.sent_at >= now - HOUR),
                            and_(DeliveryRow.status == "claimed", DeliveryRow.claimed_at >= now - HOUR),
                        ),
                    )
                )
                or 0
            )


def _passes(filter_text: str, digest: Digest) -> bool:
    try:
        parsed = parse_filter(filter_text)
    except UserInputError:  # stored before a rule changed; never stop deliveries over it
        log.warning("stored filter no longer parses; item passes", extra={"filter": filter_text[:80]})
        return True
    return parsed is None or parsed.matches(digest)


def mention_for(options: SubscriptionOptions, digest: Digest, kind: str) -> str | None:
    """The role / user group to ping with this item: only when a mention is set, the item is a
    story (never a notice) and it matches the mention's filter (none: every item)."""
    if not options.mention or kind != "item":
        return None
    if not options.mention_when:
        return options.mention
    return options.mention if _passes(options.mention_when, digest) else None
