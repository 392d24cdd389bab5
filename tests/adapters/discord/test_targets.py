"""Posting into a Discord forum (a post per story) or a thread, set with `/digest subscribe
post_in:`, through the real command, engine and adapter against the fake Discord."""

from __future__ import annotations

from tests.conftest import rss
from tests.distinct import story
from tests.fakes.discord_fake import ChannelOption, FakeDiscord, RoleOption
from tests.fakes.http_server import LocalServer, feed

BREAKING = story(0).replace("cancelled", "BREAKING: cancelled")


async def _subscribe(fake: FakeDiscord, cid: str, **options: object) -> str:
    reply = await fake.wait_reply(await fake.send_command("subscribe", options, channel_id=cid))
    return reply["content"]


def _sent(fake: FakeDiscord, method: str, pattern: str) -> list[dict]:
    return [r.body for r in fake.calls(method, pattern) if r.status == 200]


async def test_a_forum_gets_one_post_per_story_and_the_story_s_updates_inside_it(
    fake: FakeDiscord, engine, server: LocalServer
):
    items = [("b", "Ferries stop", BREAKING), ("q", "Music", story(1))]
    url = server.route("/desk.xml", feed(rss(items)))
    cid = fake.channel_ids[1]
    role = RoleOption(fake.breaking_role_id)
    forum = ChannelOption(fake.forum_id)
    answer = await _subscribe(fake, cid, source=url, backfill=2, post_in=forum, mention=role, mention_when="breaking")
    assert answer.startswith("Subscribed") and f"posts into forum {fake.forum_id}" in answer, answer

    await engine.run_pass()

    posts = _sent(fake, "POST", rf"/channels/{fake.forum_id}/threads")
    assert sorted(p["name"] for p in posts) == ["Ferries stop", "Music"]  # one forum post per story
    assert _sent(fake, "POST", rf"/channels/{cid}/messages") == []  # nothing in the channel itself
    pinged = next(p for p in posts if p["name"] == "Ferries stop")["message"]
    assert pinged["content"] == f"<@&{fake.breaking_role_id}>"
    assert pinged["allowed_mentions"] == {"parse": [], "roles": [int(fake.breaking_role_id)]}
    quiet = next(p for p in posts if p["name"] == "Music")["message"]
    assert not quiet.get("content") and quiet["allowed_mentions"] == {"parse": []}

    # the ferry story, edited at the source: the update goes inside its forum post
    edited = BREAKING.replace("after a hull inspection", "after a hull inspection found cracks")
    server.route("/desk.xml", feed(rss([("b", "Ferries stop", edited), ("q", "Music", story(1))])))
    await engine.run_pass()
    forum_posts = [t for t, parent in fake.threads.items() if parent == fake.forum_id]
    ferry_thread = next(t for t in forum_posts if "Ferries" in str(fake.messages[t][0]))
    assert len(fake.messages[ferry_thread]) == 2, fake.messages[ferry_thread]  # starter + the update
    assert _sent(fake, "POST", rf"/channels/{cid}/messages") == []


async def test_a_thread_target_gets_every_post_and_post_here_brings_them_back(
    fake: FakeDiscord, engine, server: LocalServer
):
    url = server.route("/desk.xml", feed(rss([("q", "Music", story(1))])))
    cid = fake.channel_ids[0]
    answer = await _subscribe(fake, cid, source=url, backfill=1, post_in=ChannelOption(fake.thread_id))
    assert f"posts into thread {fake.thread_id}" in answer, answer
    await engine.run_pass()
    (post,) = _sent(fake, "POST", rf"/channels/{fake.thread_id}/messages")
    assert post["embeds"][0]["title"] == "Music" and post["nonce"].startswith("wb-")
    assert _sent(fake, "POST", rf"/channels/{cid}/messages") == []

    back = await _subscribe(fake, cid, source=url, post_here=True)
    assert "posts into" not in back, back
    server.route("/desk.xml", feed(rss([("n", "Wildlife", story(2)), ("q", "Music", story(1))])))
    await engine.run_pass()
    (post,) = _sent(fake, "POST", rf"/channels/{cid}/messages")
    assert post["embeds"][0]["title"] == "Wildlife"


async def test_a_text_channel_is_not_a_target_and_a_deleted_forum_pauses_with_the_way_out(
    fake: FakeDiscord, engine, server: LocalServer
):
    url = server.route("/desk.xml", feed(rss([("q", "Music", story(1))])))
    cid = fake.channel_ids[2]
    refused = await _subscribe(fake, cid, source=url, post_in=ChannelOption(fake.channel_ids[1]))
    assert "is not a forum or thread channel" in refused

    await _subscribe(fake, cid, source=url, backfill=1, post_in=ChannelOption(fake.forum_id))
    fake.delete_channel(fake.forum_id)
    await engine.run_pass()
    status = await fake.wait_reply(await fake.send_command("status", channel_id=cid))
    shown = status["content"].replace("\\", "")  # Discord shows escaped Markdown without the backslashes
    assert f"the forum {fake.forum_id} it posts into is deleted" in shown
    assert "choose another with post_in:, or post_here:True" in shown
