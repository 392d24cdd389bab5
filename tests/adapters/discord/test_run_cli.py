"""`wirebrief run --platform discord` as a real process: logs in to the fake from configuration
alone (env vars), answers a command, posts a scheduled embed, stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.conftest import process_started
from tests.fakes.discord_fake import FakeDiscord

WIREBRIEF = Path(sys.executable).with_name("wirebrief")


@pytest.mark.skipif(not WIREBRIEF.exists(), reason="the wirebrief console script is not installed in this venv")
async def test_run_with_discord_platform(tmp_path: Path, fake: FakeDiscord, story_wires: Path) -> None:
    config = tmp_path / "wirebrief.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "run.sqlite3"}"\n'
        f"[scheduler]\nwire_settle_seconds = 0\nwire_interval_seconds = 1\n[discord]\nguild_ready_timeout = 0.05\n"
        f'[wires]\ntreaty = "{story_wires / "treaty"}"\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "WIREBRIEF_DISCORD_TOKEN": "run-token",
        "WIREBRIEF_DISCORD_API_BASE": fake.api_base,
        "WIREBRIEF_DISCORD_GATEWAY_URL": fake.gateway_url,
    }
    proc = await asyncio.create_subprocess_exec(
        str(WIREBRIEF), "run", "--platform", "discord", "--config", str(config),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await process_started(lambda: fake.wait_for(lambda r: r.kind == "ws" and r.op == 2, timeout=5), proc)
        await fake.wait_for(lambda r: r.kind == "http" and r.path.endswith("/commands"), timeout=5)
        reply = await fake.wait_reply(await fake.send_command("subscribe", {"source": "treaty", "backfill": 1}))
        assert reply["content"].startswith("Subscribed this channel to treaty")
        cid = fake.channel_ids[0]
        post = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{cid}/messages", timeout=5)
        assert "first step" in post.body["embeds"][0]["fields"][0]["value"]
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), 5)
        assert proc.returncode == 0, stderr.decode()[-2000:]
        # Wirebrief never joins voice: discord.py's voice warnings would only alarm an operator
        assert "voice will NOT be supported" not in stderr.decode() and "davey" not in stderr.decode().lower()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
