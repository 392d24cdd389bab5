"""due() at 1M deliveries: what the engine pays after a poll that found news, on SQLite and
PostgreSQL, against a baseline store of the same shape with a short history (same run).

Shape: 1,000 channels, 50 sources, each channel subscribed to 5 of them (5,000 subscriptions,
100 per source; one channel in ten on a daily schedule, the rest on arrival); every digest
delivered to every subscribed channel (sent, or carried by an edition). The filled store is
brought up to date the way an upgraded one is (one catch-up pass of the cursors, timed), then
one poll finds news in one source and the engine's calls are timed: moving the cursors of that
source's subscriptions, due() for that source, editions_due(); and the periodic sweep (all
subscriptions). "old shape": the query due() ran before the cursors (every digest since each
subscription's backfill, the settled check an anti-join, inside a write transaction), in the
same store. Writer wait: a one-row write transaction timed while another thread runs due()
back to back.

    .venv/bin/python bench/due_scale.py                       # 1M deliveries, both stores
    .venv/bin/python bench/due_scale.py --deliveries 200000 --no-postgres

PostgreSQL: a database of its own (``wirebrief_bench_due`` on 127.0.0.1:5432, created and
dropped here), never the test suite's ``test``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import and_, insert, or_, select, text, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.store import Store
from bot.store.deliveries import settled
from bot.store.models import DeliveryRow, DigestRow, SourceRow, SubscriptionRow
from bot.store.types import utcnow
from digests.model import Digest

CHANNELS, SOURCES, PER_CHANNEL = 1000, 50, 5
SCHEDULED_EVERY = 10  # one channel in ten gets a daily edition
TIMEOUT = timedelta(seconds=120)
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"
PG_DB = "wirebrief_bench_due"
REPEAT = 15
#: The median of each timed() call, in order (printed beside the best runs).
MEDIANS: list[float] = []


def fill(store: Store, deliveries: int) -> dict[str, float]:
    """The store described above with about ``deliveries`` deliveries; seconds per step."""
    t0 = time.perf_counter()
    subs = CHANNELS * PER_CHANNEL
    per_source = max(1, round(deliveries / subs))
    old = utcnow() - timedelta(days=30)
    data = json.dumps(Digest(headline="h", dateline=None, quotes=(), key_quotes=(), text="t").to_json())
    with store.tx() as s:
        s.execute(
            insert(SourceRow),
            [
                {"kind": "feed", "url": f"http://feeds.example/{n}", "name": f"feed {n}", "failures": 0}
                | {"created": old, "host": "feeds.example"}
                for n in range(SOURCES)
            ],
        )
        sources = list(s.scalars(select(SourceRow.id).order_by(SourceRow.id)))
        s.execute(
            insert(SubscriptionRow),
            [
                {"platform": "console", "workspace": "", "channel": f"c{c}", "timezone": "UTC", "backfill": 1}
                | {"source_id": sources[(c + k * 7) % SOURCES], "cursor": 0, "created": old}
                | {"cron": "0 8 * * *" if c % SCHEDULED_EVERY == 0 else None}
                for c in range(CHANNELS)
                for k in range(PER_CHANNEL)
            ],
        )
        rows = [
            {"source_id": src, "kind": "item", "data": data, "headline": "h", "created": old + timedelta(minutes=i)}
            for i in range(per_source)
            for src in sources
        ]
        for start in range(0, len(rows), 5000):
            s.execute(insert(DigestRow), rows[start : start + 5000])
    t1 = time.perf_counter()
    with store.tx() as s:  # every digest delivered everywhere: on arrival, or in an edition at 08:00
        s.execute(
            text(
                "INSERT INTO deliveries (digest_id, platform, workspace, channel, slot, status, claim_token,"
                " claimed_at, attempts, sent_at, message_id)"
                " SELECT d.id, s.platform, s.workspace, s.channel,"
                " CASE WHEN s.cron IS NULL THEN 'arrival' ELSE 'fire' END,"
                " 'sent', 'bench', d.created, 1, d.created, 'm'"
                " FROM subscriptions s JOIN digests d ON d.source_id = s.source_id"
            )
        )
    t2 = time.perf_counter()
    if store.engine.dialect.name == "postgresql":
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    return {"setup": t1 - t0, "insert_deliveries": t2 - t1, "analyze": time.perf_counter() - t2}


def old_due(store: Store, source_ids: list[int] | None) -> int:
    """The owed query due() ran before the cursors, as it ran: in a write transaction."""
    sub, dig, now = SubscriptionRow, DigestRow, utcnow()
    query = (
        select(sub.id, dig.id)
        .join(dig, dig.source_id == sub.source_id)
        .where(
            sub.platform.in_(["console"]),
            sub.paused_reason.is_(None),
            or_(
                and_(dig.kind == "item", sub.cursor.is_not(None), dig.id > sub.cursor),
                and_(dig.kind == "notice", dig.created >= sub.created),
            ),
            ~select(DeliveryRow.id)
            .where(
                DeliveryRow.digest_id == dig.id,
                DeliveryRow.platform == sub.platform,
                DeliveryRow.workspace == sub.workspace,
                DeliveryRow.channel == sub.channel,
                settled(now, TIMEOUT),
            )
            .exists(),
        )
        .order_by(dig.id, sub.id)
    )
    if source_ids is not None:
        query = query.where(sub.source_id.in_(source_ids))
    with store.tx() as s:
        return len(s.execute(query).all())


def timed(work: Callable[[], object], repeat: int = REPEAT) -> tuple[float, object]:
    """The best of ``repeat`` runs in milliseconds (on a shared machine other processes only
    ever add time, so the best run is the cost itself), and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append((time.perf_counter() - start) * 1000)
    MEDIANS.append(statistics.median(times))
    return min(times), result


