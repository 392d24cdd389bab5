"""How sources are named in lists: two feeds with one title stay distinguishable."""

from __future__ import annotations

from bot.domain import SourceInfo


def test_feed_label_adds_the_host_wires_do_not() -> None:
    a = SourceInfo(1, "feed", "https://www.alpha.example/rss", "World News")
    b = SourceInfo(2, "feed", "https://beta.example/world.xml", "World News")
    assert (a.label, b.label) == ("World News (alpha.example)", "World News (beta.example)")
    assert SourceInfo(3, "feed", "https://c.example/x", "https://c.example/x").label == "https://c.example/x"
    assert SourceInfo(4, "feed", "https://bbc.co.uk/x", "bbc.co.uk headlines").label == "bbc.co.uk headlines"
    assert SourceInfo(5, "wire", "wire:desk", "desk").label == "desk"
