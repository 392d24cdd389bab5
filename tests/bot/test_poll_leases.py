"""Polling that scales: leases hand each due source to one poller (several processes on one
store), per-host caps and the failing sources' lane keep hung feeds from starving healthy ones,
a feed's Retry-After is obeyed, and reads never wait for SQLite's write lock."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from bot.domain import ChannelRef
from bot.poller import NEWS_BEAT, Poller
from bot.schedules import next_poll_time
from bot.store import Store
from bot.store.leases import LeaseRequest
from bot.store.models import SourceRow
from bot.store.types import utcnow
from tests.bot.engine_harness import running_bot
from tests.bot.test_delivery import _race
from tests.conftest import rss, write_dispatch
from tests.fakes.http_server import LocalServer, Reply, Seen, feed

INTERVALS = {"feed": 300, "wire": 30, "file": 30}
STORY = 'OSLO, May {n} - Story {n} broke. "Quote {n} stands," said spokesperson Ann Lee.'


def _request(limit: int, **kw) -> LeaseRequest:  # type: ignore[no-untyped-def]
    return LeaseRequest(limit=limit, intervals=INTERVALS, lease=timedelta(seconds=60), **kw)


def _sources(store: Store, urls: list[str]) -> list[int]:
    ids = []
    for n, url in enumerate(urls):
        ref = store.ensure_source("feed", url, url)
        store.subscribe(ChannelRef("console", f"c{n}"), ref.id, None, "UTC", 1, timedelta(seconds=60))
        ids.append(ref.id)
    return ids


def test_racing_pollers_lease_each_due_source_once_and_move_its_next_poll(store_url: str) -> None:
    store = Store.open(store_url)
    try:
        ids = _sources(store, [f"http://h{n % 3}.example/feed/{n}" for n in range(30)])

        def lease(s: Store, _i: int) -> list[int]:
            got: list[int] = []
            for _ in range(3):
                got += [r.id for r in s.lease_sources(_request(4, per_host=100, failing_room=100), utcnow())]
            return got

        leased_at = utcnow()
        won = _race(store_url, lease, claimants=4)
        taken = [i for per in won for i in per]
        assert len(taken) == len(set(taken))  # no source went to two pollers
        rest = store.lease_sources(_request(100, per_host=100), utcnow())
        assert sorted(taken + [r.id for r in rest]) == sorted(ids)  # and none was lost
        assert store.lease_sources(_request(100, per_host=100), utcnow()) == []  # leased: not due again
        with store.tx() as s:
            rows = s.query(SourceRow).all()
            for row in rows:  # the next poll is the source's next aligned time, not "now"
                assert row.next_poll is not None and row.next_poll > leased_at
                assert row.next_poll == next_poll_time(row.url, 300, row.next_poll - timedelta(seconds=300))
        # a lease left by a dead poller runs out; the source is due again at its next poll
        later = utcnow() + timedelta(seconds=301)
        assert len(store.lease_sources(_request(100, per_host=100), later)) == 30
    finally:
        store.close()


def test_lease_caps_polls_per_host_and_keeps_failing_sources_in_their_lane(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite3'}")
    try:
        busy = _sources(store, [f"http://busy.example/{n}" for n in range(10)])
        calm = _sources(store, ["http://calm.example/1", "http://calm.example:8080/2"])
        got = store.lease_sources(_request(6, per_host=2), utcnow())
        hosts = sorted(r.host for r in got)
        assert hosts == ["busy.example", "busy.example", "calm.example", "calm.example:8080"]
        # this poller already polls busy.example twice: nothing more from there
        again = store.lease_sources(_request(6, per_host=2, host_counts={"busy.example": 2}), utcnow())
        assert again == []
        with store.tx() as s:
            s.execute(update(SourceRow).where(SourceRow.id.in_(busy[2:])).values(failures=3))
            s.execute(update(SourceRow).values(lease_until=None, next_poll=None))
        lane = store.lease_sources(_request(12, per_host=100, failing_room=1), utcnow())
        assert len([r for r in lane if r.failures]) == 1  # one failing source, the rest healthy
        assert {r.id for r in lane if not r.failures} == set(busy[:2] + calm)
    finally:
        store.close()


def test_a_backlog_on_one_host_does_not_hold_back_due_sources_of_other_hosts(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite3'}")
    try:
        dead = _sources(store, [f"http://dead.example/{n}" for n in range(40)])  # due first (lower ids)
        calm = _sources(store, [f"http://calm{n}.example/feed" for n in range(3)])
        # a lease that may not look past a capped host (it did a moment ago) reads one window
        assert sorted(r.id for r in store.lease_sources(_request(3, per_host=2, look_past=False), utcnow())) == dead[:2]
        got = store.lease_sources(_request(3, per_host=2), utcnow())
        assert sorted(r.id for r in got) == sorted(dead[2:4] + calm[:1])
        # the dead host is at its cap for this poller: the other hosts' sources come first
        more = store.lease_sources(_request(8, per_host=2, host_counts={"dead.example": 4}), utcnow())
        assert sorted(r.id for r in more) == sorted(calm[1:])
        # failing sources beyond their lane do not hold back healthy ones either
        with store.tx() as s:
            s.execute(update(SourceRow).where(SourceRow.id.in_(dead)).values(failures=3))
            s.execute(update(SourceRow).values(lease_until=None, next_poll=None))
        lane = store.lease_sources(_request(4, per_host=100, failing_room=1), utcnow())
        assert sorted(r.id for r in lane) == sorted(dead[:1] + calm)
    finally:
        store.close()


def test_a_successful_poll_ends_the_lease_resets_failures_and_names_the_source(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 's.sqlite3'}")
    try:
        bare, named = _sources(store, ["http://a.example/feed", "http://b.example/feed"])
        with store.tx() as s:
            s.execute(update(SourceRow).where(SourceRow.id == named).values(name="My own name"))
            s.execute(update(SourceRow).values(failures=2, failing_since=utcnow(), last_error="timed out"))
        assert len(store.lease_sources(_request(10, per_host=10, failing_room=10), utcnow())) == 2
        store.poll_ok(bare, '"v2"', "Tue, 01 Dec 2026 10:00:00 GMT", "  Harbour\n  News ")
        store.poll_ok(named, None, None, "A feed title")
        with store.tx() as s:
            rows = {r.id: r for r in s.query(SourceRow).all()}
        assert rows[bare].name == "Harbour News"  # a source named by its URL takes the feed's title
        assert rows[named].name == "My own name"  # a name someone gave it stays
        assert rows[bare].etag == '"v2"' and rows[bare].last_modified == "Tue, 01 Dec 2026 10:00:00 GMT"
        for row in rows.values():
            assert (row.failures, row.failing_since, row.last_error, row.lease_until) == (0, None, None, None)
            assert row.last_fetch is not None
    finally:
        store.close()


async def test_hung_host_cannot_take_the_slots_of_healthy_feeds(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WIREBRIEF_FETCH_TIMEOUT_SECONDS", "60")  # hung polls hold their slots all test long
    release = threading.Event()

    def never(_seen: Seen) -> Reply:
        release.wait(30)
        return Reply(204, b"")

    hung, healthy = LocalServer(), LocalServer()
    hung.start()
    healthy.start()
    sched = {"poll_concurrency": 4, "poll_per_host": 2, "poll_interval_seconds": 300}
    try:
        async with running_bot(tmp_path, f"sqlite:///{tmp_path / 's.sqlite3'}", scheduler=sched) as bot:
            for n in range(10):  # subscribed first: the oldest due sources are the hung ones
                url = hung.route(f"/h{n}", never)
                await bot.services.subscribe(ChannelRef("console", f"h{n}"), url, check=False)
            for n in range(3):
                body = rss([(f"g{n}", f"Story {n}", STORY.format(n=n))])
                await bot.services.subscribe(
                    ChannelRef("console", f"ok{n}"), healthy.route(f"/ok{n}", feed(body)), check=False
                )
            await bot.engine.start()
            for _ in range(100):  # a bound for a failing run, not a speed goal
                if len(bot.platform.posts) == 3:
                    break
                await asyncio.sleep(0.1)
            # every healthy feed was posted while the hung host held at most its cap of the slots
            assert len(bot.platform.posts) == 3
            assert bot.engine.poller._hosts[f"127.0.0.1:{hung.port}"] == 2
            assert len(hung.requests) == 2
            release.set()
            await bot.engine.stop()
    finally:
        release.set()
        hung.stop()
        healthy.stop()


async def test_polls_that_never_answer_give_their_slots_back_to_healthy_feeds(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("WIREBRIEF_FETCH_TIMEOUT_SECONDS", "60")  # no timeout frees the slots in this test
    release = threading.Event()

    def never(_seen: Seen) -> Reply:
        release.wait(30)
        return Reply(204, b"")

    hung = [LocalServer(), LocalServer()]  # two hosts: the per-host cap alone cannot help
    healthy = LocalServer()
    for server in (*hung, healthy):
        server.start()
    sched = {"poll_concurrency": 2, "poll_per_host": 4, "poll_interval_seconds": 300}
    try:
        async with running_bot(tmp_path, f"sqlite:///{tmp_path / 's.sqlite3'}", scheduler=sched) as bot:
            for n, server in enumerate(hung):  # subscribed first: they take both slots
                await bot.services.subscribe(ChannelRef("console", f"h{n}"), server.route("/h", never), check=False)
            body = rss([("g1", "Story 1", STORY.format(n=1))])
            await bot.services.subscribe(ChannelRef("console", "ok"), healthy.route("/ok", feed(body)), check=False)
            await bot.engine.start()
            for _ in range(100):  # a bound for a failing run, not a speed goal
                if bot.platform.posts:
                    break
                await asyncio.sleep(0.1)
            assert len(bot.platform.posts) == 1  # posted while both hung polls still wait
            assert [len(server.requests) for server in hung] == [1, 1]
            assert bot.engine.poller.in_flight == 0 and len(bot.engine.poller._tasks) == 2
            release.set()
            await bot.engine.stop()
    finally:
        release.set()
        for server in (*hung, healthy):
            server.stop()


async def test_a_failing_source_gets_the_short_timeout(tmp_path: Path, server: LocalServer) -> None:
    url = server.route("/slow", Reply(200, b"", delay=2.0))
    sched = {"failing_timeout_seconds": 0.3}
    async with running_bot(tmp_path, f"sqlite:///{tmp_path / 's.sqlite3'}", scheduler=sched) as bot:
        await bot.services.subscribe(ChannelRef("console", "main"), url, check=False)
        with bot.services.store.tx() as s:
            s.execute(update(SourceRow).values(failures=2))
        await bot.engine.poller.run_once()
        [src] = await bot.services.all_sources()
        assert src.failures == 3 and "within 0.3 seconds" in (src.last_error or "")


async def test_retry_after_from_a_feed_is_obeyed(tmp_path: Path, server: LocalServer) -> None:
    busy = server.route("/busy", Reply(503, b"later", {"Retry-After": "7200", "Content-Type": "text/plain"}))
    until = datetime(2100, 1, 1).strftime("%a, %d %b %Y %H:%M:%S GMT")
    limited = server.route("/limited", Reply(429, b"slow down", {"Retry-After": until, "Content-Type": "text/plain"}))
    async with running_bot(tmp_path, f"sqlite:///{tmp_path / 's.sqlite3'}") as bot:
        await bot.services.subscribe(ChannelRef("console", "a"), busy, check=False)
        await bot.services.subscribe(ChannelRef("console", "b"), limited, check=False)
        await bot.engine.run_pass()
        polled = utcnow()
        sources = {s.url: s for s in await bot.services.all_sources()}
        assert sources[busy].next_poll is not None
        assert sources[busy].next_poll.replace(tzinfo=None) >= polled + timedelta(seconds=7200 - 5)
        # a date far ahead is obeyed up to a day
        assert sources[limited].next_poll.replace(tzinfo=None) >= polled + timedelta(hours=23)
        assert await bot.services.sources_due() == []


def test_reads_do_not_wait_for_the_sqlite_write_lock(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    store = Store.open(f"sqlite:///{path}")
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE meta SET value = value")
        done: list[object] = []
        reader = threading.Thread(
            target=lambda: done.append((store.due(["console"], timedelta(seconds=60)), store.sources_due(utcnow())))
        )
        reader.start()
        reader.join(timeout=3)
        assert done == [([], [])], "a read waited for the writer"
    finally:
        writer.execute("ROLLBACK")
        writer.close()
        store.close()


async def test_two_engines_on_one_postgresql_fetch_each_feed_once(
    tmp_path: Path, pg_url: str, server: LocalServer
) -> None:
    hits: dict[str, list[datetime]] = {}

    def counted(name: str, body: bytes):  # type: ignore[no-untyped-def]
        route = feed(body)

        def reply(seen: Seen) -> Reply:
            hits.setdefault(name, []).append(utcnow())
            return route(seen)

        return reply

    urls = []
    for n in range(12):
        urls.append(server.route(f"/f{n}", counted(f"/f{n}", rss([(f"g{n}", f"S{n}", STORY.format(n=n))]))))
    sched = {"poll_interval_seconds": 3600}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    async with (
        running_bot(tmp_path / "a", pg_url, scheduler=sched) as one,
        running_bot(tmp_path / "b", pg_url, scheduler=sched) as two,
    ):
        for n, url in enumerate(urls):
            await one.services.subscribe(ChannelRef("console", f"c{n}"), url, check=False)
        await asyncio.gather(one.engine.start(), two.engine.start())
        for _ in range(50):
            if len(hits) == 12:
                break
            await asyncio.sleep(0.1)
        for _ in range(50):  # every fetch the feeds saw is a poll that finished
            if one.engine.poller.polls + two.engine.poller.polls >= 12:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # both keep looking for due sources
        end = utcnow()
        polls = one.engine.poller.polls + two.engine.poller.polls
    assert len(hits) == 12
    for n, url in enumerate(urls):
        first = hits[f"/f{n}"][0]
        # a second fetch is allowed only if the feed's next aligned poll time came in the window
        allowed = 1 + (next_poll_time(url, 3600, first) <= end)
        assert len(hits[f"/f{n}"]) <= allowed, (url, hits[f"/f{n}"])
    assert polls == sum(len(v) for v in hits.values())


async def test_news_from_one_source_computes_only_its_subscriptions_posts(tmp_path: Path, wire: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    write_dispatch(wire, "a.txt", STORY.format(n=1))
    write_dispatch(other, "b.txt", STORY.format(n=2))
    async with running_bot(tmp_path, f"sqlite:///{tmp_path / 's.sqlite3'}", wires={"a": wire, "b": other}) as bot:
        await bot.services.subscribe(ChannelRef("console", "one"), "a")
        await bot.services.subscribe(ChannelRef("console", "two"), "b")
        await bot.engine.poller.run_once()
        ids = {s.name: s.id for s in await bot.services.all_sources()}
        only_a = await bot.services.due_posts(["console"], [ids["a"]])
        assert [c.channel.channel for c in only_a] == ["one"]
        assert len(await bot.services.due_posts(["console"])) == 2


async def test_news_found_within_a_beat_is_handed_on_together_once_per_source(tmp_path: Path) -> None:
    async with running_bot(tmp_path, f"sqlite:///{tmp_path / 's.sqlite3'}") as bot:
        handed: list[int] = []
        poller = Poller(bot.services, bot.settings, handed.append)
        for source_id in (7, 3, 7, 5):  # polls that found news, one after another
            poller._found_news(source_id)
        assert handed == []  # held for the beat: a burst costs one delivery computation
        for _ in range(50):
            if handed:
                break
            await asyncio.sleep(NEWS_BEAT / 5)
        assert handed == [3, 5, 7]
        poller._found_news(9)
        await poller._cancel_all()  # stopping drops the beat; the store still has the news
        await asyncio.sleep(NEWS_BEAT * 2)
        assert handed == [3, 5, 7]
