"""A wire desk that fans out to three Discord and three Slack channels, for the process tests that
crash or cut the store mid fan-out (`test_crash_lookup`, `test_store_outage_process`): the desk's
stories, the config pointing the real `wirebrief run` at both fakes, its environment, and the
subscriptions made through the services as a user would."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from bot.app import open_services
from bot.config import load_settings
from bot.domain import ChannelRef
from tests.distinct import story
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_fake import TEAM_ID, FakeSlack

WIREBRIEF = [sys.executable, "-c", "from bot.cli import main; main()"]
SLACK_CHANNELS = ["C0001", "C0002", "C0003"]
STORIES = 2


async def until(predicate: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def desk(
    tmp_path: Path, discord: FakeDiscord, slack: FakeSlack, store_url: str, token: str, claim_timeout: int
) -> tuple[Path, dict[str, str]]:
    """The config file and environment of a bot whose wire desk every channel subscribes to."""
    wire = tmp_path / "desk"
    wire.mkdir()
    for n in range(STORIES):
        (wire / f"s{n}.txt").write_text(story(n, f"{token.capitalize()}-{n}"), encoding="utf-8")
        os.utime(wire / f"s{n}.txt", (time.time() - 600, time.time() - 600))
    config = tmp_path / "wirebrief.toml"
    config.write_text(
        f'platforms = ["discord", "slack"]\n[store]\nurl = "{store_url}"\n'
        f"[scheduler]\nclaim_timeout_seconds = {claim_timeout}\nwire_settle_seconds = 0\n"
        f'[wires]\ndesk = "{wire}"\n[console]\nsamples = false\n'
        f'[discord]\napi_base = "{discord.api_base}"\ngateway_url = "{discord.gateway_url}"\n'
        "guild_ready_timeout = 0.05\n"
        f'[slack]\napi_base = "{slack.api_base}"\nmode = "http"\nport = 0\n',
        encoding="utf-8",
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WIREBRIEF_")},
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "WIREBRIEF_DISCORD_TOKEN": f"{token}-token",
        "WIREBRIEF_SLACK_BOT_TOKEN": f"xoxb-{token}",
        "WIREBRIEF_SLACK_SIGNING_SECRET": f"{token}-secret",
    }
    services = await open_services(load_settings(config))
    for cid in discord.channel_ids:
        await services.subscribe(ChannelRef("discord", cid, discord.guild_id), "desk", backfill=STORIES)
    for cid in SLACK_CHANNELS:
        await services.subscribe(ChannelRef("slack", cid, TEAM_ID), "desk", backfill=STORIES)
    await services.aclose()
    return config, env


def posted(discord: FakeDiscord, slack: FakeSlack) -> tuple[int, int]:
    """Messages each fake holds across the desk's channels: (Discord, Slack)."""
    return sum(len(discord.messages[c]) for c in discord.channel_ids), sum(
        len(slack.messages.get(c, [])) for c in SLACK_CHANNELS
    )
