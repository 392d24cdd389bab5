"""The queries the engine runs after a poll that found news — advancing the cursors, due(),
editions_due() — read deliveries and digests through their indexes, never a full scan: what
`EXPLAIN QUERY PLAN` (SQLite) and `EXPLAIN` (PostgreSQL) say of each statement they send."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, insert, select, text

from bot.domain import ChannelRef
from bot.store import Store
from bot.store.models import DigestRow, SubscriptionRow
from bot.store.types import utcnow
from digests.model import Digest

TIMEOUT = timedelta(seconds=60)
FULL_SCANS = ("Seq Scan on deliveries", "Seq Scan on digests", "SCAN deliveries", "SCAN digests")
SOURCES, SUBS_PER_SOURCE, DIGESTS_PER_SOURCE = 10, 10, 200  # 20,000 deliveries


def _fill(store: Store) -> list[int]:
    """Sources, subscriptions and digests, every digest delivered to every channel long ago."""
    old = utcnow() - timedelta(days=3)
    data = json.dumps(Digest(headline="h", dateline=None, quotes=(), key_quotes=(), text="t").to_json())
    sources = [store.ensure_source("feed", f"http://feeds.example/{n}", f"feed {n}").id for n in range(SOURCES)]
    with store.tx() as s:
        s.execute(
            insert(SubscriptionRow),
            [
                {
                    "platform": "console",
                    "workspace": "",
                    "channel": f"c{src}-{k}",
                    "source_id": src,
                    "cron": None,
                    "timezone": "UTC",
                    "backfill": 1,
                    "cursor": 0,
                    "created": old,
                }
                for src in sources
                for k in range(SUBS_PER_SOURCE)
            ],
        )
        s.execute(
            insert(DigestRow),
            [
                {"source_id": src, "kind": "item", "data": data, "headline": "h", "created": old}
                for _ in range(DIGESTS_PER_SOURCE)
                for src in sources
            ],
        )
        s.execute(
            text(
                "INSERT INTO deliveries (digest_id, platform, workspace, channel, slot, status, claim_token,"
                " claimed_at, attempts, sent_at) SELECT d.id, s.platform, s.workspace, s.channel, 'arrival',"
                " 'sent', 'fill', d.created, 1, d.created FROM subscriptions s JOIN digests d"
                " ON d.source_id = s.source_id"
            )
        )
    return sources


@contextmanager
def _recorded(store: Store) -> Iterator[list[tuple[str, object]]]:
    """Every SELECT the store sends meanwhile, with its parameters as the driver got them."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(store.engine, "before_cursor_execute", record)


def _plans(store: Store, work: Callable[[], object]) -> list[str]:
    with _recorded(store) as seen:
        work()
    assert seen, "nothing was queried"
    postgres = store.engine.dialect.name == "postgresql"
    plans = []
    with store.engine.connect() as conn:
        for statement, params in seen:
            rows = conn.exec_driver_sql(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement, params)
            plans.append("\n".join(str(r[0] if postgres else r[-1]) for r in rows))
        conn.rollback()
    return plans


def _unkeyed(plan: str) -> list[str]:
    """Lines of a plan that read deliveries other than by digest or by a channel's open rows
    (a full scan, or a walk of a whole platform or channel), or walk digests unbounded."""
    lines = [line.strip() for line in plan.splitlines()]
    bad = []
    for n, line in enumerate(lines):
        cond = next((c for c in lines[n + 1 : n + 3] if c.startswith("Index Cond")), "")
        wrong = (
            any(f in line for f in FULL_SCANS),
            line.startswith("SEARCH deliveries") and not _keyed(line),
            " on deliveries " in line and "Index" in line and not _keyed(cond),
            " on digests " in line and "IS NOT NULL" in cond,
        )
        if any(wrong):
            bad.append(f"{line} / {cond}")
    return bad


def _keyed(condition: str) -> bool:
    by_digest = "digest_id=?" in condition or condition.startswith("Index Cond: ((digest_id =")
    by_open_rows = "channel" in condition and "status" in condition
    return by_digest or by_open_rows


def test_after_a_poll_due_reads_deliveries_and_digests_through_indexes(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        sources = _fill(store)
        assert store.advance_cursors() == SOURCES * SUBS_PER_SOURCE  # catch-up after an upgrade
        if store.engine.dialect.name == "postgresql":
            with store.engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        with store.tx() as s:  # the poll found news in the first source
            s.add(DigestRow(source_id=sources[0], kind="item", data=_data(s), headline="new", created=utcnow()))
        news = [sources[0]]
        owed = store.due(["console"], TIMEOUT, source_ids=news)
        assert {c.channel for c in owed} == {ChannelRef("console", f"c{sources[0]}-{k}") for k in range(10)}
        for work in (
            lambda: store.advance_cursors(news),
            lambda: store.due(["console"], TIMEOUT, source_ids=news),
            lambda: store.due(["console"], TIMEOUT),  # the periodic sweep: every subscription
            lambda: store.editions_due(["console"], TIMEOUT),
        ):
            for plan in _plans(store, work):
                assert _unkeyed(plan) == [], plan
        # the digests read are those past each subscription's cursor, found by the index
        uses = "\n".join(_plans(store, lambda: store.due(["console"], TIMEOUT, source_ids=news)))
        postgres = "Index Cond: ((source_id = subscriptions.source_id) AND (id > subscriptions.settled_through))"
        assert "ix_digests_source (source_id=? AND id>?)" in uses or postgres in uses, uses
    finally:
        store.close()


def _data(s) -> str:  # type: ignore[no-untyped-def]
    return s.scalar(select(DigestRow.data).limit(1))
