"""Claiming ahead: batch claims (one store call for several posts) keep exactly once across
claimants, carry what each won post sends, and the claims an outbox took ahead and never
sent are given back when it stops."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from adapters.console import MemoryPlatform
from bot.domain import ChannelRef, Post
from bot.store import Store
from tests.bot.engine_harness import running_bot
from tests.bot.test_delivery import _race, owed_to_two_channels, write_six_stories
from tests.conftest import write_dispatch
from tests.distinct import story

MAIN = ChannelRef("console", "main")
TIMEOUT = timedelta(seconds=60)


async def test_batch_claims_in_different_orders_hand_each_delivery_to_one_claimant(
    tmp_path: Path, store_url: str, wire: Path
) -> None:
    write_six_stories(wire)
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot:
        due = await owed_to_two_channels(bot)

        def claim_in_own_order(store: Store, i: int) -> list:
            order = due[i * 3 :] + due[: i * 3]  # each claimant starts elsewhere, as instances do
            won = []
            for start in range(0, len(order), 4):
                won += store.claim_posts(order[start : start + 4], f"token-{i}", TIMEOUT)
            return won

        won = [c for per in await asyncio.to_thread(_race, store_url, claim_in_own_order) for c in per]
        assert sorted(c.candidate.key for c in won) == sorted(c.key for c in due)  # each won once
        assert len({c.delivery_id for c in won}) == 12
        store = bot.services.store
        for claimed in won:  # what each sends is its own digest, to its own channel, as its delivery
            assert isinstance(claimed.post, Post) and claimed.attempts == 1
            own = store.post_for(claimed.candidate)
            assert own is not None and claimed.post.digest.headline == own.digest.headline
            assert claimed.post.channel == claimed.candidate.channel
            assert claimed.post.delivery_id == claimed.delivery_id
        assert len({c.post.digest.headline for c in won if c.post is not None}) == 6
        assert await bot.services.due_posts(["console", "slack"]) == []
        assert store.claim_posts(due, "late", TIMEOUT) == []


async def test_a_batch_retaking_a_stale_claim_says_it_is_a_second_attempt(
    tmp_path: Path, store_url: str, wire: Path
) -> None:
    write_dispatch(wire, "s.txt", story(1))
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot:
        await bot.services.subscribe(MAIN, "desk")
        await bot.services.poll((await bot.services.sources_due())[0])
        [cand] = await bot.services.due_posts(["console"])
        store = bot.services.store
        [first] = store.claim_posts([cand], "crashed-process", TIMEOUT)
        assert store.claim_posts([cand], "someone", TIMEOUT) == []  # still fresh
        await asyncio.sleep(1.1)
        [again] = store.claim_posts([cand], "someone", timedelta(seconds=1))
        assert (again.delivery_id, again.attempts) == (first.delivery_id, 2)  # the outbox marks it resend
        assert not store.mark_sent(first.delivery_id, "crashed-process", "m0")
        assert store.mark_sent(again.delivery_id, "someone", "m1")


async def test_released_claims_are_owed_again_at_once_as_first_attempts(
    tmp_path: Path, store_url: str, wire: Path
) -> None:
    for n in range(3):
        write_dispatch(wire, f"s{n}.txt", story(n))
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot:
        await bot.services.subscribe(MAIN, "desk", backfill=10)
        await bot.services.poll((await bot.services.sources_due())[0])
        due = await bot.services.due_posts(["console"])
        store = bot.services.store
        won = store.claim_posts(due, "ahead", TIMEOUT)
        assert len(won) == 3 and await bot.services.due_posts(["console"]) == []
        sent, *unsent = won
        assert store.mark_sent(sent.delivery_id, "ahead", "m1")
        claims = [(c.delivery_id, "ahead") for c in won] + [(unsent[0].delivery_id, "not-ours")]
        assert store.release_claims(claims) == 2  # the sent one and the wrong token are untouched
        owed = await bot.services.due_posts(["console"])
        assert sorted(c.key for c in owed) == sorted(c.candidate.key for c in unsent)
        retaken = store.claim_posts(owed, "next", TIMEOUT)
        assert sorted(c.attempts for c in retaken) == [1, 1]  # nothing of them reached the platform
        assert store.delivery_counts() == {"sent": 1, "claimed": 2}


async def test_a_stopping_outbox_gives_back_what_it_claimed_ahead_and_posts_nothing_twice(
    tmp_path: Path, store_url: str, wire: Path
) -> None:
    for n in range(10):
        write_dispatch(wire, f"s{n:02d}.txt", story(n, f"Token-A{n:02d}"), age=600 - n)
    platform = MemoryPlatform(post_delay=0.3)
    platform.concurrency = 1  # one sender: two posts claimed ahead of it at any time
    async with running_bot(
        tmp_path, store_url, wires={"desk": wire}, platform=platform, scheduler={"claim_timeout_seconds": 600}
    ) as bot:
        await bot.services.subscribe(MAIN, "desk", backfill=10)
        await bot.engine.start()
        for _ in range(100):
            if platform.posts:
                break
            await asyncio.sleep(0.05)
        assert platform.posts, "the first post within 5 s"
        await bot.engine.stop()
        store = bot.services.store
        posted = len(platform.posts)
        assert 0 < posted < 10 and store.delivery_counts().get("sent") == posted
        # the rest is owed again now (not after the 10-minute claim timeout), to any instance,
        # as first attempts: nothing of them reached the platform, so nothing is looked for there
        owed = await bot.services.due_posts(["console"])
        assert len(owed) == 10 - posted
        assert [c.attempts for c in store.claim_posts(owed, "next", TIMEOUT)] == [1] * len(owed)
