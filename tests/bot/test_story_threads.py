"""One story across outlets on arrival: the second outlet is a reply in the first post's
thread (or silently noted), an edit says what changed there, and all of it exactly once —
through the real engine and store (SQLite and PostgreSQL), recording platform in memory."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.domain import ChannelRef
from bot.store.models import StoryPostRow
from tests.bot.engine_harness import running_bot
from tests.conftest import rss
from tests.digests.story_fixtures import FIRE, STRIKE_AFP, STRIKE_AP, STRIKE_BBC_QUOTED
from tests.distinct import story
from tests.fakes.http_server import LocalServer, feed

MAIN = ChannelRef("console", "main")
NEWS = ChannelRef("console", "news")


def serve(server: LocalServer, path: str, items: list[tuple[str, str, str]], title: str) -> str:
    server.route(path, feed(rss(items, title=title)))
    return server.url(path)


def statuses(bot) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return bot.services.store.delivery_counts()


async def test_second_outlet_is_a_reply_in_the_first_posts_thread(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    ap = serve(server, "/ap", [("ap-1", "Rotterdam dockers to strike", STRIKE_AP)], "AP")
    bbc = serve(server, "/bbc", [("bbc-1", "Rotterdam dockers to walk out", STRIKE_BBC_QUOTED)], "BBC")
    async with running_bot(tmp_path, store_url) as bot:
        await bot.services.subscribe(MAIN, ap, backfill=1)
        await bot.engine.run_pass()
        assert len(bot.platform.posts) == 1
        await bot.services.subscribe(MAIN, bbc, backfill=1)
        await bot.engine.run_pass()
        await bot.engine.run_pass()  # nothing more is owed: exactly once
    assert len(bot.platform.posts) == 1, [p.digest.headline for p in bot.platform.posts]
    (reply,) = bot.platform.replies
    assert reply.kind == "outlet" and reply.title == "Also reported by BBC"
    assert reply.thread == "m1"  # the first post's message id: its thread
    assert reply.thread_title == bot.platform.posts[0].digest.headline
    assert [q.speaker for q in reply.quotes] == ["Jens Holt"]
    assert reply.summary == "new: quote from Jens Holt"


async def test_an_outlet_that_adds_nothing_is_noted_silently(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    quotes = STRIKE_AP
    ap = serve(server, "/ap", [("ap-1", "Rotterdam dockers to strike", quotes)], "AP")
    # a reprint with the same quotes under another outlet's name
    reprint = quotes.replace("(AP)", "(Wire Digest)") + "\n\nThe strike is the port's first since 2002."
    copy = serve(server, "/copy", [("c-1", "Rotterdam dockers to strike", reprint)], "Copydesk")
    async with running_bot(tmp_path, store_url) as bot:
        for url in (ap, copy):
            await bot.services.subscribe(MAIN, url, backfill=1)
        await bot.engine.run_pass()
        await bot.engine.run_pass()
        assert len(bot.platform.posts) == 1 and bot.platform.replies == []
        assert statuses(bot).get("merged") == 1


async def test_same_story_from_three_feeds_in_one_poll_is_one_post_two_replies_at_most(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    # each feed starts with an unrelated item: subscribing with backfill 0 starts after it
    urls = [
        serve(server, f"/{name}", [(f"{name}-0", "Old news", story(n))], name.upper())
        for n, name in enumerate(("ap", "bbc", "afp"))
    ]
    async with running_bot(tmp_path, store_url) as bot:
        for url in urls:
            await bot.services.subscribe(MAIN, url, backfill=0)
            await bot.services.subscribe(NEWS, url, backfill=0)
        for src in await bot.services.sources_due():
            await bot.services.poll(src)
        serve(server, "/ap", [("ap-1", "Dockers to strike", STRIKE_AP)], "AP")
        serve(server, "/bbc", [("bbc-1", "Dockers to walk out", STRIKE_BBC_QUOTED)], "BBC")
        serve(server, "/afp", [("afp-1", "Strike to halt Rotterdam", STRIKE_AFP), ("f", "Ship fire", FIRE)], "AFP")
        for src in await bot.services.all_sources():  # AP first, then BBC, then AFP
            await bot.services.poll(await _ref(bot, src.id))
        await bot.engine.run_pass()
        await bot.engine.run_pass()
    for channel in (MAIN, NEWS):
        posts = [p.digest.headline for p in bot.platform.posts if p.channel == channel]
        replies = [r for r in bot.platform.replies if r.channel == channel]
        assert len(posts) == 2, posts  # the strike once, the fire once
        assert [r.source_name for r in replies] == ["BBC"]  # AFP brought no new quote: noted silently
        assert replies[0].thread == next(
            f"m{i + 1}" for i, p in enumerate(bot.platform.posts) if p.channel == channel and p.source_name == "AP"
        )
    with bot.services.store.tx() as s:
        threads = s.execute(sa.text("SELECT count(*) FROM story_posts")).scalar()
    assert threads == 4  # two stories in two channels


async def test_edited_item_is_a_what_changed_reply_once(tmp_path: Path, store_url: str, server: LocalServer) -> None:
    first = 'The dam opened on Monday after six years of work. "It works," said engineer Ida Berg.'
    ap = serve(server, "/ap", [("g1", "Dam opens", first)], "AP")
    async with running_bot(tmp_path, store_url) as bot:
        await bot.services.subscribe(MAIN, ap, backfill=1)
        await bot.engine.run_pass()
        assert len(bot.platform.posts) == 1
        edited = (
            "The dam opened on Monday after six years of work, two years late. "
            '"It works, and it will power forty thousand homes," said engineer Ida Berg. '
            '"We are proud of the crews," said mayor Jon Lund.'
        )
        serve(server, "/ap", [("g1", "Dam opens two years late", edited)], "AP")
        await bot.engine.run_pass()
        await bot.engine.run_pass()
    assert len(bot.platform.posts) == 1
    (reply,) = bot.platform.replies
    assert reply.kind == "edit" and reply.thread == "m1"
    assert reply.title == "AP updated this story"
    assert any(q.speaker == "Jon Lund" for q in reply.quotes)
    assert any(line.startswith("Headline changed") for line in reply.changes) or reply.headline


async def test_a_correction_is_marked_as_one(tmp_path: Path, store_url: str, server: LocalServer) -> None:
    first = 'The council approved the budget of 4 million on Monday. "It is balanced," said treasurer Eva Holm.'
    ap = serve(server, "/ap", [("g1", "Budget approved", first)], "AP")
    async with running_bot(tmp_path, store_url) as bot:
        await bot.services.subscribe(MAIN, ap, backfill=1)
        await bot.engine.run_pass()
        fixed = (
            "The council approved the budget of 40 million on Monday. "
            '"It is balanced," said treasurer Eva Holm.\n\n'
            "Correction: an earlier version of this story gave the budget as 4 million."
        )
        serve(server, "/ap", [("g1", "Budget approved", fixed)], "AP")
        await bot.engine.run_pass()
    (reply,) = bot.platform.replies
    assert reply.kind == "correction" and reply.title == "Correction from AP"
    assert any("40 million" in line for line in reply.changes)


async def test_a_story_older_than_the_window_gets_a_new_post(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    ap = serve(server, "/ap", [("ap-1", "Dockers to strike", STRIKE_AP)], "AP")
    bbc = serve(server, "/bbc", [("bbc-1", "Dockers to walk out", STRIKE_BBC_QUOTED)], "BBC")
    async with running_bot(tmp_path, store_url, extra="[stories]\nthread_window_hours = 1") as bot:
        await bot.services.subscribe(MAIN, ap, backfill=1)
        await bot.engine.run_pass()
        with bot.services.store.tx() as s:  # the first post was made two hours ago
            for row in s.scalars(sa.select(StoryPostRow)):
                row.posted_at -= timedelta(hours=2)
        await bot.services.subscribe(MAIN, bbc, backfill=1)
        await bot.engine.run_pass()
    assert [p.source_name for p in bot.platform.posts] == ["AP", "BBC"]
    assert bot.platform.replies == []


async def _ref(bot, source_id: int):  # type: ignore[no-untyped-def]
    from datetime import datetime

    due = await asyncio.to_thread(bot.services.store.sources_due, datetime.max)
    return next(s for s in due if s.id == source_id)
