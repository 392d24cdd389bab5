"""`@Wirebrief <link>` end to end, over HTTP and Socket Mode: digests arrive in the thread."""

from __future__ import annotations

from tests.adapters.slack.conftest import SlackRig


async def test_a_link_gets_its_digest_in_the_thread(rig: SlackRig, article_server: str) -> None:
    await rig.side.mention(f"please <{article_server}/story|this story>", ts="1700000001.000100")
    post = await rig.fake.wait_for(lambda r: r.kind == "api" and r.name == "chat.postMessage")
    assert post.body["channel"] == "C1"
    assert post.body["thread_ts"] == "1700000001.000100"
    blocks = post.body["blocks"]
    assert blocks[0]["type"] == "header"
    assert blocks[-1]["elements"][0]["url"] == f"{article_server}/story"
    assert post.body["text"]


async def test_mention_in_a_thread_replies_in_that_thread(rig: SlackRig, article_server: str) -> None:
    event = {
        "type": "app_mention",
        "user": "UREADER",
        "text": f"<@UBOT> <{article_server}/story>",
        "ts": "1700000003.000500",
        "thread_ts": "1700000002.000100",
        "channel": "C1",
        "event_ts": "1700000003.000500",
    }
    await rig.side.event(event)
    post = await rig.fake.wait_for(lambda r: r.kind == "api" and r.name == "chat.postMessage")
    assert post.body["thread_ts"] == "1700000002.000100"


async def test_several_links_each_get_a_reply_and_a_bad_one_a_polite_reason(rig: SlackRig, article_server: str) -> None:
    text = f"<{article_server}/story> <{article_server}/missing|gone> <{article_server}/story?x=2>"
    await rig.side.mention(text, ts="1700000004.000100")
    await rig.fake.wait_for(lambda r: len(rig.fake.calls("chat.postMessage")) >= 3)
    posts = rig.fake.calls("chat.postMessage")
    assert len(posts) == 3
    assert all(p.body["thread_ts"] == "1700000004.000100" for p in posts)
    assert posts[0].body.get("blocks") and posts[2].body.get("blocks")
    assert posts[1].body["text"].startswith(f"Sorry, I couldn't digest {article_server}/missing: ")
    assert "blocks" not in posts[1].body


async def test_more_than_three_links_reads_three_and_says_so(rig: SlackRig, article_server: str) -> None:
    links = " ".join(f"<{article_server}/missing?n={n}>" for n in range(5))
    await rig.side.mention(links, ts="1700000005.000100")
    await rig.fake.wait_for(lambda r: len(rig.fake.calls("chat.postMessage")) >= 4)
    texts = [p.body["text"] for p in rig.fake.calls("chat.postMessage")]
    assert len(texts) == 4
    assert texts[-1].startswith("I read the first 3 links only")


async def test_no_link_gets_one_line_of_help(rig: SlackRig) -> None:
    await rig.side.mention("what can you do? <!here>", ts="1700000006.000100")
    post = await rig.fake.wait_for(lambda r: r.kind == "api" and r.name == "chat.postMessage")
    assert post.body["text"].startswith("Mention me with a link")
    assert "\n" not in post.body["text"]
    assert post.body["thread_ts"] == "1700000006.000100"
