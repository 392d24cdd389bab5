"""Discord adapter figures against the local fake Discord, as ratios to baselines run in the same process.

    .venv/bin/python bench/discord_latency.py [--commands 200] [--channels 1000]

1. Command latency: N sequential ``/digest latest`` (deferred, reads the store and renders an
   embed) and N ``/digest list`` (answered directly), from the fake's INTERACTION_CREATE to the
   interaction callback (the defer or the answer Discord waits at most 3 s for) and to the final
   message (the edit of @original). Real discord.py, real Services on a temp SQLite store.
   Baseline: a bare REST round trip (GET /users/@me) to the same fake with aiohttp.
2. Fan-out: one digest to M channels through the real engine (``Engine.run_pass``: claim in
   the store, outbox paced at the platform's rate, ``channel.send``). Reported: seconds, the
   mean and the busiest-second request rate seen by the fake, against Discord's global
   50 requests/s. Baseline: the time M posts would take at exactly 50/s.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from adapters.discord import create_platform  # noqa: E402
from bot.app import Engine, open_services  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from bot.domain import ChannelRef  # noqa: E402
from tests.fakes.discord_fake import FakeDiscord, Interaction, Recorded  # noqa: E402

DISCORD_GLOBAL_LIMIT = 50.0
STORY = (
    "ROTTERDAM, May 2 (Wirebrief) — Talks to end the harbour strike resumed on Tuesday.\n"
    '"We are closer than we were, but nobody should expect a deal tonight," said Maria Lopez, '
    "the leader of the dockers' union.\n"
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def settings_for(tmp: Path, fake: FakeDiscord) -> Settings:
    config = tmp / "wirebrief.toml"
    config.write_text(
        f"""
[store]
url = "sqlite:///{tmp / "bench.sqlite3"}"
[scheduler]
wire_settle_seconds = 0
[wires]
bench = "{tmp / "wire"}"
[discord]
api_base = "{fake.api_base}"
gateway_url = "{fake.gateway_url}"
guild_ready_timeout = 0.05
""",
        encoding="utf-8",
    )
    os.environ["WIREBRIEF_DISCORD_TOKEN"] = "bench-token"
    return load_settings(config, ["discord"])


async def rest_baseline(fake: FakeDiscord, n: int) -> float:
    async with aiohttp.ClientSession() as http:
        times = []
        for _ in range(n):
            start = time.monotonic()
            async with http.get(fake.api_base + "/users/@me", headers={"Authorization": "Bot x"}) as resp:
                await resp.read()
            times.append(time.monotonic() - start)
    return pct(times, 0.5)


async def command_latency(fake: FakeDiscord, sub: str, n: int) -> tuple[list[float], list[float]]:
    first, final = [], []
    for _ in range(n):
        interaction: Interaction = await fake.send_command(sub)
        await fake.wait_reply(interaction)
        token = interaction.token
        mine = [r for r in fake.requests[-20:] if r.kind == "http" and token in r.path]
        callback = next(r for r in mine if r.path.endswith("/callback"))
        last = mine[-1]
        first.append(callback.at - interaction.sent_at)
        final.append(last.at - interaction.sent_at)
    return first, final


def busiest_second(posts: list[Recorded]) -> int:
    times = sorted(p.at for p in posts)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def main(commands: int, channels: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("discord").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        (tmp / "wire").mkdir()
        (tmp / "wire" / "strike.txt").write_text(STORY, encoding="utf-8")
        fake = await FakeDiscord(channels=channels).start()
        settings = settings_for(tmp, fake)
        services = await open_services(settings)
        platform = create_platform(settings)
        engine = Engine(settings, services, [platform])
        try:
            await platform.start(services)
            guild = fake.guild_id
            for cid in fake.channel_ids:
                await services.subscribe(ChannelRef("discord", cid, guild), "bench", None, "UTC", 1)

            base = await rest_baseline(fake, commands)
            print(f"baseline: bare REST round trip to the fake, p50 {base * 1000:.2f} ms")

            # Fan-out first: the digest is ingested and owed to every channel.
            before = len(fake.requests)
            start = time.monotonic()
            await engine.run_pass()
            seconds = time.monotonic() - start
            posts = [
                r
                for r in fake.requests[before:]
                if r.kind == "http" and r.method == "POST" and r.path.endswith("/messages") and r.status == 200
            ]
            span = (posts[-1].at - posts[0].at) if len(posts) > 1 else seconds
            rate = (len(posts) - 1) / span if span > 0 else float("inf")
            peak = busiest_second(posts)
            ideal = channels / DISCORD_GLOBAL_LIMIT
            print(
                f"fan-out: {len(posts)} posts to {channels} channels in {seconds:.1f} s "
                f"({seconds / ideal:.2f}x the {ideal:.0f} s a 50/s ceiling allows); "
                f"mean {rate:.1f} req/s = {rate / DISCORD_GLOBAL_LIMIT:.2f} of the global limit, "
                f"busiest second {peak} req = {peak / DISCORD_GLOBAL_LIMIT:.2f} of it"
            )

            for sub in ("latest", "list"):
                first, final = await command_latency(fake, sub, commands)
                kind = "defer" if sub == "latest" else "answer"
                print(
                    f"/digest {sub} x{commands}: INTERACTION_CREATE -> {kind} p50 {pct(first, 0.5) * 1000:.1f} ms "
                    f"({pct(first, 0.5) / base:.1f}x baseline), p95 {pct(first, 0.95) * 1000:.1f} ms "
                    f"({pct(first, 0.95) / base:.1f}x); -> final message p50 {pct(final, 0.5) * 1000:.1f} ms "
                    f"({pct(final, 0.5) / base:.1f}x), p95 {pct(final, 0.95) * 1000:.1f} ms "
                    f"({pct(final, 0.95) / base:.1f}x); Discord's 3 s budget / p95 first reply = "
                    f"{3.0 / pct(first, 0.95):.0f}x"
                )
        finally:
            await engine.stop()
            await platform.stop()
            await services.aclose()
            await fake.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--channels", type=int, default=1000)
    args = parser.parse_args()
    asyncio.run(main(max(1, min(args.commands, 2000)), max(1, min(args.channels, 5000))))
