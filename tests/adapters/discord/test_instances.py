"""Two real `wirebrief run --platform discord` processes on one PostgreSQL: sharing the bot
token's rate limits through Redis against a fake that enforces Discord's 50 requests/s, and
splitting the gateway's shards between them (``shard_ids``)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.domain import ChannelRef
from tests.bot.ratelimit.conftest import REDIS_URL, redis_answers
from tests.distinct import story
from tests.fakes.discord_fake import FakeDiscord, Recorded
from tests.fakes.discord_limits import EXEMPT

CHANNELS = 120
#: The instances' rate: under the fake's 50/s with room for a loaded machine (see test_shared_limits).
RATE = 40


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord(channels=CHANNELS).start()
    try:
        yield server
    finally:
        await server.close()


def write_config(tmp_path: Path, fake: FakeDiscord, pg_url: str, discord: str = "", extra: str = "") -> Path:
    desk = tmp_path / "desk"
    desk.mkdir(exist_ok=True)
    (desk / "harbour.txt").write_text(story(3, "Token-Fanout"), encoding="utf-8")
    os.utime(desk / "harbour.txt", (time.time() - 60, time.time() - 60))
    config = tmp_path / "wirebrief.toml"
    config.write_text(
        f"""platforms = ["discord"]
[store]
url = "{pg_url}"
[scheduler]
wire_settle_seconds = 0
wire_interval_seconds = 1
[console]
samples = false
[wires]
desk = "{desk}"
[discord]
api_base = "{fake.api_base}"
gateway_url = "{fake.gateway_url}"
guild_ready_timeout = 0.05
requests_per_second = {RATE}
{discord}
{extra}
""",
        encoding="utf-8",
    )
    return config


async def subscribe_every_channel(config: Path, fake: FakeDiscord) -> None:
    """Through the real services (what `/digest subscribe` calls): the desk's story is owed at once."""
    from bot.app import open_services

    services = await open_services(load_settings(config, ["discord"]))
    try:
        for cid in fake.channel_ids:
            await services.subscribe(ChannelRef("discord", cid, fake.guild_id), "desk", None, "UTC", 1)
    finally:
        await services.aclose()


@contextlib.asynccontextmanager
async def instances(tmp_path: Path, config: Path, envs: list[dict[str, str]]) -> AsyncIterator[list[Path]]:
    """Real `wirebrief run` processes, started one by one (each until it says it runs), their
    stderr in files; Ctrl-C'd at the end, every one of them exiting 0."""
    procs: list[asyncio.subprocess.Process] = []
    logs: list[Path] = []
    try:
        for n, extra in enumerate(envs):
            log = tmp_path / f"instance-{n}.err"
            logs.append(log)
            env = {k: v for k, v in os.environ.items() if not k.startswith("WIREBRIEF_")}
            env.update(XDG_DATA_HOME=str(tmp_path / "data"), PYTHONUNBUFFERED="1", **extra)
            with log.open("w") as err:
                procs.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        "-c",
                        "from bot.cli import main; main()",
                        "run",
                        "--platform",
                        "discord",
                        "--config",
                        str(config),
                        env=env,
                        stdout=asyncio.subprocess.DEVNULL,
                        stderr=err,
                        cwd=tmp_path,
                    )
                )
            await _started(procs[-1], log)
        yield logs
        for proc in procs:
            proc.send_signal(signal.SIGINT)
        codes = [await asyncio.wait_for(proc.wait(), 15) for proc in procs]
        assert codes == [0] * len(procs), [log.read_text()[-2000:] for log in logs]
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()


async def _started(proc: asyncio.subprocess.Process, log: Path, bound: float = 40.0) -> None:
    """Start-up (imports, migrations, login) is not under test and is slow on a loaded machine."""
    deadline = time.monotonic() + bound
    while "wirebrief: running" not in log.read_text(errors="replace"):
        if proc.returncode is not None or time.monotonic() > deadline:
            raise AssertionError(f"instance did not start: {log.read_text()[-2000:]}")
        await asyncio.sleep(0.1)


async def wait_until(predicate, bound: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + bound
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {bound} s")
        await asyncio.sleep(0.1)


def busiest_second(requests: list[Recorded]) -> int:
    times = sorted(r.at for r in requests)
    best, lo = 0, 0
    for hi, at in enumerate(times):
        while at - times[lo] >= 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def test_two_processes_share_the_tokens_limit_through_redis(
    tmp_path: Path, fake: FakeDiscord, pg_url: str
) -> None:
    if not redis_answers():
        pytest.skip("Redis does not answer on 127.0.0.1:6379 (start one to run the shared-limit tests)")
    config = write_config(tmp_path, fake, pg_url, extra=f'[redis]\nurl = "{REDIS_URL}"')
    await subscribe_every_channel(config, fake)
    limits = fake.enforce_limits(per_second=50)
    token = {"WIREBRIEF_DISCORD_TOKEN": f"instances-{uuid.uuid4().hex}"}
    async with instances(tmp_path, config, [token, token]):
        await wait_until(lambda: all(fake.messages[c] for c in fake.channel_ids), bound=60)
        await asyncio.sleep(1.5)  # both keep sweeping: still nothing twice
    assert {len(fake.messages[c]) for c in fake.channel_ids} == {1}
    assert "Token-Fanout" in str(fake.messages[fake.channel_ids[-1]][0]["embeds"])
    assert limits.refused == {"global": 0, "user": 0}
    counted = [r for r in fake.requests if r.kind == "http" and r.status != 429 and not r.path.startswith(EXEMPT)]
    assert busiest_second(counted) <= 50


async def test_two_processes_split_the_shards_and_each_guild_is_served_once(
    tmp_path: Path, fake: FakeDiscord, pg_url: str
) -> None:
    config = write_config(tmp_path, fake, pg_url, discord="shard_count = 2")
    token = f"shards-{uuid.uuid4().hex}"
    envs = [{"WIREBRIEF_DISCORD_TOKEN": token, "WIREBRIEF_DISCORD_SHARD_IDS": f"[{n}]"} for n in (0, 1)]
    async with instances(tmp_path, config, envs):
        identified = [r.body["d"]["shard"] for r in fake.requests if r.kind == "ws" and r.op == 2]
        assert sorted(identified) == [[0, 2], [1, 2]]
        interaction = await fake.send_command("help")
        answer = await fake.wait_reply(interaction)
        assert "Wirebrief" in answer["content"]
        message = await fake.send_message("hello there")
        cid = message["channel_id"]
        await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{cid}/messages")
        await asyncio.sleep(1.0)  # a second instance answering would have answered by now
    callbacks = [r for r in fake.requests if r.kind == "http" and r.path.endswith(f"{interaction.token}/callback")]
    assert len(callbacks) == 1
    assert len(fake.calls("POST", rf"/channels/{cid}/messages")) == 1
