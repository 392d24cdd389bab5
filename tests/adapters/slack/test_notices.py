"""A paused feed's notice as a Slack reader sees it: the error, the fix and a button to the feed's
site (never the broken feed), pinging no one — after three failed polls, not hours."""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackRig
from tests.conftest import rss
from tests.distinct import story
from tests.fakes.http_server import LocalServer, Reply, feed


async def test_a_broken_feed_gets_a_notice_with_the_fix_and_the_site(http_rig: SlackRig, server: LocalServer) -> None:
    url = server.route("/world/rss.xml", feed(rss([("a", "Ferries", story(0))])))
    reply = await http_rig.side.command(f"subscribe {url} backfill 0 mention <!subteam^S0DESK|@desk>")
    assert reply["text"].startswith("Subscribed"), reply
    server.route("/world/rss.xml", Reply(status=404, body=b"gone"))

    for _ in range(3):
        await http_rig.run_pass()

    (post,) = [c.body for c in http_rig.fake.calls("chat.postMessage")]
    assert post["blocks"][0]["text"]["text"] == "Wirebrief paused Test Feed: it has failed 3 times in a row"
    assert "Last error: 127.0.0.1 answered HTTP 404" in post["blocks"][1]["text"]["text"]
    assert "find its new address on the site" in post["blocks"][1]["text"]["text"]
    (button,) = post["blocks"][-1]["elements"]
    assert button["url"] == server.url("/") and button["text"]["text"] == "Open 127.0.0.1"
    assert "subteam" not in str(post)  # a notice pings no group
