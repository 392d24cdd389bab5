"""A fast sample of ``bench/hostile_corpus.py`` (issue 11's figure): our own hostile feeds,
pages, Slack replays and Markdown injections through the real paths — 0 crashes, 0 good items
lost, 0 live links, 0 pings, 0 replays acted on. The bench prints the figures for more cases;
its detectors are checked here too, so a zero means something."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


def _load(name: str):  # type: ignore[no-untyped-def]
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(name, BENCH / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    return _load("hostile_corpus")


async def test_a_sample_of_every_class_loses_nothing_and_acts_on_nothing(bench) -> None:  # type: ignore[no-untyped-def]
    tallies = await bench.run(4, 7, {"feed", "page", "slack", "markup"})
    got = {t.name: (t.crashes, t.lost, t.links, t.pings, t.markup or 0, t.replays or 0) for t in tallies}
    assert got == {name: (0, 0, 0, 0, 0, 0) for name in got}, [t.notes for t in tallies]
    assert len(got) == 4 and all(t.good >= 3 for t in tallies)  # 3 of 4 Slack requests are genuine


def test_the_detectors_see_what_would_act() -> None:
    cases = _load("hostile_cases")
    assert cases.discord_live("read [the report](http://evil.example) @everyone <@&12>")[:2] == (2, 2)
    assert cases.discord_live(r"read \[the report\]\(http\://evil.example) @" + "\u200beveryone") == (0, 0, 0)
    assert cases.slack_live("<https://evil.example|report> <!channel> @here *bold*") == (1, 2, 2)
    assert cases.slack_live("<!date^1700000000^{date}^https://evil.example|now> <@U1>")[:2] == (1, 1)
    assert cases.slack_live("&lt;https://evil.example|report&gt; &lt;!channel&gt; @\u2060here \u2217bold\u2217") == (
        0,
        0,
        0,
    )
