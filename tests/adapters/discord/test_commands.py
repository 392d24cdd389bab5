"""Every ``/digest`` subcommand end to end: fake Discord → discord.py → real Services on SQLite."""

from __future__ import annotations

from adapters.discord.platform import DiscordPlatform
from tests.fakes.discord_fake import FakeDiscord


async def test_subscribe_list_status_unsubscribe_round_trip(fake: FakeDiscord, platform: DiscordPlatform):
    reply = await fake.wait_reply(await fake.send_command("subscribe", {"source": "newsroom", "backfill": 0}))
    assert reply["ephemeral"] and reply["deferred"]
    assert reply["content"].startswith("Subscribed this channel to newsroom (on arrival)")

    listing = await fake.wait_reply(await fake.send_command("list", permissions=0))
    assert "**1.** newsroom · on arrival" in listing["content"]
    assert listing["ephemeral"]

    status = await fake.wait_reply(await fake.send_command("status", permissions=0))
    assert "**1.** newsroom" in status["content"] and "last fetch" in status["content"]
    assert "paused" not in status["content"]

    gone = await fake.wait_reply(await fake.send_command("unsubscribe", {"which": "1"}))
    assert gone["content"] == "Unsubscribed this channel from newsroom."
    listing = await fake.wait_reply(await fake.send_command("list"))
    assert "no subscriptions" in listing["content"]


async def test_manager_role_may_subscribe_without_manage_channels(fake: FakeDiscord, platform: DiscordPlatform):
    interaction = await fake.send_command(
        "subscribe",
        {"source": "newsroom", "schedule": "0 8 * * *", "timezone": "Europe/Amsterdam", "backfill": 0},
        permissions=0x400,
        roles=[fake.manager_role_id],
    )
    reply = await fake.wait_reply(interaction)
    expected = (
        "Subscribed this channel to newsroom (daily at 08:00 (Europe/Amsterdam)); "
        "stories come as one edition per post time, the next "
    )
    assert reply["content"].startswith(expected)
    assert reply["content"].endswith(" 08:00 Europe/Amsterdam.")


async def test_subscribe_with_a_bad_source_or_timezone_explains(fake: FakeDiscord, platform: DiscordPlatform):
    bad_url = await fake.wait_reply(await fake.send_command("subscribe", {"source": "ftp://feeds.example/x"}))
    assert bad_url["ephemeral"] and not bad_url["content"].startswith("Subscribed")
    assert "Sorry — something went wrong" not in bad_url["content"]

    bad_tz = await fake.send_command("subscribe", {"source": "newsroom", "timezone": "Mars/Olympus"})
    reply = await fake.wait_reply(bad_tz)
    assert "Mars/Olympus" in reply["content"] and not reply["content"].startswith("Subscribed")


async def test_unsubscribe_unknown_number_says_so(fake: FakeDiscord, platform: DiscordPlatform):
    reply = await fake.wait_reply(await fake.send_command("unsubscribe", {"which": "7"}))
    assert reply["ephemeral"] and "Unsubscribed" not in reply["content"]


async def test_latest_without_subscriptions_explains_how_to_subscribe(fake: FakeDiscord, platform: DiscordPlatform):
    reply = await fake.wait_reply(await fake.send_command("latest", permissions=0))
    assert reply["deferred"] and not reply["ephemeral"]
    assert "/digest subscribe" in reply["content"]


async def test_latest_shows_the_newest_digest_as_an_embed(fake: FakeDiscord, engine):
    await fake.wait_reply(await fake.send_command("subscribe", {"source": "treaty", "backfill": 0}))
    await engine.run_pass()

    reply = await fake.wait_reply(await fake.send_command("latest", permissions=0))
    assert reply["embeds"], reply
    (embed,) = reply["embeds"]
    assert "first step" in embed["fields"][0]["value"]
    assert embed["footer"]["text"] == "treaty"
    assert not reply["ephemeral"]


async def test_preview_is_only_for_the_caller(fake: FakeDiscord, platform: DiscordPlatform, article_server: str):
    reply = await fake.wait_reply(await fake.send_command("preview", {"url": f"{article_server}/article"}))
    assert reply["ephemeral"] and reply["deferred"]
    (embed,) = reply["embeds"]
    assert embed["title"] == "Port strike called off after overnight talks"
    assert embed["url"] == f"{article_server}/article"


