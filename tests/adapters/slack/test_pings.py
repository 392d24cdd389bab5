"""An opt-in user group pinged only for items that match a subscription's mention filter,
through the real slash command, engine and Slack adapter; every other post pings nobody."""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackRig
from tests.conftest import rss
from tests.distinct import story
from tests.fakes.http_server import LocalServer, feed

BREAKING = story(0).replace("cancelled", "BREAKING: cancelled")


async def test_only_matching_items_ping_the_user_group(http_rig: SlackRig, server: LocalServer) -> None:
    url = server.route("/desk.xml", feed(rss([("b", "Ferry news", BREAKING), ("q", "Music", story(1))])))
    # Slack escapes a picked user group in command text as <!subteam^ID|@handle>
    reply = await http_rig.side.command(f'subscribe {url} backfill 2 mention <!subteam^S0BREAK|@desk> when "breaking"')
    assert reply["text"].startswith("Subscribed"), reply
    assert "S0BREAK" in reply["text"] and "breaking" in reply["text"]

    await http_rig.run_pass()

    posts = [c.body for c in http_rig.fake.calls("chat.postMessage")]
    assert len(posts) == 2
    pinged = [p for p in posts if "<!subteam^" in str(p)]
    assert len(pinged) == 1
    assert pinged[0]["text"].startswith("<!subteam^S0BREAK> ")
    assert pinged[0]["blocks"][0]["text"]["text"] == "<!subteam^S0BREAK>"
    assert any(b.get("elements", [{}])[0].get("url") == "https://example.com/b" for b in pinged[0]["blocks"])
    quiet = next(p for p in posts if p is not pinged[0])
    assert "subteam" not in str(quiet) and "<!" not in str(quiet)


async def test_a_broadcast_mention_is_refused(http_rig: SlackRig, server: LocalServer) -> None:
    url = server.route("/desk.xml", feed(rss([("b", "Ferry news", BREAKING)])))
    reply = await http_rig.side.command(f"subscribe {url} mention <!channel>")
    assert "never pings everyone" in reply["text"]
    assert http_rig.fake.calls("chat.postMessage") == []


async def test_a_custom_name_is_a_discord_feature(http_rig: SlackRig, server: LocalServer) -> None:
    url = server.route("/desk.xml", feed(rss([("b", "Ferry news", BREAKING)])))
    reply = await http_rig.side.command(f'subscribe {url} as "Harbour Desk"')
    assert reply["text"] == "posting under another name and avatar is a Discord feature (webhooks)"
