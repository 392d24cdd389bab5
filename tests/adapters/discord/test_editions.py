"""Editions on Discord through the real discord.py against the fake: a scheduled channel
gets one edition per fire from all its sources; a 40-story edition stays within every
Discord limit, loses no story, and puts what does not fit into a thread on the edition."""

from __future__ import annotations

import re

from adapters.discord.marker import visible
from adapters.discord.render import DESCRIPTION_LIMIT, TITLE_LIMIT, TOTAL_LIMIT
from bot.domain import ChannelRef
from tests.bot.engine_harness import time_passes
from tests.conftest import rss
from tests.digests.story_fixtures import STRIKE_AP, STRIKE_BBC_QUOTED
from tests.distinct import story
from tests.edition_fixtures import big_edition
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.http_server import LocalServer, feed


def embed_chars(embed: dict) -> int:
    fields = sum(len(f.get("name", "")) + len(f.get("value", "")) for f in embed.get("fields", []))
    footer = len((embed.get("footer") or {}).get("text", ""))
    author = len((embed.get("author") or {}).get("name", ""))
    return len(embed.get("title", "")) + len(embed.get("description", "")) + fields + footer + author


async def test_three_feeds_one_edition_per_fire(fake: FakeDiscord, engine, services, server: LocalServer):
    cid = fake.channel_ids[0]
    channel = ChannelRef("discord", cid, fake.guild_id)
    feeds = {
        "ap": [("ap-1", "Dockers to strike", STRIKE_AP), ("ap-2", "News", story(0))],
        "bbc": [("bbc-1", "Dockers to walk out", STRIKE_BBC_QUOTED), ("bbc-2", "News", story(1))],
        "afp": [("afp-1", "News", story(2))],
    }
    for name, items in feeds.items():
        url = server.route(f"/{name}", feed(rss(items, title=name.upper())))
        await services.subscribe(channel, url, schedule="daily 08:00", timezone="Europe/Kyiv", backfill=5)
    await engine.run_pass()
    assert fake.messages[cid] == []  # 08:00 has not come
    time_passes(services.store, 25)
    await engine.run_pass()
    await engine.run_pass()

    (edition,) = fake.messages[cid]
    assert re.fullmatch(r"\*\*Morning edition · \w{3} \d{1,2} \w{3} · 4 stories from 3 sources\*\*", edition["content"])
    titles = [e["title"] for e in edition["embeds"]]
    assert len(titles) == 4 and all(t.startswith(f"{n}. ") for n, t in enumerate(titles, start=1))
    top = edition["embeds"][0]["description"]
    assert "also: [" in top  # the strike: AP and BBC in one entry, the other linked
    (sent,) = [r.body for r in fake.calls("POST", rf"/channels/{cid}/messages") if r.status == 200]
    assert sent["nonce"].startswith("wb-e") and sent["enforce_nonce"] is True
    assert sent["allowed_mentions"] == {"parse": []}
    assert fake.threads == {}  # four stories fit in one message


async def test_forty_stories_stay_within_every_limit_and_none_is_lost(fake: FakeDiscord, platform):
    cid = fake.channel_ids[1]
    edition = big_edition(ChannelRef("discord", cid, fake.guild_id))
    first = await platform.edition(edition)

    main = fake.messages[cid]
    assert [m["id"] for m in main] == [first]
    thread = fake.messages[first]  # the rest is in the thread started on the edition
    messages = main + thread
    assert fake.threads == {first: cid}
    for message in messages:
        assert 1 <= len(message["embeds"]) <= 10
        assert sum(embed_chars(e) for e in message["embeds"]) <= TOTAL_LIMIT
        assert len(message["content"]) <= 2000
        for embed in message["embeds"]:
            assert len(embed["title"]) <= TITLE_LIMIT and len(embed.get("description", "")) <= DESCRIPTION_LIMIT
            assert "@everyone" not in embed["description"] and "<@&123>" not in embed["description"]
    numbers = [int(e["title"].split(".")[0]) for m in messages for e in m["embeds"]]
    assert numbers == list(range(1, 41))
    assert main[0]["content"].startswith("**Morning edition · Thu 27 Nov · 40 stories from 3 sources**")
    assert f"{len(main[0]['embeds'])} here · {40 - len(main[0]['embeds'])} more in the thread" in main[0]["content"]

    again = await platform.edition(edition)  # a retried claim: Discord recognises every part
    assert again == first and fake.messages[cid] == main and fake.messages[first] == thread


