"""What /metrics costs the store: counting deliveries by status (bot.ops.store_stats) at 100k and
1M deliveries, on SQLite and (when it answers) PostgreSQL, against the readiness probe's
``SELECT 1`` measured in the same run, and the share of one core it takes at one count per
REFRESH_SECONDS. Rows are bulk-inserted with plain SQL (foreign keys off on SQLite), which is
what the count reads; nothing else about them matters here.

    .venv/bin/python bench/ops_scrape.py [--rows 1000000] [--pg]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

from bot.ops.server import StoreProbe
from bot.ops.store_stats import REFRESH_SECONDS, StoreStats
from bot.store import Store

STATUSES = ("sent",) * 90 + ("merged",) * 6 + ("failed", "claimed", "dropped", "sent")


def fill(store: Store, first: int, rows: int) -> None:
    """Deliveries ``first`` .. ``rows - 1`` in batches, statuses mostly sent as in a live store."""
    batch = 20_000
    sql = text(
        "INSERT INTO deliveries (id, digest_id, platform, workspace, channel, slot, status, claim_token, "
        "claimed_at, attempts) VALUES (:id, :d, 'discord', 'g', :c, 'arrival', :s, 't', CURRENT_TIMESTAMP, 1)"
    )
    batches = [
        [{"id": i + 1, "d": i // 10 + 1, "c": f"c{i % 1000}", "s": STATUSES[i % len(STATUSES)]} for i in range(a, b)]
        for a, b in ((start, min(rows, start + batch)) for start in range(first, rows, batch))
    ]
    if store.engine.dialect.name == "sqlite":  # foreign keys can only be turned off outside a transaction
        raw = store.engine.raw_connection()
        try:
            raw.execute("PRAGMA foreign_keys=OFF")
            raw.execute("BEGIN")
            for params in batches:
                raw.executemany(str(sql).replace(":id", ":id"), params)
            raw.execute("COMMIT")
        finally:
            raw.close()
        return
    with store.engine.begin() as conn:
        conn.exec_driver_sql("SET session_replication_role = replica")  # no FK checks for the bulk load
        for params in batches:
            conn.execute(sql, params)


def timed(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    """Median wall seconds of ``fn()`` over ``repeat`` runs."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def measure(label: str, url: str, sizes: list[int]) -> None:
    store = Store.open(url)
    stats, probe = StoreStats(store), StoreProbe(store)
    filled = 0
    try:
        for size in sizes:
            fill(store, filled, size)  # ids continue where the last fill stopped
            filled = size
            count = timed(stats._count_now)
            select_one = timed(probe._select_one, repeat=50)
            share = count / REFRESH_SECONDS
            print(
                f"{label:10} {size:>9,} deliveries: count by status {count * 1000:7.1f} ms "
                f"({count / select_one:,.0f}x SELECT 1 = {select_one * 1000:.2f} ms); "
                f"at one count per {REFRESH_SECONDS:g}s: {share:.2%} of one core"
            )
            print(f"{'':10} counted {sorted(stats._count_now()[0].items())}")
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pg", action="store_true", help="also PostgreSQL at 127.0.0.1:5432, database test")
    args = parser.parse_args()
    sizes = sorted({min(100_000, args.rows), args.rows})
    with tempfile.TemporaryDirectory() as tmp:
        measure("sqlite", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", sizes)
    if args.pg:
        import psycopg

        schema = f"wb_bench_{uuid.uuid4().hex[:8]}"
        dsn = "host=127.0.0.1 port=5432 user=postgres dbname=test"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        try:
            url = f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
            measure("postgresql", url, sizes)
        finally:
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


if __name__ == "__main__":
    main()