async def test_preview_of_a_bad_url_gives_the_reason(fake: FakeDiscord, platform: DiscordPlatform, article_server: str):
    reply = await fake.wait_reply(await fake.send_command("preview", {"url": "not a link"}))
    assert reply["ephemeral"]
    assert reply["content"].startswith("Sorry, I couldn't digest")
    assert "http://" in reply["content"]  # the bad_url reason tells what a link must look like

    pdf = await fake.wait_reply(await fake.send_command("preview", {"url": f"{article_server}/report.pdf"}))
    assert "news article" in pdf["content"] or "web page" in pdf["content"]


async def test_unsubscribe_autocompletes_this_channels_subscriptions(fake: FakeDiscord, platform: DiscordPlatform):
    for source in ("treaty", "rentals"):
        await fake.wait_reply(await fake.send_command("subscribe", {"source": source, "backfill": 0}))
    reply = await fake.wait_reply(await fake.send_command("unsubscribe", {"which": "rent"}, focused="which"))
    assert reply["choices"] == [{"name": "2. rentals", "value": "2"}]
    wires = await fake.wait_reply(await fake.send_command("subscribe", {"source": "tr"}, focused="source"))
    assert [c["value"] for c in wires["choices"]] == ["treaty"]


async def test_a_subscription_made_in_the_cli_without_the_guild_is_listed_and_managed_here(
    fake: FakeDiscord, platform: DiscordPlatform, services
):
    from bot.domain import ChannelRef

    cid = fake.channel_ids[0]
    await services.subscribe(ChannelRef.parse(f"discord:{cid}"), "treaty", backfill=0)  # as `wirebrief subscribe`
    listing = await fake.wait_reply(await fake.send_command("list", permissions=0))
    assert "**1.** treaty" in listing["content"]
    again = await fake.wait_reply(await fake.send_command("subscribe", {"source": "treaty", "backfill": 0}))
    assert again["content"].startswith("Subscribed this channel to treaty")
    listing = await fake.wait_reply(await fake.send_command("list", permissions=0))
    assert listing["content"].count("treaty") == 1  # the same subscription, not a second one
    gone = await fake.wait_reply(await fake.send_command("unsubscribe", {"which": "1"}))
    assert gone["content"] == "Unsubscribed this channel from treaty."
    assert await services.subscriptions(ChannelRef.parse(f"discord:{cid}")) == []


async def test_schedules_in_words_and_the_channels_time_zone(fake: FakeDiscord, platform: DiscordPlatform):
    zone = await fake.wait_reply(await fake.send_command("timezone", {"zone": "Europe/Kyiv"}))
    assert zone["content"] == "New schedules in this channel now use Europe/Kyiv. Existing subscriptions keep theirs."
    reply = await fake.wait_reply(
        await fake.send_command("subscribe", {"source": "treaty", "schedule": "weekdays 08:00", "backfill": 2})
    )
    assert reply["content"].startswith(
        "Subscribed this channel to treaty (weekdays at 08:00 (Europe/Kyiv)); "
        "stories come as one edition per post time, the latest 2 in the next, "
    )
    assert reply["content"].endswith(" 08:00 Europe/Kyiv.") and "now" not in reply["content"]
    status = await fake.wait_reply(await fake.send_command("status", permissions=0))
    assert "weekdays at 08:00 (Europe/Kyiv)" in status["content"] and "08:00 Europe/Kyiv (<t:" in status["content"]
    refused = await fake.wait_reply(await fake.send_command("timezone", {"zone": "Europe/Kyiv"}, permissions=0))
    assert refused["content"].startswith("Sorry, managing this channel's digests needs")


async def test_subscribing_to_a_web_page_is_refused_with_the_reason(
    fake: FakeDiscord, platform: DiscordPlatform, article_server: str
):
    url = f"{article_server}/article"
    reply = await fake.wait_reply(await fake.send_command("subscribe", {"source": url}))
    assert reply["ephemeral"]
    assert reply["content"] == (
        f"Can't subscribe to {url}: it is a web page, not a feed, and it names no feed "
        "(look for an RSS link on the site)."
    )
