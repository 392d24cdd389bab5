"""kill -9 between posting an edition and marking it sent, then a restart: still one edition.
A real `wirebrief run --platform discord` process against the fake Discord, which creates the
edition's message but holds its answer, so the bot dies knowing nothing of it. The restarted
bot takes the stale claim over, finds the edition in the channel's history by the marker in
its embed, and marks it sent without posting it again — Discord's nonce memory (a few minutes)
is never asked."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from bot.store import Store
from tests.bot.engine_harness import time_passes
from tests.conftest import process_started, rss
from tests.distinct import story
from tests.fakes.discord_fake import FakeDiscord
from tests.fakes.http_server import LocalServer, feed

WIREBRIEF = Path(sys.executable).with_name("wirebrief")


async def _wirebrief(*args: str, env: dict[str, str]) -> None:
    proc = await asyncio.create_subprocess_exec(
        str(WIREBRIEF), *args, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()[-2000:]


async def _run(env: dict[str, str], config: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(WIREBRIEF), "run", "--platform", "discord", "--config", str(config),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def _until(predicate, what: str, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


@pytest.mark.skipif(not WIREBRIEF.exists(), reason="the wirebrief console script is not installed in this venv")
async def test_kill_9_between_posting_an_edition_and_marking_it_sent_still_one_edition(
    tmp_path: Path, fake: FakeDiscord, server: LocalServer
) -> None:
    cid = fake.channel_ids[0]
    store_url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    config = tmp_path / "wirebrief.toml"
    config.write_text(
        f'[store]\nurl = "{store_url}"\n[fetch]\nallow_private_addresses = true\n'
        "[scheduler]\nclaim_timeout_seconds = 1\n[console]\nsamples = false\n"
        "[discord]\nguild_ready_timeout = 0.05\n",
        encoding="utf-8",
    )
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("WIREBRIEF_")},
        "WIREBRIEF_DISCORD_TOKEN": "crash-token",
        "WIREBRIEF_DISCORD_API_BASE": fake.api_base,
        "WIREBRIEF_DISCORD_GATEWAY_URL": fake.gateway_url,
    }
    for n, name in enumerate(("ap", "bbc", "afp")):
        url = server.route(f"/{name}", feed(rss([(f"{name}-{k}", "News", story(3 * n + k)) for k in range(3)])))
        await _wirebrief(
            "subscribe", url, "--channel", f"discord:{fake.guild_id}/{cid}", "--schedule", "daily 08:00",
            "--backfill", "5", "--config", str(config), env=env,
        )  # fmt: skip
    store = Store.open(store_url, upgrade=False)
    try:
        time_passes(store, 25)  # the 08:00 fire has come: the edition is due as the bot starts
        held = fake.hold_next_message(cid)
        first = await _run(env, config)
        try:
            await process_started(lambda: _until(lambda: len(fake.messages[cid]) == 1, "the edition"), first)
        finally:
            first.kill()  # kill -9: the edition is in the channel, its claim not marked sent
            await first.wait()
        assert store.edition_counts() == {"claimed": 1}
        held.set()

        second = await _run(env, config)
        try:
            await process_started(lambda: _until(lambda: store.edition_counts() == {"sent": 1}, "mark sent"), second)
            await asyncio.sleep(1.5)  # more sweeps: still nothing posted twice
        finally:
            second.send_signal(signal.SIGTERM)
            _, err = await asyncio.wait_for(second.communicate(), 10)
        assert second.returncode == 0, err.decode()[-2000:]
        (edition,) = fake.messages[cid]
        assert edition["content"].startswith("**Morning edition") and len(edition["embeds"]) == 9
        posts = [r for r in fake.calls("POST", rf"/channels/{cid}/messages")]
        assert len(posts) == 1 and fake.nonce_replays == 0  # found, not posted again
        assert fake.calls("GET", rf"/channels/{cid}/messages")  # looked in the channel first
    finally:
        store.close()
