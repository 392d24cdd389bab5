"""Markdown injection: a corpus of hostile quotes of our own (disguised links, several to a
quote, fences between them, headings, spoilers, timestamps, mentions) rendered into embeds
and, for one, sent through the real discord.py path to the fake Discord. Nothing may stay
live, and the reader must see the source's text unchanged."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.render import ZWSP, digest_embed, escape_markdown, safe_text
from digests.model import Dateline, Digest, Quote
from tests.adapters.discord.test_delivery import channel_posts
from tests.fakes.discord_fake import FakeDiscord

HOSTILE = [
    "Read the [official report](http://evil.example/a) and the [annex](http://evil.example/b) today.",
    "See [one](http://e.example/1) [two](<http://e.example/2>) [three](http://e.example/3 'title').",
    "Before ```py\nimport os``` between [masked](http://evil.example/c) ``` after``` end.",
    "# Breaking\n## Sub\n### Third\n-# subtext\n> quoted\n>>> all quoted\n- item\n1. first",
    "||spoiler|| __underline__ ~~strike~~ ***both*** *it* _it_ `code` \\*already\\* \\",
    "At <t:1700000000:R> in <#123> ask <@456> or <@!789> or <@&321> or </digest:42> or <:emoji:55>",
    "@everyone and @here: visit https://evil.example/login?next=x_y or <https://evil.example/quiet>",
    "[![img](http://evil.example/i.png)](http://evil.example/) and [](http://evil.example/empty)",
    "[nested [brackets]](http://evil.example/n) and [text]\n(http://evil.example/split)",
    "\u200b[zero width](http://evil.example/z) and ［fullwidth］（http://evil.example/f）",
]
_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")
_MENTION = re.compile(r"<(@[!&]?|#|/|t:|a?:)")


def live_constructs(text: str) -> list[str]:
    """What Discord's Markdown would still act on in ``text`` (after escapes are honoured)."""
    bare = _ESCAPED.sub("E", text)  # an escaped character is plain text, like a letter
    found = [c for c in ("[", "]", "`", "*", "_", "~", "|", "<", ">") if c in bare]
    if "://" in bare:
        found.append("autolink")
    if re.search(r"(?m)^\s*(#|>|-|\+|\d+\.)", bare):
        found.append("line start")
    if re.search(r"@(everyone|here)", bare) or _MENTION.search(bare):
        found.append("mention")
    return found


def reader_sees(escaped: str) -> str:
    """The text as rendered: escapes resolved, the zero-width breaks inside mentions invisible."""
    return _ESCAPED.sub(lambda m: m.group(0)[1], escaped).replace(ZWSP, "")


def digest_of(quotes: list[str]) -> Digest:
    return Digest(
        headline="[Click](http://evil.example/h) **now**",
        dateline=Dateline("# LONDON", "May 2", "[Wire](http://evil.example/d)"),
        quotes=tuple(Quote(q, "[Boss](http://evil.example/s)", "`admin`", 0, len(q)) for q in quotes),
        key_quotes=tuple(range(len(quotes))),
        text="…",
    )


def test_hostile_corpus_renders_nothing_live_and_reads_unchanged() -> None:
    data = digest_embed(digest_of(HOSTILE[:5])).to_dict()
    texts = [data["title"], data["description"], *(f[k] for f in data["fields"] for k in ("name", "value"))]
    for text in texts:
        assert live_constructs(text) == [], text
    for quote in HOSTILE:
        out = safe_text(quote, 4000)
        assert live_constructs(out) == [], (quote, out)
        assert reader_sees(out) == " ".join(quote.split()).replace(ZWSP, ""), quote


def test_every_masked_link_of_several_is_escaped() -> None:
    """discord.utils.escape_markdown left the second link of this quote live."""
    out = escape_markdown(HOSTILE[0])
    assert out.count(r"\[") == 2 and out.count(r"\]") == 2
    assert "](" not in _ESCAPED.sub("E", out)


def test_multiline_constructs_are_escaped_at_every_line_start() -> None:
    out = escape_markdown(HOSTILE[3])
    assert live_constructs(out) == []
    assert reader_sees(out) == HOSTILE[3]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("[]()<>*_~|`#-+>:/\\@!&.1 \nahttps")), max_size=60))
def test_any_text_is_inert_and_reads_unchanged(text: str) -> None:
    out = safe_text(text, 10_000)
    assert live_constructs(out) == [], out
    assert reader_sees(out) == " ".join(text.split())


async def test_a_hostile_wire_story_reaches_discord_inert(fake: FakeDiscord, engine, settings) -> None:  # type: ignore[no-untyped-def]
    """Through the real engine, outbox and discord.py to the fake: what arrived is inert."""
    story = (
        "LONDON, May 2 (Test Wire) — The ministry published its findings on Friday.\n"
        '"Read the [official report](http://evil.example/a) and the [annex](http://evil.example/b) '
        'before ```voting``` on it, @everyone," the minister, Jo Smith, told parliament.\n'
    )
    (settings.wires["newsroom"] / "story.txt").write_text(story, encoding="utf-8")
    cid = fake.channel_ids[0]
    reply = await fake.wait_reply(await fake.send_command("subscribe", {"source": "newsroom"}, channel_id=cid))
    assert reply["content"].startswith("Subscribed"), reply["content"]
    await engine.run_pass()
    (post,) = channel_posts(fake, cid)
    assert post["allowed_mentions"] == {"parse": []}
    (embed,) = post["embeds"]
    quote = next(f["value"] for f in embed["fields"] if "official report" in f["value"])
    assert live_constructs(quote) == [], quote
    assert "official report" in reader_sees(quote) and "annex" in reader_sees(quote)
