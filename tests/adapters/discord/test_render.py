"""The embed a Discord reader sees: structure, escaping, neutralised mentions, Discord's limits."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.mentions import extract_links
from adapters.discord.render import (
    FIELD_VALUE_LIMIT,
    TITLE_LIMIT,
    TOTAL_LIMIT,
    ZWSP,
    digest_embed,
    neutralise_mentions,
    post_embed,
)
from bot.domain import ChannelRef, Post
from digests.model import Dateline, Digest, Quote


def make_digest(quotes: list[tuple[str, str | None, str | None]], headline: str = "Harbour strike ends") -> Digest:
    return Digest(
        headline=headline,
        dateline=Dateline("ROTTERDAM", "12 March", "Reuters"),
        quotes=tuple(Quote(text, who, role, 0, len(text)) for text, who, role in quotes),
        key_quotes=tuple(range(len(quotes))),
        text="…",
        url="https://news.example/strike",
    )


def test_embed_has_headline_link_dateline_quote_fields_and_footer():
    digest = make_digest([("We will return on Monday.", "Anna de Vries", "union leader"), ("No comment.", None, None)])
    when = datetime(2025, 3, 12, 9, 30, tzinfo=UTC)
    post = Post(digest, ChannelRef("discord", "1", "2"), "Harbour Wire", "https://news.example/strike", when)

    data = post_embed(post).to_dict()

    assert data["title"] == "Harbour strike ends"
    assert data["url"] == "https://news.example/strike"
    assert data["description"] == "ROTTERDAM, 12 March (Reuters)"
    assert [(f["name"], f["value"]) for f in data["fields"]] == [
        ("Anna de Vries — union leader", "“We will return on Monday.”"),
        ("Unattributed", "“No comment.”"),
    ]
    assert data["footer"]["text"] == "Harbour Wire"
    assert data["timestamp"].startswith("2025-03-12T09:30:00")


def test_mentions_in_quotes_are_broken_and_markdown_escaped():
    digest = make_digest([("@everyone look at **this** <@&123> and <@456> in <#789> @here", "Bob_the_Boss", "**CEO**")])

    field = digest_embed(digest).to_dict()["fields"][0]

    assert "@everyone" not in field["value"] and f"@{ZWSP}everyone" in field["value"]
    assert "@here" not in field["value"]
    for mention in ("<@&123>", "<@456>", "<#789>"):
        assert mention not in field["value"]
    assert r"\*\*this\*\*" in field["value"]
    assert field["name"] == r"Bob\_the\_Boss — \*\*CEO\*\*"


def test_unsafe_source_url_is_dropped_not_sent():
    digest = make_digest([("Hi.", None, None)])
    assert "url" not in digest_embed(digest, source_url="javascript:alert(1)").to_dict()


def test_no_quotes_says_so():
    data = digest_embed(make_digest([])).to_dict()
    assert "fields" not in data
    assert "No direct quotes" in data["description"]


def test_limits_hold_for_huge_digests():
    quotes = [("x" * 5000 + " <@1>", "S" * 400, "R" * 400) for _ in range(40)]
    data = digest_embed(make_digest(quotes, headline="H" * 1000)).to_dict()

    assert len(data["title"]) <= TITLE_LIMIT
    assert len(data["fields"]) <= 25
    assert all(len(f["value"]) <= FIELD_VALUE_LIMIT and len(f["name"]) <= 256 for f in data["fields"])
    total = len(data["title"]) + len(data.get("description", "")) + len(data["footer"]["text"])
    total += sum(len(f["name"]) + len(f["value"]) for f in data["fields"])
    assert total <= TOTAL_LIMIT


_PIECES = st.sampled_from(["@everyone", "@here", "<@", "<@!", "<@&", "<#", "42", ">", "@", "<", "x", " ", "\u200b"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=5)), max_size=40).map("".join))
def test_neutralised_text_never_holds_a_live_mention(text):
    out = neutralise_mentions(text)
    assert "@everyone" not in out and "@here" not in out
    assert not re.search(r"<(@[!&]?|#)\d+>", out)


def test_links_extracted_from_a_mention():
    text = "<@1> read <https://a.example/x>, then https://b.example/y). And https://a.example/x and http://c.example/z!"
    assert extract_links(text) == ["https://a.example/x", "https://b.example/y", "http://c.example/z"]
    assert extract_links("https://1.example https://2.example https://3.example https://4.example")[-1] == (
        "https://3.example"
    )
    assert extract_links("no links, just ftp://x.example") == []


def test_a_notice_shows_the_error_and_the_fix_and_links_nowhere() -> None:
    from adapters.discord.render import post_embed
    from bot.domain import ChannelRef, Post
    from bot.notices import fix_for, pause_notice

    notice = pause_notice("World <@&1> feed", 3, 0.5, "feeds.example answered HTTP 404", fix_for("http_status", 404))
    notice.extra["notice"] = True
    embed = post_embed(Post(notice, ChannelRef("discord", "1", "2"), "World feed", None, None)).to_dict()
    assert embed["title"].startswith("Wirebrief paused World") and "<@&1>" not in embed["title"]
    assert "Last error: feeds.example answered HTTP 404" in embed["description"]
    assert "moved or been removed" in embed["description"]
    assert "url" not in embed and "fields" not in embed
