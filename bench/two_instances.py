"""Two `wirebrief run` instances on one PostgreSQL and one Redis against fakes that enforce the
platforms' limits, with one instance without Redis as the baseline measured in the same run.

    .venv/bin/python bench/two_instances.py [--channels 1000] [--slack-posts 30] [--interval 5]

1. Discord: one feed item becomes one digest owed to ``--channels`` channels; the fake Discord
   answers 429 past 50 requests/s per token (any one-second window). Printed: seconds from
   the first post to the last, the busiest second, 429s, channels posted exactly once, and
   how often the feed was fetched per poll interval across both instances. Then the same
   with one instance and no Redis (the baseline: the single-process default) for the ratio.
2. Slack: ``--slack-posts`` new items of one feed owed to one channel, both instances
   posting; the fake Slack answers 429 to a channel posted to twice within a second.

Everything runs on this machine: a bench database created here and dropped at the end
(never ``test``), Redis database 14 (this run's keys only, removed at the end), the fakes
and the feed server in this process, the instances as real subprocesses. Every wait is
bounded in time and every loop in count.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from tests.bot.proc import Bot  # noqa: E402
from tests.fakes.discord_fake import FakeDiscord, Recorded  # noqa: E402
from tests.fakes.discord_limits import EXEMPT  # noqa: E402
from tests.fakes.slack_fake import TEAM_ID, FakeSlack  # noqa: E402

PG = "host=127.0.0.1 port=5432 user=postgres connect_timeout=5"
REDIS_URL = "redis://127.0.0.1:6379/14"
DISCORD_LIMIT = 50
#: Longest the bench waits for a fan-out to finish before it reports what it has.
FANOUT_BOUND = 180.0


SYLLABLES = ["ka", "ro", "vin", "tel", "mu", "sar", "qui", "dorn", "lep", "zan", "fio", "gret", "hul", "besk"]


def word(n: int, salt: int, length: int = 3) -> str:
    """A made-up word of its own for each (n, salt): stories share no name, place or subject
    word, so the story clusterer keeps every one apart (one post each, no thread replies)."""
    out, x = [], n * 7919 + salt * 104729 + 13
    for _ in range(length):
        out.append(SYLLABLES[x % len(SYLLABLES)])
        x //= len(SYLLABLES)
        x += 31 * salt + 1
    return "".join(out)


def story(n: int, token: str) -> str:
    place, person, thing, deed = (word(n, s) for s in (1, 2, 3, 4))
    return (
        f"{place.upper()}, May {n % 28 + 1} (Bench Wire) - Officials in {place.title()} said the {thing} "
        f"would {deed} the {word(n, 5)} by the end of the {word(n, 6)} season.\n\n"
        f'"We have never seen a {thing} like this {token}," said {person.title()} {word(n, 7).title()}, '
        f"the {word(n, 8)} minister.\n"
    )


class Feeds:
    """RSS feeds on 127.0.0.1 whose items the bench adds as it goes; every fetch is counted."""

    def __init__(self) -> None:
        self.items: dict[str, list[tuple[str, str, str]]] = {}
        self.fetches: dict[str, list[float]] = {}
        self.port = 0
        self._runner: web.AppRunner | None = None

    async def start(self) -> Feeds:
        app = web.Application()
        app.router.add_get("/{name}.xml", self._feed)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}.xml"

    def add(self, name: str, guid: str, title: str, text: str) -> None:
        self.items.setdefault(name, []).insert(0, (guid, title, text))

    async def _feed(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        self.fetches.setdefault(name, []).append(time.monotonic())
        entries = "".join(
            f'<item><guid isPermaLink="false">{escape(g)}</guid><title>{escape(t)}</title>'
            f"<link>https://bench.example/{escape(g)}</link><description>{escape(x)}</description></item>"
            for g, t, x in self.items.get(name, [])
        )
        body = (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench {name}</title>'
            f"<link>https://bench.example/</link><description>bench</description>{entries}</channel></rss>"
        )
        return web.Response(body=body.encode(), content_type="application/rss+xml")


def create_database() -> str:
    import psycopg

    name = f"wirebrief_bench_{os.getpid()}"
    with psycopg.connect(f"{PG} dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return name


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG} dbname=postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def store_url(database: str, schema: str) -> str:
    import psycopg

    with psycopg.connect(f"{PG} dbname={database}", autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}?options=-csearch_path%3D{schema}"


async def drop_redis_keys(token_names: list[str]) -> None:
    import redis.asyncio as redis

    from bot.ratelimit import namespace_for

    client = redis.Redis.from_url(REDIS_URL)
    try:
        for platform, token in token_names:
            keys = [k async for k in client.scan_iter(f"{namespace_for(platform, token)}:*")]
            if keys:
                await client.delete(*keys)
    finally:
        await client.aclose()


def write_config(tmp: Path, name: str, store: str, interval: int, platform: str, extra: str) -> Path:
    path = tmp / f"{name}.toml"
    path.write_text(
        f"""platforms = ["{platform}"]
