"""Mention the bot with links: a reply per link, digest or polite reason, nobody pinged."""

from __future__ import annotations

from adapters.discord.platform import DiscordPlatform
from adapters.discord.render import ZWSP
from tests.fakes.discord_fake import FakeDiscord, Recorded


def replies_in(fake: FakeDiscord, channel_id: str) -> list[Recorded]:
    return fake.calls("POST", rf"/channels/{channel_id}/messages")


async def test_mention_with_links_replies_with_digest_and_reasons(
    fake: FakeDiscord, platform: DiscordPlatform, article_server: str
):
    message = await fake.send_message(
        f"what happened? <{article_server}/article> and {article_server}/report.pdf, also {article_server}/paywalled"
    )
    cid = message["channel_id"]
    await fake.wait_for(lambda r: len(replies_in(fake, cid)) >= 3)
    digest, pdf, paywalled = (r.body for r in replies_in(fake, cid))

    assert all(b["message_reference"]["message_id"] == int(message["id"]) for b in (digest, pdf, paywalled))
    assert all(b["allowed_mentions"] == {"parse": [], "replied_user": False} for b in (digest, pdf, paywalled))
    (embed,) = digest["embeds"]
    assert embed["title"] == "Port strike called off after overnight talks"
    assert embed["url"] == f"{article_server}/article"
    assert "news article" in pdf["content"] and "report.pdf" in pdf["content"]
    assert "paywalled" in paywalled["content"]
    assert fake.calls("POST", rf"/channels/{cid}/typing")


async def test_everyone_inside_a_quote_never_pings(fake: FakeDiscord, platform: DiscordPlatform, article_server: str):
    message = await fake.send_message(f"{article_server}/article")
    reply = await fake.wait_for(
        lambda r: r.method == "POST" and r.path == f"/channels/{message['channel_id']}/messages"
    )
    assert reply.body["allowed_mentions"]["parse"] == []
    text = " ".join(f["name"] + " " + f["value"] for f in reply.body["embeds"][0].get("fields", []))
    assert f"@{ZWSP}everyone" in text, "the quote holding @everyone should be shown, neutralised"
    assert "@everyone" not in text and "<@&123>" not in text
    assert r"\*\*owes us\*\*" in text


async def test_at_most_three_links_per_message(fake: FakeDiscord, platform: DiscordPlatform, article_server):
    links = " ".join(f"{article_server}/report.pdf?n={n}" for n in range(5))
    message = await fake.send_message(links)
    cid = message["channel_id"]
    await fake.wait_for(lambda r: len(replies_in(fake, cid)) >= 3)
    # Replies go out only after every link was fetched, so the site's log is complete now.
    assert sorted(article_server.hits) == [f"/report.pdf?n={n}" for n in range(3)]
    assert len(replies_in(fake, cid)) == 3
