"""Posts under a subscription's own name and avatar (`/digest subscribe post_as: avatar:`):
a Discord webhook per channel, made once and found again, through the real adapter and the
fake Discord; where webhooks are not allowed the post goes out as the bot."""

from __future__ import annotations

from tests.conftest import rss
from tests.distinct import story
from tests.fakes.discord_fake import ChannelOption, FakeDiscord, RoleOption
from tests.fakes.http_server import LocalServer, feed

AVATAR = "https://cdn.example/desk.png"


def _feed(server: LocalServer, path: str, *numbers: int) -> str:
    return server.route(path, feed(rss([(f"{path}{n}", f"Item {n}", story(n)) for n in numbers])))


async def _subscribe(fake: FakeDiscord, cid: str, **options: object) -> str:
    return (await fake.wait_reply(await fake.send_command("subscribe", options, channel_id=cid)))["content"]


def _executed(fake: FakeDiscord) -> list[dict]:
    return [r.body for r in fake.calls("POST", r"/webhooks/\d+/hook-[^/]+") if r.status == 200]


async def test_posts_show_the_subscription_s_name_and_avatar(fake: FakeDiscord, engine, server: LocalServer):
    cid = fake.channel_ids[0]
    answer = await _subscribe(fake, cid, source=_feed(server, "/a.xml", 0), post_as="Harbour Desk", avatar=AVATAR,
                              mention=RoleOption(fake.breaking_role_id))  # fmt: skip
    assert 'posts as "Harbour Desk" with its own avatar' in answer, answer
    await _subscribe(fake, cid, source=_feed(server, "/b.xml", 1), post_as="Culture Desk")

    await engine.run_pass()

    assert len(fake.calls("POST", rf"/channels/{cid}/webhooks")) == 1  # one webhook per channel, reused
    sent = sorted(_executed(fake), key=lambda b: b["username"])
    assert [b["username"] for b in sent] == ["Culture Desk", "Harbour Desk"]
    assert sent[1]["avatar_url"] == AVATAR and "avatar_url" not in sent[0]
    assert sent[1]["content"] == f"<@&{fake.breaking_role_id}>"
    assert sent[1]["allowed_mentions"] == {"parse": [], "roles": [int(fake.breaking_role_id)]}
    assert sent[0]["allowed_mentions"] == {"parse": []} and "nonce" not in sent[0]
    authors = {m["author"]["username"] for m in fake.messages[cid]}
    assert authors == {"Harbour Desk", "Culture Desk"}
    assert _sent_as_bot(fake, cid) == []


async def test_a_deleted_webhook_is_made_again_and_no_permission_posts_as_the_bot(
    fake: FakeDiscord, engine, server: LocalServer
):
    cid, closed = fake.channel_ids[1], fake.channel_ids[2]
    await _subscribe(fake, cid, source=_feed(server, "/a.xml", 0), post_as="Harbour Desk")
    await engine.run_pass()
    fake.webhooks.clear()  # someone deletes it in the channel settings
    server.route("/a.xml", feed(rss([("/a.xml5", "Item 5", story(5)), ("/a.xml0", "Item 0", story(0))])))
    await engine.run_pass()
    assert len(fake.calls("POST", rf"/channels/{cid}/webhooks")) == 2
    assert [m["author"]["username"] for m in fake.messages[cid]] == ["Harbour Desk", "Harbour Desk"]

    fake.no_webhooks.add(closed)
    await _subscribe(fake, closed, source=_feed(server, "/c.xml", 2), post_as="Wildlife Desk")
    await engine.run_pass()
    (post,) = _sent_as_bot(fake, closed)  # nothing lost: the bot posts it under its own name
    assert post["embeds"][0]["title"] == "Item 2" and post["nonce"].startswith("wb-")


async def test_a_named_subscription_into_a_forum_makes_forum_posts_under_its_name(
    fake: FakeDiscord, engine, server: LocalServer
):
    cid = fake.channel_ids[0]
    await _subscribe(fake, cid, source=_feed(server, "/a.xml", 0), post_as="Harbour Desk",
                     post_in=ChannelOption(fake.forum_id))  # fmt: skip
    await engine.run_pass()
    (sent,) = _executed(fake)
    assert sent["thread_name"] == "Item 0" and sent["username"] == "Harbour Desk"
    assert len(fake.calls("POST", rf"/channels/{fake.forum_id}/webhooks")) == 1


async def test_names_discord_refuses_are_refused_when_subscribing(fake: FakeDiscord, engine, server: LocalServer):
    url = _feed(server, "/a.xml", 0)
    for name, why in (("Discord News", "cannot be a poster's name"), ("Desk @ night", "cannot be a poster's name")):
        assert why in await _subscribe(fake, fake.channel_ids[0], source=url, post_as=name)
    bad = await _subscribe(fake, fake.channel_ids[0], source=url, avatar="javascript:alert(1)")
    assert "an avatar must be an http(s) link" in bad


def _sent_as_bot(fake: FakeDiscord, cid: str) -> list[dict]:
    return [r.body for r in fake.calls("POST", rf"/channels/{cid}/messages") if r.status == 200]