[store]
url = "{store}"
[fetch]
allow_private_addresses = true
timeout_seconds = 5
[scheduler]
poll_interval_seconds = {interval}
[console]
samples = false
{extra}
""",
        encoding="utf-8",
    )
    return path


async def subscribe_all(config: Path, platform: str, refs: list[tuple[str, str | None]], feed: str) -> None:
    """Subscriptions made through the real services (what `/digest subscribe` calls), backfill 0."""
    from bot.app import open_services
    from bot.config import load_settings
    from bot.domain import ChannelRef

    services = await open_services(load_settings(config, [platform]))
    try:
        for channel, workspace in refs:
            await services.subscribe(ChannelRef(platform, channel, workspace), feed, None, "UTC", 0)
    finally:
        await services.aclose()


async def start_bots(tmp: Path, names: list[str], config: Path, platform: str, env: dict[str, str]) -> list[Bot]:
    bots: list[Bot] = []
    try:
        for name in names:
            bots.append(await asyncio.to_thread(Bot, tmp, name, "--platform", platform, "--config", str(config), **env))
    except BaseException:
        for bot in bots:
            bot.kill9()
        raise
    return bots


def stop_bots(bots: list[Bot]) -> list[str]:
    """Ctrl-C each; the lines a bot logged at WARNING or above (429s, Redis, crashes)."""
    problems = []
    for bot in bots:
        try:
            bot.interrupt()
        except Exception:
            bot.kill9()
        problems += [
            line for line in bot.err.read_text(errors="replace").splitlines() if " WARNING " in line or "ERROR" in line
        ]
    return problems


@contextlib.contextmanager
def quiet_collector() -> Iterator[None]:
    """No garbage collection in this process while a fan-out is measured. The fake Discord
    runs here: a full collection stalls its event loop 100-300 ms, the requests that arrive
    meanwhile are counted at once when it resumes, and the second after holds more than the
    bot sent in any second — a 429 of the bench's making. Bounded: one fan-out's garbage."""
    import gc

    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        gc.unfreeze()


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    best, lo = 0, 0
    for hi, at in enumerate(times):
        while at - times[lo] >= 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


def timeline(times: list[float]) -> str:
    """Posts in each whole second from the first post: where the pace fell short of the limit."""
    if not times:
        return ""
    first = min(times)
    counts = Counter(int(t - first) for t in times)
    return " ".join(str(counts.get(s, 0)) for s in range(max(counts) + 1))


def fetches_per_interval(fetches: list[float], start: float, end: float, interval: int) -> str:
    """How often the feed was fetched per poll interval across every instance, and the
    shortest gap between two fetches (a second instance polling it too would show as ~0 s)."""
    during = sorted(t for t in fetches if start <= t < end)
    per = len(during) / max(1e-9, (end - start) / interval)
    gap = min((b - a for a, b in itertools.pairwise(during)), default=float("nan"))
    return f"{len(during)} times in {end - start:.0f} s = {per:.2f} per interval, shortest gap {gap:.1f} s"


async def wait_until(predicate, bound: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + bound
    while time.monotonic() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.2)
    return predicate()


async def discord_run(tmp: Path, database: str, label: str, instances: int, redis: bool, args, feeds: Feeds) -> dict:  # type: ignore[no-untyped-def]
    fake = await FakeDiscord(channels=args.channels).start()
    limits = fake.enforce_limits(per_second=DISCORD_LIMIT)
    token = f"bench-{uuid.uuid4().hex}"
    feed = f"discord-{label}"
    feeds.add(feed, f"{feed}-old", "Before the bench", story(0, "Old"))
    extra = (
        f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\nguild_ready_timeout = 0.05\n'
        + (f'[redis]\nurl = "{REDIS_URL}"\n' if redis else "")
    )
    config = write_config(tmp, label, store_url(database, label), args.interval, "discord", extra)
    await subscribe_all(config, "discord", [(c, fake.guild_id) for c in fake.channel_ids], feeds.url(feed))
    bots = await start_bots(
        tmp, [f"{label}-{i}" for i in range(instances)], config, "discord", {"WIREBRIEF_DISCORD_TOKEN": token}
    )
    try:
        start = time.monotonic()
        before = len(fake.requests)
        with quiet_collector():
            feeds.add(feed, f"{feed}-new", "The bench story", story(1, "Fanout"))
            done = await wait_until(
                lambda: sum(1 for c in fake.channel_ids if fake.messages[c]) >= args.channels, FANOUT_BOUND
            )
        # one more interval: nobody posts again, and the feed's fetches over whole intervals
        await asyncio.sleep(args.interval)
        end = time.monotonic()
    finally:
        problems = stop_bots(bots)
        await fake.close()
        await drop_redis_keys([("discord", token)])
    requests = fake.requests[before:]
    posts = [
        r
        for r in requests
        if r.kind == "http" and r.method == "POST" and r.path.endswith("/messages") and r.status == 200
    ]
    counted = [r.at for r in requests if _counted(r)]
    once = sum(1 for c in fake.channel_ids if len(fake.messages[c]) == 1)
    twice = sum(1 for c in fake.channel_ids if len(fake.messages[c]) > 1)
    seconds = posts[-1].at - posts[0].at if len(posts) > 1 else float("nan")
    return {
        "label": label,
        "done": done,
        "seconds": seconds,
        "from_item": (posts[-1].at - start) if posts else float("nan"),
        "busiest": busiest_second(counted),
        "refused": sum(limits.refused.values()),
        "once": once,
        "twice": twice,
        "fetches": fetches_per_interval(feeds.fetches.get(feed, []), start, end, args.interval),
        "timeline": timeline([r.at for r in posts]),
        "problems": [p for p in problems if "rate limit" in p.lower() or "429" in p or "ERROR" in p][:5],
    }


def _counted(r: Recorded) -> bool:
    return r.kind == "http" and r.status != 429 and not r.path.startswith(EXEMPT)


async def slack_run(tmp: Path, database: str, args, feeds: Feeds) -> dict:  # type: ignore[no-untyped-def]
    fake = FakeSlack()
    await fake.start()
    fake.channel_interval = 1.0
    fake.add_channel("C1")
    token = f"xoxb-bench-{uuid.uuid4().hex}"
    feed = "slack-two"
    feeds.add(feed, "slack-old", "Before the bench", story(0, "Old"))
    extra = f'[slack]\nmode = "http"\nport = 0\napi_base = "{fake.api_base}"\n[redis]\nurl = "{REDIS_URL}"\n'
    config = write_config(tmp, "slack", store_url(database, "slack"), args.interval, "slack", extra)
    await subscribe_all(config, "slack", [("C1", TEAM_ID)], feeds.url(feed))
    env = {"WIREBRIEF_SLACK_BOT_TOKEN": token, "WIREBRIEF_SLACK_SIGNING_SECRET": "bench-secret"}
    bots = await start_bots(tmp, ["slack-0", "slack-1"], config, "slack", env)
    try:
        start = time.monotonic()
        for n in range(args.slack_posts):
            feeds.add(feed, f"slack-{n}", f"Bench story {n}", story(n + 2, f"Slack{n:02d}"))
        ok = lambda: len([c for c in fake.calls("chat.postMessage") if c.status == 200]) >= args.slack_posts  # noqa: E731
        done = await wait_until(ok, FANOUT_BOUND)
        await asyncio.sleep(2)  # a little longer: nothing more arrives
    finally:
        stop_bots(bots)
        await fake.close()
        await drop_redis_keys([("slack", token)])
    posts = [c for c in fake.calls("chat.postMessage") if c.status == 200]
    tokens = Counter(f"Slack{n:02d}" for n in range(args.slack_posts) for c in posts if f"Slack{n:02d}" in str(c.body))
    return {
        "done": done,
        "posts": len(posts),
        "refused": fake.rate_limited,
        "distinct": len(tokens),
        "twice": sum(1 for v in tokens.values() if v > 1),
        "seconds": (posts[-1].at - start) if posts else float("nan"),
    }


async def main(args: argparse.Namespace) -> None:
    database = create_database()
    feeds = await Feeds().start()
    try:
        with tempfile.TemporaryDirectory() as tmpdir:
            tmp = Path(tmpdir)
            two = await discord_run(tmp, database, "two", 2, True, args, feeds)
            one = await discord_run(tmp, database, "one", 1, False, args, feeds) if not args.no_baseline else None
            slack = await slack_run(tmp, database, args, feeds) if args.slack_posts else None
    finally:
        await feeds.close()
        drop_database(database)
    print(f"machine: {os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.1f}")
    for run in (two, one):
        if run is None:
            continue
        who = "two instances + Redis" if run["label"] == "two" else "baseline: one instance, no Redis"
        print(
            f"discord, {who}: {args.channels} channels in {run['seconds']:.1f} s from the first post to the last "
            f"({run['from_item']:.1f} s from the item's appearance){'' if run['done'] else ' (BOUND HIT)'}; "
            f"busiest second {run['busiest']} requests (limit {DISCORD_LIMIT}); {run['refused']} x 429; "
            f"{run['once']} channels posted once, {run['twice']} more than once; "
            f"feed ({args.interval} s interval) fetched {run['fetches']}"
        )
        if args.timeline:
            print(f"    posts per second: {run['timeline']}")
        for line in run["problems"]:
            print(f"    logged: {line[:200]}")
    if one is not None:
        print(f"discord ratio, two instances / baseline: {two['seconds'] / one['seconds']:.2f}x the time")
    if slack is not None:
        print(
            f"slack, two instances + Redis, one channel: {slack['posts']} posts of {args.slack_posts} "
            f"({slack['distinct']} distinct, {slack['twice']} twice) in {slack['seconds']:.1f} s; "
            f"{slack['refused']} x 429{'' if slack['done'] else ' (BOUND HIT)'}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=1000)
    parser.add_argument("--slack-posts", type=int, default=30)
    parser.add_argument("--interval", type=int, default=5, help="poll interval in seconds (at least 5)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--timeline", action="store_true", help="print the posts sent in each second")
    parsed = parser.parse_args()
    parsed.channels = max(1, min(parsed.channels, 5000))
    parsed.slack_posts = max(0, min(parsed.slack_posts, 100))
    parsed.interval = max(5, min(parsed.interval, 60))
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main(parsed))
