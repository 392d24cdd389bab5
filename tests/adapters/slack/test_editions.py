"""Editions on Slack through the real slack-bolt/slack-sdk against the fake: one edition per
fire from all the channel's sources on that schedule; a 40-story edition within every Block
Kit limit, no story lost, the overflow in the edition's thread."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.domain import ChannelRef
from tests.adapters.slack.conftest import SlackRig
from tests.bot.engine_harness import time_passes
from tests.conftest import rss
from tests.digests.story_fixtures import STRIKE_AP, STRIKE_BBC_QUOTED
from tests.distinct import story
from tests.edition_fixtures import big_edition
from tests.fakes.http_server import LocalServer, feed
from tests.fakes.slack_fake import TEAM_ID


def texts(block: dict) -> list[str]:
    if "text" in block:
        return [block["text"]["text"]]
    return [e.get("text", "") for e in block.get("elements", [])]


async def test_three_feeds_one_edition_per_fire(http_rig: SlackRig, server: LocalServer) -> None:
    rig = http_rig
    channel = ChannelRef("slack", "C2", TEAM_ID)
    feeds = {
        "ap": [("ap-1", "Dockers to strike", STRIKE_AP), ("ap-2", "News", story(0))],
        "bbc": [("bbc-1", "Dockers to walk out", STRIKE_BBC_QUOTED)],
        "afp": [("afp-1", "News", story(2)), ("afp-2", "News", story(3))],
    }
    for name, items in feeds.items():
        url = server.route(f"/{name}", feed(rss(items, title=name.upper())))
        await rig.services.subscribe(channel, url, schedule="weekdays 17:30", timezone="America/New_York", backfill=5)
    await rig.run_pass()
    assert rig.fake.calls("chat.postMessage") == []
    time_passes(rig.services.store, 24 * 4)  # past a weekday's 17:30 in New York, whatever today is
    await rig.run_pass()
    await rig.run_pass()

    (post,) = rig.fake.calls("chat.postMessage")
    body = post.body
    assert body["channel"] == "C2" and "thread_ts" not in body
    header = body["blocks"][0]
    assert header["type"] == "header"
    assert re.fullmatch(r"Evening edition · \w{3} \d{1,2} \w{3} · 4 stories from 3 sources", header["text"]["text"])
    sections = [b for b in body["blocks"] if b["type"] == "section"]
    assert len(sections) == 4
    assert sections[0]["text"]["text"].startswith("*1. <https://example.com/")
    assert "also: <https://example.com/" in sections[0]["text"]["text"]  # AP and BBC: one story, both linked
    assert body["metadata"]["event_type"] == "wirebrief_edition"


async def test_forty_stories_stay_within_every_limit_and_none_is_lost(http_rig: SlackRig) -> None:
    rig = http_rig
    edition = big_edition(ChannelRef("slack", "C3", TEAM_ID))
    first = await rig.platform.edition(edition)

    posts = [p.body for p in rig.fake.calls("chat.postMessage")]
    assert posts[0].get("thread_ts") is None and first == rig.fake.calls("chat.postMessage")[0].answer["ts"]
    assert all(p["thread_ts"] == first for p in posts[1:]) and len(posts) > 1
    numbers = []
    for body in posts:
        assert len(body["blocks"]) <= 50 and len(body["text"]) <= 3000
        for block in body["blocks"]:
            if block["type"] == "header":
                assert len(block["text"]["text"]) <= 150
            for text in texts(block):
                assert len(text) <= 3000
                assert "<!channel>" not in text and "<@&123>" not in text and "**bold**" not in text
            if block["type"] == "section":
                numbers.append(int(block["text"]["text"].split(".")[0].lstrip("*")))
    assert numbers == list(range(1, 41))
    assert posts[0]["blocks"][0]["text"]["text"] == "Morning edition · Thu 27 Nov · 40 stories from 3 sources"


async def test_digest_edition_is_ephemeral_and_shows_the_next_edition(rig: SlackRig, server: LocalServer) -> None:
    none = await rig.side.command("edition", channel="C1")
    assert none["response_type"] == "ephemeral" and none["text"].startswith("This channel gets no editions")
    channel = ChannelRef("slack", "C1", TEAM_ID)
    for name, n in (("ap", 0), ("bbc", 1), ("afp", 2)):
        url = server.route(f"/{name}", feed(rss([(f"{name}-1", "News", story(n))], title=name.upper())))
        await rig.services.subscribe(channel, url, schedule="daily 07:00", timezone="Europe/Lisbon", backfill=1)
    await rig.run_pass()
    preview = await rig.side.command("edition", channel="C1")
    assert preview["response_type"] == "ephemeral"
    note, header, *sections = preview["blocks"]
    assert note["elements"][0]["text"].startswith("Next edition, as it stands now (Morning edition · ")
    assert header["text"]["text"].endswith("3 stories from 3 sources") and len(sections) == 3
    assert rig.fake.calls("chat.postMessage") == []


async def test_later_fires_one_edition_each_with_only_new_stories_and_an_empty_period_posts_nothing(
    http_rig: SlackRig, server: LocalServer
) -> None:
    rig = http_rig
    channel = ChannelRef("slack", "C1", TEAM_ID)
    for name, n in (("ap", 0), ("bbc", 1), ("afp", 2)):
        url = server.route(f"/{name}", feed(rss([(f"{name}-1", "News", story(n))], title=name.upper())))
        await rig.services.subscribe(channel, url, schedule="daily 08:00", timezone="Europe/Kyiv", backfill=1)
    await rig.run_pass()
    time_passes(rig.services.store, 25)
    await rig.run_pass()
    assert len(rig.fake.calls("chat.postMessage")) == 1

    time_passes(rig.services.store, 25)  # a fire with nothing new
    await rig.run_pass()
    await rig.run_pass()
    assert len(rig.fake.calls("chat.postMessage")) == 1, "an empty period posts nothing"

    server.route("/afp", feed(rss([("afp-1", "News", story(2)), ("afp-2", "News", story(3))], title="AFP")))
    await rig.run_pass()
    time_passes(rig.services.store, 25)
    await rig.run_pass()
    await rig.run_pass()
    first, second = (p.body for p in rig.fake.calls("chat.postMessage"))
    assert second["blocks"][0]["text"]["text"].endswith("· 1 story from 1 source")
    (entry,) = [b for b in second["blocks"] if b["type"] == "section"]
    assert "<https://example.com/afp-2|" in entry["text"]["text"]
    assert first["metadata"]["event_payload"]["edition"] != second["metadata"]["event_payload"]["edition"]


async def test_empty_line_in_the_subscribe_words_posts_one_line_for_an_empty_period(http_rig: SlackRig) -> None:
    rig = http_rig
    reply = await rig.side.command("subscribe desk daily 08:00 tz Europe/Kyiv backfill 0 empty line", channel="C3")
    assert reply["text"].startswith("Subscribed"), reply
    await rig.run_pass()
    assert rig.fake.calls("chat.postMessage") == []
    time_passes(rig.services.store, 25)
    await rig.run_pass()
    await rig.run_pass()

    (post,) = rig.fake.calls("chat.postMessage")
    assert post.body["channel"] == "C3" and "thread_ts" not in post.body
    (header,) = post.body["blocks"]
    line_text = r"Morning edition · \w{3} \d{1,2} \w{3} · nothing new since the last edition"
    assert re.fullmatch(line_text, header["text"]["text"])
    assert post.body["text"] == header["text"]["text"]


async def test_an_edition_posted_by_a_claimant_that_died_before_marking_it_is_not_posted_again(
    http_rig: SlackRig, server: LocalServer
) -> None:
    """The state kill -9 leaves between posting an edition and marking it sent: Slack has the
    message, the store a stale claim. The claimant that takes over finds it (metadata) and
    marks it sent: one edition."""
    from sqlalchemy import update

    from bot.store.models import EditionRow

    rig = http_rig
    channel = ChannelRef("slack", "C1", TEAM_ID)
    url = server.route("/ap", feed(rss([("ap-1", "News", story(0)), ("ap-2", "News", story(1))], title="AP")))
    await rig.services.subscribe(channel, url, schedule="daily 08:00", timezone="UTC", backfill=2)
    await rig.run_pass()
    time_passes(rig.services.store, 25)
    (cand,) = await rig.services.due_editions(["slack"])
    claimed = await rig.services.claim_edition(cand, "dead")
    assert claimed is not None
    await rig.platform.edition(await rig.services.edition_for(claimed))  # posted; then the process died
    with rig.services.store.tx() as s:
        s.execute(update(EditionRow).values(claimed_at=EditionRow.claimed_at - timedelta(hours=1)))

    await rig.run_pass()
    await rig.run_pass()

    (post,) = rig.fake.calls("chat.postMessage")
    assert post.body["metadata"]["event_payload"]["edition"] == claimed
    assert rig.fake.calls("conversations.history"), "the taken-over claim looked for its edition first"
    assert rig.services.store.edition_counts() == {"sent": 1}
