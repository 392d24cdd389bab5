"""Exactly once when the store or the process fails between posting and marking: the local
journal of platform answers, a PostgreSQL outage mid fan-out (a cuttable proxy in front of the
shared server), and deliveries given up for good (one ERROR, listed, re-queued)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import make_url

from adapters.console import MemoryPlatform
from bot.domain import ChannelRef
from bot.journal import DELIVERY, EDITION, Answer, Journal, read_answers
from bot.store.deliveries import MAX_ATTEMPTS
from bot.store.models import DeliveryRow
from tests.bot.engine_harness import running_bot
from tests.conftest import write_dispatch
from tests.distinct import story
from tests.fakes.tcp_proxy import CuttableProxy

MAIN = ChannelRef("console", "main")


async def _until(predicate, what: str, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.02)


def test_a_crashed_process_journal_is_adopted_and_a_torn_line_skipped(tmp_path: Path) -> None:
    crashed = Journal(tmp_path)
    crashed.record(Answer(DELIVERY, 1, "m1"))
    crashed.record(Answer(EDITION, 7, "e7"))
    crashed.record(Answer(DELIVERY, 2, "m2"))
    crashed.done(Answer(DELIVERY, 2, "m2"))
    with crashed.path.open("ab") as raw:
        raw.write(b'{"k":"sent","kind":"delivery","id":3,"m"')  # killed mid-write
    crashed._file.close()  # the process dies: its lock goes, its file stays

    live = Journal(tmp_path)
    assert live.adopt() == 2
    assert sorted(a.key for a in live.pending()) == [(DELIVERY, 1), (EDITION, 7)]
    assert not crashed.path.exists()
    assert sorted(a.key for a in read_answers(live.path.read_bytes())) == [(DELIVERY, 1), (EDITION, 7)]
    other = Journal(tmp_path)
    assert other.adopt() == 0  # a living process's journal is never taken
    for answer in live.pending():
        live.done(answer)
    assert live.path.read_bytes() == b""
    live.close()
    other.close()
    assert list(tmp_path.glob("journal-*")) == []


def _desk(tmp_path: Path, stories: int) -> Path:
    wire = tmp_path / "desk"
    wire.mkdir()
    for n in range(stories):
        write_dispatch(wire, f"s{n:02d}.txt", story(n, f"Token-R{n:02d}"), age=600 - n)
    return wire


async def test_postgresql_cut_mid_fan_out_one_warning_nothing_lost_nothing_twice(
    tmp_path: Path, pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    proxy = CuttableProxy().start()
    url = make_url(pg_url).set(port=proxy.port).render_as_string(hide_password=False)
    wire = _desk(tmp_path, 10)
    platform = MemoryPlatform(post_delay=0.15)
    try:
        async with running_bot(
            tmp_path,
            url,
            wires={"desk": wire},
            scheduler={"claim_timeout_seconds": 60, "wire_interval_seconds": 60},
            platform=platform,
        ) as bot:
            await bot.services.subscribe(MAIN, "desk", backfill=10)
            caplog.set_level(logging.INFO)
            await bot.engine.start()
            await _until(lambda: len(platform.posts) >= 3, "the first posts", timeout=30)  # start-up: loose bound
            proxy.cut()
            await asyncio.sleep(1.5)  # posts in flight finish; their marks and the next claims fail
            proxy.restore()
            await _until(lambda: len(platform.posts) >= 10, "every post after the outage", timeout=15)
            await _until(lambda: bot.services.store.delivery_counts() == {"sent": 10}, "every post marked")
            await asyncio.sleep(0.5)  # another sweep: nothing twice
    finally:
        proxy.close()
    assert len(platform.posts) == 10 and len({p.delivery_id for p in platform.posts}) == 10
    ours = [r for r in caplog.records if r.name.startswith(("bot.outbox", "bot.engine", "bot.store", "bot.recovery"))]
    assert [r.getMessage()[:18] for r in ours if r.levelno == logging.WARNING] == ["store unreachable "]
    assert [r for r in ours if r.levelno >= logging.ERROR or r.exc_info] == []
    assert any("store reachable again" in r.getMessage() for r in ours)


async def test_a_delivery_given_up_logs_one_error_shows_in_status_and_can_be_retried(
    tmp_path: Path, store_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    wire = _desk(tmp_path, 1)
    platform = MemoryPlatform()
    async with running_bot(tmp_path, store_url, wires={"desk": wire}, platform=platform) as bot:
        await bot.services.subscribe(MAIN, "desk", backfill=1)
        platform.fail_times = 1
        caplog.set_level(logging.INFO)
        await bot.engine.run_pass()
        assert "will retry" in caplog.text and "given up" not in caplog.text
        with bot.services.store.tx() as s:  # four attempts already made, the last one due now
            s.execute(update(DeliveryRow).values(attempts=MAX_ATTEMPTS - 1, next_attempt=None))
        caplog.clear()
        platform.fail_times = 1
        await bot.engine.run_pass()
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert len(errors) == 1 and "will retry" not in errors[0].getMessage()
        line = errors[0].getMessage()
        assert "given up for good" in line and "console:main" in line and "platform unreachable" in line
        (failed,) = await bot.services.failed_deliveries()
        assert failed.headline and failed.headline in line  # the item
        assert failed.channel == MAIN and "platform unreachable" in (failed.error or "")
        (info,) = await bot.services.subscriptions(MAIN)
        assert info.failed_deliveries == 1 and "platform unreachable" in (info.last_delivery_error or "")

        assert await bot.services.retry_deliveries([failed.id]) == [failed.id]
        await bot.engine.run_pass()
        assert len(platform.posts) == 1 and platform.posts[0].resend  # looked for before posting again
        assert await bot.services.failed_deliveries() == []
        assert bot.services.store.delivery_counts() == {"sent": 1}
