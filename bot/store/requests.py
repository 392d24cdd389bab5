"""Requests handled once: the replay guard's memory, shared by every instance on the store.

A platform may deliver the same request again (Slack retries an event it thinks was missed,
with ``X-Slack-Retry-Num``), and anyone holding a validly signed request can resend it inside
its 5-minute window. Each request's identity is claimed with ``INSERT … ON CONFLICT DO
NOTHING``: the first claimant handles it, every later copy — on this instance or another —
is acknowledged and ignored. Rows older than the keep time are pruned as claims arrive.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from sqlalchemy import delete

from bot.store.base import StoreBase
from bot.store.models import HandledRequestRow
from bot.store.types import utcnow

#: Longer than Slack's replay window (5 min) and its retry schedule (up to ~30 min).
KEEP = timedelta(hours=2)
_PRUNE_EVERY = 60.0


class RequestStore(StoreBase):
    _last_prune = 0.0

    def claim_request(self, key: str, now: datetime | None = None) -> bool:
        """True for the first claim of ``key``; False when it was handled before."""
        now = now or utcnow()
        with self.tx() as s:
            won = s.scalar(
                self.insert(HandledRequestRow)
                .values(key=key[:200], seen=now)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(HandledRequestRow.key)
            )
        if time.monotonic() - self._last_prune > _PRUNE_EVERY:
            self.prune_requests(now - KEEP)
        return won is not None

    def prune_requests(self, before: datetime) -> int:
        """Forget requests seen before ``before``; returns how many."""
        self._last_prune = time.monotonic()
        with self.tx() as s:
            result = s.execute(delete(HandledRequestRow).where(HandledRequestRow.seen < before))
            return int(result.rowcount or 0)  # type: ignore[attr-defined]
