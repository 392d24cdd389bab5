"""due() bounded by what is new: subscription cursors advance as deliveries complete, never past
a digest still owed (a failed post waiting for its retry, an item waiting for its edition, a
digest whose id was taken before one already delivered), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.domain import ChannelRef
from bot.store import Store, cursors
from bot.store.models import DeliveryRow, DigestRow, SubscriptionRow
from bot.store.types import NewItem, SourceRef, utcnow
from digests import summarise
from tests.bot.engine_harness import running_bot, time_passes
from tests.conftest import write_dispatch
from tests.distinct import story

MAIN = ChannelRef("console", "main")
SIDE = ChannelRef("console", "side")
TIMEOUT = timedelta(seconds=60)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    try:
        yield opened
    finally:
        opened.close()


def _source(store: Store, name: str = "desk") -> SourceRef:
    return store.ensure_source("feed", f"http://feeds.example/{name}", name)


def _ingest(store: Store, src: SourceRef, numbers: range) -> list[int]:
    items = [NewItem(guid=f"g{n}", link=None, title=f"Story {n}", text=story(n)) for n in numbers]
    store.ingest(src, items, summarise)
    with store.read() as s:
        return list(s.scalars(select(DigestRow.id).where(DigestRow.source_id == src.id).order_by(DigestRow.id)))


def _subscribe(store: Store, channel: ChannelRef, src: SourceRef, cron: str | None = None, backfill: int = 20) -> int:
    sub = store.subscribe(channel, src.id, cron, "UTC", backfill, timedelta(minutes=5))
    store.poll_ok(src.id, None, None, None)  # the poll that sets a new subscription's backfill
    return sub


def _settled(store: Store, sub_id: int) -> int:
    with store.read() as s:
        return int(s.scalar(select(SubscriptionRow.settled_through).where(SubscriptionRow.id == sub_id)) or 0)


def _send(store: Store, digest_ids: set[int] | None = None, now=None) -> list[int]:  # type: ignore[no-untyped-def]
    """Claim and mark sent what is due (only ``digest_ids`` if given); the digests sent."""
    sent = []
    for cand in store.due(["console"], TIMEOUT, now=now):
        if digest_ids is not None and cand.digest_id not in digest_ids:
            continue
        delivery = store.claim(cand, "t", TIMEOUT)
        assert delivery is not None
        assert store.mark_sent(delivery, "t", f"m{cand.digest_id}")
        sent.append(cand.digest_id)
    return sent


def test_cursor_stops_at_a_failed_post_until_its_retry_is_sent(store: Store) -> None:
    src = _source(store)
    sub = _subscribe(store, MAIN, src)
    ids = _ingest(store, src, range(5))
    later = utcnow() + timedelta(hours=1)
    failing = ids[2]
    for cand in store.due(["console"], TIMEOUT):
        delivery = store.claim(cand, "t", TIMEOUT)
        assert delivery is not None
        if cand.digest_id == failing:
            store.mark_failed(delivery, "t", "HTTP 503", timedelta(minutes=5))
        else:
            store.mark_sent(delivery, "t", "m")
    store.advance_cursors(now=later)
    assert _settled(store, sub) == ids[1]  # stopped just before the failed one
    store.advance_cursors(now=later)
    assert [c.digest_id for c in store.due(["console"], TIMEOUT, now=later)] == [failing]  # its retry is owed
    with store.tx() as s:  # its retry time comes
        s.execute(update(DeliveryRow).where(DeliveryRow.digest_id == failing).values(next_attempt=utcnow()))
    assert _send(store) == [failing]
    store.advance_cursors(now=later)
    assert _settled(store, sub) == ids[-1]
    assert store.due(["console"], TIMEOUT, now=later) == []
    # news after the cursor moved is owed as before
    [new] = [i for i in _ingest(store, src, range(5, 6)) if i > ids[-1]]
    assert [c.digest_id for c in store.due(["console"], TIMEOUT)] == [new]


def test_a_digest_whose_id_was_taken_earlier_but_committed_later_is_not_passed(store: Store) -> None:
    """On PostgreSQL a transaction that took a lower digest id may commit after one with a
    higher id was delivered: the cursor never passes digests younger than the margin."""
    src = _source(store)
    sub = _subscribe(store, MAIN, src)
    ids = _ingest(store, src, range(2))
    with store.tx() as s:  # a digest with a gap below it, as if another transaction held the ids between
        jump = DigestRow(
            id=ids[-1] + 10, source_id=src.id, kind="item", data=_data(s, ids[0]), headline="h", created=utcnow()
        )
        s.add(jump)
    assert sorted(_send(store)) == [*ids, ids[-1] + 10]
    store.advance_cursors()  # everything is delivered, but young: the cursor stays short of it
    assert _settled(store, sub) < ids[0]
    with store.tx() as s:  # the slow transaction commits its lower id now
        s.add(
            DigestRow(
                id=ids[-1] + 5, source_id=src.id, kind="item", data=_data(s, ids[0]), headline="h", created=utcnow()
            )
        )
    assert [c.digest_id for c in store.due(["console"], TIMEOUT)] == [ids[-1] + 5]


def _data(s, digest_id: int) -> str:  # type: ignore[no-untyped-def]
    return s.scalar(select(DigestRow.data).where(DigestRow.id == digest_id))


def test_a_subscription_added_later_gets_its_backfill_and_its_own_cursor(store: Store) -> None:
    src = _source(store)
    first = _subscribe(store, MAIN, src)
    ids = _ingest(store, src, range(6))
    _send(store)
    later = utcnow() + timedelta(hours=1)
    store.advance_cursors(now=later)
    assert _settled(store, first) == ids[-1]
    second = _subscribe(store, SIDE, src, backfill=2)  # the source is live: backfill now
    owed = store.due(["console"], TIMEOUT, now=later)
    assert [(c.channel, c.digest_id) for c in owed] == [(SIDE, ids[-2]), (SIDE, ids[-1])]
    store.advance_cursors(now=later)
    assert _settled(store, second) == ids[-3]  # past the items before its backfill, not past the backfill
    assert _settled(store, first) == ids[-1]
    _send(store, now=later)
    store.advance_cursors(now=later)
    assert _settled(store, second) == ids[-1]


def test_a_scheduled_subscription_keeps_its_items_until_an_edition_is_sent(store: Store) -> None:
    src = _source(store)
    sub = _subscribe(store, MAIN, src, cron="0 8 * * *")
    ids = _ingest(store, src, range(3))
    assert store.due(["console"], TIMEOUT) == []  # an edition's items are not posted one by one
    after_fire = utcnow() + timedelta(days=1, hours=1)
    store.advance_cursors(now=after_fire)
    assert _settled(store, sub) < ids[0]
    [edition] = store.editions_due(["console"], TIMEOUT, now=after_fire)
    claimed = store.claim_edition(edition, "t", TIMEOUT)
    assert claimed is not None
    # the edition fails for good: its items go back, to the next edition
    store.mark_edition_failed(claimed, "t", "HTTP 500", None)
    store.advance_cursors(now=after_fire)
    assert _settled(store, sub) < ids[0]
    next_day = after_fire + timedelta(days=1)
    [again] = store.editions_due(["console"], TIMEOUT, now=next_day)
    claimed = store.claim_edition(again, "t", TIMEOUT)
    assert claimed is not None and store.mark_edition_sent(claimed, "t", "m1")
    assert len(store.edition_for(claimed).stories) == 3
    store.advance_cursors(now=next_day)
    assert _settled(store, sub) == ids[-1]
    assert store.editions_due(["console"], TIMEOUT, now=next_day + timedelta(days=1)) == []


def test_a_notice_after_the_cursor_moved_is_still_owed(store: Store) -> None:
    src = _source(store)
    sub = _subscribe(store, MAIN, src)
    ids = _ingest(store, src, range(2))
    _send(store)
    store.advance_cursors(now=utcnow() + timedelta(hours=1))
    assert _settled(store, sub) == ids[-1]
    assert store.poll_failed(src.id, "HTTP 404", utcnow(), failure_limit=1)
    [notice] = store.due(["console"], TIMEOUT)
    assert notice.digest_id > ids[-1]


async def test_the_engine_advances_cursors_as_it_delivers(
    tmp_path: Path, store_url: str, wire: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cursors, "FULL_PASS_EVERY", 0.0)  # two passes a moment apart both move them
    for n in range(3):
        write_dispatch(wire, f"s{n}.txt", story(n))
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot:
        await bot.services.subscribe(MAIN, "desk", backfill=10)
        await bot.engine.run_pass()
        assert len(bot.platform.posts) == 3
        store = bot.services.store
        time_passes(store, 1)  # past the margin
        write_dispatch(wire, "s3.txt", story(3), age=10)
        await bot.engine.run_pass()
        assert len(bot.platform.posts) == 4
        with store.read() as s:
            [(settled, newest)] = s.execute(
                select(
                    SubscriptionRow.settled_through,
                    select(DigestRow.id).order_by(DigestRow.id.desc()).limit(1).scalar_subquery(),
                )
            ).all()
        assert settled == newest - 1  # past the three old posts; the young fourth is looked at until settled


def test_a_given_up_delivery_queued_again_moves_the_cursor_back(store: Store) -> None:
    src = _source(store)
    sub = _subscribe(store, MAIN, src)
    ids = _ingest(store, src, range(3))
    for cand in store.due(["console"], TIMEOUT):
        delivery = store.claim(cand, "t", TIMEOUT)
        assert delivery is not None
        if cand.digest_id == ids[0]:
            store.mark_failed(delivery, "t", "channel not found", None)  # dropped: given up for good
        else:
            store.mark_sent(delivery, "t", "m")
    later = utcnow() + timedelta(hours=1)
    store.advance_cursors(now=later)
    assert _settled(store, sub) == ids[-1] and store.due(["console"], TIMEOUT, now=later) == []
    with store.tx() as s:  # an operator queues it again (as `wirebrief deliveries retry` does)
        s.execute(update(DeliveryRow).where(DeliveryRow.digest_id == ids[0]).values(status="failed", attempts=1))
    store.advance_cursors(now=later)
    assert _settled(store, sub) == ids[0] - 1
    assert [c.digest_id for c in store.due(["console"], TIMEOUT, now=later)] == [ids[0]]
    assert _send(store) == [ids[0]]
    store.advance_cursors(now=later)
    assert _settled(store, sub) == ids[-1]
