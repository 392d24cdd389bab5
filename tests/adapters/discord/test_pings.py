"""An opt-in role pinged only for the items that match a subscription's mention filter, through
the real command, engine and Discord adapter: everything else still pings nobody."""

from __future__ import annotations

from tests.conftest import rss
from tests.distinct import story
from tests.fakes.discord_fake import FakeDiscord, RoleOption
from tests.fakes.http_server import LocalServer, feed

BREAKING = story(0).replace("cancelled", "BREAKING: cancelled")


def channel_posts(fake: FakeDiscord, channel_id: str) -> list[dict]:
    return [r.body for r in fake.calls("POST", rf"/channels/{channel_id}/messages") if r.status == 200]


async def test_only_matching_items_ping_the_role_and_nothing_else_pings(fake: FakeDiscord, engine, server: LocalServer):
    url = server.route("/desk.xml", feed(rss([("b", "Ferry news", BREAKING), ("q", "Music", story(1))])))
    cid = fake.channel_ids[0]
    role = fake.breaking_role_id
    options = {"source": url, "backfill": 2, "mention": RoleOption(role), "mention_when": "breaking"}
    reply = await fake.wait_reply(await fake.send_command("subscribe", options, channel_id=cid))
    assert reply["content"].startswith("Subscribed"), reply["content"]
    assert "mention role" in reply["content"] and "breaking" in reply["content"]

    await engine.run_pass()

    posts = channel_posts(fake, cid)
    assert len(posts) == 2
    pinged = [p for p in posts if p.get("content")]
    quiet = [p for p in posts if not p.get("content")]
    assert len(pinged) == 1 and len(quiet) == 1
    assert pinged[0]["content"] == f"<@&{role}>"
    assert pinged[0]["allowed_mentions"] == {"parse": [], "roles": [int(role)]}
    assert pinged[0]["embeds"][0]["url"] == "https://example.com/b"  # the breaking item
    assert quiet[0]["allowed_mentions"] == {"parse": []}


async def test_everyone_is_refused_and_stop_mentions_clears_the_role(fake: FakeDiscord, engine, server: LocalServer):
    url = server.route("/desk.xml", feed(rss([("b", "Ferry news", BREAKING)])))
    cid = fake.channel_ids[1]
    everyone = RoleOption(fake.guild_id)  # the @everyone role's id is the guild's
    refused = await fake.wait_reply(
        await fake.send_command("subscribe", {"source": url, "mention": everyone}, channel_id=cid)
    )
    assert "never pings everyone" in refused["content"]

    role = RoleOption(fake.breaking_role_id)
    await fake.wait_reply(await fake.send_command("subscribe", {"source": url, "mention": role}, channel_id=cid))
    cleared = await fake.wait_reply(
        await fake.send_command("subscribe", {"source": url, "backfill": 1, "stop_mentions": True}, channel_id=cid)
    )
    assert "mention" not in cleared["content"], cleared["content"]
    await engine.run_pass()
    (post,) = channel_posts(fake, cid)
    assert not post.get("content") and post["allowed_mentions"] == {"parse": []}
