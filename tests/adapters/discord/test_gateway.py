"""Logging in, syncing ``/digest``, identifying, resuming after a drop, sharding — the real
discord.py client against the local fake Discord."""

from __future__ import annotations

import pytest

from adapters.discord.platform import DiscordPlatform
from bot.config import Settings, load_settings
from bot.errors import ConfigError
from bot.services import Services
from tests.adapters.discord.conftest import running, write_config
from tests.fakes.discord_fake import FakeDiscord, Recorded

SUBCOMMANDS = {
    "latest", "subscribe", "unsubscribe", "list", "status", "preview", "help", "timezone", "edition", "export", "import"
}  # fmt: skip


def is_ws_op(op: int):
    return lambda r: r.kind == "ws" and r.op == op


async def test_login_identify_and_command_sync(fake: FakeDiscord, platform: DiscordPlatform):
    assert fake.calls("GET", "/users/@me")[0].headers["Authorization"] == "Bot fake-bot-token"
    identify = await fake.wait_for(is_ws_op(2))
    assert identify.body["d"]["token"] == "fake-bot-token"
    assert identify.path == "/gateway/"

    sync = fake.calls("PUT", rf"/applications/{fake.application_id}/commands")
    assert len(sync) == 1
    (digest,) = sync[0].body
    assert digest["name"] == "digest"
    assert {o["name"] for o in digest["options"]} == SUBCOMMANDS
    subscribe = next(o for o in digest["options"] if o["name"] == "subscribe")
    timezone = next(o for o in subscribe["options"] if o["name"] == "timezone")
    assert timezone["autocomplete"] is True
    backfill = next(o for o in subscribe["options"] if o["name"] == "backfill")
    assert (backfill["min_value"], backfill["max_value"]) == (0, 10)
    assert platform.client is not None and platform.client.is_ready()
    assert [g.id for g in platform.client.guilds] == [int(fake.guild_id)]


async def test_no_privileged_intent_is_requested(fake: FakeDiscord, platform: DiscordPlatform):
    identify = await fake.wait_for(is_ws_op(2))
    assert not identify.body["d"]["intents"] & (1 << 15)  # MESSAGE_CONTENT: mentions carry content anyway
    assert not identify.body["d"]["intents"] & (1 << 1)  # GUILD_MEMBERS


async def test_guild_scoped_sync_when_configured(
    tmp_path, fake: FakeDiscord, monkeypatch, services: Services, story_wires
):
    monkeypatch.setenv("WIREBRIEF_DISCORD_TOKEN", "fake-bot-token")
    monkeypatch.setenv("WIREBRIEF_DISCORD_COMMAND_GUILD_ID", fake.guild_id)
    settings = load_settings(write_config(tmp_path, fake, story_wires), ["discord"])
    async with running(settings, services):
        guild_sync = fake.calls("PUT", rf"/applications/\d+/guilds/{fake.guild_id}/commands")
        assert [c["name"] for c in guild_sync[0].body] == ["digest"]


async def test_gateway_disconnect_is_resumed_and_missed_events_arrive(fake: FakeDiscord, platform: DiscordPlatform):
    identify = await fake.wait_for(is_ws_op(2))
    await fake.disconnect(code=4000)
    # While the bot is away, a user runs a command; Discord replays it after RESUME.
    interaction = await fake.send_command("help")

    resume = await fake.wait_for(is_ws_op(6))
    session = next(iter(fake.sessions.values()))
    assert resume.path == "/resume/"  # the READY's resume_gateway_url, not the default gateway
    assert resume.body["d"]["session_id"] == session.id
    assert resume.body["d"]["seq"] >= 2
    reply = await fake.wait_reply(interaction)
    assert "/digest subscribe" in reply["content"]
    assert len([r for r in fake.requests if r.kind == "ws" and r.op == 2]) == 1  # resumed, not re-identified
    assert identify.path == "/gateway/"


async def test_help_is_ephemeral_and_names_the_manager_role(fake: FakeDiscord, platform: DiscordPlatform):
    reply = await fake.wait_reply(await fake.send_command("help", permissions=0))
    assert reply["ephemeral"] and not reply["deferred"]
    assert "`/digest latest`" in reply["content"] and "Digest Editors" in reply["content"]
    assert reply["allowed_mentions"] == {"parse": []}


