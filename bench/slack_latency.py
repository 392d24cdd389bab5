"""Slack adapter figures, against the local fake Slack, as ratios to baselines run in the same process.

    .venv/bin/python bench/slack_latency.py [--commands 200] [--channels 1000]

1. Command latency (HTTP mode, real signed requests, real services on a temp SQLite store):
   for N sequential `/digest` commands, the time to bolt's ack (the HTTP 200 Slack waits at
   most 3 s for) and to the final response_url post carrying the digest. Baseline: a bare
   signed round trip to an aiohttp handler that only checks the HMAC.
2. Fan-out: one digest to M channels through ``SlackPlatform.post`` while the fake answers 429
   to any channel posted to faster than once a second (Slack's chat.postMessage rule), then a
   second digest to the same channels straight after. Baseline: the same M raw
   ``chat.postMessage`` calls through slack-sdk with the same concurrency and no pacing.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from adapters.slack import create_platform  # noqa: E402
from bot.config import Settings, load_settings  # noqa: E402
from bot.domain import ChannelRef, Post  # noqa: E402
from digests.model import Dateline, Digest, Quote  # noqa: E402
from tests.fakes.slack_fake import TEAM_ID, FakeSlack, slash_payload  # noqa: E402

SECRET = "bench-signing-secret"
CONCURRENCY = 64
STORY = """ROTTERDAM, May 2 (Wirebrief) - Talks to end the harbour strike resumed on Tuesday.

