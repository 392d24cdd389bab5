"""Peak RSS of `wirebrief run --once` with 1,000 feed sources and 1,000 subscriptions.

The feeds are served by a local HTTP server (127.0.0.1, this process); the bot runs as a real
subprocess on a temp SQLite store. The baseline, measured in the same run, is a subprocess that
only imports everything `wirebrief run` imports. Prints both and their ratio.

    .venv/bin/python bench/run_memory.py [--feeds 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

IMPORTS = (
    "import bot.cli, bot.app, bot.engine, bot.fetch, bot.sources.feeds, bot.sources.wire, "
    "adapters.console, digests, apscheduler.schedulers.asyncio, sqlalchemy, feedparser, httpx"
)


def feed(n: int) -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {n}</title><link>https://example.com/{n}</link>'
        f"<description>bench</description><item><guid>item-{n}</guid><title>Story {n}</title>"
        f"<link>https://example.com/{n}/1</link><description>LEEDS, May 2 - Council {n} agreed a budget. "
        f"&quot;We kept every library open,&quot; said council leader Ann Lee {n}.</description></item>"
        "</channel></rss>"
    ).encode()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        n = int(self.path.strip("/").split("/")[-1] or 0)
        body = feed(n)
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def measure(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"child failed: {args} {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return usage.ru_maxrss / 1024, wall


async def subscribe_all(config: Path, base: str, feeds: int) -> None:
    from bot.app import open_services
    from bot.config import load_settings
    from bot.domain import ChannelRef

    services = await open_services(load_settings(config))
    try:
        for n in range(feeds):
            await services.subscribe(ChannelRef("console", f"c{n}"), f"{base}/feed/{n}", backfill=1)
    finally:
        await services.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=1000)
    opts = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "bench.toml"
        config.write_text(
            f'[store]\nurl = "sqlite:///{tmp}/bench.sqlite3"\n[fetch]\nallow_private_addresses = true\n'
            '[console]\nsamples = false\n[log]\nlevel = "WARNING"\n'
        )
        asyncio.run(subscribe_all(config, base, opts.feeds))
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIREBRIEF_")}
        env["XDG_DATA_HOME"] = tmp
        base_rss, base_wall = measure([sys.executable, "-c", IMPORTS], env)
        cmd = [sys.executable, "-c", "from bot.cli import main; main()", "run", "--once", "--config", str(config)]
        run_rss, run_wall = measure(cmd, env)
    server.shutdown()
    print(f"baseline (interpreter + imports): peak RSS {base_rss:.1f} MB, {base_wall:.2f} s")
    print(
        f"wirebrief run --once, {opts.feeds} feeds / {opts.feeds} subscriptions: peak RSS {run_rss:.1f} MB, "
        f"{run_wall:.2f} s ({opts.feeds} digests posted)"
    )
    print(f"ratio run/baseline: {run_rss / base_rss:.2f}x RSS; +{run_rss - base_rss:.1f} MB over the imports")


if __name__ == "__main__":
    main()
