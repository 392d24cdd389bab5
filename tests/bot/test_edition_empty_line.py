"""An empty edition period posts nothing, or one line when the subscription asked for it
("empty line"): through the real engine and store (SQLite and PostgreSQL), once per fire,
never a backlog of lines after downtime, and only for scheduled subscriptions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import ChannelRef
from bot.errors import UserInputError
from bot.subscription_grammar import check_empty, read_line
from tests.bot.engine_harness import running_bot, time_passes
from tests.conftest import rss
from tests.distinct import story
from tests.fakes.http_server import LocalServer, feed

MAIN = ChannelRef("console", "main")
OTHER = ChannelRef("console", "other")


async def test_an_empty_period_posts_one_line_once_when_asked_and_nothing_otherwise(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    url = server.route("/ap", feed(rss([("ap-1", "News", story(0))], title="AP")))
    async with running_bot(tmp_path, store_url) as bot:
        daily = {"schedule": "daily 08:00", "timezone": "Europe/Kyiv"}
        sub = await bot.services.subscribe(MAIN, url, **daily, backfill=1, empty="line")
        assert "one line when an edition has nothing new" in sub.options.describe()
        await bot.services.subscribe(OTHER, url, schedule="daily 08:00", timezone="Europe/Kyiv", backfill=0)
        await bot.engine.run_pass()
        time_passes(bot.services.store, 25)
        await bot.engine.run_pass()
        (first,) = bot.platform.editions
        assert first.channel == MAIN and len(first.stories) == 1

        time_passes(bot.services.store, 25)  # a fire with nothing new
        await bot.engine.run_pass()
        await bot.engine.run_pass()
        assert len(bot.platform.editions) == 2
        line = bot.platform.editions[1]
        assert line.channel == MAIN and line.stories == ()
        assert line.header.startswith("Morning edition · ")
        assert line.header.endswith("· nothing new since the last edition")
        assert line.local_fire.hour == 8

        time_passes(bot.services.store, 24 * 5)  # downtime over five fires: one line, not five
        await bot.engine.run_pass()
        await bot.engine.run_pass()
        assert len(bot.platform.editions) == 3 and bot.platform.editions[2].stories == ()

        server.route("/ap", feed(rss([("ap-1", "News", story(0)), ("ap-2", "News", story(1))], title="AP")))
        await bot.engine.run_pass()
        time_passes(bot.services.store, 25)
        await bot.engine.run_pass()
        fourth = bot.platform.editions[3]
        assert len(bot.platform.editions) == 5  # MAIN's story, and OTHER's own first edition
        assert len(fourth.stories) == 1 and "nothing new" not in fourth.header
        assert all(e.channel == MAIN for e in bot.platform.editions[:3])
        assert bot.services.store.edition_counts()["sent"] == 5

        await bot.services.subscribe(MAIN, url, schedule="daily 08:00", timezone="Europe/Kyiv", empty="nothing")
        time_passes(bot.services.store, 25)
        await bot.engine.run_pass()
        assert len(bot.platform.editions) == 5, "empty nothing turns the line off"


async def test_empty_line_needs_a_schedule(tmp_path: Path, store_url: str, server: LocalServer) -> None:
    url = server.route("/ap", feed(rss([("ap-1", "News", story(0))], title="AP")))
    async with running_bot(tmp_path, store_url) as bot:
        with pytest.raises(UserInputError, match="empty line is for editions: give a schedule too"):
            await bot.services.subscribe(MAIN, url, empty="line")
        with pytest.raises(UserInputError, match="empty must be line"):
            await bot.services.subscribe(MAIN, url, schedule="daily 08:00", empty="sometimes")


def test_the_words_of_a_subscribe_line() -> None:
    said = read_line(["daily", "08:00", "empty", "line", "backfill", "0"])
    assert said.schedule == "daily 08:00" and said.empty == "line" and said.backfill == "0"
    assert check_empty("line") is True and check_empty("nothing") is None and check_empty("off") is None
    with pytest.raises(UserInputError, match="empty needs line or nothing"):
        read_line(["daily", "08:00", "empty"])
