"""Editions through the real engine and store (SQLite and PostgreSQL): a scheduled
subscription posts one round-up per fire and channel with every story from every source,
one story across outlets is one entry, an empty period posts nothing, exactly once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain import ChannelRef
from bot.editions import EditionItem, build_edition
from bot.store.types import EditionCandidate
from digests import summarise
from digests.model import Dispatch
from tests.bot.engine_harness import running_bot, time_passes
from tests.conftest import rss
from tests.digests.story_fixtures import STRIKE_AP, STRIKE_BBC_QUOTED
from tests.distinct import story
from tests.fakes.http_server import LocalServer, feed

MAIN = ChannelRef("console", "main")
DAILY = "daily 08:00"


def three_feeds(server: LocalServer) -> list[str]:
    """AP and BBC both carry the Rotterdam strike; each feed has stories of its own too."""
    ap = [("ap-1", "Dockers to strike", STRIKE_AP), ("ap-2", "News", story(0)), ("ap-3", "News", story(1))]
    bbc = [("bbc-1", "Dockers to walk out", STRIKE_BBC_QUOTED), ("bbc-2", "News", story(2))]
    afp = [("afp-1", "News", story(3)), ("afp-2", "News", story(4))]
    return [
        server.route(f"/{name}", feed(rss(items, title=name.upper())))
        for name, items in (("ap", ap), ("bbc", bbc), ("afp", afp))
    ]


async def test_a_scheduled_channel_gets_one_edition_per_fire_from_all_its_sources(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    async with running_bot(tmp_path, store_url) as bot:
        for url in three_feeds(server):
            await bot.services.subscribe(MAIN, url, schedule=DAILY, timezone="Europe/Kyiv", backfill=10)
        await bot.engine.run_pass()
        assert bot.platform.editions == [] and bot.platform.posts == []  # 08:00 has not come yet
        time_passes(bot.services.store, 25)
        await bot.engine.run_pass()
        await bot.engine.run_pass()
        (edition,) = bot.platform.editions
        assert bot.platform.posts == [] and bot.platform.replies == []
        assert edition.sources == 3 and len(edition.stories) == 6  # 7 items, the strike once
        assert edition.header.startswith("Morning edition · ") and "6 stories from 3 sources" in edition.header
        assert edition.local_fire.hour == 8 and str(edition.local_fire.tzinfo) == "Europe/Kyiv"
        top = edition.stories[0]  # the story two outlets carry ranks first
        assert {top.source.name, *(a.name for a in top.also)} == {"AP", "BBC"}
        assert top.quote is not None and top.quote.speaker and top.quote.role
        # nothing new: the next fire posts nothing
        time_passes(bot.services.store, 25)
        await bot.engine.run_pass()
        assert len(bot.platform.editions) == 1
        # a new item: one more edition at the next fire, with only that story
        server.route("/afp", feed(rss([("afp-3", "News", story(5))], title="AFP")))
        await bot.engine.run_pass()
        time_passes(bot.services.store, 25)
        await bot.engine.run_pass()
        assert len(bot.platform.editions) == 2
        assert [s.source.name for s in bot.platform.editions[1].stories] == ["AFP"]
        counts = bot.services.store.edition_counts()
    assert counts == {"sent": 2}


async def test_an_edition_is_claimed_once_and_a_stale_claim_taken_over_by_one(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    async with running_bot(tmp_path, store_url, scheduler={"claim_timeout_seconds": 1}) as bot:
        for url in three_feeds(server):
            await bot.services.subscribe(MAIN, url, schedule=DAILY, backfill=10)
        for src in await bot.services.sources_due():
            await bot.services.poll(src)
        time_passes(bot.services.store, 25)
        (cand,) = await bot.services.due_editions(["console"])
        first = await bot.services.claim_edition(cand, "a")
        assert first is not None
        assert await bot.services.claim_edition(cand, "b") is None  # held
        assert await bot.services.due_posts(["console"]) == []  # its items are in the edition
        store = bot.services.store
        later = datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=2)
        assert [c.key for c in store.editions_due(["console"], timedelta(seconds=1), later)] == [cand.key]
        with store.tx() as s:  # the claimant died: its claim is stale
            from sqlalchemy import update

            from bot.store.models import EditionRow

            s.execute(update(EditionRow).values(claimed_at=EditionRow.claimed_at - timedelta(seconds=5)))
        winners = [await bot.services.claim_edition(cand, t) for t in ("c", "d")]
        assert winners == [first, None]
        edition = await bot.services.edition_for(first)
        assert len(edition.stories) == 6
        assert await bot.services.mark_edition_sent(first, "c", "msg")
        assert not await bot.services.mark_edition_sent(first, "a", "msg")  # the old claim is void
        assert await bot.services.due_editions(["console"]) == []


async def test_a_filter_keeps_items_out_of_the_edition_and_an_empty_period_posts_nothing(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    urls = three_feeds(server)
    async with running_bot(tmp_path, store_url) as bot:
        await bot.services.subscribe(MAIN, urls[0], schedule=DAILY, backfill=10, filters="Rotterdam")
        await bot.engine.run_pass()
        time_passes(bot.services.store, 25)
        await bot.engine.run_pass()
        (edition,) = bot.platform.editions
        assert [s.source.name for s in edition.stories] == ["AP"] and "strike" in edition.stories[0].headline.lower()
        time_passes(bot.services.store, 25)
        await bot.engine.run_pass()
        assert len(bot.platform.editions) == 1
        assert bot.services.store.edition_counts() == {"sent": 1}


def test_ranking_puts_stories_more_outlets_carry_first_then_quotes_then_freshness() -> None:
    now = datetime(2025, 11, 27, 5, 0)

    def item(n: int, text: str, story_id: int, source: int, minutes: int) -> EditionItem:
        digest = summarise(Dispatch(text))
        return EditionItem(n, digest, story_id, source, f"S{source}", f"https://s{source}.example/{n}", None,
                           now + timedelta(minutes=minutes))  # fmt: skip

    unquoted = "WELLINGTON, March 4 - The council met on Tuesday and agreed nothing at all."
    items = [
        item(1, story(6), 1, 1, 0),
        item(2, unquoted, 2, 1, 50),  # freshest, but no quote
        item(3, STRIKE_AP, 3, 1, 10),
        item(4, STRIKE_BBC_QUOTED, 3, 2, 20),  # the strike: two outlets
        item(5, story(7), 4, 2, 30),
    ]
    fire = datetime(2025, 11, 27, 6, 0, tzinfo=UTC)
    edition = build_edition(MAIN, fire, "Europe/Kyiv", items)
    order = [s.story_id for s in edition.stories]
    assert order == [3, 4, 1, 2]
    strike = edition.stories[0]
    assert strike.source.name in {"S1", "S2"} and len(strike.also) == 1
    assert edition.header == "Morning edition · Thu 27 Nov · 4 stories from 2 sources"


def test_edition_candidate_key_names_channel_schedule_and_fire() -> None:
    cand = EditionCandidate(ChannelRef("slack", "C1", "T1"), "0 8 * * *", "UTC", "2025-11-27T08:00Z")
    assert cand.key == ("slack", "T1", "C1", "0 8 * * *|UTC", "2025-11-27T08:00Z")
