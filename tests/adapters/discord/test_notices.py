"""A paused feed's notice as a Discord reader sees it: the error, the fix, a title linking to the
feed's site (never the broken feed), pinging nobody — after three failed polls, not hours."""

from __future__ import annotations

from tests.conftest import rss
from tests.distinct import story
from tests.fakes.discord_fake import FakeDiscord, RoleOption
from tests.fakes.http_server import LocalServer, Reply, feed


async def test_a_broken_feed_gets_a_notice_with_the_fix_and_the_site(fake: FakeDiscord, engine, server: LocalServer):
    url = server.route("/world/rss.xml", feed(rss([("a", "Ferries", story(0))])))
    cid = fake.channel_ids[2]
    options = {"source": url, "backfill": 0, "mention": RoleOption(fake.breaking_role_id)}
    reply = await fake.wait_reply(await fake.send_command("subscribe", options, channel_id=cid))
    assert reply["content"].startswith("Subscribed"), reply["content"]
    server.route("/world/rss.xml", Reply(status=404, body=b"gone"))

    for _ in range(3):
        await engine.run_pass()

    (post,) = [r.body for r in fake.calls("POST", rf"/channels/{cid}/messages") if r.status == 200]
    (embed,) = post["embeds"]
    assert embed["title"] == "Wirebrief paused Test Feed: it has failed 3 times in a row"
    assert "Last error: 127.0.0.1 answered HTTP 404" in embed["description"]
    assert "find its new address on the site" in embed["description"]
    assert embed["url"] == server.url("/") and embed["url"] != url
    assert not post.get("content") and post["allowed_mentions"] == {"parse": []}  # a notice pings no role
