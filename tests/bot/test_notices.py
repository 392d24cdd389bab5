"""A broken source is reported with the error and the fix, within a bounded time, and its
notice links to the feed's site, never to the broken feed (which would help nobody)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import update

from bot.domain import ChannelRef
from bot.store.models import SourceRow
from bot.store.types import utcnow
from tests.bot.engine_harness import running_bot
from tests.conftest import rss
from tests.fakes.http_server import Reply, feed

MAIN = ChannelRef("console", "main")


def notices(bot) -> list:  # type: ignore[no-untyped-def]
    return [p for p in bot.platform.posts if p.digest.extra.get("notice")]


async def test_three_failures_pause_with_the_error_and_the_fix(tmp_path: Path, store_url: str, server) -> None:
    server.route("/gone.xml", feed(rss([]), "application/rss+xml"))
    async with running_bot(tmp_path, store_url) as bot:
        await bot.services.subscribe(MAIN, server.url("/gone.xml"))
        server.route("/gone.xml", Reply(status=404, body=b"not here"))  # the feed is moved away
        for n in range(3):
            assert notices(bot) == [], n
            await bot.engine.run_pass()
            [src] = await bot.services.all_sources()
            assert src.next_poll is None or src.next_poll - src.last_fetch <= timedelta(minutes=31)  # type: ignore[operator]
        [notice] = notices(bot)
        assert notice.digest.headline == "Wirebrief paused Test Feed: it has failed 3 times in a row"
        assert "Last error: 127.0.0.1 answered HTTP 404" in notice.digest.text
        assert "What to do: The feed has moved or been removed" in notice.digest.text
        # the button opens the feed's site (where its new address is), never the feed that failed
        assert notice.source_url is None and notice.digest.url == server.url("/")


async def test_a_source_failing_for_the_pause_window_is_paused_sooner(tmp_path: Path, store_url: str, server) -> None:
    server.route("/down.xml", feed(rss([])))
    sched = {"failure_limit": 10, "pause_after_seconds": 3600}
    async with running_bot(tmp_path, store_url, scheduler=sched) as bot:
        await bot.services.subscribe(MAIN, server.url("/down.xml"))
        server.route("/down.xml", Reply(status=503, body=b"busy"))
        await bot.engine.run_pass()
        [src] = await bot.services.all_sources()
        assert src.failures == 1 and src.paused_reason is None
        assert src.next_poll - src.last_fetch <= timedelta(minutes=30)  # type: ignore[operator]  # half the window
        with bot.services.store.tx() as s:  # the first failure was two hours ago
            s.execute(update(SourceRow).values(failing_since=utcnow() - timedelta(hours=2)))
        await bot.engine.run_pass()
        [notice] = notices(bot)
        assert notice.digest.headline.endswith(": it has failed for 2 h")
        assert "HTTP 503" in notice.digest.text and "subscribe to it again to resume" in notice.digest.text


def test_the_notice_link_is_the_site_only_where_the_site_can_help() -> None:
    from bot.notices import help_link

    feed_url = "https://news.example:8443/world/rss.xml"
    assert help_link("feed", feed_url, "http_status") == "https://news.example:8443/"
    assert help_link("feed", feed_url, "malformed") == "https://news.example:8443/"
    assert help_link("feed", feed_url, "address_refused") is None  # a private host: nothing to open
    assert help_link("feed", "https://news.example/", "http_status") is None  # the site is the feed
    assert help_link("wire", "wire:desk", "wire") is None


async def test_subscribing_again_as_the_notice_says_resumes_the_source(tmp_path: Path, store_url: str, server) -> None:
    server.route("/down.xml", feed(rss([("a", "First", 'LISBON - Ferries stop. "No," said Ana Lima.')])))
    async with running_bot(tmp_path, store_url) as bot:
        await bot.services.subscribe(MAIN, server.url("/down.xml"), backfill=0)
        server.route("/down.xml", Reply(status=503, body=b"busy"))
        for _ in range(3):
            await bot.engine.run_pass()
        [sub] = await bot.services.subscriptions(MAIN)
        assert sub.source.paused_reason and len(notices(bot)) == 1
        fixed = rss([("b", "Second", 'OSLO - Trams run. "Yes," said Erlend Vik.'), ("a", "First", "x")])
        server.route("/down.xml", feed(fixed))

        await bot.services.subscribe(MAIN, server.url("/down.xml"), backfill=0)  # "subscribe to it again"
        [sub] = await bot.services.subscriptions(MAIN)
        assert sub.source.paused_reason is None and sub.paused_reason is None and sub.source.failures == 0
        await bot.engine.run_pass()
        assert [p.digest.title for p in bot.platform.posts if not p.digest.extra.get("notice")] == ["Second"]


async def test_a_feed_replaced_by_a_page_is_reported_with_the_feed_the_page_names(
    tmp_path: Path, store_url: str, server
) -> None:
    server.route("/news/rss", feed(rss([])))
    moved = b'<!doctype html><html><head><link rel="alternate" type="application/rss+xml" href="/v2/feed.xml">'
    async with running_bot(tmp_path, store_url) as bot:
        await bot.services.subscribe(MAIN, server.url("/news/rss"))
        server.route("/news/rss", Reply(body=moved + b"</head><body>We moved.</body></html>"))
        for _ in range(3):
            await bot.engine.run_pass()
        [notice] = notices(bot)
        assert f"the page names its feed: {server.url('/v2/feed.xml')}" in notice.digest.text
        assert "What to do: The address now serves a web page, not a feed: subscribe to the feed the page names" in (
            notice.digest.text
        )
        assert notice.digest.url == server.url("/")
