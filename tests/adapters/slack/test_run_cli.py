"""`wirebrief run --platform slack` as a real process: Socket Mode to the fake, a command answered,
a clean stop on SIGTERM. Proves the entry point loads the adapter from configuration alone."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.conftest import process_started
from tests.fakes.slack_fake import FakeSlack, slash_payload

WIREBRIEF = Path(sys.executable).with_name("wirebrief")


@pytest.mark.skipif(not WIREBRIEF.exists(), reason="the wirebrief console script is not installed in this venv")
async def test_run_with_slack_platform_answers_a_command_and_stops_cleanly(
    tmp_path: Path, fake_slack: FakeSlack, wire_folder: Path
) -> None:
    config = tmp_path / "wirebrief.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp_path / "run.sqlite3"}"\n[slack]\nmode = "socket"\n'
        f'[wires]\ndesk = "{wire_folder}"\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "WIREBRIEF_SLACK_BOT_TOKEN": "xoxb-run",
        "WIREBRIEF_SLACK_APP_TOKEN": "xapp-run",
        "WIREBRIEF_SLACK_API_BASE": fake_slack.api_base,
    }
    proc = await asyncio.create_subprocess_exec(
        str(WIREBRIEF), "run", "--platform", "slack", "--config", str(config),
        env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await process_started(lambda: fake_slack.wait_for(lambda r: r.name == "auth.test"), proc)
        await fake_slack.wait_for(lambda r: r.name == "apps.connections.open")
        await fake_slack.send_envelope("slash_commands", slash_payload(fake_slack, "subscribe desk", key="run1"))
        reply = await fake_slack.wait_response("run1")
        assert reply["text"].startswith("Subscribed this channel to desk")
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), 5)
        assert proc.returncode == 0, stderr.decode()[-2000:]
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
