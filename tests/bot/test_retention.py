"""Retention on real SQLite and PostgreSQL: what is older than the horizon goes (digests,
deliveries, editions, closed stories), what dedupe and threads need stays, an item seen before
never posts again, the engine prunes on its own and `wirebrief db prune` says what it did."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

import bot.engine
from bot.domain import ChannelRef
from bot.store import Store
from bot.store.models import DigestRow, EditionRow, ItemRow, StoryPostRow, StoryRow
from bot.store.types import NewItem, SourceRef, utcnow
from digests import summarise
from tests.bot.engine_harness import running_bot
from tests.bot.proc import wirebrief
from tests.conftest import write_config, write_dispatch
from tests.digests.story_fixtures import STRIKE_AP, STRIKE_BBC_QUOTED
from tests.distinct import story

MAIN = ChannelRef("console", "main")
TIMEOUT = timedelta(seconds=60)
KEEP = timedelta(days=90)


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    opened = Store.open(store_url)
    try:
        yield opened
    finally:
        opened.close()


def _source(store: Store) -> SourceRef:
    src = store.ensure_source("feed", "http://feeds.example/desk", "desk")
    store.subscribe(MAIN, src.id, None, "UTC", 20, timedelta(minutes=5))
    store.poll_ok(src.id, None, None, None)
    return src


def _items(numbers: range) -> list[NewItem]:
    return [NewItem(guid=f"g{n}", link=f"http://feeds.example/{n}", title=f"Story {n}", text=story(n)) for n in numbers]


def _send_all(store: Store) -> int:
    sent = 0
    for cand in store.due(["console"], TIMEOUT):
        delivery = store.claim(cand, "t", TIMEOUT)
        if delivery is not None and store.mark_sent(delivery, "t", "m"):
            sent += 1
    return sent


def _age(store: Store, days: float, digest_ids: list[int] | None = None, stories: bool = True) -> None:
    """Make digests (all, or ``digest_ids``) and, unless told not to, their stories ``days`` old."""
    when = utcnow() - timedelta(days=days)
    with store.tx() as s:
        digests = update(DigestRow).values(created=when)
        story_ages = update(StoryRow).values(first_seen=when, last_seen=when)
        if digest_ids is not None:
            digests = digests.where(DigestRow.id.in_(digest_ids))
            story_ages = story_ages.where(StoryRow.id.in_(digest_ids))
        s.execute(digests)
        if stories:
            s.execute(story_ages)


def _count(store: Store, model) -> int:  # type: ignore[no-untyped-def]
    with store.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_old_digests_go_with_their_deliveries_and_a_feed_still_listing_them_posts_nothing(store: Store) -> None:
    src = _source(store)
    store.ingest(src, _items(range(3)), summarise)
    assert _send_all(store) == 3
    _age(store, 100)
    store.ingest(src, _items(range(3, 4)), summarise)
    assert _send_all(store) == 1
    dry = store.prune(KEEP, dry_run=True)
    assert (dry.digests, dry.deliveries) == (3, 3)
    assert _count(store, DigestRow) == 4 and store.delivery_counts() == {"sent": 4}  # dry: nothing removed
    done = store.prune(KEEP)
    assert (done.digests, done.deliveries) == (3, 3)
    assert _count(store, DigestRow) == 1 and store.delivery_counts() == {"sent": 1}
    assert _count(store, ItemRow) == 4  # the identities dedupe checks stay
    # the feed still lists the old items (and the new one): nothing is new, nothing is owed
    result = store.ingest(src, _items(range(4)), summarise)
    assert result.new == 0
    store.advance_cursors()
    assert store.due(["console"], TIMEOUT) == []
    assert store.prune(KEEP).removed == 0  # nothing more to do


def test_an_active_story_keeps_its_old_first_post_and_its_thread(store: Store) -> None:
    src = _source(store)
    store.ingest(src, [NewItem("ap", "http://feeds.example/ap", "Dockers to strike", STRIKE_AP)], summarise)
    assert _send_all(store) == 1
    store.ingest(src, [NewItem("bbc", "http://feeds.example/bbc", "Dockers walk out", STRIKE_BBC_QUOTED)], summarise)
    with store.read() as s:
        first, follow = s.execute(select(DigestRow.id, DigestRow.story_id).order_by(DigestRow.id)).all()
    assert first.story_id == follow.story_id  # one story: the follow-up is a reply in the first post's thread
    _age(store, 100, [first.id], stories=False)  # the first post is old, the story is not
    report = store.prune(KEEP)
    assert report.digests == 0 and report.kept_active == 1
    assert _count(store, StoryPostRow) == 1  # the thread is still there for replies
    [reply] = store.due(["console"], TIMEOUT)
    assert reply.slot == "reply"
    # once the whole story is older than the horizon (and closed), all of it goes
    _send_all(store)
    _age(store, 100)
    report = store.prune(KEEP)
    assert (report.digests, report.deliveries, report.stories) == (2, 2, 1)
    assert _count(store, StoryPostRow) == 0 and _count(store, StoryRow) == 0


def test_settled_editions_older_than_the_horizon_go(store: Store) -> None:
    src = store.ensure_source("feed", "http://feeds.example/desk", "desk")
    store.subscribe(MAIN, src.id, "0 8 * * *", "UTC", 20, timedelta(minutes=5))
    store.poll_ok(src.id, None, None, None)
    store.ingest(src, _items(range(2)), summarise)
    after_fire = utcnow() + timedelta(days=1, hours=1)
    [edition] = store.editions_due(["console"], TIMEOUT, now=after_fire)
    claimed = store.claim_edition(edition, "t", TIMEOUT)
    assert claimed is not None and store.mark_edition_sent(claimed, "t", "m")
    assert store.prune(KEEP).removed == 0
    _age(store, 100)
    with store.tx() as s:
        s.execute(update(EditionRow).values(claimed_at=utcnow() - timedelta(days=100)))
    report = store.prune(KEEP)
    assert (report.digests, report.deliveries, report.editions) == (2, 2, 1)
    assert _count(store, EditionRow) == 0


async def test_the_engine_prunes_on_its_own(
    tmp_path: Path, store_url: str, wire: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WIREBRIEF_STORE_RETENTION_DAYS", "30")
    monkeypatch.setattr(bot.engine, "PRUNE_FIRST_AFTER", 0.1)
    write_dispatch(wire, "s0.txt", story(0))
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot_:
        await bot_.services.subscribe(MAIN, "desk")
        await bot_.engine.run_pass()
        assert len(bot_.platform.posts) == 1
        store = bot_.services.store
        _age(store, 40)
        await bot_.engine.start()
        deadline = asyncio.get_running_loop().time() + 5
        while _count(store, DigestRow):
            assert asyncio.get_running_loop().time() < deadline, "the engine did not prune"
            await asyncio.sleep(0.05)
        assert store.delivery_counts() == {}
        await bot_.engine.stop()
    assert len(bot_.platform.posts) == 1  # and nothing was posted again


def test_cli_prune_says_what_it_would_remove_and_what_it_removed(tmp_path: Path, wire: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    config = str(write_config(tmp_path, url, wires={"desk": wire}))
    write_dispatch(wire, "s0.txt", story(0))
    assert wirebrief(tmp_path, "subscribe", "desk", "--channel", "console:main", "-c", config).returncode == 0
    assert wirebrief(tmp_path, "run", "--once", "-c", config).returncode == 0
    store = Store.open(url)
    try:
        _age(store, 100)
    finally:
        store.close()
    dry = wirebrief(tmp_path, "db", "prune", "--dry-run", "-c", config)
    assert dry.returncode == 0, dry.stderr
    assert "would remove: 1 digest, 1 delivery, 0 editions, 0 stories" in dry.stdout
    done = wirebrief(tmp_path, "db", "prune", "-c", config)
    assert done.returncode == 0 and "removed: 1 digest, 1 delivery" in done.stdout
    again = wirebrief(tmp_path, "db", "prune", "-c", config)
    assert "removed: 0 digests, 0 deliveries" in again.stdout
    off = wirebrief(tmp_path, "db", "prune", "-c", config, WIREBRIEF_STORE_RETENTION_DAYS="0")
    assert off.returncode == 2 and "retention is off" in off.stderr and "--days" in off.stderr
    assert len(off.stderr.strip().splitlines()) == 1
