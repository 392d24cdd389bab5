"""One story across outlets on Discord, through the real discord.py against the fake: the
second outlet is a message in a thread started on the first post, an edit says what changed
in that thread, and nothing is posted twice."""

from __future__ import annotations

import pytest

from bot.domain import ChannelRef
from tests.conftest import rss
from tests.digests.story_fixtures import STRIKE_AP, STRIKE_BBC_QUOTED
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.http_server import LocalServer, feed

EDITED_AP = STRIKE_AP + (
    '\n\n"We will picket every terminal gate from six in the morning," union organiser Bram Kok said.'
)


def channel_messages(fake: FakeDiscord, cid: str) -> list[dict]:
    return fake.messages[cid]


@pytest.fixture
def feeds(server: LocalServer) -> dict[str, str]:
    server.route("/ap", feed(rss([("ap-1", "Dockers to strike", STRIKE_AP)], title="AP")))
    server.route("/bbc", feed(rss([("bbc-1", "Dockers to walk out", STRIKE_BBC_QUOTED)], title="BBC")))
    return {"ap": server.url("/ap"), "bbc": server.url("/bbc")}


async def test_second_outlet_goes_in_a_thread_on_the_first_post(fake: FakeDiscord, engine, services, feeds, server):
    cid = fake.channel_ids[0]
    channel = ChannelRef("discord", cid, fake.guild_id)
    await services.subscribe(channel, feeds["ap"], backfill=1)
    await engine.run_pass()
    (first,) = channel_messages(fake, cid)

    await services.subscribe(channel, feeds["bbc"], backfill=1)
    await engine.run_pass()

    assert len(channel_messages(fake, cid)) == 1, "the same story must not be posted twice"
    assert fake.threads == {first["id"]: cid}
    (start,) = fake.calls("POST", rf"/channels/{cid}/messages/{first['id']}/threads")
    assert start.body["name"] == first["embeds"][0]["title"].replace("\\", "")[:100]
    (reply,) = fake.messages[first["id"]]
    embed = reply["embeds"][0]
    assert embed["title"] == "Also reported by BBC"
    assert "new: quote from Jens Holt" in embed["description"]
    assert embed["fields"][0]["name"].startswith("Jens Holt")
    (sent,) = [r.body for r in fake.calls("POST", rf"/channels/{first['id']}/messages") if r.status == 200]
    assert sent["allowed_mentions"] == {"parse": []} and sent["enforce_nonce"] is True

    server.route("/ap", feed(rss([("ap-1", "Dockers to strike", EDITED_AP)], title="AP")))
    await engine.run_pass()
    await engine.run_pass()

    assert len(channel_messages(fake, cid)) == 1
    assert len(fake.calls("POST", rf"/channels/{cid}/messages/\d+/threads")) == 1  # the thread is reused
    update = fake.messages[first["id"]][1]["embeds"][0]
    assert update["title"] == "AP updated this story"
    assert any(f["name"].startswith("Bram Kok") for f in update["fields"])
    assert len(fake.messages[first["id"]]) == 2


async def test_without_thread_permission_the_reply_references_the_first_post(
    fake: FakeDiscord, engine, services, feeds
):
    cid = fake.channel_ids[1]
    channel = ChannelRef("discord", cid, fake.guild_id)
    fake.no_threads.add(cid)
    await services.subscribe(channel, feeds["ap"], backfill=1)
    await engine.run_pass()
    await services.subscribe(channel, feeds["bbc"], backfill=1)
    await engine.run_pass()

    first, reply = channel_messages(fake, cid)
    assert str(reply["message_reference"]["message_id"]) == first["id"]
    assert reply["embeds"][0]["title"] == "Also reported by BBC"
    await engine.run_pass()
    assert len(channel_messages(fake, cid)) == 2


CORRECTED_AP = STRIKE_AP.replace("48 hours", "72 hours") + (
    "\n\nCorrection: an earlier version of this story said the strike would last 48 hours."
)


async def test_a_correction_is_a_reply_marked_as_one_in_the_first_posts_thread(
    fake: FakeDiscord, engine, services, feeds, server
):
    cid = fake.channel_ids[0]
    channel = ChannelRef("discord", cid, fake.guild_id)
    await services.subscribe(channel, feeds["ap"], backfill=1)
    await engine.run_pass()
    (first,) = channel_messages(fake, cid)

    server.route("/ap", feed(rss([("ap-1", "Dockers to strike", CORRECTED_AP)], title="AP")))
    await engine.run_pass()
    await engine.run_pass()

    assert len(channel_messages(fake, cid)) == 1, "a correction is not a second post"
    assert fake.threads == {first["id"]: cid}
    (correction,) = fake.messages[first["id"]]
    embed = correction["embeds"][0]
    assert embed["title"] == "Correction from AP"
    assert "72 hours" in str(embed)
    assert "48 hours" not in embed["title"]
