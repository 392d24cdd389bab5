"""`/digest preview url:` of a feed: its latest items as they would post here, which a filter lets
through, only for the caller and nothing stored; an article link still gets its digest."""

from __future__ import annotations

from tests.conftest import rss
from tests.distinct import story
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.http_server import LocalServer, feed


async def test_a_feed_preview_shows_the_latest_items_and_what_a_filter_keeps(
    fake: FakeDiscord, platform, services, server: LocalServer
):
    items = [(f"g{n}", f"Item {n}", story(n)) for n in range(5)]
    url = server.route("/desk.xml", feed(rss(items, title="Harbour Wire")))
    reply = await fake.wait_reply(await fake.send_command("preview", {"url": url, "filter": "-orchestra"}))

    assert reply["ephemeral"] is True
    text = reply["content"].replace("\\", "")  # as Discord shows it (escaped Markdown without backslashes)
    assert text.startswith("Preview of **Harbour Wire** (127.0.0.1) — only you can see this. It carries 5 items")
    assert "1. ✓ Item 0" in text and "2. ✗ filtered out: Item 1" in text and "3. ✓ Item 2" in text
    assert "With filter -orchestra: 2 of 3 would post." in text
    assert [e["title"] for e in reply["embeds"]] == ["Item 0", "Item 2"]
    assert reply["allowed_mentions"] == {"parse": []}
    assert await services.subscriptions(_channel(fake)) == []  # a preview subscribes nobody


async def test_a_bad_filter_and_an_article_link(fake: FakeDiscord, platform, server: LocalServer, article_server):
    url = server.route("/desk.xml", feed(rss([("a", "Item", story(0))])))
    bad = await fake.wait_reply(await fake.send_command("preview", {"url": url, "filter": '"unclosed'}))
    assert "unclosed" in bad["content"]
    article = await fake.wait_reply(await fake.send_command("preview", {"url": f"{article_server}/article"}))
    assert article["embeds"][0]["title"] == "Port strike called off after overnight talks"


def _channel(fake: FakeDiscord):
    from bot.domain import ChannelRef

    return ChannelRef("discord", fake.channel_ids[0], fake.guild_id)
