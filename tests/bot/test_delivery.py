"""Exactly-once delivery under concurrency, cron slots, and a restart that loses nothing."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta
from pathlib import Path

from bot.domain import ChannelRef
from bot.schedules import slot_for
from bot.store import Store
from bot.store.types import Candidate, utcnow
from tests.bot.engine_harness import running_bot
from tests.conftest import write_dispatch
from tests.distinct import PLACES, story

MAIN = ChannelRef("console", "main")
OTHER = ChannelRef("slack", "C1", "T1")


def _race(url: str, work, claimants: int = 4) -> list:  # type: ignore[no-untyped-def]
    """Run ``work(store, index)`` in ``claimants`` threads, each with its own store (own pool),
    released together by a barrier; returns their results."""
    stores = [Store.open(url, upgrade=False) for _ in range(claimants)]
    barrier = threading.Barrier(claimants, timeout=5)
    results: list = [None] * claimants

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(stores[i], i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(claimants)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    for s in stores:
        s.close()
    return results


def write_six_stories(wire: Path) -> None:
    for n in range(6):
        write_dispatch(wire, f"s{n}.txt", story(n))


async def owed_to_two_channels(bot) -> list[Candidate]:  # type: ignore[no-untyped-def]
    """Both channels subscribed to the desk of six stories and the desk polled: 12 posts owed."""
    await bot.services.subscribe(MAIN, "desk", backfill=10)
    await bot.services.subscribe(OTHER, "desk", backfill=10)
    for src in await bot.services.sources_due():
        await bot.services.poll(src)
    due = await bot.services.due_posts(["console", "slack"])
    assert len(due) == 12
    return due


async def test_concurrent_claimants_each_digest_claimed_once(tmp_path: Path, store_url: str, wire: Path) -> None:
    write_six_stories(wire)
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot:
        due = await owed_to_two_channels(bot)
        timeout = timedelta(seconds=60)

        def claim_all(store: Store, i: int) -> list[tuple]:
            return [c.key for c in due if store.claim(c, f"token-{i}", timeout) is not None]

        won = await asyncio.to_thread(_race, store_url, claim_all)
        keys = [k for per in won for k in per]
        assert sorted(keys) == sorted(c.key for c in due)  # every key won, none twice
        # claimed and fresh: nothing is due; nobody can claim again
        assert await bot.services.due_posts(["console", "slack"]) == []
        assert all(bot.services.store.claim(c, "late", timeout) is None for c in due)


async def test_stale_claim_is_retaken_by_exactly_one(tmp_path: Path, store_url: str, wire: Path) -> None:
    write_dispatch(wire, "s.txt", 'Story. "Quote," said Al Bo.')
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot:
        await bot.services.subscribe(MAIN, "desk")
        await bot.services.poll((await bot.services.sources_due())[0])
        [cand] = await bot.services.due_posts(["console"])
        store = bot.services.store
        first = store.claim(cand, "crashed-process", timedelta(seconds=60))
        assert first is not None
        assert store.claim(cand, "someone", timedelta(seconds=60)) is None  # still fresh
        # past the timeout (2 s here: long enough that the race itself never outlives it, even on
        # a loaded machine), four claimants race for the abandoned claim
        await asyncio.sleep(2.1)
        stale_after = timedelta(seconds=2)
        won = await asyncio.to_thread(_race, store_url, lambda s, i: s.claim(cand, f"t{i}", stale_after))
        assert len([w for w in won if w is not None]) == 1
        winner = next(f"t{i}" for i, w in enumerate(won) if w is not None)
        assert not store.mark_sent(first, "crashed-process", None)  # the old claimant lost it
        assert store.mark_sent(first, winner, "m1")
        assert store.delivery_counts() == {"sent": 1}


async def test_cron_slot_is_owed_until_posted_and_survives_restart(tmp_path: Path, store_url: str, wire: Path) -> None:
    write_dispatch(wire, "s.txt", 'Story. "Quote," said Al Bo.')
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot:
        await bot.services.subscribe(MAIN, "desk", schedule="0 8 * * *", timezone="Europe/Kyiv")
        await bot.engine.run_pass()
        assert bot.platform.posts == []  # not 08:00 in Kyiv yet
    arrived = utcnow()
    slot, fire = slot_for("0 8 * * *", "Europe/Kyiv", arrived - timedelta(seconds=5))
    assert fire is not None and fire.hour in (5, 6)  # 08:00 Kyiv is 05:00 or 06:00 UTC
    before = fire.replace(tzinfo=None) - timedelta(minutes=1)
    after = fire.replace(tzinfo=None) + timedelta(minutes=1)
    # a new process (the restart): what is owed comes from the store alone — as an edition
    store = Store.open(store_url)
    timeout = timedelta(seconds=60)
    try:
        assert store.editions_due(["console"], timeout, now=before) == []
        assert store.due(["console"], timeout, now=after) == []  # never posted on its own
        [owed] = store.editions_due(["console"], timeout, now=after)
        assert owed.fire == slot and owed.channel == MAIN
        # three missed fires later it is still owed, once: one edition at the latest fire (coalesced)
        [late] = store.editions_due(["console"], timeout, now=after + timedelta(days=3))
        assert late.fire == slot_for("0 8 * * *", "Europe/Kyiv", after + timedelta(days=2))[0]  # the third fire
        did = store.claim_edition(late, "t", timeout)
        assert did is not None and store.mark_edition_sent(did, "t", None)
        assert store.editions_due(["console"], timeout, now=after + timedelta(days=3)) == []
        assert len(store.edition_for(did).stories) == 1
    finally:
        store.close()


async def test_engine_start_polls_on_schedule_and_stops_cleanly(tmp_path: Path, store_url: str, wire: Path) -> None:
    write_dispatch(wire, "one.txt", story(0))
    sched = {"wire_interval_seconds": 1, "claim_timeout_seconds": 2}
    async with running_bot(tmp_path, store_url, wires={"desk": wire}, scheduler=sched) as bot:
        await bot.services.subscribe(MAIN, "desk")
        await bot.engine.start()
        await _wait_for(lambda: len(bot.platform.posts) == 1)
        write_dispatch(wire, "two.txt", story(1), age=10)
        await _wait_for(lambda: len(bot.platform.posts) == 2)
        assert PLACES[1] in bot.platform.posts[1].digest.text
        await bot.engine.stop()
        assert not bot.platform.started
    assert len(bot.platform.posts) == 2


async def _wait_for(predicate, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.05)


def test_candidate_key_names_the_channel_and_slot() -> None:
    cand = Candidate(7, OTHER, "arrival", 1)
    assert cand.key == (7, "slack", "T1", "C1", "arrival")
