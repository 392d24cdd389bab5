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
