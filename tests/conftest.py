"""Shared fixtures: real PostgreSQL (a fresh schema per test; skipped with a reason when no
server answers on 127.0.0.1:5432), settings on a temp store, a wire folder, and a small
feed server on 127.0.0.1 port 0 that honours ETag / If-None-Match."""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes.http_server import LocalServer

PG_HOST, PG_PORT = "127.0.0.1", 5432
PG_USER = os.environ.get("WIREBRIEF_TEST_PG_USER", "postgres")
PG_DB = os.environ.get("WIREBRIEF_TEST_PG_DB", "test")


def _pg_answers() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a schema created for this test alone."""
    if not _pg_answers():
        pytest.skip(f"PostgreSQL does not answer on {PG_HOST}:{PG_PORT} (start one to run the PostgreSQL tests)")
    import psycopg

    schema = f"wb_{uuid.uuid4().hex[:12]}"
    dsn = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={PG_DB} connect_timeout=5"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{PG_DB}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each store test runs on real SQLite and on real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A developer's WIREBRIEF_* variables must not leak into tests (env beats the file), and
    the data directory (delivery journals of server stores) is the test's own."""
    for name in list(os.environ):
        if name.startswith("WIREBRIEF_"):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


def write_dispatch(folder: Path, name: str, text: str, age: float = 60.0) -> Path:
    """A wire file that has settled (modified ``age`` seconds ago), so the scanner reads it."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def write_config(
    tmp_path: Path,
    store_url: str,
    *,
    wires: dict[str, Path] | None = None,
    scheduler: dict[str, object] | None = None,
    console: dict[str, object] | None = None,
    extra: str = "",
) -> Path:
    """A config on ``store_url`` that reaches loopback servers; wire files settle at once."""
    sched = {"wire_settle_seconds": 0, **(scheduler or {})}
    cons = {"samples": False, **(console or {})}
    lines = [
        'platforms = ["console"]',
        "[store]",
        f'url = "{store_url}"',
        "[fetch]",
        "allow_private_addresses = true",
        "timeout_seconds = 3",
        "[scheduler]",
        *(f"{key} = {value!r}" for key, value in sched.items()),
        "[console]",
        *(f"{key} = {value!r}".replace("False", "false").replace("True", "true") for key, value in cons.items()),
        "[wires]",
        *(f'{name} = "{folder}"' for name, folder in (wires or {}).items()),
        extra,
    ]
    path = tmp_path / "wirebrief.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def wire(tmp_path: Path) -> Path:
    folder = tmp_path / "wire"
    folder.mkdir()
    return folder


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A real HTTP server on 127.0.0.1 that tests script route by route."""
    srv = LocalServer()
    srv.start()
    yield srv
    srv.stop()


def rss(items: list[tuple[str, str, str]], title: str = "Test Feed") -> bytes:
    """An RSS 2.0 feed of (guid, title, text) items, newest first."""
    from xml.sax.saxutils import escape

    entries = "".join(
        f'<item><guid isPermaLink="false">{escape(g)}</guid><title>{escape(t)}</title>'
        f"<link>https://example.com/{escape(g)}</link><description>{escape(x)}</description></item>"
        for g, t, x in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{escape(title)}</title>'
        f"<link>https://example.com/</link><description>t</description>{entries}</channel></rss>"
    ).encode()


async def process_started(first_sign, proc, bound: float = 30.0):  # type: ignore[no-untyped-def]
    """Wait for a real bot process's first sign of life (``first_sign()``: one ≤ 5 s wait on a
    fake), retried up to ``bound`` seconds while the process runs. Start-up (imports,
    migrations) is not the behaviour under test and can take longer than 5 s on a loaded
    machine; every wait after it keeps the 5 s bound."""
    import asyncio

    deadline = asyncio.get_running_loop().time() + bound
    while True:
        try:
            return await first_sign()
        except (AssertionError, TimeoutError):
            if proc.returncode is not None or asyncio.get_running_loop().time() > deadline:
                raise
