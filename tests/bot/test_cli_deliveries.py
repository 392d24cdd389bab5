"""Failed deliveries are visible and recoverable from the CLI: `status` shows them with their
last error, `wirebrief deliveries --failed` lists them, `wirebrief deliveries retry` re-queues;
`run --once` fails (one line, exit 1) when every source failed."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.domain import ChannelRef
from bot.store import Store
from bot.store.deliveries import MAX_ATTEMPTS
from tests.bot.proc import wirebrief
from tests.conftest import write_config, write_dispatch
from tests.distinct import story
from tests.fakes.http_server import LocalServer, Reply


def _failed_delivery(tmp_path: Path) -> tuple[Path, int]:
    wire = tmp_path / "desk"
    wire.mkdir()
    write_dispatch(wire, "s.txt", story(1, "Token-F1"))
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    config = write_config(tmp_path, url, wires={"desk": wire})
    assert wirebrief(tmp_path, "subscribe", "desk", "--config", str(config)).returncode == 0
    assert wirebrief(tmp_path, "run", "--once", "--config", str(config)).returncode == 0
    store = Store.open(url, upgrade=False)
    try:
        (cand,) = store.due(["console"], timedelta(seconds=60)) or [None]
        assert cand is None  # posted: make a second channel whose post fails for good
        store.subscribe(ChannelRef("console", "wall"), 1, None, "UTC", 1, timedelta(hours=1), None)
        (cand,) = store.due(["console"], timedelta(seconds=60))
        ident = store.claim(cand, "t", timedelta(seconds=60))
        assert ident is not None
        for _ in range(MAX_ATTEMPTS):
            store.mark_failed(ident, "t", "HTTPError 503: wall unavailable", timedelta(0))
            store.claim(cand, "t", timedelta(seconds=60))
    finally:
        store.close()
    return config, ident


def test_status_lists_and_retry_requeues_failed_deliveries(tmp_path: Path) -> None:
    config, ident = _failed_delivery(tmp_path)

    status = wirebrief(tmp_path, "status", "--config", str(config))
    assert status.returncode == 0, status.stderr
    assert "Failed deliveries" in status.stdout and "wall unavailable" in status.stdout
    assert "console:wall" in status.stdout and "wirebrief deliveries retry" in status.stdout

    listing = wirebrief(tmp_path, "deliveries", "--failed", "--config", str(config))
    assert listing.returncode == 0 and f"│ {ident} " in listing.stdout and "wall unavailable" in listing.stdout
    summary = wirebrief(tmp_path, "deliveries", "--config", str(config))
    assert "1 sent" in summary.stdout and "1 given up for good" in summary.stdout

    bare = wirebrief(tmp_path, "deliveries", "retry", "--config", str(config))
    assert bare.returncode == 2 and "give delivery ids" in bare.stderr and "Traceback" not in bare.stderr
    unknown = wirebrief(tmp_path, "deliveries", "retry", "9999", "--config", str(config))
    assert unknown.returncode == 1 and "9999" in unknown.stderr

    again = wirebrief(tmp_path, "deliveries", "retry", str(ident), "--config", str(config))
    assert again.returncode == 0 and f"re-queued 1 delivery: {ident}" in again.stdout
    assert "no failed deliveries" in wirebrief(tmp_path, "deliveries", "--failed", "--config", str(config)).stdout
    run = wirebrief(tmp_path, "run", "--once", "--config", str(config))
    assert run.returncode == 0 and run.stdout.count("Token-F1") == 1  # posted to the wall this time, once
    assert "Failed deliveries" not in wirebrief(tmp_path, "status", "--config", str(config)).stdout


def test_run_once_exits_non_zero_with_one_line_when_every_source_failed(tmp_path: Path, server: LocalServer) -> None:
    broken = server.route("/feed.xml", Reply(503, b"down", {"Content-Type": "text/plain"}))
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite3'}")
    sub = wirebrief(tmp_path, "subscribe", broken, "--no-check", "--config", str(config))
    assert sub.returncode == 0, sub.stderr
    run = wirebrief(tmp_path, "run", "--once", "--config", str(config))
    assert run.returncode == 1
    (line,) = [x for x in run.stderr.splitlines() if "every source failed" in x]
    assert line.startswith("wirebrief: every source failed (1): ") and "503" in line
    assert "Traceback" not in run.stderr
