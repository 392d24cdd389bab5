"""`/digest preview <feed> [filter "…"]` in Slack: the latest items as they would post, only for
the caller, nothing stored."""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackRig
from tests.conftest import rss
from tests.distinct import story
from tests.fakes.http_server import LocalServer, feed


async def test_a_feed_preview_shows_the_latest_items_and_what_a_filter_keeps(
    http_rig: SlackRig, server: LocalServer
) -> None:
    items = [(f"g{n}", f"Item {n}", story(n)) for n in range(5)]
    url = server.route("/desk.xml", feed(rss(items, title="Harbour Wire")))
    reply = await http_rig.side.command(f'preview {url} filter "-orchestra"')

    assert reply["response_type"] == "ephemeral"
    text = reply["text"]
    assert text.startswith("Preview of *Harbour Wire* (127.0.0.1), only for you: it carries 5 items")
    assert "2. :x: filtered out: Item 1" in text and "With filter -orchestra: 2 of 3 would post." in text
    headers = [b["text"]["text"] for b in reply["blocks"] if b["type"] == "header"]
    assert headers == ["Item 0", "Item 2"]
    assert len(reply["blocks"]) <= 50
    assert await http_rig.services.all_subscriptions() == []
    assert http_rig.fake.calls("chat.postMessage") == []  # nothing posted in the channel
