"""The README's backup commands, run as written against a store a real bot is using: each copy
opens as a store with the subscription and the sent delivery in it."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.bot.proc import Bot, panels, wait_until, wirebrief
from tests.conftest import PG_DB, PG_HOST, PG_PORT, PG_USER, write_config, write_dispatch
from tests.distinct import story


def _posted(tmp_path: Path, store_url: str) -> tuple[Path, Bot]:
    """A bot on ``store_url`` that has posted one story from a wire folder, still running."""
    desk = tmp_path / "desk"
    desk.mkdir()
    write_dispatch(desk, "one.txt", story(1, "Token-B1"))
    config = write_config(tmp_path, store_url, wires={"desk": desk}, scheduler={"wire_interval_seconds": 1})
    sub = wirebrief(tmp_path, "subscribe", "desk", "--backfill", "1", "--config", str(config))
    assert sub.returncode == 0, sub.stderr
    bot = Bot(tmp_path, "bot", "--config", str(config))
    try:
        wait_until(lambda: len(panels(bot.text())) >= 1, what="the story's post")
    except BaseException:
        bot.kill9()
        raise
    return config, bot


def _restored_store_has_the_subscription(tmp_path: Path, store_url: str) -> None:
    folder = tmp_path / f"restored-{uuid.uuid4().hex[:6]}"
    folder.mkdir()
    config = write_config(folder, store_url)
    listed = wirebrief(folder, "subscriptions", "--config", str(config))
    assert listed.returncode == 0, listed.stderr
    assert "console:main" in listed.stdout and "desk" in listed.stdout


@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="the sqlite3 command-line shell is not installed")
def test_sqlite_backups_while_the_bot_runs(tmp_path: Path) -> None:
    store = tmp_path / "store.sqlite3"
    _, bot = _posted(tmp_path, f"sqlite:///{store}")
    dot_backup, vacuum, python = tmp_path / "dot.sqlite3", tmp_path / "vacuum.sqlite3", tmp_path / "py.sqlite3"
    try:
        for command in (f".backup '{dot_backup}'", f"VACUUM INTO '{vacuum}'"):
            done = subprocess.run(["sqlite3", str(store), command], capture_output=True, text=True, timeout=30)
            assert done.returncode == 0, done.stderr
        src, dst = sqlite3.connect(store), sqlite3.connect(python)
        src.backup(dst)
        src.close()
        dst.close()
    finally:
        assert bot.interrupt() == 0
    for copy in (dot_backup, vacuum, python):
        with sqlite3.connect(copy) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert db.execute("SELECT count(*) FROM deliveries WHERE status = 'sent'").fetchone() == (1,)
        _restored_store_has_the_subscription(tmp_path, f"sqlite:///{copy}")


@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump / pg_restore are not installed")
def test_pg_dump_while_the_bot_runs_restores_into_an_empty_database(tmp_path: Path, pg_url: str) -> None:
    import psycopg

    schema = pg_url.rsplit("%3D", 1)[1]
    _, bot = _posted(tmp_path, pg_url)
    dump = tmp_path / "wirebrief.dump"
    server = ["-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER]
    try:
        cmd = ["pg_dump", "-Fc", *server, "-n", schema, "-f", str(dump), PG_DB]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    finally:
        assert bot.interrupt() == 0
    restored = f"wb_restore_{uuid.uuid4().hex[:8]}"
    admin = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={PG_DB} connect_timeout=5"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{restored}"')
    try:
        cmd = ["pg_restore", "--no-owner", *server, "-d", restored, str(dump)]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        url = pg_url.replace(f":{PG_PORT}/{PG_DB}?", f":{PG_PORT}/{restored}?")
        _restored_store_has_the_subscription(tmp_path, url)
        with psycopg.connect(f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={restored}") as conn:
            sent = conn.execute(f"SELECT count(*) FROM \"{schema}\".deliveries WHERE status = 'sent'").fetchone()
        assert sent == (1,)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
