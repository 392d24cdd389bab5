"""`wirebrief preview`, `export` and `import` as a user runs them: real subprocesses, a real
store, a local feed server."""

from __future__ import annotations

from pathlib import Path

from tests.bot.proc import wirebrief
from tests.conftest import rss, write_config
from tests.distinct import story
from tests.fakes.http_server import LocalServer, feed


def _config(tmp_path: Path) -> str:
    return str(write_config(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite3'}"))


def test_preview_prints_the_latest_items_and_what_a_filter_keeps(tmp_path: Path, server: LocalServer) -> None:
    url = server.route("/desk.xml", feed(rss([(f"g{n}", f"Item {n}", story(n)) for n in range(4)], "Harbour Wire")))
    shown = wirebrief(tmp_path, "preview", url, "--filter", "-orchestra", "--config", _config(tmp_path))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "Harbour Wire (127.0.0.1): 4 items"
    assert "2.  [filtered out]" in lines
    assert "     “We have never seen anything like this,” — Ines Morgado, harbour master" in lines
    assert lines[-1] == "with filter '-orchestra': 2 of 3 would post"
    listing = wirebrief(tmp_path, "subscriptions", "--config", _config(tmp_path))
    assert "no subscriptions" in listing.stdout  # a preview stores nothing

    bad = wirebrief(tmp_path, "preview", url, "--filter", '"open', "--config", _config(tmp_path))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.splitlines()[-1] == "wirebrief: error: a filter has an unclosed \": '\"open'"


def test_export_and_import_round_trip_through_files(tmp_path: Path, server: LocalServer) -> None:
    config = _config(tmp_path)
    one = server.route("/one.xml", feed(rss([("a", "A", story(0))], "Harbour Wire")))
    channel = ["--channel", "discord:1/2", "--config", config]
    made = wirebrief(tmp_path, "subscribe", one, "weekdays", "08:00", "--filter=-sport", *channel)
    assert made.returncode == 0, made.stderr
    out = tmp_path / "desk.opml"
    exported = wirebrief(tmp_path, "export", "--channel", "discord:1/2", "-o", str(out), "--config", config)
    assert exported.returncode == 0, exported.stderr
    assert f'xmlUrl="{one}"' in out.read_text() and 'wirebrief:filters="-sport"' in out.read_text()
    printed = wirebrief(tmp_path, "export", "--channel", "discord:1/2", "--format", "json", "--config", config)
    assert '"cron": "0 8 * * 1-5"' in printed.stdout

    imported = wirebrief(tmp_path, "import", str(out), "--channel", "slack:T/C", "--config", config)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "slack:C: Imported 1 of 1: 1 new."
    listing = wirebrief(tmp_path, "subscriptions", "--channel", "slack:T/C", "--config", config)
    assert "Harbour Wire" in listing.stdout and "filter: -sport" in listing.stdout

    missing = wirebrief(tmp_path, "import", str(tmp_path / "nope.opml"), "--config", config)
    assert missing.returncode == 2 and missing.stderr.splitlines()[-1].endswith("nope.opml: no such file")
    bad = wirebrief(tmp_path, "export", "--channel", "slack:T/C", "--format", "csv", "--config", config)
    assert bad.returncode == 2 and "export format must be opml or json" in bad.stderr
