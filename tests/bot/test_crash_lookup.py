"""kill -9 while Discord and Slack hold the answers of posts they already made, then a
restart: the restarted bot finds each of those posts in the channel (Discord: our marker in
the embed, read from history; Slack: message metadata via conversations.history) and posts
nothing twice — without Discord's nonce memory (nothing answered from it) and on Slack,
which has none. The real `wirebrief run` process against both fakes."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from tests.bot.fanout_desk import SLACK_CHANNELS, STORIES, WIREBRIEF, desk, until
from tests.bot.fanout_desk import posted as posted_on
from tests.conftest import process_started
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_fake import FakeSlack


async def test_kill_9_with_posts_made_but_unanswered_then_restart_posts_each_once(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    discord, slack = FakeDiscord(channels=3), FakeSlack()
    await discord.start()
    await slack.start()
    config, env = await desk(
        tmp_path, discord, slack, f"sqlite:///{tmp_path / 'store.sqlite3'}", "crash", claim_timeout=1
    )

    def posted() -> tuple[int, int]:
        return posted_on(discord, slack)

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
            await process_started(lambda: until(lambda: not discord._holds and not slack._holds, "held posts"), first)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        for hold in holds:
            hold.set()

        second = await run(logs[1])
        try:
            await process_started(lambda: until(lambda: posted() == (3 * STORIES, 3 * STORIES), "every post"), second)
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
