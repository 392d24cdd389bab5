"""PostgreSQL cut mid fan-out under the real `wirebrief run` process on both fakes: posts made
while the store is away are journaled and marked once it is back, claims wait; one WARNING for
the outage, no ERROR, no traceback, nothing lost, nothing twice. The shared PostgreSQL server
is never stopped: the bot reaches it through a loopback proxy that drops every connection."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from sqlalchemy.engine import make_url

from tests.bot.fanout_desk import SLACK_CHANNELS, STORIES, WIREBRIEF, desk, until
from tests.bot.fanout_desk import posted as posted_on
from tests.conftest import process_started
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.slack_fake import FakeSlack
from tests.fakes.tcp_proxy import CuttableProxy


async def test_postgresql_cut_while_posts_are_in_flight(tmp_path: Path, pg_url: str) -> None:
    discord, slack, proxy = FakeDiscord(channels=3), FakeSlack(), CuttableProxy().start()
    await discord.start()
    await slack.start()
    url = make_url(pg_url).set(port=proxy.port).render_as_string(hide_password=False)
    config, env = await desk(tmp_path, discord, slack, url, "cut", claim_timeout=30)

    def posted() -> tuple[int, int]:
        return posted_on(discord, slack)

    holds = [discord.hold_next_message(c) for c in discord.channel_ids]
    holds += [slack.hold_next_post(c) for c in SLACK_CHANNELS]
    log = tmp_path / "bot.err"
    bot = await asyncio.create_subprocess_exec(
        *WIREBRIEF, "run", "--config", str(config), env=env, cwd=tmp_path,
        stdout=asyncio.subprocess.DEVNULL, stderr=log.open("w"),
    )  # fmt: skip
    try:
        await process_started(lambda: until(lambda: not discord._holds and not slack._holds, "posts in flight"), bot)
        proxy.cut()  # the store goes away while six posts wait for their answers
        for hold in holds:
            hold.set()  # answered now: marking them fails, the journal keeps them
        await until(lambda: "store unreachable" in log.read_text(), "the outage noticed")
        await asyncio.sleep(2.0)
        proxy.restore()
        await until(lambda: posted() == (3 * STORIES, 3 * STORIES), "every post after the outage", timeout=30)
        await until(lambda: "journal: marked" in log.read_text(), "the journal replayed", timeout=15)
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
