"""Hung feeds beside healthy ones: 50 healthy feeds whose items appear over time, with and
without 1,000 feeds that accept the request and never answer. A real `wirebrief run` process
polls them; each healthy item's latency is the time from its appearance in its feed to the
moment the bot recorded it (items.first_seen). Prints p50/p95 of both runs and the ratio.

    .venv/bin/python bench/poll_hung.py [--healthy 50] [--hung 1000] [--hung-servers 1]
                                        [--seconds 150] [--interval 20] [--period 30]

The control run (healthy feeds only) and the hung run use the same poll interval and item
schedule; the hung feeds are subscribed first, so at cold start the poller meets them first.
``--hung-servers K`` spreads the hung feeds over K server processes (K hosts:ports).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.feed_server import live_item_time, start_feed_server  # noqa: E402


def seed(url: str, feeds: list[str]) -> None:
    from sqlalchemy import insert

    from bot.store import Store
    from bot.store.models import SourceRow, SubscriptionRow
    from bot.store.types import source_host, utcnow

    store = Store.open(url)
    now = utcnow()
    try:
        with store.tx() as s:
            for u in feeds:
                sid = s.execute(
                    insert(SourceRow)
                    .values(kind="feed", url=u, name=u, failures=0, created=now, host=source_host("feed", u))
                    .returning(SourceRow.id)
                ).scalar_one()
                s.execute(
                    insert(SubscriptionRow).values(
                        platform="console",
                        workspace="",
                        channel=f"c{sid}",
                        source_id=sid,
                        timezone="UTC",
                        backfill=0,
                        created=now,
                    )
                )
    finally:
        store.close()


def latencies(url: str, t0: float, period: float, started: float) -> list[float]:
    """Seconds from each live item's appearance to its first_seen, for items that appeared
    after the bot started."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    out = []
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT guid, first_seen FROM items WHERE guid LIKE 'live%'")).all()
    finally:
        engine.dispose()
    for guid, first_seen in rows:
        n, k = guid.removeprefix("live").split("-item")
        appeared = live_item_time(t0, period, int(n), int(k))
        if appeared < started:
            continue
        seen = first_seen if isinstance(first_seen, datetime) else datetime.fromisoformat(first_seen)
        out.append(seen.replace(tzinfo=UTC).timestamp() - appeared)
    return out


def run(args: argparse.Namespace, hung: int, tmp: Path) -> tuple[list[float], int]:
    t0 = time.time()
    servers = []
    try:
        live_srv, live_base = start_feed_server(0, t0=t0, period=args.period)
        servers.append(live_srv)
        feeds = []
        per = -(-hung // max(1, args.hung_servers)) if hung else 0
        for k in range(args.hung_servers if hung else 0):
            srv, base = start_feed_server(0)
            servers.append(srv)
            feeds += [f"{base}/hung/{n}.xml" for n in range(k * per, min(hung, (k + 1) * per))]
        feeds += [f"{live_base}/live/{n}.xml" for n in range(args.healthy)]
        url = f"sqlite:///{tmp / 'bench.sqlite3'}"
        seed(url, feeds)
        config = tmp / "bench.toml"
        config.write_text(
            f'platforms = ["console"]\n[store]\nurl = "{url}"\n[fetch]\nallow_private_addresses = true\n'
            f"[scheduler]\npoll_interval_seconds = {args.interval}\n"
            '[console]\nsamples = false\n[log]\nlevel = "ERROR"\n'
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("WIREBRIEF_")}
        env["XDG_DATA_HOME"] = str(tmp)
        env["PYTHONPATH"] = str(ROOT)  # this checkout's bot, whatever is installed
        cmd = [sys.executable, "-c", "from bot.cli import main; main()", "run", "--config", str(config)]
        started = time.time()
        err = (tmp / "bot.err").open("w")
        bot = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err, cwd=tmp)
        try:
            deadline = time.monotonic() + args.seconds
            while time.monotonic() < deadline:
                time.sleep(0.5)
                if bot.poll() is not None:  # a bot that died measures nothing: say why
                    raise SystemExit(f"bot exited {bot.returncode}: {(tmp / 'bot.err').read_text()[-2000:]}")
        finally:
            bot.terminate()
            try:
                bot.wait(timeout=30)
            except subprocess.TimeoutExpired:
                bot.kill()
                bot.wait()
            err.close()
        from sqlalchemy import create_engine, text

        engine = create_engine(url)
        with engine.connect() as conn:
            hung_polls = conn.execute(
                text("SELECT count(*) FROM sources WHERE url LIKE '%/hung/%' AND last_fetch IS NOT NULL")
            ).scalar()
        engine.dispose()
        return latencies(url, t0, args.period, started), int(hung_polls or 0)
    finally:
        for srv in servers:
            srv.terminate()
            srv.wait(timeout=5)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--healthy", type=int, default=50)
    parser.add_argument("--hung", type=int, default=1000)
    parser.add_argument("--hung-servers", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=150)
    parser.add_argument("--interval", type=int, default=20, help="the bot's poll interval")
    parser.add_argument("--period", type=float, default=30, help="seconds between a live feed's items")
    args = parser.parse_args()
    results = {}
    for name, hung in (("control", 0), ("hung", args.hung)):
        with tempfile.TemporaryDirectory() as tmpdir:
            lat, hung_polls = run(args, hung, Path(tmpdir))
        results[name] = lat
        extra = f", {hung_polls} of {hung} hung feeds tried" if hung else ""
        print(
            f"{name:8s}: {len(lat)} healthy items, latency p50 {_pct(lat, 50):5.1f} s, p95 {_pct(lat, 95):5.1f} s, "
            f"max {max(lat) if lat else float('nan'):5.1f} s{extra}",
            flush=True,
        )
    c95, h95 = _pct(results["control"], 95), _pct(results["hung"], 95)
    print(
        f"{args.hung} hung feeds on {args.hung_servers} server(s) beside {args.healthy} healthy, poll interval "
        f"{args.interval} s: healthy p95 {h95:.1f} s vs control {c95:.1f} s = x{h95 / c95:.2f} (goal <= 1.2)"
    )


if __name__ == "__main__":
    main()
