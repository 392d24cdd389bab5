"""kill -9 while Discord and Slack hold the answers of posts they already made, then a
restart: the restarted bot finds each of those posts in the channel (Discord: our marker in
the embed, read from history; Slack: message metadata via conversations.history) and posts
nothing twice — without Discord's nonce memory (nothing answered from it) and on Slack,
which has none. The real `wirebrief run` process against both fakes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from bot.app import open_services
from bot.config import load_settings
from bot.domain import ChannelRef
from tests.conftest import process_started
from tests.distinct import story
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_fake import TEAM_ID, FakeSlack

WIREBRIEF = [sys.executable, "-c", "from bot.cli import main; main()"]
SLACK_CHANNELS = ["C0001", "C0002", "C0003"]
STORIES = 2


async def _until(predicate, what: str, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_kill_9_with_posts_made_but_unanswered_then_restart_posts_each_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    discord, slack = FakeDiscord(channels=3), FakeSlack()
    await discord.start()
    await slack.start()
    wire = tmp_path / "desk"
    wire.mkdir()
    for n in range(STORIES):
        (wire / f"s{n}.txt").write_text(story(n, f"Crash-{n}"), encoding="utf-8")
        os.utime(wire / f"s{n}.txt", (time.time() - 600, time.time() - 600))
    config = tmp_path / "wirebrief.toml"
    config.write_text(
        f'platforms = ["discord", "slack"]\n[store]\nurl = "sqlite:///{tmp_path / "store.sqlite3"}"\n'
        "[scheduler]\nclaim_timeout_seconds = 1\nwire_settle_seconds = 0\n"
        f'[wires]\ndesk = "{wire}"\n[console]\nsamples = false\n'
        f'[discord]\napi_base = "{discord.api_base}"\ngateway_url = "{discord.gateway_url}"\n'
        "guild_ready_timeout = 0.05\n"
        f'[slack]\napi_base = "{slack.api_base}"\nmode = "http"\nport = 0\n',
        encoding="utf-8",
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WIREBRIEF_")},
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "WIREBRIEF_DISCORD_TOKEN": "crash-token",
        "WIREBRIEF_SLACK_BOT_TOKEN": "xoxb-crash",
        "WIREBRIEF_SLACK_SIGNING_SECRET": "crash-secret",
    }
    services = await open_services(load_settings(config))
    for cid in discord.channel_ids:
        await services.subscribe(ChannelRef("discord", cid, discord.guild_id), "desk", backfill=STORIES)
    for cid in SLACK_CHANNELS:
        await services.subscribe(ChannelRef("slack", cid, TEAM_ID), "desk", backfill=STORIES)
    await services.aclose()

    def posted() -> tuple[int, int]:
        return sum(len(discord.messages[c]) for c in discord.channel_ids), sum(
            len(slack.messages.get(c, [])) for c in SLACK_CHANNELS
        )

    holds = [discord.hold_next_message(c) for c in discord.channel_ids]
    holds += [slack.hold_next_post(c) for c in SLACK_CHANNELS]
    logs = [tmp_path / "first.err", tmp_path / "second.err"]

    async def run(log: Path) -> asyncio.subprocess.Process:
        return await asyncio.create_subprocess_exec(
            *WIREBRIEF, "run", "--config", str(config), env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL, stderr=log.open("w"),
        )  # fmt: skip

    try:
        first = await run(logs[0])
        try:  # every channel's first post is made, and its answer held (the holds are taken)
            await process_started(lambda: _until(lambda: not discord._holds and not slack._holds, "held posts"), first)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        for hold in holds:
            hold.set()

        second = await run(logs[1])
        try:
            await process_started(lambda: _until(lambda: posted() == (3 * STORIES, 3 * STORIES), "every post"), second)
            await asyncio.sleep(2.5)  # stale claims (1 s) and sweeps again: still nothing twice
        finally:
            second.send_signal(signal.SIGTERM)
            await asyncio.wait_for(second.wait(), 15)
        assert second.returncode == 0, logs[1].read_text()[-2000:]
    finally:
        await discord.close()
        await slack.close()

    for cid in discord.channel_ids:
        texts = [str(m["embeds"]) for m in discord.messages[cid]]
        assert sorted(sum(f"Crash-{n}" in t for t in texts) for n in range(STORIES)) == [1] * STORIES
    for cid in SLACK_CHANNELS:
        texts = [str(m["blocks"]) for m in slack.messages[cid]]
        assert sorted(sum(f"Crash-{n}" in t for t in texts) for n in range(STORIES)) == [1] * STORIES
    assert discord.nonce_replays == 0  # no re-send leaned on Discord's nonce memory
    history = [c for c in slack.calls("conversations.history") if c.body.get("channel") in SLACK_CHANNELS]
    assert history, "the restarted bot looked in the Slack channels before posting again"
    text = logs[1].read_text()
    assert " ERROR " not in text and "Traceback" not in text, text[-2000:]
    assert "already in" in text  # it found the earlier posts