def writer_wait(store: Store, reader: Callable[[], object], seconds: float = 2.0) -> tuple[float, float]:
    """(median, max) ms of a one-row write transaction while ``reader`` runs back to back."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            reader()

    thread = threading.Thread(target=loop)
    thread.start()
    waits: list[float] = []
    deadline = time.monotonic() + seconds
    try:
        time.sleep(0.05)
        while time.monotonic() < deadline or len(waits) < 3:
            start = time.perf_counter()
            with store.tx() as s:
                s.execute(update(SourceRow).where(SourceRow.id == 1).values(last_error=None))
            waits.append((time.perf_counter() - start) * 1000)
            time.sleep(0.02)
            if len(waits) >= 200:
                break
    finally:
        stop.set()
        thread.join(timeout=120)
    return statistics.median(waits), max(waits)


def measure(url: str, deliveries: int) -> dict[str, float]:
    store = Store.open(url)
    try:
        steps = fill(store, deliveries)
        with store.read() as s:
            count = s.scalar(text("SELECT count(*) FROM deliveries"))
            news_source = s.scalar(select(SourceRow.id).order_by(SourceRow.id).limit(1))
        catch_up_start = time.perf_counter()
        store.advance_cursors()
        catch_up = time.perf_counter() - catch_up_start
        with store.tx() as s:  # the poll found news in one source
            s.add(DigestRow(source_id=news_source, kind="item", data=_data(s), headline="news", created=utcnow()))
        news = [news_source]
        out: dict[str, float] = {"deliveries": float(count or 0), "catch_up_s": catch_up, **steps}
        out["advance_ms"], _ = timed(lambda: store.advance_cursors(news))
        out["due_ms"], owed = timed(lambda: store.due(["console"], TIMEOUT, source_ids=news))
        out["due_median_ms"] = MEDIANS[-1]
        out["owed"] = float(len(owed))  # type: ignore[arg-type]
        out["editions_ms"], _ = timed(lambda: store.editions_due(["console"], TIMEOUT))
        out["after_poll_ms"] = out["advance_ms"] + out["due_ms"] + out["editions_ms"]
        out["after_poll_median_ms"] = sum(MEDIANS[-3:])
        out["sweep_ms"], _ = timed(lambda: (store.advance_cursors(), store.due(["console"], TIMEOUT)), 3)
        out["old_due_ms"], old_owed = timed(lambda: old_due(store, news), 3)
        out["old_owed"] = float(old_owed)  # type: ignore[arg-type]
        out["old_sweep_ms"], _ = timed(lambda: old_due(store, None), 3)
        out["wait_p50_ms"], out["wait_max_ms"] = writer_wait(
            store, lambda: store.due(["console"], TIMEOUT, source_ids=news)
        )
        out["old_wait_p50_ms"], out["old_wait_max_ms"] = writer_wait(store, lambda: old_due(store, news))
        return out
    finally:
        store.close()


def _data(s) -> str:  # type: ignore[no-untyped-def]
    return s.scalar(select(DigestRow.data).limit(1))


def pg_database(create: bool) -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
            if create:
                conn.execute(f"CREATE DATABASE {PG_DB}")
    except Exception as exc:  # no server: the PostgreSQL half is skipped, said so
        print(f"postgresql: skipped ({' '.join(str(exc).split())[:200]})")
        return None
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{PG_DB}"


def report(name: str, base: dict[str, float], big: dict[str, float]) -> None:
    print(f"\n{name}: {int(big['deliveries']):,} deliveries (baseline {int(base['deliveries']):,}, same run)")
    print(
        f"  fill {big['setup'] + big['insert_deliveries'] + big['analyze']:.1f} s; cursor catch-up after upgrade "
        f"{big['catch_up_s']:.2f} s (once)"
    )
    rows = (
        ("advance cursors (1 source)", "advance_ms"),
        ("due() (1 source)", "due_ms"),
        ("editions_due()", "editions_ms"),
        ("after a poll, total", "after_poll_ms"),
        ("sweep: all subscriptions", "sweep_ms"),
        ("old shape due() (1 source)", "old_due_ms"),
        ("old shape due() (all, the sweep)", "old_sweep_ms"),
        ("writer wait p50 during due()", "wait_p50_ms"),
        ("writer wait max during due()", "wait_max_ms"),
        ("writer wait p50 during old due()", "old_wait_p50_ms"),
        ("writer wait max during old due()", "old_wait_max_ms"),
    )
    size = f"{int(big['deliveries']):,}"
    print(f"  {'best of ' + str(REPEAT) + ' (old shape: 3)':34} {'baseline':>10} {size:>10} {'ratio':>7}")
    for label, key in rows:
        ratio = big[key] / base[key] if base[key] > 0 else float("nan")
        print(f"  {label:34} {base[key]:9.2f}ms {big[key]:9.2f}ms {ratio:6.2f}x")
    print(
        f"  medians at {int(big['deliveries']):,}: due() {big['due_median_ms']:.2f} ms, after a poll"
        f" {big['after_poll_median_ms']:.2f} ms (baseline {base['due_median_ms']:.2f} and"
        f" {base['after_poll_median_ms']:.2f} ms)"
    )
    print(
        f"  owed after the poll: {int(big['owed'])} (old shape: {int(big['old_owed'])});"
        f" due() vs the old shape in the same store: {big['old_due_ms'] / big['due_ms']:.0f}x faster"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=5_000, help="deliveries in the baseline store")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    args = parser.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            base = measure(f"sqlite:///{tmp}/base.sqlite3", args.baseline)
            big = measure(f"sqlite:///{tmp}/big.sqlite3", args.deliveries)
        report("SQLite", base, big)
    if not args.no_postgres:
        url = pg_database(create=True)
        if url is not None:
            try:
                base = measure(url, args.baseline)
                pg_database(create=True)
                big = measure(url, args.deliveries)
                report("PostgreSQL", base, big)
            finally:
                pg_database(create=False)


if __name__ == "__main__":
    main()
