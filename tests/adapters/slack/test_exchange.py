"""`/digest export` and `/digest import <url>` in Slack: a channel's subscriptions copied to
another channel with their settings, through the real app and the fake Slack."""

from __future__ import annotations

import html

from tests.adapters.slack.conftest import READER, SlackRig
from tests.conftest import rss
from tests.distinct import story
from tests.fakes.http_server import LocalServer, Reply, feed


async def test_export_from_one_channel_import_into_another(http_rig: SlackRig, server: LocalServer) -> None:
    one = server.route("/one.xml", feed(rss([("a", "A", story(0))], "Harbour Wire")))
    two = server.route("/two.xml", feed(rss([("b", "B", story(1))], "Culture Desk")))
    await http_rig.side.command(f'subscribe {one} filter "strike, -sport" max 5')
    await http_rig.side.command(f"subscribe {two} weekdays 08:00 tz Europe/Kyiv")

    exported = await http_rig.side.command("export json")
    assert exported["response_type"] == "ephemeral"
    assert exported["text"].startswith("This channel's subscriptions as JSON, only for you")
    body = html.unescape(exported["text"].split("```\n", 1)[1].rsplit("```", 1)[0])
    assert '"filters": "strike, -sport"' in body and '"cron": "0 8 * * 1-5"' in body
    opml = await http_rig.side.command("export")
    assert f'xmlUrl="{one}"' in html.unescape(opml["text"])

    url = server.route("/subs.json", Reply(body=body.encode(), headers={"Content-Type": "application/json"}))
    refused = await http_rig.side.command(f"import {url}", user=READER, channel="C2")
    assert "only workspace admins" in refused["text"]
    imported = await http_rig.side.command(f"import {url}", channel="C2")
    assert imported["response_type"] == "in_channel"
    assert imported["text"] == "Imported 2 of 2: 2 new."
    listing = (await http_rig.side.command("list", channel="C2"))["text"]
    assert "Harbour Wire" in listing and "filter: strike, -sport" in listing and "at most 5" in listing
    assert "weekdays at 08:00 (Europe/Kyiv)" in listing

    broken = server.route("/broken.opml", Reply(body=b"<opml><body><outline", headers={"Content-Type": "text/xml"}))
    answer = await http_rig.side.command(f"import {broken}", channel="C3")
    assert "neither JSON nor OPML Wirebrief can read" in answer["text"]
