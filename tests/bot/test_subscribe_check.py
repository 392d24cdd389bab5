"""Subscribing fetches a feed once and refuses what is not one, saying why (and which feed a
web page names); a good feed's items are stored at once, so the backfill needs no extra poll."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.domain import ChannelRef
from bot.errors import UserInputError
from tests.bot.engine_harness import running_bot
from tests.conftest import rss
from tests.distinct import story
from tests.fakes.http_server import LocalServer, Reply, feed

MAIN = ChannelRef("console", "main")
PAGE = b"""<!doctype html><html><head><title>The Daily</title>
<link rel="stylesheet" href="/s.css"><link rel="alternate" type="application/rss+xml" title="All" href="/rss.xml">
</head><body><p>Home page</p></body></html>"""


async def test_what_is_not_a_feed_is_refused_with_the_reason(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    server.route("/", Reply(body=PAGE, headers={"Content-Type": "text/html; charset=utf-8"}))
    server.route("/about", Reply(body=b"<html><body>About us</body></html>", headers={"Content-Type": "text/html"}))
    server.route("/report.pdf", Reply(body=b"%PDF-1.4 binary", headers={"Content-Type": "application/pdf"}))
    server.route("/gone", Reply(status=404, body=b"no"))
    cases = {
        server.url("/"): f"it is a web page, not a feed. Its feed is {server.url('/rss.xml')} — subscribe to that.",
        server.url("/about"): "it is a web page, not a feed, and it names no feed (look for an RSS link on the site).",
        server.url("/report.pdf"): "not a feed Wirebrief can read (RSS, Atom or JSON Feed); it sent application/pdf.",
        server.url("/gone"): "answered HTTP 404",
        "http://10.20.30.40/feed": "an operator can allow a newsroom's internal hosts in [fetch] allow_private",
    }
    async with running_bot(tmp_path, store_url) as bot:
        for url, reason in cases.items():
            with pytest.raises(UserInputError) as caught:
                await bot.services.subscribe(MAIN, url)
            message = str(caught.value)
            assert message.startswith(f"Can't subscribe to {url}: ") and reason in message, message
            assert "\n" not in message
        assert await bot.services.subscriptions(MAIN) == []


async def test_a_good_feed_is_read_at_once_and_its_backfill_posts_on_the_next_pass(
    tmp_path: Path, store_url: str, server: LocalServer
) -> None:
    items = [(f"g{n}", f"Story {n}", story(n + 10, f"Quote {n} here")) for n in range(3)]  # three stories
    server.route("/rss.xml", feed(rss(items, title="The Daily")))
    async with running_bot(tmp_path, store_url) as bot:
        sub = await bot.services.subscribe(MAIN, server.url("/rss.xml"), backfill=2)
        assert sub.source.name == "The Daily" and sub.source.last_fetch is not None
        await bot.engine.run_pass()
        assert len(server.hits("/rss.xml")) == 2  # the check, then the pass's conditional GET (304)
        assert sorted(p.digest.title or "" for p in bot.platform.posts) == ["Story 0", "Story 1"]
