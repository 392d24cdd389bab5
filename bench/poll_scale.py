"""Cold start and restart of a real `wirebrief run` process with N local feeds: time until
every feed has been polled once, peak RSS, and CPU seconds per 1,000 polls — for several N, so
the curve shows whether the work per poll stays flat as the number of feeds grows.

    .venv/bin/python bench/poll_scale.py [--feeds 1000,2000,5000,10000] [--pg] [--interval 300]

Each N gets a fresh store (SQLite file, or a fresh schema in PostgreSQL's database `test` with
--pg) with N feed sources, each subscribed by one console channel with backfill 0 (so the run
polls and ingests every feed but posts nothing: this measures polling, not the console). The
feeds are served by an aiohttp server in a child process on 127.0.0.1 (one item each, ETag),
and the bot runs as a real subprocess; this process samples its CPU time and RSS from /proc.

Two phases per N. *Cold start*: every feed is new, so each poll also parses, summarises,
assigns a story and computes deliveries. *Restart*: the bot is stopped, every source is made
due at once (a downtime longer than the poll interval, leases run out) and the bot started
again; every feed answers 304, so this is the polling alone — and it shows whether a burst of
due sources blows memory. CPU per 1,000 polls is measured between 5% and 100% of the feeds
polled (start-up excluded); ratios are against the first N of the same run.

CPU time on a shared machine swells with the load beside it (on 2 cores, ±20% between runs of
the same code), so each N's line shows the load average around it, and the first N runs
again at the end: its ratio to its first run is the noise a ratio above carries.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.feed_server import start_feed_server  # noqa: E402


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def seed(url: str, base: str, feeds: int) -> None:
    """N sources and N subscriptions, bulk-inserted (the bench is about polling, not subscribing)."""
    from sqlalchemy import insert

    from bot.store import Store
    from bot.store.models import SourceRow, SubscriptionRow
    from bot.store.types import source_host, utcnow

    store = Store.open(url)
    now = utcnow()
    try:
        with store.tx() as s:
            for start in range(0, feeds, 1000):
                rows = []
                for n in range(start, min(feeds, start + 1000)):
                    u = f"{base}/feed/{n}.xml"
                    rows.append(
                        {
                            "kind": "feed",
                            "url": u,
                            "name": u,
                            "failures": 0,
                            "created": now,
                            "host": source_host("feed", u),
                        }
                    )
                s.execute(insert(SourceRow), rows)
            ids = [r[0] for r in s.execute(SourceRow.__table__.select().with_only_columns(SourceRow.id)).all()]
            subs = [
                {
                    "platform": "console",
                    "workspace": "",
                    "channel": f"c{i}",
                    "source_id": i,
                    "timezone": "UTC",
                    "backfill": 0,
                    "created": now,
                }
                for i in ids
            ]
            for start in range(0, len(subs), 1000):
                s.execute(insert(SubscriptionRow), subs[start : start + 1000])
    finally:
        store.close()


def polled(url: str, since: datetime | None = None) -> int:
    """Sources fetched (since ``since``, when given)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if since is None:
                sql, params = "SELECT count(*) FROM sources WHERE last_fetch IS NOT NULL", {}
            else:
                sql, params = "SELECT count(*) FROM sources WHERE last_fetch >= :since", {"since": since}
            return int(conn.execute(text(sql), params).scalar() or 0)
    finally:
        engine.dispose()


def downtime(url: str, interval: int) -> datetime:
    """What a restart after downtime longer than the poll interval finds: every source's next
    poll in the past and every lease run out. Returns the restart time (naive UTC)."""
    from sqlalchemy import create_engine, text

    from bot.store.types import utcnow

    now = utcnow()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text("UPDATE sources SET next_poll = :past, lease_until = NULL"),
                {"past": now - timedelta(seconds=interval + 1)},
            )
    finally:
        engine.dispose()
    return now


def _phase(cmd: list[str], env: dict[str, str], tmp: Path, url: str, feeds: int, limit: float, since: datetime | None):
    """Run the bot until every feed is polled (since ``since``) or ``limit`` seconds pass."""
    err = (tmp / "bot.err").open("a")
    start = time.monotonic()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=err, cwd=tmp)
    samples: list[tuple[float, float, int]] = []
    peak = 0.0
    try:
        while True:
            time.sleep(0.5)
            if proc.poll() is not None:
                raise SystemExit(f"bot exited {proc.returncode}: {(tmp / 'bot.err').read_text()[-2000:]}")
            cpu, now = _cpu_seconds(proc.pid), time.monotonic() - start
            peak = max(peak, _status_mb(proc.pid, "VmHWM"))
            done = polled(url, since)
            samples.append((now, cpu, done))
            if done >= feeds or now > limit:
                break
        peak = max(peak, _status_mb(proc.pid, "VmHWM"))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        err.close()
    end_t, end_cpu, end_done = samples[-1]
    first = next(s for s in samples if s[2] >= feeds * 0.05)
    return {
        "polled": end_done,
        "seconds": end_t,
        "cpu": end_cpu,
        "cpu_per_1000": (end_cpu - first[1]) / max(1, end_done - first[2]) * 1000,
        "rss_mb": peak,
        "rate": (end_done - first[2]) / max(0.001, end_t - first[0]),
    }


