"""Block Kit rendering: structure, limits, and that source text can never ping or link anyone."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.blocks import HEADER_MAX, digest_blocks, digest_message, escape
from digests.model import Dateline, Digest, Quote


def _digest(quote: str = "We will not back down", speaker: str | None = "Maria Lopez", **kw) -> Digest:
    text = f'"{quote}," said {speaker}.'
    defaults = dict(
        headline="Dockers strike over pay",
        dateline=Dateline("ROTTERDAM", "May 1", "Reuters"),
        quotes=(Quote(quote, speaker, "union leader", 1, 1 + len(quote)),),
        key_quotes=(0,),
        text=text,
        url="https://news.example/strike",
    )
    defaults.update(kw)
    return Digest(**defaults)


def _texts(blocks: list[dict]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        if "text" in block:
            out.append(block["text"]["text"])
        for el in block.get("elements", []):
            out.append(el["text"] if isinstance(el["text"], str) else el["text"]["text"])
    return out


def test_blocks_show_headline_dateline_source_quote_speaker_and_button() -> None:
    blocks = digest_blocks(_digest(), "Harbour wire", "https://feeds.example/rss")
    assert [b["type"] for b in blocks] == ["header", "context", "section", "actions"]
    assert blocks[0]["text"] == {"type": "plain_text", "text": "Dockers strike over pay", "emoji": False}
    assert blocks[1]["elements"][0]["text"] == "ROTTERDAM, May 1 (Reuters) · Harbour wire"
    assert blocks[2]["text"]["text"] == "> “We will not back down”\n— *Maria Lopez, union leader*"
    assert blocks[3]["elements"][0]["url"] == "https://news.example/strike"


def test_broadcast_and_user_mentions_in_a_quote_are_escaped() -> None:
    quote = (
        "Hey <!channel> and <!here|here> and <!everyone>, ask <@U123ABC> & <#C1|general> or <https://evil.example|x>"
    )
    message = digest_message(_digest(quote=quote, speaker="<@U999>"), "<!here>")
    payload = json.dumps(message)
    for raw in ("<!channel>", "<!here", "<!everyone>", "<@U123ABC>", "<@U999>", "<#C1", "<https://evil"):
        assert raw not in payload
    assert "&lt;!channel&gt;" in message["blocks"][2]["text"]["text"]
    assert "&lt;@U123ABC&gt; &amp;" in message["text"]
    assert all(b["text"].get("verbatim") for b in message["blocks"] if b["type"] == "section")


def test_plain_broadcast_words_are_made_inert() -> None:
    assert escape("@here and @channel") == "@\u2060here and @\u2060channel"


def test_no_quotes_says_so_and_unsafe_urls_get_no_button() -> None:
    digest = _digest(quotes=(), key_quotes=(), url="javascript:alert(1)")
    blocks = digest_blocks(digest, None, "file:///etc/passwd")
    assert [b["type"] for b in blocks] == ["header", "context", "section"]
    assert "No direct quotes" in blocks[-1]["text"]["text"]


def test_header_is_cut_to_slack_limit_without_splitting_an_entity() -> None:
    digest = _digest(headline="A" * 147 + "&&&&")
    header = digest_blocks(digest)[0]["text"]["text"]
    assert len(header) <= HEADER_MAX
    assert header.endswith("…") and not header.rstrip("…").endswith(("&", "&amp"))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=4000), st.text(max_size=300), st.text(max_size=400))
def test_any_text_renders_within_limits_and_without_raw_angle_brackets(quote: str, speaker: str, head: str) -> None:
    digest = _digest(quote=quote, speaker=speaker, headline=head)
    message = digest_message(digest, speaker, "https://x.example/")
    blocks = message["blocks"]
    assert len(blocks) <= 50
    assert len(blocks[0]["text"]["text"]) <= HEADER_MAX and blocks[0]["text"]["text"]
    for text in [*_texts(blocks), message["text"]]:
        assert "<" not in text and ">" not in text.replace("\n>", "\n").removeprefix(">")
        assert len(text) <= 3000


def test_a_notice_has_the_error_and_the_fix_and_no_button() -> None:
    from adapters.slack.blocks import notice_message
    from bot.notices import fix_for, pause_notice

    notice = pause_notice(
        "World <!channel> feed", 3, 0.5, "feeds.example answered HTTP 404", fix_for("http_status", 404)
    )
    message = notice_message(notice, "World feed")
    assert [b["type"] for b in message["blocks"]] == ["header", "section", "context"]
    assert "Last error: feeds.example answered HTTP 404" in message["blocks"][1]["text"]["text"]
    assert "<!channel>" not in json.dumps(message)
