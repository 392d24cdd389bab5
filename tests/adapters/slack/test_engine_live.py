"""Scheduled posts end to end: a wire folder subscription made in chat, the real Engine's pass,
and what arrives in Slack; a channel the bot has lost pauses and says so in `/digest status`."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.slack.conftest import SlackRig


async def _subscribe_and_run(rig: SlackRig, wire: Path, channel: str = "C1") -> None:
    reply = await rig.side.command("subscribe desk on arrival backfill 1", channel=channel)
    assert reply["response_type"] == "in_channel", reply
    await rig.run_pass()


async def test_a_scheduled_post_arrives_as_block_kit_with_mentions_escaped(rig: SlackRig, wire_folder: Path) -> None:
    await _subscribe_and_run(rig, wire_folder)
    post = await rig.fake.wait_for(lambda r: r.kind == "api" and r.name == "chat.postMessage")
    body = post.body
    assert body["channel"] == "C1" and "thread_ts" not in body
    types = [b["type"] for b in body["blocks"]]
    assert types[:2] == ["header", "context"] and "section" in types
    assert "ROTTERDAM" in body["blocks"][1]["elements"][0]["text"]
    assert "desk" in body["blocks"][1]["elements"][0]["text"]
    sections = " ".join(b["text"]["text"] for b in body["blocks"] if b["type"] == "section")
    assert "&lt;!channel&gt;" in sections or "&lt;!channel&gt;" in body["text"]
    assert "<!channel>" not in str(body)
    assert body["text"], "a plain-text fallback for notifications"


async def test_latest_shows_the_channel_s_newest_digest_in_channel(rig: SlackRig, wire_folder: Path) -> None:
    await _subscribe_and_run(rig, wire_folder)
    reply = await rig.side.command("")
    assert reply["response_type"] == "in_channel"
    assert reply["blocks"][0]["type"] == "header"
    assert "<!channel>" not in str(reply)


async def test_a_channel_the_bot_left_pauses_and_status_says_so(rig: SlackRig, wire_folder: Path) -> None:
    rig.fake.left_channels.add("C2")
    await _subscribe_and_run(rig, wire_folder, channel="C2")
    refused = await rig.fake.wait_for(lambda r: r.kind == "api" and r.name == "chat.postMessage")
    assert refused.body["channel"] == "C2"
    subs = await rig.services.subscriptions(_ref("C2"))
    assert subs[0].paused_reason and "not_in_channel" in subs[0].paused_reason
    status = await rig.side.command("status", channel="C2")
    assert "paused" in status["text"] and "not_in_channel" in status["text"]
    assert status["response_type"] == "ephemeral"


async def test_the_bot_removed_from_a_channel_pauses_its_subscriptions(rig: SlackRig) -> None:
    await rig.side.command("subscribe desk", channel="C3")
    await rig.side.event({"type": "member_left_channel", "user": "UBOT", "channel": "C3", "channel_type": "C"})
    status = None
    for _ in range(50):  # the event is acked first and handled just after: poll the store, bounded
        subs = await rig.services.subscriptions(_ref("C3"))
        if subs[0].paused_reason:
            status = await rig.side.command("status", channel="C3")
            break
        await _tick()
    assert status is not None, "subscription was not paused"
    assert "removed from the channel" in status["text"]


async def _tick() -> None:
    import asyncio

    await asyncio.sleep(0.05)


def _ref(channel: str):
    from bot.domain import ChannelRef
    from tests.fakes.slack_fake import TEAM_ID

    return ChannelRef("slack", channel, TEAM_ID)