async def test_subscribe_without_permission_is_refused_politely(fake: FakeDiscord, platform: DiscordPlatform):
    interaction = await fake.send_command("subscribe", {"source": "https://feeds.example/rss"}, permissions=0x400)
    reply = await fake.wait_reply(interaction)
    assert reply["ephemeral"]
    assert reply["content"].startswith("Sorry, managing this channel's digests needs the Manage Channels permission")
    unsubscribe = await fake.send_command("unsubscribe", {"which": "1"}, permissions=0)
    assert (await fake.wait_reply(unsubscribe))["content"].startswith("Sorry")


async def test_timezone_autocomplete_matches_prefix_then_substring(fake: FakeDiscord, platform: DiscordPlatform):
    interaction = await fake.send_command("subscribe", {"source": "x", "timezone": "york"}, focused="timezone")
    reply = await fake.wait_reply(interaction)
    assert [c["value"] for c in reply["choices"]] == ["America/New_York"]

    interaction = await fake.send_command("subscribe", {"source": "x", "timezone": "eu"}, focused="timezone")
    choices = [c["value"] for c in (await fake.wait_reply(interaction))["choices"]]
    assert len(choices) == 25
    assert all(c.lower().startswith("eu") for c in choices[:10])


async def test_mention_without_link_gets_one_line_help(fake: FakeDiscord, platform: DiscordPlatform):
    message = await fake.send_message("what can you do?")
    reply = await fake.wait_for(
        lambda r: r.method == "POST" and r.path == f"/channels/{message['channel_id']}/messages"
    )
    assert reply.body["message_reference"]["message_id"] == int(message["id"])
    assert "\n" not in reply.body["content"] and "link" in reply.body["content"]
    assert reply.body["allowed_mentions"]["parse"] == []


async def test_message_without_mention_is_ignored(fake: FakeDiscord, platform: DiscordPlatform):
    await fake.send_message("https://news.example/story", mention_bot=False)
    await fake.send_command("help")  # a later event: once its reply is out, the message was handled
    await fake.wait_for(lambda r: r.path.endswith("/callback"))
    assert fake.calls("POST", r"/channels/\d+/messages") == []


async def test_replying_to_the_bot_without_mentioning_it_is_ignored(fake: FakeDiscord, platform: DiscordPlatform):
    help_message = await fake.send_message("hi")
    cid = help_message["channel_id"]
    first = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{cid}/messages")
    bot_message_id = fake.messages[cid][-1]["id"]
    assert first.status == 200
    await fake.send_message("thanks!", mention_bot=False, reply_to=bot_message_id)
    await fake.send_command("help")  # a later event: once answered, the reply was handled
    await fake.wait_for(lambda r: r.path.endswith("/callback"))
    assert len(fake.calls("POST", rf"/channels/{cid}/messages")) == 1


async def test_sharded_client_when_shard_count_is_set(
    tmp_path, fake: FakeDiscord, monkeypatch, services: Services, story_wires
):
    monkeypatch.setenv("WIREBRIEF_DISCORD_TOKEN", "fake-bot-token")
    settings = load_settings(write_config(tmp_path, fake, story_wires, extra="shard_count = 1"), ["discord"])
    async with running(settings, services) as platform:
        identify: Recorded = await fake.wait_for(is_ws_op(2))
        assert identify.body["d"]["shard"] == [0, 1]
        assert type(platform.client).__name__ == "AutoShardedClient"
        reply = await fake.wait_reply(await fake.send_command("help"))
        assert "Wirebrief" in reply["content"]


async def test_missing_token_is_a_config_error(settings: Settings, monkeypatch, services: Services):
    monkeypatch.delenv("WIREBRIEF_DISCORD_TOKEN")
    settings = load_settings(None, ["discord"])
    with pytest.raises(ConfigError, match="WIREBRIEF_DISCORD_TOKEN"):
        await DiscordPlatform(settings).start(services)