def run_one(feeds: int, base: str, store_url: str, interval: int, tmp: Path) -> dict[str, dict[str, float]]:
    """Cold start (every feed new: fetch, parse, summarise, store), then a restart after
    downtime (every feed due at once, each answering 304: the polling alone)."""
    seed(store_url, base, feeds)
    config = tmp / "bench.toml"
    config.write_text(
        f'platforms = ["console"]\n[store]\nurl = "{store_url}"\n[fetch]\nallow_private_addresses = true\n'
        f'[scheduler]\npoll_interval_seconds = {interval}\n[console]\nsamples = false\n[log]\nlevel = "WARNING"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREBRIEF_")}
    env["XDG_DATA_HOME"] = str(tmp)
    env["PYTHONPATH"] = str(ROOT)  # this checkout's bot, whatever is installed
    cmd = [sys.executable, "-c", "from bot.cli import main; main()", "run", "--config", str(config)]
    cold = _phase(cmd, env, tmp, store_url, feeds, interval * 1.5, None)
    restart = _phase(cmd, env, tmp, store_url, feeds, interval * 1.5, downtime(store_url, interval))
    return {"cold": cold, "restart": restart}


def _pg_schema() -> tuple[str, str]:
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return schema, f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"


def _drop_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", default="1000,2000,5000,10000")
    parser.add_argument("--interval", type=int, default=300, help="poll interval (seconds) the bot is given")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL on 127.0.0.1:5432 instead of SQLite")
    args = parser.parse_args()
    counts = [int(x) for x in args.feeds.split(",")]
    server, base = start_feed_server(max(counts), items=1)
    results = []
    loads: list[tuple[float, float]] = []
    runs = [*counts, counts[0]] if len(counts) > 1 else counts
    try:
        for n in runs:
            load_before = os.getloadavg()[0]
            with tempfile.TemporaryDirectory() as tmpdir:
                tmp = Path(tmpdir)
                schema = None
                if args.pg:
                    schema, url = _pg_schema()
                else:
                    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
                try:
                    results.append(run_one(n, base, url, args.interval, tmp))
                finally:
                    if schema:
                        _drop_schema(schema)
            r = results[-1]
            loads.append((load_before, os.getloadavg()[0]))
            for phase, label in (("cold", "cold start"), ("restart", "restart  ")):
                p = r[phase]
                print(
                    f"{n:6d} feeds, {label}: all polled in {p['seconds']:6.1f} s (interval {args.interval} s), "
                    f"{p['rate']:5.0f} polls/s, {p['cpu_per_1000']:5.2f} CPU-s per 1,000 polls, "
                    f"peak RSS {p['rss_mb']:5.0f} MB"
                    + ("" if p["polled"] >= n else f"  ONLY {p['polled']:.0f} POLLED")
                    + (f"  (load {loads[-1][0]:.1f} -> {loads[-1][1]:.1f})" if phase == "cold" else ""),
                    flush=True,
                )
    finally:
        server.terminate()
        server.wait(timeout=5)
    store = "PostgreSQL" if args.pg else "SQLite"
    print(f"\n{store}; CPU per 1,000 polls relative to {counts[0]} feeds (flat = 1.00):")
    print("   feeds   cold start (new items)   restart (all due, 304s)")
    base_c, base_r = results[0]["cold"]["cpu_per_1000"], results[0]["restart"]["cpu_per_1000"]
    for n, r in zip(counts, results, strict=False):
        print(
            f"  {n:6d}   x{r['cold']['cpu_per_1000'] / base_c:.2f}"
            f"                    x{r['restart']['cpu_per_1000'] / base_r:.2f}"
        )
    if len(results) > len(counts):
        again = results[-1]
        print(
            f"  {counts[0]:6d}   x{again['cold']['cpu_per_1000'] / base_c:.2f}"
            f"                    x{again['restart']['cpu_per_1000'] / base_r:.2f}   (again, last: the run's noise)"
        )


if __name__ == "__main__":
    main()