async def test_digest_edition_shows_only_the_caller_what_the_next_edition_holds(
    fake: FakeDiscord, engine, services, server: LocalServer
):
    cid = fake.channel_ids[2]
    channel = ChannelRef("discord", cid, fake.guild_id)
    none = await fake.wait_reply(await fake.send_command("edition", channel_id=cid, permissions=0))
    assert none["ephemeral"] and none["content"].startswith("This channel gets no editions")

    for name, n in (("ap", 0), ("bbc", 1)):
        url = server.route(f"/{name}", feed(rss([(f"{name}-1", "News", story(n))], title=name.upper())))
        await services.subscribe(channel, url, schedule="daily 18:00", timezone="Asia/Tokyo", backfill=1)
    await engine.run_pass()
    preview = await fake.wait_reply(await fake.send_command("edition", channel_id=cid, permissions=0))
    assert preview["ephemeral"]
    assert preview["content"].startswith("Next edition, as it stands now (Evening edition · ")
    assert "**Evening edition · " in preview["content"] and "2 stories from 2 sources" in preview["content"]
    assert [e["title"][:3] for e in preview["embeds"]] == ["1. ", "2. "]
    assert fake.messages[cid] == []  # nothing was posted in the channel

    time_passes(services.store, 25)
    await engine.run_pass()
    assert len(fake.messages[cid]) == 1
    empty = await fake.wait_reply(await fake.send_command("edition", channel_id=cid, permissions=0))
    assert empty["content"].startswith("Nothing for the next edition yet (Evening edition · ")


async def test_later_fires_one_edition_each_with_only_new_stories_and_an_empty_period_posts_nothing(
    fake: FakeDiscord, engine, services, server: LocalServer
):
    cid = fake.channel_ids[1]
    channel = ChannelRef("discord", cid, fake.guild_id)
    for name, n in (("ap", 0), ("bbc", 1), ("afp", 2)):
        url = server.route(f"/{name}", feed(rss([(f"{name}-1", "News", story(n))], title=name.upper())))
        await services.subscribe(channel, url, schedule="daily 08:00", timezone="Europe/Kyiv", backfill=1)
    await engine.run_pass()
    time_passes(services.store, 25)
    await engine.run_pass()
    assert len(fake.messages[cid]) == 1 and len(fake.messages[cid][0]["embeds"]) == 3

    time_passes(services.store, 25)  # a fire with nothing new
    await engine.run_pass()
    await engine.run_pass()
    assert len(fake.messages[cid]) == 1, "an empty period posts nothing"

    server.route("/bbc", feed(rss([("bbc-1", "News", story(1)), ("bbc-2", "News", story(3))], title="BBC")))
    await engine.run_pass()
    time_passes(services.store, 25)
    await engine.run_pass()
    await engine.run_pass()
    _first, second = fake.messages[cid]
    assert "· 1 story from 1 source**" in second["content"]
    (entry,) = second["embeds"]
    assert entry["url"] == "https://example.com/bbc-2"
    posted = [r for r in fake.calls("POST", rf"/channels/{cid}/messages") if r.status == 200]
    assert len(posted) == 2 and posted[0].body["nonce"] != posted[1].body["nonce"]


async def test_empty_line_option_posts_one_line_for_an_empty_period(fake: FakeDiscord, engine, services):
    cid = fake.channel_ids[2]
    (digest,) = [c for c in fake.commands if c["name"] == "digest"]
    (subscribe,) = [o for o in digest["options"] if o["name"] == "subscribe"]
    (empty,) = [o for o in subscribe["options"] if o["name"] == "empty"]
    assert [c["value"] for c in empty["choices"]] == ["nothing", "line"] and not empty.get("required")

    options = {"source": "newsroom", "schedule": "daily 08:00", "timezone": "Europe/Kyiv", "backfill": 0}
    options["empty"] = "line"
    reply = await fake.wait_reply(await fake.send_command("subscribe", options, channel_id=cid))
    assert reply["content"].startswith("Subscribed this channel to newsroom"), reply
    await engine.run_pass()
    assert fake.messages[cid] == []
    time_passes(services.store, 25)
    await engine.run_pass()
    await engine.run_pass()

    (line,) = fake.messages[cid]
    line_text = r"\*\*Morning edition · \w{3} \d{1,2} \w{3} · nothing new since the last edition\*\*"
    assert re.fullmatch(line_text, visible(line["content"]))  # the text a reader sees (markers aside)
    assert line["embeds"] == [] and fake.threads == {}