"We are closer than we were, but nobody should expect a deal tonight," said Maria Lopez,
the leader of the dockers' union, as she arrived at the talks.
"""


def _sign(body: str, ts: int) -> str:
    return "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _settings(tmp: Path, fake: FakeSlack, wire: Path) -> Settings:
    config = tmp / "bench.toml"
    config.write_text(
        f'[store]\nurl = "sqlite:///{tmp / "bench.sqlite3"}"\n[console]\nsamples = false\n'
        "[scheduler]\nwire_settle_seconds = 0\n"
        f'[slack]\nmode = "http"\nport = 0\nmanagers = "everyone"\n[wires]\ndesk = "{wire}"\n',
        encoding="utf-8",
    )
    os.environ.update(
        {
            "WIREBRIEF_SLACK_BOT_TOKEN": "xoxb-bench",
            "WIREBRIEF_SLACK_SIGNING_SECRET": SECRET,
            "WIREBRIEF_SLACK_API_BASE": fake.api_base,
        }
    )
    return load_settings(config, ["slack"])


async def _signed_post(session: aiohttp.ClientSession, url: str, body: str) -> int:
    ts = int(time.time())
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": str(ts),
        "X-Slack-Signature": _sign(body, ts),
    }
    async with session.post(url, data=body.encode(), headers=headers) as resp:
        await resp.read()
        return resp.status


async def _baseline_round_trips(session: aiohttp.ClientSession, n: int) -> list[float]:
    async def bare(request: web.Request) -> web.Response:
        body = await request.text()
        ts = request.headers["X-Slack-Request-Timestamp"]
        ok = hmac.compare_digest(_sign(body, int(ts)), request.headers["X-Slack-Signature"])
        return web.Response(status=200 if ok else 401)

    app = web.Application()
    app.router.add_post("/slack/events", bare)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
    times = []
    for i in range(n):
        start = time.monotonic()
        assert await _signed_post(session, url, urlencode({"text": f"ping {i}"})) == 200
        times.append(time.monotonic() - start)
    await runner.cleanup()
    return times


async def _prepare_digest(settings: Settings, services, platform, wire: Path) -> tuple[str, object]:
    """Subscribe C1 to a wire with one story and run one engine pass, so `/digest` has a digest."""
    from bot.app import Engine

    (wire / "talks.txt").write_text(STORY, encoding="utf-8")
    await services.subscribe(ChannelRef("slack", "C1", TEAM_ID), "desk", None, "UTC", 1)
    engine = Engine(settings, services, [platform])
    await engine.run_pass()
    latest = await services.latest_digest(ChannelRef("slack", "C1", TEAM_ID))
    return ("" if latest else "list"), engine


async def bench_commands(n: int) -> None:
    from bot.app import open_services

    fake = FakeSlack()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        (tmp / "wire").mkdir()
        settings = _settings(tmp, fake, tmp / "wire")
        services = await open_services(settings)
        platform = create_platform(settings)
        await platform.start(services)
        text, engine = await _prepare_digest(settings, services, platform, tmp / "wire")
        async with aiohttp.ClientSession() as session:
            base = await _baseline_round_trips(session, n)
            acks, finals = [], []
            for i in range(n):
                key = f"b{i}"
                body = urlencode(slash_payload(fake, text, key=key))
                start = time.monotonic()
                assert await _signed_post(session, platform.events_url, body) == 200
                acks.append(time.monotonic() - start)
                rec = await fake.wait_for(lambda r, key=key: r.kind == "response" and r.name == key)
                finals.append(rec.at - start)
        await engine.stop()  # stops the platform too
        await services.aclose()
    await fake.close()
    kind = "`/digest` (latest, Block Kit)" if not text else "`/digest list`"
    b50, b95 = _pct(base, 0.5), _pct(base, 0.95)
    print(f"commands: {n} sequential {kind} over signed HTTP")
    print(f"  baseline bare signed round trip  p50 {b50 * 1e3:7.2f} ms  p95 {b95 * 1e3:7.2f} ms")
    for label, values in (("ack (HTTP 200)", acks), ("final response_url post", finals)):
        p50, p95 = _pct(values, 0.5), _pct(values, 0.95)
        print(
            f"  {label:<32} p50 {p50 * 1e3:7.2f} ms  p95 {p95 * 1e3:7.2f} ms"
            f"  = {p50 / b50:5.1f}x / {p95 / b95:5.1f}x baseline; max {max(values) * 1e3:.1f} ms (Slack allows 3000)"
        )


def _digest() -> Digest:
    quote = "We are closer than we were, but nobody should expect a deal tonight"
    return Digest(
        headline="Harbour strike talks resume",
        dateline=Dateline("ROTTERDAM", "May 2", "Wirebrief"),
        quotes=(Quote(quote, "Maria Lopez", "union leader", 1, 1 + len(quote)),),
        key_quotes=(0,),
        text=quote,
        url="https://news.example/talks",
    )


async def _gather_limited(coros, limit: int = CONCURRENCY) -> None:
    sem = asyncio.Semaphore(limit)

    async def one(coro):
        async with sem:
            return await coro

    await asyncio.gather(*(one(c) for c in coros))


async def bench_fanout(m: int) -> None:
    fake = FakeSlack()
    await fake.start()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        settings = _settings(tmp, fake, tmp)
        channels = [f"C{i:05d}" for i in range(m)]
        raw = AsyncWebClient(token="xoxb-bench", base_url=fake.api_base)
        await _gather_limited(raw.chat_postMessage(channel=f"W{i}", text="warm-up") for i in range(CONCURRENCY))
        start = time.monotonic()
        await _gather_limited(raw.chat_postMessage(channel=f"B{c}", text="baseline") for c in channels)
        raw_s = time.monotonic() - start
        await raw.session.close() if raw.session else None

        fake.channel_interval = 1.0
        platform = create_platform(settings)
        digest = _digest()
        rounds = []
        for _ in range(2):
            start = time.monotonic()
            await _gather_limited(
                platform.post(Post(digest, ChannelRef("slack", c, TEAM_ID), "desk", None, None)) for c in channels
            )
            rounds.append(time.monotonic() - start)
        await platform.stop()
    await fake.close()
    posts = [r for r in fake.calls("chat.postMessage") if r.body["channel"].startswith("C")]
    by_channel: dict[str, list[float]] = {}
    for rec in posts:
        if rec.status == 200:
            by_channel.setdefault(rec.body["channel"], []).append(rec.at)
    gaps = [b - a for times in by_channel.values() for a, b in itertools.pairwise(times)]
    print(f"fan-out: one digest to {m} channels, concurrency {CONCURRENCY}, fake enforcing 1 post/s per channel")
    print(f"  baseline raw chat.postMessage x{m}: {raw_s:6.2f} s  {m / raw_s:7.0f} req/s")
    print(
        f"  first digest:  {rounds[0]:6.2f} s  {m / rounds[0]:7.0f} req/s  = {raw_s / rounds[0]:4.2f}x baseline speed"
    )
    print(f"  second digest straight after: {rounds[1]:6.2f} s (each channel waits its 1 s turn)")
    print(
        f"  429s from the per-channel rule: {fake.rate_limited}; smallest gap between posts to one channel:"
        f" {min(gaps) if gaps else float('nan'):.3f} s; delivered {sum(len(t) for t in by_channel.values())}/{2 * m}"
    )
    budget = m / platform.rate_per_second
    print(f"  through the outbox at rate_per_second={platform.rate_per_second:g}: {budget:.0f} s for {m} channels")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commands", type=int, default=200)
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--only", choices=["commands", "fanout"])
    args = parser.parse_args()
    if args.only != "fanout":
        await bench_commands(max(1, min(args.commands, 5000)))
    if args.only != "commands":
        await bench_fanout(max(1, min(args.channels, 20000)))


if __name__ == "__main__":
    asyncio.run(main())
