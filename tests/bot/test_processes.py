"""Real `wirebrief run` processes: kill -9 in the middle of a posting run and restart; two
bots on one PostgreSQL. Each digest must reach the console exactly once."""

from __future__ import annotations

import time
from pathlib import Path

from tests.bot.proc import Bot, count_token, panels, wait_until, wirebrief
from tests.conftest import write_config, write_dispatch
from tests.distinct import story


def _newsroom(tmp_path: Path, store_url: str, stories: int, delay: float) -> Path:
    wire = tmp_path / "desk"
    wire.mkdir()
    for n in range(stories):
        write_dispatch(wire, f"story-{n:02d}.txt", story(n, f"Token-K{n:02d}"), age=600 - n)
    config = write_config(
        tmp_path,
        store_url,
        wires={"desk": wire},
        scheduler={"claim_timeout_seconds": 1, "wire_interval_seconds": 1},
        console={"post_delay_seconds": delay},
    )
    sub = wirebrief(tmp_path, "subscribe", "desk", "--backfill", "10", "--config", str(config))
    assert sub.returncode == 0, sub.stderr
    return config


def test_kill_9_mid_posting_then_restart_posts_each_digest_exactly_once(tmp_path: Path) -> None:
    config = _newsroom(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite3'}", stories=6, delay=0.3)
    first = Bot(tmp_path, "first", "--config", str(config))
    try:
        wait_until(lambda: len(panels(first.text())) >= 2, what="two posts from the first bot")
        time.sleep(0.12)  # inside the third post's delay: claimed, not yet printed
    finally:
        first.kill9()  # also when the wait fails: never leave a bot running
    before = first.text()
    assert 2 <= len(panels(before)) < 6

    second = Bot(tmp_path, "second", "--config", str(config))
    tokens = [f"Token-K{n:02d}" for n in range(6)]
    try:
        wait_until(
            lambda: all(count_token([before, second.text()], t) >= 1 for t in tokens),
            what="every digest after the restart",
        )
        time.sleep(1.5)  # another sweep: nothing is posted twice
    finally:
        status = second.interrupt()
    assert status == 0, second.err.read_text()
    assert {t: count_token([before, second.text()], t) for t in tokens} == dict.fromkeys(tokens, 1)


def test_two_bots_on_one_postgresql_post_each_digest_once(tmp_path: Path, pg_url: str) -> None:
    config = _newsroom(tmp_path, pg_url, stories=8, delay=0.05)
    bots: list[Bot] = []
    tokens = [f"Token-K{n:02d}" for n in range(8)]
    try:
        bots.extend(Bot(tmp_path, f"bot{i}", "--config", str(config)) for i in range(2))
        wait_until(lambda: all(count_token([b.text() for b in bots], t) >= 1 for t in tokens), what="every digest")
        time.sleep(1.5)  # both keep sweeping: still nothing twice
    finally:
        codes = [b.interrupt() for b in bots]
    assert codes == [0, 0], [b.err.read_text() for b in bots]
    outputs = [b.text() for b in bots]
    assert {t: count_token(outputs, t) for t in tokens} == dict.fromkeys(tokens, 1)
