"""One story across outlets on Slack, through the real slack-bolt/slack-sdk against the fake:
the second outlet and an edit are replies with ``thread_ts`` of the first post, never a
second post of the story."""

from __future__ import annotations

from bot.domain import ChannelRef
from tests.adapters.slack.conftest import SlackRig
from tests.conftest import rss
from tests.digests.story_fixtures import STRIKE_AP, STRIKE_BBC_QUOTED
from tests.fakes.http_server import LocalServer, feed
from tests.fakes.slack_fake import TEAM_ID

CORRECTED_AP = STRIKE_AP.replace("48 hours", "72 hours") + (
    "\n\nCorrection: an earlier version of this story said the strike would last 48 hours."
)


async def test_second_outlet_and_a_correction_are_replies_in_the_first_posts_thread(
    http_rig: SlackRig, server: LocalServer
) -> None:
    rig = http_rig
    channel = ChannelRef("slack", "C1", TEAM_ID)
    ap = server.route("/ap", feed(rss([("ap-1", "Dockers to strike", STRIKE_AP)], title="AP")))
    bbc = server.route("/bbc", feed(rss([("bbc-1", "Dockers to walk out", STRIKE_BBC_QUOTED)], title="BBC")))
    await rig.services.subscribe(channel, ap, backfill=1)
    await rig.run_pass()
    (first,) = rig.fake.calls("chat.postMessage")
    assert "thread_ts" not in first.body
    first_ts = first.answer["ts"]

    await rig.services.subscribe(channel, bbc, backfill=1)
    await rig.run_pass()
    server.route("/ap", feed(rss([("ap-1", "Dockers to strike", CORRECTED_AP)], title="AP")))
    await rig.run_pass()
    await rig.run_pass()

    posts = rig.fake.calls("chat.postMessage")
    assert [p.body.get("thread_ts") for p in posts] == [None, first_ts, first_ts]
    outlet, correction = posts[1].body, posts[2].body
    assert outlet["blocks"][0]["text"]["text"].startswith("*<https://example.com/bbc-1|Also reported by BBC>*")
    assert "new: quote from Jens Holt" in outlet["blocks"][0]["text"]["text"]
    assert any("Jens Holt" in b["text"]["text"] for b in outlet["blocks"][1:] if b["type"] == "section")
    assert "Correction from AP" in correction["blocks"][0]["text"]["text"]
    assert "72 hours" in str(correction["blocks"])
    assert correction["text"].startswith("Correction from AP")


EDITED_AP = STRIKE_AP + (
    '\n\n"We will picket every terminal gate from six in the morning," union organiser Bram Kok said.'
)


async def test_an_edit_is_a_what_changed_reply_in_the_first_posts_thread_not_a_correction(
    http_rig: SlackRig, server: LocalServer
) -> None:
    rig = http_rig
    channel = ChannelRef("slack", "C1", TEAM_ID)
    ap = server.route("/ap", feed(rss([("ap-1", "Dockers to strike", STRIKE_AP)], title="AP")))
    await rig.services.subscribe(channel, ap, backfill=1)
    await rig.run_pass()
    (first,) = rig.fake.calls("chat.postMessage")
    first_ts = first.answer["ts"]

    server.route("/ap", feed(rss([("ap-1", "Dockers to strike", EDITED_AP)], title="AP")))
    await rig.run_pass()
    await rig.run_pass()

    posts = rig.fake.calls("chat.postMessage")
    assert [p.body.get("thread_ts") for p in posts] == [None, first_ts]
    update = posts[1].body
    assert update["text"].startswith("AP updated this story")
    assert update["blocks"][0]["text"]["text"].startswith("*<https://example.com/ap-1|AP updated this story>*")
    assert any("Bram Kok" in b["text"]["text"] for b in update["blocks"][1:] if b["type"] == "section")
    assert "Correction" not in str(update["blocks"])
