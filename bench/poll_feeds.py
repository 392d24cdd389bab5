"""Poll 1,000 feeds served locally: a first pass (200s, parse every feed) and a pass of 304s.

    .venv/bin/python bench/poll_feeds.py [--feeds 1000] [--items 20] [--concurrency 50]

The server runs in a child process (aiohttp, 127.0.0.1, port 0) so the CPU-seconds printed
are the poller's own: SafeFetcher (SSRF guard, caps, deadline) + feed parsing in threads,
exactly the path the engine uses. The 304 pass is reported as a ratio to the first pass
measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# --------------------------------------------------------------------------- server (child process)


def _feed_xml(n: int, items: int) -> bytes:
    entries = "".join(
        f"<item><guid>feed{n}-item{i}</guid><title>Story {i} from feed {n}</title>"
        f"<link>https://news{n}.example/story/{i}</link>"
        f"<pubDate>Mon, {1 + i % 28:02d} Jan 2025 {i % 24:02d}:00:00 GMT</pubDate>"
        f"<description>&lt;p&gt;PORT TOWN, Jan {1 + i % 28} (Bench Wire) - Story {i} of feed {n}. "
        f"&quot;We expect a decision soon,&quot; said the harbour master, Ana Ruiz.&lt;/p&gt;"
        f"&lt;p&gt;Officials said talks would continue next week.&lt;/p&gt;</description></item>"
        for i in range(items)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench feed {n}</title>'
        f"<link>https://news{n}.example/</link>{entries}</channel></rss>"
    ).encode()


def serve(feeds: int, items: int) -> None:
    from aiohttp import web

    bodies = {n: _feed_xml(n, items) for n in range(feeds)}

    async def handler(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        etag = f'"f{n}-v1"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=bodies[n], content_type="application/rss+xml", headers={"ETag": etag})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n:\\d+}.xml", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=1024)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        print(port, flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


# --------------------------------------------------------------------------- poller (this process)


async def poll_pass(urls: list[str], etags: dict[str, str | None], concurrency: int) -> tuple[float, float, dict]:
    from bot.config import FetchSettings
    from bot.fetch import SafeFetcher
    from bot.sources.feeds import fetch_feed

    counts: dict[str, int] = {"200": 0, "304": 0, "items": 0, "errors": 0}
    gate = asyncio.Semaphore(concurrency)
    async with SafeFetcher(FetchSettings(allow_private_addresses=True)) as fetcher:

        async def one(url: str) -> None:
            async with gate:
                try:
                    result, feed = await fetch_feed(fetcher, url, etag=etags.get(url))
                except Exception as exc:  # a bench counts failures, it does not stop on them
                    counts["errors"] += 1
                    print(f"  error {url}: {exc}", file=sys.stderr)
                    return
                etags[url] = result.etag
                counts[str(result.status)] = counts.get(str(result.status), 0) + 1
                counts["items"] += len(feed.items) if feed else 0

        wall0, cpu0 = time.perf_counter(), time.process_time()
        await asyncio.gather(*(one(url) for url in urls))
        return time.perf_counter() - wall0, time.process_time() - cpu0, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.feeds, args.items)
        return

    import logging

    logging.basicConfig(level=logging.ERROR)
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--feeds", str(args.feeds), "--items", str(args.items)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        port = int(child.stdout.readline())  # type: ignore[union-attr]
        urls = [f"http://127.0.0.1:{port}/feed/{n}.xml" for n in range(args.feeds)]
        etags: dict[str, str | None] = {}
        first = asyncio.run(poll_pass(urls, etags, args.concurrency))
        second = asyncio.run(poll_pass(urls, etags, args.concurrency))
    finally:
        child.terminate()
        child.wait(timeout=5)

    per_k = 1000 / args.feeds
    print(f"poll {args.feeds} feeds x {args.items} items, concurrency {args.concurrency}, one local server")
    for name, (wall, cpu, counts) in (("first pass (200)", first), ("second pass (304)", second)):
        print(
            f"  {name:18s} {args.feeds / wall:8.0f} feeds/s   {cpu * per_k:6.2f} CPU-s per 1,000   "
            f"wall {wall:5.2f}s   {counts}"
        )
    print(
        f"  304 pass / first pass: throughput x{(args.feeds / second[0]) / (args.feeds / first[0]):.2f}, "
        f"CPU per feed x{second[1] / first[1]:.2f}"
    )
    print(f"  peak RSS of the poller: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
