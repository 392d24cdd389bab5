"""The engine's commands as a user runs them: the embedded default, config errors, and
subscription management — real subprocesses, real SQLite."""

from __future__ import annotations

import re
from pathlib import Path

from tests.bot.proc import panels, wirebrief
from tests.conftest import write_config, write_dispatch

SAMPLE_LINKS = ("night-ferry", "heat-pump", "seed-library")


def test_embedded_default_prints_each_sample_digest_once(tmp_path: Path) -> None:
    first = wirebrief(tmp_path, "run", "--once")
    assert first.returncode == 0, first.stderr
    printed = panels(first.stdout)
    assert len(printed) == 5  # two wire dispatches and three feed items
    for link in SAMPLE_LINKS:
        assert sum(f"wirebrief-sample/{link}" in p for p in printed) == 1
    assert sum("sample ·" in p for p in printed) == 2  # the wire's footer names its source
    assert "Traceback" not in first.stderr
    assert (tmp_path / "data" / "wirebrief" / "wirebrief.sqlite3").exists()

    second = wirebrief(tmp_path, "run", "--once")
    assert second.returncode == 0, second.stderr
    assert panels(second.stdout) == []  # nothing already printed

    # unsubscribing from a sample is not undone by the next run (samples are seeded once)
    gone = wirebrief(tmp_path, "unsubscribe", "1", "--channel", "console:main")
    assert gone.returncode == 0 and "unsubscribed from sample" in gone.stdout
    listing = wirebrief(tmp_path, "subscriptions")
    assert "sample feed" in listing.stdout and not re.search(r"│ sample\s+│", listing.stdout)
    wirebrief(tmp_path, "run", "--once")
    again = wirebrief(tmp_path, "subscriptions")
    assert again.stdout.count("console:main") == 1


def test_new_wire_file_appears_on_the_next_pass(tmp_path: Path) -> None:
    wire = tmp_path / "desk"
    wire.mkdir()
    config = write_config(tmp_path, f"sqlite:///{tmp_path / 's.sqlite3'}", wires={"desk": wire})
    sub = wirebrief(tmp_path, "subscribe", "desk", "--channel", "console:main", "--config", str(config))
    assert sub.returncode == 0, sub.stderr
    assert "console:main #1: desk (on arrival, backfill 1)" in sub.stdout
    assert panels(wirebrief(tmp_path, "run", "--once", "--config", str(config)).stdout) == []
    write_dispatch(wire, "late.txt", 'LEEDS, May 2 - A bridge reopened. "Marker-Bridge-7 at last," said Al Bo.')
    run = wirebrief(tmp_path, "run", "--once", "--config", str(config))
    assert run.returncode == 0, run.stderr
    [panel] = panels(run.stdout)
    assert "Marker-Bridge-7" in panel and "desk" in panel
    status = wirebrief(tmp_path, "status", "--config", str(config))
    assert status.returncode == 0 and "Sources" in status.stdout and "Subscriptions" in status.stdout
    assert "desk" in status.stdout and "ago" in status.stdout


def test_bad_config_values_name_the_key_in_one_line(tmp_path: Path) -> None:
    cases = {
        "[scheduler]\npoll_interval_seconds = 1\n": "scheduler.poll_interval_seconds",
        '[store]\nurl = "mysql://db/x"\n': "store.url",
        "[wires]\ndesk = 3\n": "wires.desk",
        '[discord]\ntoken = "abc"\n': "WIREBRIEF_DISCORD_TOKEN",
        'platforms = ["irc"]\n': "platforms",
        "[fetch]\ntimeout_seconds = -2\n": "fetch.timeout_seconds",
    }
    for text, key in cases.items():
        config = tmp_path / "bad.toml"
        config.write_text(text, encoding="utf-8")
        result = wirebrief(tmp_path, "run", "--once", "--config", str(config))
        assert result.returncode != 0, text
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and key in lines[0] and "Traceback" not in result.stderr, (text, result.stderr)


def test_subscribe_refuses_bad_values_in_one_line(tmp_path: Path) -> None:
    cases = [
        (["https://example.com/feed", "--timezone", "Mars/Base"], "timezone"),
        (["https://example.com/feed", "--schedule", "0 8 * *"], "schedule"),
        (["https://example.com/feed", "--backfill", "50"], "backfill"),
        (["nowhere"], "neither"),
        (["https://example.com/feed", "--channel", "nochannel"], "PLATFORM:CHANNEL"),
    ]
    for args, word in cases:
        result = wirebrief(tmp_path, "subscribe", *args)
        assert result.returncode != 0
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and word in lines[0], (args, result.stderr)
    ok = wirebrief(
        tmp_path,
        "subscribe",
        "--no-check",  # no network here: the feed is checked at its first poll
        "https://example.com/feed",
        "--schedule",
        "0 8 * * *",
        "--timezone",
        "Europe/Kyiv",
        "--backfill",
        "3",
    )
    assert ok.returncode == 0, ok.stderr
    assert "daily at 08:00 (Europe/Kyiv), backfill 3" in ok.stdout
    assert "daily at 08:00 (Europe/Kyiv)" in wirebrief(tmp_path, "subscriptions", "--channel", "console:main").stdout
    missing = wirebrief(tmp_path, "unsubscribe", "9")
    assert missing.returncode != 0 and "no subscription '9'" in missing.stderr


def test_db_upgrade_creates_the_store(tmp_path: Path) -> None:
    db = tmp_path / "nested" / "w.sqlite3"
    result = wirebrief(tmp_path, "db", "upgrade", WIREBRIEF_STORE_URL=f"sqlite:///{db}")
    assert result.returncode == 0, result.stderr
    assert "store up to date" in result.stdout and db.exists()
    again = wirebrief(tmp_path, "db", "upgrade", WIREBRIEF_STORE_URL=f"sqlite:///{db}")
    assert again.returncode == 0


def test_short_help_version_and_help_text_kept_whole(tmp_path: Path) -> None:
    version = wirebrief(tmp_path, "--version")
    assert version.returncode == 0 and re.fullmatch(r"wirebrief \d+\.\d+\.\d+\S*\n", version.stdout)
    short = wirebrief(tmp_path, "subscribe", "-h")
    assert short.returncode == 0 and short.stdout == wirebrief(tmp_path, "subscribe", "--help").stdout
    assert "[wires]" in short.stdout  # not eaten as markup
    run = wirebrief(tmp_path, "run", "-h")
    assert "<bool>" not in run.stdout and "--once " in run.stdout and "list[str]" not in run.stdout
