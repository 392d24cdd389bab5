"""`/digest` end to end, over HTTP (signed requests) and Socket Mode, against the fake Slack.

What is asserted is what a Slack user would see: the body posted to ``response_url``
(ephemeral or in the channel) and the calls the bot made to the Web API.
"""

from __future__ import annotations

from tests.adapters.slack.conftest import CREATOR, READER, SlackRig


async def test_help_is_ephemeral_and_lists_every_subcommand(rig: SlackRig) -> None:
    reply = await rig.side.command("help")
    assert reply["response_type"] == "ephemeral"
    for sub in ("subscribe", "list", "unsubscribe", "status", "preview", "@Wirebrief"):
        assert sub in reply["text"]


async def test_malformed_command_gets_the_usage_line_ephemeral(rig: SlackRig) -> None:
    reply = await rig.side.command("subscribe desk daily")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("Daily needs a time, e.g. daily 08:00.\n")
    assert "Usage: `/digest`" in reply["text"]
    bad_time = await rig.side.command("subscribe desk daily 25:00")  # a value the services refuse
    assert bad_time["response_type"] == "ephemeral"
    assert bad_time["text"] == "'25:00' is not a time like 08:00 (24-hour) or 8am"
    assert await rig.services.subscriptions(_c1(rig)) == []


async def test_subscribe_list_status_unsubscribe(rig: SlackRig) -> None:
    reply = await rig.side.command('subscribe desk cron "0 8 * * 1-5" tz Europe/Kyiv backfill 2')
    assert reply["response_type"] == "in_channel"
    assert reply["text"].startswith(
        "Subscribed this channel to desk — weekdays at 08:00 (Europe/Kyiv). "
        "Stories come as one edition per post time; the latest 2 items will be in the next, "
    )
    assert reply["text"].endswith(" 08:00 Europe/Kyiv.") and "follow shortly" not in reply["text"]

    listing = await rig.side.command("list")
    assert listing["response_type"] == "ephemeral"
    assert "*1.* desk" in listing["text"]

    status = await rig.side.command("status")
    assert status["response_type"] == "ephemeral"
    assert "*1.* desk" in status["text"] and "last read" in status["text"]

    gone = await rig.side.command("unsubscribe 1")
    assert gone["text"] == "Unsubscribed this channel from desk."
    assert "no subscriptions" in (await rig.side.command("list"))["text"]


async def test_unknown_subscription_number_is_a_polite_ephemeral_error(rig: SlackRig) -> None:
    reply = await rig.side.command("unsubscribe 7")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"]


async def test_a_member_who_is_neither_admin_nor_creator_is_refused(rig: SlackRig) -> None:
    reply = await rig.side.command("subscribe desk", user=READER)
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith("Sorry, only workspace admins and this channel's creator")
    assert await rig.services.subscriptions(_c1(rig)) == []
    assert rig.fake.calls("users.info")[-1].body["user"] == READER


async def test_the_channel_creator_may_subscribe(rig: SlackRig) -> None:
    reply = await rig.side.command("subscribe desk", user=CREATOR)
    assert reply["response_type"] == "in_channel"
    assert [s.source.name for s in await rig.services.subscriptions(_c1(rig))] == ["desk"]


async def test_latest_without_subscriptions_says_how_to_start(rig: SlackRig) -> None:
    reply = await rig.side.command("")
    assert reply["response_type"] == "ephemeral"
    assert "/digest subscribe <feed URL>" in reply["text"]


async def test_preview_of_a_page_is_an_ephemeral_block_kit_digest(rig: SlackRig, article_server: str) -> None:
    reply = await rig.side.command(f"preview <{article_server}/story|story>")
    assert reply["response_type"] == "ephemeral"
    types = [b["type"] for b in reply["blocks"]]
    assert types[0] == "header" and "section" in types and types[-1] == "actions"
    assert reply["blocks"][-1]["elements"][0]["url"] == f"{article_server}/story"
    assert "Maria Lopez" in reply["text"] or "Maria Lopez" in str(reply["blocks"])


async def test_preview_of_a_missing_page_says_why_politely(rig: SlackRig, article_server: str) -> None:
    reply = await rig.side.command(f"preview {article_server}/missing")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith(f"Sorry, I couldn't digest {article_server}/missing: ")


def _c1(rig: SlackRig):
    from bot.domain import ChannelRef
    from tests.fakes.slack_fake import TEAM_ID

    return ChannelRef("slack", "C1", TEAM_ID)


async def test_managers_everyone_lets_any_member_subscribe(tmp_path, fake_slack, wire_folder, monkeypatch) -> None:
    from tests.adapters.slack.conftest import close_rig, open_rig

    rig = await open_rig(tmp_path, fake_slack, wire_folder, monkeypatch, "http", managers="everyone")
    try:
        reply = await rig.side.command("subscribe desk", user=READER)
        assert reply["response_type"] == "in_channel"
        assert fake_slack.calls("users.info") == [], "no permission lookup needed"
    finally:
        await close_rig(rig)


async def test_the_workspace_time_zone_applies_to_new_schedules(rig: SlackRig) -> None:
    zone = await rig.side.command("timezone Asia/Tokyo workspace")
    assert zone["text"] == (
        "New schedules in every channel of this workspace without its own now use Asia/Tokyo. "
        "Existing subscriptions keep theirs."
    )
    reply = await rig.side.command("subscribe desk weekdays 08:00 backfill 0", channel="C2")
    assert reply["text"].startswith(
        "Subscribed this channel to desk — weekdays at 08:00 (Asia/Tokyo). "
        "Stories come as one edition per post time; the next "
    )
    assert reply["text"].endswith(" 08:00 Asia/Tokyo.")
    refused = await rig.side.command("timezone Europe/Kyiv", user=READER)
    assert refused["text"].startswith("Sorry, only workspace admins")


async def test_subscribing_to_a_web_page_is_refused_with_the_reason(rig: SlackRig, article_server: str) -> None:
    url = f"{article_server}/story"
    reply = await rig.side.command(f"subscribe <{url}>")
    assert reply["response_type"] == "ephemeral"
    assert reply["text"].startswith(f"Can't subscribe to {url}: it is a web page, not a feed")
    assert await rig.services.subscriptions(_c1(rig)) == []
