"""Markup injection in Slack: a corpus of hostile quotes of our own (formatting markers, fences,
disguised links, every mention form, a forged date token, a leading quote marker) rendered to
Block Kit and, for one story, posted through the real engine and slack_sdk to the fake Slack.
Nothing may format, link or ping, and the reader must see the source's text."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.slack.blocks import digest_message, escape
from digests.model import Dateline, Digest, Quote
from tests.adapters.slack.conftest import close_rig, open_rig
from tests.fakes.slack_fake import FakeSlack

HOSTILE = [
    "*Breaking* _exclusive_ ~retracted~ `rm -rf` ```block``` **double** __under__",
    "Click <https://evil.example/login|the official report> or <https://evil.example/annex|annex>",
    "Hey <!channel> <!here> <!everyone> <@U123> <#C456|general> <!subteam^S789|@team> @here @channel",
    "At <!date^1700000000^{date}|yesterday> the minister said so",
    "> quoted start\n>>> more\n&gt; entity quote",
    "＊wide＊ ＿wide＿ ｀wide｀ and not_in_channel stays, a*b*c stays",
    "*nested _markers ~all `over*_~` the place",
]
_BACK = {"\u2217": "*", "\ufe61": "＊", "\u02cd": "_", "\u2e0f": "＿", "\u223c": "~", "\u02cb": "`"}


def live(text: str) -> list[str]:
    """What Slack's mrkdwn would act on in an escaped fragment."""
    found = []
    if "<" in text or ">" in text:
        found.append("control")
    if "`" in text or "｀" in text:
        found.append("code")
    if re.search(r"(?<![^\W_])[*_~＊＿]|[*_~＊＿](?![^\W_])", text):
        found.append("marker at a word edge")
    if re.search(r"(?m)^\s*(&gt;|＞)", text):
        found.append("block quote")
    if re.search(r"@(channel|here|everyone)\b", text):
        found.append("broadcast")
    return found


def reader_sees(text: str) -> str:
    """What Slack draws: entities decoded, look-alikes read as the characters they stand for
    (apart from the backtick, whose stand-in is an accent), invisible joiners gone."""
    for lookalike, original in _BACK.items():
        text = text.replace(lookalike, original)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.replace("\u2060", "").replace("\u00ad", "")


def digest_of(quotes: list[str]) -> Digest:
    return Digest(
        headline="*Big* news <!channel>",
        dateline=Dateline("_LONDON_", "May 2", "`Wire`"),
        quotes=tuple(Quote(q, "*Boss* <@U1>", "_admin_", 0, len(q)) for q in quotes),
        key_quotes=tuple(range(len(quotes))),
        text="…",
    )


def test_hostile_corpus_is_inert_and_reads_unchanged() -> None:
    for quote in HOSTILE:
        out = escape(quote)
        assert live(out) == [], (quote, out)
        assert reader_sees(out) == quote.replace("｀", "`")


def test_a_rendered_message_carries_nothing_live() -> None:
    message = digest_message(digest_of(HOSTILE), "*Source* <!here>")
    raw = json.dumps(message, ensure_ascii=False)
    for forbidden in ("<!channel>", "<!here>", "<@U", "<#C", "<https://", "<!date", "<!subteam"):
        assert forbidden not in raw
    header, context, *sections = message["blocks"]
    assert header["text"] == {"type": "plain_text", "text": "*Big* news &lt;!channel&gt;", "emoji": False}
    assert live(context["elements"][0]["text"]) == []
    for section in sections[: len(HOSTILE)]:
        text = section["text"]["text"]
        body, _, who = text.removeprefix("> “").partition("”\n— *")
        assert live(body) == [] and live(who.removesuffix("*")) == [], text
        assert section["text"]["verbatim"] is True
    for line in message["text"].split("\n"):
        assert live(line) == [], line


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"*_~`<>&!@#|:/ \nab＊＿｀＞", "here", "channel", "&gt;"]), max_size=40).map("".join))
def test_any_text_is_inert_and_reads_unchanged(text: str) -> None:
    out = escape(text)
    assert live(out) == [], out
    assert reader_sees(out) == text.replace("｀", "`")  # both backticks have one stand-in


async def test_a_hostile_story_reaches_slack_inert(
    tmp_path: Path, fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    wire = tmp_path / "hostile-wire"
    wire.mkdir()
    (wire / "story.txt").write_text(
        "LONDON, May 2 (Test Wire) - The ministry published its findings on Friday.\n\n"
        '"Read *the* _official_ <https://evil.example|report> before `voting`, <!channel>," '
        "the minister, Jo Smith, told parliament.\n",
        encoding="utf-8",
    )
    rig = await open_rig(tmp_path, fake_slack, wire, monkeypatch, "http")
    try:
        reply = await rig.side.command("subscribe desk on arrival backfill 1")
        assert reply["response_type"] == "in_channel", reply
        await rig.run_pass()
        post = await rig.fake.wait_for(lambda r: r.kind == "api" and r.name == "chat.postMessage")
    finally:
        await close_rig(rig)
    sections = [b["text"]["text"] for b in post.body["blocks"] if b["type"] == "section"]
    quote = next(s for s in sections if "official" in s)
    body = quote.removeprefix("> “").partition("”\n— *")[0]
    assert live(body) == [], body
    assert "<!channel>" not in json.dumps(post.body) and "<https://evil" not in json.dumps(post.body)
