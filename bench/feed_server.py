"""Local feeds for the polling benches, served by aiohttp in a child process on 127.0.0.1
(so the server's CPU is not the poller's).

* ``/feed/{n}.xml`` — a static feed with ``items`` items and an ETag (304 on a match);
* ``/hung/{n}.xml`` — accepts the request and never answers;
* ``/live/{n}.xml`` — a feed whose item k appears at ``t0 + offset(n) + k * period`` (epoch
  seconds; see :func:`live_item_time`), so a bench can compute each item's latency from the
  time it appeared to the time it was posted.

    start_feed_server(feeds, items=1, t0=None, period=60.0) -> (Popen, base_url)
"""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import sys
import time
from email.utils import formatdate
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def live_item_time(t0: float, period: float, n: int, k: int) -> float:
    """When item ``k`` of live feed ``n`` appears (epoch seconds): feeds are staggered over a period."""
    offset = int.from_bytes(hashlib.sha1(f"live{n}".encode()).digest()[:4], "big") % 1000 / 1000 * period
    return t0 + offset + k * period


def _item(n: int, i: int, kind: str, published: float | None = None) -> str:
    date = formatdate(published if published is not None else 1_735_689_600 + i * 3600, usegmt=True)
    return (
        f"<item><guid>{kind}{n}-item{i}</guid><title>Story {i} from feed {n}</title>"
        f"<link>https://news{n}.example/{kind}/{i}</link><pubDate>{date}</pubDate>"
        f"<description>&lt;p&gt;PORT TOWN, Jan {1 + i % 28} (Bench Wire) - Story {i} of feed {n}. "
        f"&quot;We expect a decision soon,&quot; said the harbour master, Ana Ruiz.&lt;/p&gt;</description></item>"
    )


def _rss(n: int, items: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Bench feed {n}</title>'
        f"<link>https://news{n}.example/</link>{items}</channel></rss>"
    ).encode()


def serve(items: int, t0: float, period: float) -> None:
    from aiohttp import web

    bodies: dict[int, bytes] = {}

    async def static(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        etag = f'"f{n}-v1"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        if n not in bodies:
            bodies[n] = _rss(n, "".join(_item(n, i, "feed") for i in range(items)))
        return web.Response(body=bodies[n], content_type="application/rss+xml", headers={"ETag": etag})

    async def hung(request: web.Request) -> web.Response:
        await asyncio.sleep(3600)
        return web.Response(status=204)

    async def live(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        now = time.time()
        shown = [k for k in range(10_000) if live_item_time(t0, period, n, k) <= now][-5:]
        etag = f'"l{n}-{shown[-1] if shown else -1}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        body = _rss(n, "".join(_item(n, k, "live", live_item_time(t0, period, n, k)) for k in reversed(shown)))
        return web.Response(body=body, content_type="application/rss+xml", headers={"ETag": etag})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/feed/{n:\\d+}.xml", static)
        app.router.add_get("/hung/{n:\\d+}.xml", hung)
        app.router.add_get("/live/{n:\\d+}.xml", live)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=2048)
        await site.start()
        print(site._server.sockets[0].getsockname()[1], flush=True)  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


def start_feed_server(
    feeds: int, items: int = 1, t0: float | None = None, period: float = 60.0
) -> tuple[subprocess.Popen[str], str]:
    """Start the server; returns the child and its base URL (http://127.0.0.1:PORT)."""
    child = subprocess.Popen(
        [sys.executable, __file__, str(items), str(t0 if t0 is not None else time.time()), str(period)],
        stdout=subprocess.PIPE,
        text=True,
    )
    port = int(child.stdout.readline())  # type: ignore[union-attr]
    return child, f"http://127.0.0.1:{port}"


if __name__ == "__main__":
    serve(int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]))
