"""PostgreSQL cut mid fan-out under the real `wirebrief run` process on both fakes: posts made
while the store is away are journaled and marked once it is back, claims wait; one WARNING for
the outage, no ERROR, no traceback, nothing lost, nothing twice. The shared PostgreSQL server
is never stopped: the bot reaches it through a loopback proxy that drops every connection."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.app import open_services
from bot.config import load_settings
from bot.domain import ChannelRef
from tests.conftest import process_started
from tests.distinct import story
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_fake import TEAM_ID, FakeSlack
from tests.fakes.tcp_proxy import CuttableProxy

WIREBRIEF = [sys.executable, "-c", "from bot.cli import main; main()"]
SLACK_CHANNELS = ["C0001", "C0002", "C0003"]
STORIES = 2


async def _until(predicate, what: str, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_postgresql_cut_while_posts_are_in_flight(tmp_path: Path, pg_url: str) -> None:
    discord, slack, proxy = FakeDiscord(channels=3), FakeSlack(), CuttableProxy().start()
    await discord.start()
    await slack.start()
    url = make_url(pg_url).set(port=proxy.port).render_as_string(hide_password=False)
    wire = tmp_path / "desk"
    wire.mkdir()
    for n in range(STORIES):
        (wire / f"s{n}.txt").write_text(story(n, f"Cut-{n}"), encoding="utf-8")
        os.utime(wire / f"s{n}.txt", (time.time() - 600, time.time() - 600))
    config = tmp_path / "wirebrief.toml"
    config.write_text(
        f'platforms = ["discord", "slack"]\n[store]\nurl = "{url}"\n'
        "[scheduler]\nclaim_timeout_seconds = 30\nwire_settle_seconds = 0\n"
        f'[wires]\ndesk = "{wire}"\n[console]\nsamples = false\n'
        f'[discord]\napi_base = "{discord.api_base}"\ngateway_url = "{discord.gateway_url}"\n'
        "guild_ready_timeout = 0.05\n"
        f'[slack]\napi_base = "{slack.api_base}"\nmode = "http"\nport = 0\n',
        encoding="utf-8",
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WIREBRIEF_")},
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "WIREBRIEF_DISCORD_TOKEN": "cut-token",
        "WIREBRIEF_SLACK_BOT_TOKEN": "xoxb-cut",
        "WIREBRIEF_SLACK_SIGNING_SECRET": "cut-secret",
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
    log = tmp_path / "bot.err"
    bot = await asyncio.create_subprocess_exec(
        *WIREBRIEF, "run", "--config", str(config), env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip
    try:
        await process_started(lambda: _until(lambda: not discord._holds and not slack._holds, "posts in flight"), bot)
        proxy.cut()  # the store goes away while six posts wait for their answers
        for hold in holds:
            hold.set()  # answered now: marking them fails, the journal keeps them
        await _until(lambda: "store unreachable" in log.read_text(), "the outage noticed")
        await asyncio.sleep(2.0)
        proxy.restore()
        await _until(lambda: posted() == (3 * STORIES, 3 * STORIES), "every post after the outage", timeout=30)
        await _until(lambda: "journal: marked" in log.read_text(), "the journal replayed", timeout=15)
        await asyncio.sleep(1.0)
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 15)
        proxy.close()
        await discord.close()
        await slack.close()
    text = log.read_text()
    for cid in discord.channel_ids:
        texts = [str(m["embeds"]) for m in discord.messages[cid]]
        assert sorted(sum(f"Cut-{n}" in t for t in texts) for n in range(STORIES)) == [1] * STORIES
    for cid in SLACK_CHANNELS:
        texts = [str(m["blocks"]) for m in slack.messages[cid]]
        assert sorted(sum(f"Cut-{n}" in t for t in texts) for n in range(STORIES)) == [1] * STORIES
    assert discord.nonce_replays == 0
    assert text.count("store unreachable") == 1, text[-3000:]
    assert " ERROR " not in text and "Traceback" not in text and "never retrieved" not in text, text[-3000:]
