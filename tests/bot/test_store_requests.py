"""The replay guard's memory on real SQLite and PostgreSQL: one claim wins, old rows go."""

from __future__ import annotations

from datetime import timedelta

from bot.store import Store
from bot.store.requests import KEEP
from bot.store.types import utcnow


def test_first_claim_wins_across_store_handles_and_old_rows_are_pruned(store_url: str) -> None:
    one, two = Store.open(store_url), Store.open(store_url, upgrade=False)
    try:
        now = utcnow()
        assert one.claim_request("slack:event_id:Ev1", now) is True
        assert two.claim_request("slack:event_id:Ev1", now) is False  # another instance agrees
        assert two.claim_request("slack:event_id:Ev2", now - KEEP - timedelta(minutes=1)) is True
        assert one.prune_requests(now - KEEP) == 1
        assert one.claim_request("slack:event_id:Ev2", now) is True  # forgotten after the keep time
        assert one.claim_request("x" * 500, now) is True and two.claim_request("x" * 500, now) is False
    finally:
        one.close()
        two.close()
