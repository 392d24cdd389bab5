"""Services against real SQLite and real PostgreSQL: subscribe rules, one post per digest,
backfill, edits, duplicates, conditional GET, failures and pauses, channel loss."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain import ChannelRef
from bot.errors import NotFoundError, UserInputError
from tests.bot.engine_harness import running_bot
from tests.conftest import rss, write_dispatch
from tests.distinct import story
from tests.fakes.http_server import LocalServer, feed

MAIN = ChannelRef("console", "main")
NEWS = ChannelRef("console", "news")


def stories(wire: Path, *numbers: int) -> None:
    """Dispatches on unrelated subjects (one story each), quoting "story number N"."""
    for n in numbers:
        write_dispatch(wire, f"story-{n:02d}.txt", story(n, f"in Story number {n} here"), age=600 - n)


def posted_numbers(platform, channel=MAIN) -> list[int]:  # type: ignore[no-untyped-def]
    out = []
    for post in platform.posts:
        if post.channel == channel and not post.digest.extra.get("notice"):
            out.append(int(post.digest.text.split("Story number ")[1].split()[0]))
    return out


async def test_wire_digests_post_once_and_new_file_on_next_pass(tmp_path: Path, store_url: str, wire: Path) -> None:
    stories(wire, 1, 2)
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot:
        await bot.services.subscribe(MAIN, "desk", backfill=10)
        await bot.engine.run_pass()
        assert sorted(posted_numbers(bot.platform)) == [1, 2]
        await bot.engine.run_pass()
        assert sorted(posted_numbers(bot.platform)) == [1, 2]
        stories(wire, 3)
        await bot.engine.run_pass()
        assert posted_numbers(bot.platform) == [1, 2, 3] or sorted(posted_numbers(bot.platform)) == [1, 2, 3]
        latest = await bot.services.latest_digest(MAIN)
        assert latest is not None and "Story number 3" in latest.digest.text
        assert latest.source_name == "desk"


async def test_backfill_posts_only_the_latest_n_never_a_flood(tmp_path: Path, store_url: str, wire: Path) -> None:
    stories(wire, 1, 2, 3, 4, 5)
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot:
        await bot.services.subscribe(MAIN, "desk")  # default backfill 1
        await bot.services.subscribe(NEWS, "desk", backfill=0)
        await bot.engine.run_pass()
        assert posted_numbers(bot.platform, MAIN) == [5]
        assert posted_numbers(bot.platform, NEWS) == []
        stories(wire, 6)
        await bot.engine.run_pass()
        assert posted_numbers(bot.platform, MAIN) == [5, 6]
        assert posted_numbers(bot.platform, NEWS) == [6]
        # a late subscriber to a live source gets its backfill at once, from what is stored
        late = ChannelRef("console", "late")
        await bot.services.subscribe(late, "desk", backfill=3)
        await bot.engine.deliver_due()
        await bot.engine.outboxes["console"].drain()
        assert sorted(posted_numbers(bot.platform, late)) == [4, 5, 6]


async def test_subscribe_validates_input_with_one_line_messages(tmp_path: Path, store_url: str, wire: Path) -> None:
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot:
        cases = [
            ({"source": "desk", "schedule": "0 8 * *"}, "is not one I know: use on arrival, hourly, daily 08:00"),
            ({"source": "desk", "schedule": "99 8 * * *"}, "not a valid cron"),
            ({"source": "desk", "timezone": "Mars/Olympus"}, "IANA"),
            ({"source": "desk", "timezone": "../../etc/passwd"}, "IANA"),
            ({"source": "desk", "backfill": 11}, "0 to 10"),
            ({"source": "desk", "backfill": -1}, "0 to 10"),
            ({"source": "nowhere"}, "neither an http(s) feed URL nor a wire name"),
            ({"source": "/etc/passwd"}, "neither"),  # chat users cannot name local files
            ({"source": "ftp://example.com/feed"}, "neither"),
            ({"source": "https://user:pw@example.com/feed"}, "user name or password"),
        ]
        for kwargs, expected in cases:
            with pytest.raises(UserInputError) as err:
                await bot.services.subscribe(MAIN, **kwargs)
            assert expected in str(err.value) and "\n" not in str(err.value), kwargs
        assert await bot.services.subscriptions(MAIN) == []
        info = await bot.services.subscribe(MAIN, "desk", schedule="0 8 * * *", timezone="Europe/Kyiv", backfill=3)
        assert (info.number, info.schedule.cron, info.schedule.timezone, info.backfill) == (
            1,
            "0 8 * * *",
            "Europe/Kyiv",
            3,
        )
        assert info.next_post is not None
        again = await bot.services.subscribe(MAIN, "DESK", schedule="on arrival")
        assert again.id == info.id and again.schedule.on_arrival
        assert await bot.services.known_wire_names() == ["desk", "sample"]


async def test_each_unique_url_is_one_source_fetched_once(tmp_path: Path, store_url: str, server: LocalServer) -> None:
    server.route("/feed", feed(rss([("a", "Alpha", 'Alpha "quote a," said Bo.')])))
    url = server.url("/feed")
    async with running_bot(tmp_path, store_url) as bot:
        one = await bot.services.subscribe(MAIN, url)  # fetched once to check it is a feed
        two = await bot.services.subscribe(NEWS, url)  # a healthy source: not fetched again
        assert one.source.id == two.source.id
        assert len(server.hits("/feed")) == 1
        await bot.engine.run_pass()
        assert sorted(str(p.channel) for p in bot.platform.posts) == ["console:main", "console:news"]
        # each pass is one conditional GET for both channels, answered 304: nothing new, nothing reposted
        await bot.engine.run_pass()
        hits = server.hits("/feed")
        assert len(hits) == 3 and all(h.headers.get("if-none-match") is not None for h in hits[1:])
        assert len(bot.platform.posts) == 2
        status = await bot.services.status(MAIN)
        sub = status.subscriptions[0]
        assert sub.source.name == "Test Feed" and sub.source.last_fetch is not None and sub.last_post is not None


async def test_edited_item_updates_its_digest_without_reposting(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    first = rss([("g1", "Dam opens", 'The dam opened. "It works," said engineer Ida Berg.')])
    server.route("/feed", feed(first))
    async with running_bot(tmp_path, store_url) as bot:
        await bot.services.subscribe(MAIN, server.url("/feed"))
        await bot.engine.run_pass()
        assert len(bot.platform.posts) == 1
        edited = rss(
            [
                ("g1", "Dam opens", 'The dam opened on time. "It works well," said engineer Ida Berg.'),
                ("g1", "Dam opens", "a duplicate guid in the same feed"),
                ("g2", "Other", 'The dam opened on time. "It works well," said engineer Ida Berg.'),
            ]
        )
        server.route("/feed", feed(edited))
        await bot.engine.run_pass()
        assert len(bot.platform.posts) == 1, [p.digest.headline for p in bot.platform.posts]
        latest = await bot.services.latest_digest(MAIN)
        assert latest is not None and "opened on time" in latest.digest.text


async def test_failing_source_backs_off_then_pauses_and_tells_each_channel_once(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    server.route("/bad", feed(rss([])))  # a feed when subscribed to (the subscribe check) ...
    async with running_bot(tmp_path, store_url, scheduler={"failure_limit": 2}) as bot:
        await bot.services.subscribe(MAIN, server.url("/bad"))
        await bot.services.subscribe(NEWS, server.url("/bad"))
        server.route("/bad", feed(b"boom", "text/plain", status=500))  # ... then it breaks
        await bot.engine.run_pass()
        [src] = await bot.services.all_sources()
        assert src.failures == 1 and src.last_error and src.paused_reason is None
        assert src.next_poll is not None  # backed off
        assert await bot.services.sources_due() == []  # not due again until the back-off passes
        await bot.engine.run_pass()
        [src] = await bot.services.all_sources()
        assert src.paused_reason and "2 failed fetches" in src.paused_reason
        notices = [p for p in bot.platform.posts if p.digest.extra.get("notice")]
        assert sorted(str(p.channel) for p in notices) == ["console:main", "console:news"]
        assert "paused" in notices[0].digest.headline
        await bot.engine.run_pass()  # paused: not fetched, nobody told twice
        assert len(server.hits("/bad")) == 3  # the check, then two failed polls
        assert len(bot.platform.posts) == 2
        status = await bot.services.status(MAIN)
        assert status.subscriptions[0].paused_reason and "source paused" in status.subscriptions[0].paused_reason


async def test_unsubscribe_by_number_or_name(tmp_path: Path, store_url: str, wire: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    async with running_bot(tmp_path, store_url, wires={"desk": wire, "other": other}) as bot:
        await bot.services.subscribe(MAIN, "desk")
        await bot.services.subscribe(MAIN, "other")
        subs = await bot.services.subscriptions(MAIN)
        assert [(s.number, s.source.name) for s in subs] == [(1, "desk"), (2, "other")]
        gone = await bot.services.unsubscribe(MAIN, "2")
        assert gone.source.name == "other"
        with pytest.raises(NotFoundError, match="desk"):
            await bot.services.unsubscribe(MAIN, "7")
        await bot.services.unsubscribe(MAIN, "desk")
        assert await bot.services.subscriptions(MAIN) == []
        with pytest.raises(NotFoundError, match="no subscriptions"):
            await bot.services.unsubscribe(MAIN, "1")


async def test_channel_gone_pauses_and_rate_limit_retries_and_failures_retry_later(
    tmp_path: Path, store_url: str, wire: Path
) -> None:
    stories(wire, 1)
    sched = {"claim_timeout_seconds": 2}
    async with running_bot(tmp_path, store_url, wires={"desk": wire}, scheduler=sched) as bot:
        slow, gone = ChannelRef("console", "slow"), ChannelRef("console", "gone")
        for ch in (MAIN, slow, gone):
            await bot.services.subscribe(ch, "desk")
        bot.platform.gone.add(gone)
        bot.platform.rate_limit_once.add(slow)
        await bot.engine.run_pass()
        assert sorted(str(p.channel) for p in bot.platform.posts) == ["console:main", "console:slow"]
        [gone_sub] = await bot.services.subscriptions(gone)
        assert gone_sub.paused_reason and "deleted" in gone_sub.paused_reason
        # a transient failure: the post is retried on a later pass, and posted once
        stories(wire, 2)
        bot.platform.fail_times = 1
        await bot.engine.run_pass()
        assert posted_numbers(bot.platform, MAIN) + posted_numbers(bot.platform, slow) in ([1, 2, 1], [1, 1, 2])
        for _ in range(40):
            await bot.engine.deliver_due()
            await bot.engine.outboxes["console"].drain()
            if len(posted_numbers(bot.platform, MAIN)) == 2 and len(posted_numbers(bot.platform, slow)) == 2:
                break
            await __import__("asyncio").sleep(0.1)
        assert posted_numbers(bot.platform, MAIN) == [1, 2]
        assert posted_numbers(bot.platform, slow) == [1, 2]
        assert posted_numbers(bot.platform, gone) == []


async def test_one_source_however_the_feed_url_is_typed_and_same_titles_show_their_host(
    tmp_path: Path, store_url: str
) -> None:
    async with running_bot(tmp_path, store_url) as bot:
        for url in (
            "https://News.example.com/feed",
            "https://news.example.com/feed/",
            "https://news.example.com:443/feed?utm_source=newsletter&utm_medium=email#top",
        ):
            await bot.services.subscribe(MAIN, url, allow_local=True, check=False)
        [sub] = await bot.services.subscriptions(MAIN)
        assert sub.source.url == "https://news.example.com/feed"
        await bot.services.subscribe(MAIN, "https://news.example.com/feed?id=2&utm_campaign=x", check=False)
        assert [s.source.url for s in await bot.services.subscriptions(MAIN)][1] == "https://news.example.com/feed?id=2"
        with pytest.raises(NotFoundError, match=r"^this channel has no subscription '7'"):
            await bot.services.unsubscribe(MAIN, "7")


async def test_a_channel_or_workspace_time_zone_is_the_default_for_new_schedules(
    tmp_path: Path, store_url: str, wire: Path
) -> None:
    desk = ChannelRef("slack", "C1", "T1")
    sports = ChannelRef("slack", "C2", "T1")
    elsewhere = ChannelRef("slack", "C3", "T2")
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot:
        assert await bot.services.set_timezone(desk, "Europe/Kyiv") == "Europe/Kyiv"
        assert await bot.services.set_timezone(sports, "America/New_York", workspace_wide=True) == "America/New_York"
        kyiv = await bot.services.subscribe(desk, "desk", "weekdays 08:00")
        new_york = await bot.services.subscribe(sports, "desk", "daily 07:00")
        utc = await bot.services.subscribe(elsewhere, "desk", "daily 07:00")
        assert (kyiv.schedule.timezone, new_york.schedule.timezone, utc.schedule.timezone) == (
            "Europe/Kyiv",
            "America/New_York",
            "UTC",
        )
        assert str(kyiv.schedule) == "weekdays at 08:00 (Europe/Kyiv)"
        assert kyiv.next_post is not None and kyiv.next_post.astimezone(ZoneInfo("Europe/Kyiv")).hour == 8
        explicit = await bot.services.subscribe(ChannelRef("slack", "C4", "T1"), "desk", "hourly", "Asia/Tokyo")
        assert explicit.schedule.timezone == "Asia/Tokyo"
        again = await bot.services.subscribe(desk, "desk", "daily 09:00")  # an update keeps its zone
        assert again.schedule.timezone == "Europe/Kyiv"
        assert await bot.services.set_timezone(desk, "none") == "America/New_York"  # the workspace's again
        with pytest.raises(UserInputError, match="Mars/Olympus"):
            await bot.services.set_timezone(desk, "Mars/Olympus")


async def test_a_filter_decides_which_items_post_and_a_cap_holds_the_rest_back(
    tmp_path: Path, store_url: str, wire: Path
) -> None:
    for n, words in enumerate(["dock strike spreads", "football final tonight", "strike talks resume", "port reopens"]):
        body = f"The {words}. " + story(n + 4)  # unrelated stories, so none is another's thread
        write_dispatch(wire, f"s{n}.txt", body, age=600 - n)
    async with running_bot(tmp_path, store_url, wires={"desk": wire}) as bot:
        filtered = await bot.services.subscribe(MAIN, "desk", backfill=10, filters="strike, port, -football")
        assert filtered.options.filters == "strike, port, -football"
        await bot.services.subscribe(NEWS, "desk", backfill=10, max_per_hour=2)
        await bot.engine.run_pass()
        main = [p.digest.text for p in bot.platform.posts if p.channel == MAIN]
        assert sorted(t.split("The ")[1].split(".")[0] for t in main) == [
            "dock strike spreads",
            "port reopens",
            "strike talks resume",
        ]
        assert len([p for p in bot.platform.posts if p.channel == NEWS]) == 2  # the cap; two wait their turn
        await bot.engine.run_pass()
        assert (
            len([p for p in bot.platform.posts if p.channel == MAIN]) == 3
        )  # the football item is never weighed again
        assert len([p for p in bot.platform.posts if p.channel == NEWS]) == 2
        assert (await bot.services.subscriptions(NEWS))[0].options.max_per_hour == 2
        cleared = await bot.services.subscribe(MAIN, "desk", filters="none")
        assert cleared.options.filters is None
        with pytest.raises(UserInputError, match="not a valid regular expression"):
            await bot.services.subscribe(MAIN, "desk", filters="/(unclosed/")
