"""Stories in the store: a story per digest decided on arrival, the same after a restart and
from a second process, and each story's first post per channel kept as its thread."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.domain import ChannelRef
from bot.store import Store
from bot.store.db import alembic_config, make_engine
from bot.store.types import Candidate, NewItem
from digests import summarise
from tests.digests.story_fixtures import BUDGET, FIRE, STRIKE_AFP, STRIKE_AP, STRIKE_BBC

CHANNEL = ChannelRef("console", "main")


def _ingest(store: Store, url: str, items: list[tuple[str, str]]) -> list[int]:
    source = store.ensure_source("feed", url, url)
    store.ingest(source, [NewItem(guid=g, link=None, title=None, text=t) for g, t in items], summarise)
    with store.tx() as s:
        rows = s.execute(sa.text("SELECT d.story_id FROM digests d JOIN items i ON i.id = d.item_id ORDER BY d.id"))
        return [r[0] for r in rows]


def _story_by_guid(store: Store) -> dict[str, int]:
    with store.tx() as s:
        rows = s.execute(sa.text("SELECT i.guid, d.story_id FROM digests d JOIN items i ON i.id = d.item_id"))
        return {g: sid for g, sid in rows}


def test_one_story_across_sources_and_restarts(store_url: str) -> None:
    store = Store.open(store_url)
    _ingest(store, "https://ap.example/feed", [("ap", STRIKE_AP), ("budget", BUDGET)])
    _ingest(store, "https://bbc.example/feed", [("bbc", STRIKE_BBC), ("fire", FIRE)])
    store.close()
    again = Store.open(store_url)  # a restart: the index is rebuilt from the stored features
    _ingest(again, "https://afp.example/feed", [("afp", STRIKE_AFP)])
    stories = _story_by_guid(again)
    assert stories["ap"] == stories["bbc"] == stories["afp"]
    assert len({stories["ap"], stories["budget"], stories["fire"]}) == 3
    with again.tx() as s:
        count = s.execute(sa.text("SELECT articles FROM stories WHERE id = :i"), {"i": stories["ap"]}).scalar()
    assert count == 3
    again.close()


def test_two_processes_decide_as_one(store_url: str) -> None:
    first = Store.open(store_url)
    second = Store.open(store_url, upgrade=False)
    _ingest(first, "https://ap.example/feed", [("ap", STRIKE_AP)])
    _ingest(second, "https://bbc.example/feed", [("bbc", STRIKE_BBC)])  # sees what `first` recorded
    barrier = threading.Barrier(2)

    def run(store: Store, url: str, guid: str, text: str) -> None:
        barrier.wait(timeout=5)
        _ingest(store, url, [(guid, text)])

    threads = [
        threading.Thread(target=run, args=(first, "https://afp.example/feed", "afp", STRIKE_AFP)),
        threading.Thread(target=run, args=(second, "https://nz.example/feed", "budget", BUDGET)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    stories = _story_by_guid(first)
    assert stories["ap"] == stories["bbc"] == stories["afp"] != stories["budget"]
    first.close()
    second.close()


def test_first_sent_post_per_channel_is_the_story_thread(store_url: str) -> None:
    store = Store.open(store_url)
    _ingest(store, "https://ap.example/feed", [("ap", STRIKE_AP)])
    _ingest(store, "https://bbc.example/feed", [("bbc", STRIKE_BBC)])
    with store.tx() as s:
        digests = [r[0] for r in s.execute(sa.text("SELECT id FROM digests ORDER BY id"))]
    first = store.claim(Candidate(digests[0], CHANNEL, "arrival", 0), "t0", timedelta(seconds=60))
    assert first is not None
    # the story's thread is claimed with its first post: a second post of the story is refused
    assert store.claim(Candidate(digests[1], CHANNEL, "arrival", 0), "t1", timedelta(seconds=60)) is None
    assert store.mark_sent(first, "t0", "msg-0")
    reply = store.claim(Candidate(digests[1], CHANNEL, "reply", 0), "t1", timedelta(seconds=60))
    assert reply is not None and store.mark_sent(reply, "t1", "msg-1")
    story = store.story_of(digests[0])
    assert story is not None and store.story_of(digests[1]) == story
    posts = store.story_posts(story)
    assert [(p[0], p[2], p[3]) for p in posts] == [("console", "main", "msg-0")]
    store.close()


def test_upgrade_from_the_first_schema_keeps_every_row(tmp_path: Path) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    cfg = alembic_config(url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    rows = [
        "INSERT INTO sources (id, kind, url, name, failures, created) VALUES (1, 'feed', 'u', 'n', 0, '2025-01-01')",
        "INSERT INTO digests (id, source_id, kind, data, headline, created)"
        " VALUES (1, 1, 'item', '{}', 'h', '2025-01-01')",
        "INSERT INTO deliveries (id, digest_id, platform, workspace, channel, slot, status, claim_token,"
        " claimed_at, attempts) VALUES (1, 1, 'console', '', 'main', 'arrival', 'sent', 't', '2025-01-01', 1)",
    ]
    with engine.begin() as conn:
        for row in rows:
            conn.execute(sa.text(row))
    engine.dispose()
    store = Store.open(url)
    with store.tx() as s:
        assert s.execute(sa.text("SELECT count(*) FROM deliveries")).scalar() == 1
        assert s.execute(sa.text("SELECT story_id FROM digests WHERE id = 1")).scalar() is None
    store.close()
