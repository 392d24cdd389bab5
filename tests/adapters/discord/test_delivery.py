"""Scheduled posts through the real engine and outbox: embeds, 429s, lost channels, no pings."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from adapters.discord.marker import markers_in, visible
from adapters.discord.platform import DiscordPlatform
from adapters.discord.render import ZWSP
from bot.domain import ChannelRef, Post
from bot.errors import ChannelGone, DeliveryError, RateLimited
from digests.model import Digest, Quote
from tests.fakes.discord_fake import FakeDiscord


def channel_posts(fake: FakeDiscord, channel_id: str) -> list[dict]:
    return [r.body for r in fake.calls("POST", rf"/channels/{channel_id}/messages") if r.status == 200]


async def subscribe(fake: FakeDiscord, channel_id: str, **options: object) -> None:
    reply = await fake.wait_reply(
        await fake.send_command("subscribe", {"source": "rentals", **options}, channel_id=channel_id)
    )
    assert reply["content"].startswith("Subscribed"), reply["content"]


async def test_scheduled_post_arrives_as_an_embed_that_pings_nobody(fake: FakeDiscord, engine):
    cid = fake.channel_ids[1]
    await subscribe(fake, cid, backfill=1)

    await engine.run_pass()

    (post,) = channel_posts(fake, cid)
    assert post["allowed_mentions"] == {"parse": []}
    assert post["nonce"].startswith("wb-") and post["enforce_nonce"] is True
    (embed,) = post["embeds"]
    assert visible(embed["footer"]["text"]) == "rentals"  # readers see the source alone
    assert markers_in(embed["footer"]["text"]) == {"d" + post["nonce"].removeprefix("wb-")}  # and we find it again
    assert embed["description"].startswith("LISBON")
    quote = embed["fields"][0]
    assert "Carlos Moedas" in quote["name"]
    assert f"@{ZWSP}everyone" in quote["value"] and "@everyone" not in quote["value"]
    assert r"\*\*not just tourists\*\*" in quote["value"]

    await engine.run_pass()  # a second pass owes nothing: exactly once
    assert len(channel_posts(fake, cid)) == 1


async def test_a_429_is_waited_out_and_the_post_sent_once(fake: FakeDiscord, engine):
    cid = fake.channel_ids[0]
    await subscribe(fake, cid, backfill=1)
    fake.rate_limit_once("POST", rf"/channels/{cid}/messages", retry_after=0.2)

    await engine.run_pass()

    attempts = fake.calls("POST", rf"/channels/{cid}/messages")
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 0.2 * 0.9  # Retry-After respected
    assert len(fake.messages[cid]) == 1


async def test_deleted_channel_pauses_its_subscription(fake: FakeDiscord, engine):
    cid = fake.channel_ids[2]
    await subscribe(fake, cid, backfill=1)
    fake.delete_channel(cid)

    await engine.run_pass()  # the post fails with 404 Unknown Channel; the bot carries on

    status = await fake.wait_reply(await fake.send_command("status", channel_id=cid))
    assert "paused" in status["content"] and "channel deleted" in status["content"]
    await engine.run_pass()  # paused: no retry forever
    assert len(fake.calls("POST", rf"/channels/{cid}/messages")) == 1


async def test_channel_delete_event_pauses_before_any_post_fails(fake: FakeDiscord, platform, services):
    cid = fake.channel_ids[1]
    await subscribe(fake, cid, backfill=0)
    await fake.announce_channel_deleted(cid)

    channel = ChannelRef("discord", cid, fake.guild_id)
    for _ in range(50):  # the gateway event is handled in its own task: poll, bounded (2.5 s)
        (sub,) = await services.subscriptions(channel)
        if sub.paused_reason:
            break
        await asyncio.sleep(0.05)
    assert sub.paused_reason == "channel deleted"
    assert fake.calls("POST", rf"/channels/{cid}/messages") == []


# --- the platform's post() on its own: Discord's answers mapped to what the outbox understands ---


def a_post(channel_id: str, delivery_id: int | None = 7) -> Post:
    digest = Digest("Headline", None, (Quote("Hello.", "Ana", None, 0, 6),), (0,), "Hello.", url="https://x.example/a")
    when = datetime(2025, 1, 1, tzinfo=UTC)
    return Post(digest, ChannelRef("discord", channel_id, None), "Wire", "https://x.example/a", when, delivery_id)


async def test_post_maps_lost_access_to_channel_gone(fake: FakeDiscord, platform: DiscordPlatform):
    fake.forbid_channel(fake.channel_ids[0])
    with pytest.raises(ChannelGone, match="lost access"):
        await platform.post(a_post(fake.channel_ids[0]))
    fake.delete_channel(fake.channel_ids[1])
    with pytest.raises(ChannelGone, match="deleted"):
        await platform.post(a_post(fake.channel_ids[1]))


async def test_long_rate_limit_is_handed_to_the_outbox(fake: FakeDiscord, platform: DiscordPlatform):
    cid = fake.channel_ids[0]
    fake.rate_limit_once("POST", rf"/channels/{cid}/messages", retry_after=120)
    with pytest.raises(RateLimited) as caught:
        await platform.post(a_post(cid))
    assert caught.value.retry_after == 120


async def test_429_without_via_header_is_not_retried_blindly(fake: FakeDiscord, platform: DiscordPlatform):
    cid = fake.channel_ids[0]
    fake.rate_limit_once("POST", rf"/channels/{cid}/messages", retry_after=0.1, via=False)
    with pytest.raises(DeliveryError):
        await platform.post(a_post(cid))
    assert len(fake.calls("POST", rf"/channels/{cid}/messages")) == 1


async def test_a_retried_delivery_is_not_posted_twice(fake: FakeDiscord, platform: DiscordPlatform):
    cid = fake.channel_ids[0]
    first = await platform.post(a_post(cid, delivery_id=42))
    again = await platform.post(a_post(cid, delivery_id=42))  # e.g. the claim timed out after Discord got it
    assert first == again
    assert len(fake.messages[cid]) == 1
