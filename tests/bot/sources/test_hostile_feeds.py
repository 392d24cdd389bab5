"""Hostile feeds lose nothing: a corpus of our own, each case with good items beside a bad one,
served over real HTTP and read through the bot's real poll path into a real store.

Every case must end with 0 crashes (the poll succeeds), every good item stored and posted,
and the bad character or element contained where it is (U+FFFD, or the text kept).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.domain import ChannelRef
from bot.sources.feeds import parse_feed
from bot.sources.text import html_to_text
from tests.bot.engine_harness import running_bot
from tests.fakes.http_server import LocalServer, Reply, feed

MAIN = ChannelRef("console", "main")


def _rss(items: str, decl: str = '<?xml version="1.0" encoding="utf-8"?>') -> str:
    return f'{decl}<rss version="2.0"><channel><title>Hostile</title>{items}</channel></rss>'


def _item(guid: str, title: str, body: str = "") -> str:
    return f"<item><guid>{guid}</guid><title>{title}</title><description>{body}</description></item>"


GOOD = _item("good-1", "Harbour reopens", "The harbour reopened on Monday.") + _item(
    "good-2", "Ferry resumes", "The ferry runs again from Tuesday."
)
GOOD_TITLES = {"Harbour reopens", "Ferry resumes"}


@dataclass(frozen=True)
class Case:
    name: str
    body: bytes
    content_type: str
    titles: set[str]  # every title that must arrive (the good items and the repaired one)


RSS = "application/rss+xml"
SURR = b"\xed\xa0\x80"  # a surrogate encoded as if UTF-8 allowed it
UTF16 = '<?xml version="1.0" encoding="utf-16"?>'
CASES = [
    Case("lone surrogate ref", _rss(_item("bad", "Bad &#xD800; char", "x &#xDFFF; y") + GOOD).encode(), RSS,
         GOOD_TITLES | {"Bad \ufffd char"}),
    Case("NUL and out-of-range refs", _rss(_item("bad", "Nul&#0; and &#x110000; far", "&#1;") + GOOD).encode(), RSS,
         GOOD_TITLES | {"Nul and \ufffd far"}),
    Case("decimal surrogate ref", _rss(GOOD + _item("bad", "Dec &#55296; ref", "body")).encode(), "text/xml",
         GOOD_TITLES | {"Dec \ufffd ref"}),
    Case("surrogate ref in UTF-16", _rss(_item("bad", "Wide &#xD800;", "b") + GOOD, UTF16).encode("utf-16"),
         "application/xml", GOOD_TITLES | {"Wide \ufffd"}),
    Case("stray byte in UTF-8", _rss(_item("bad", "Café \x00", "Zürich") + GOOD).encode().replace(b"\x00", b"\xff"),
         RSS + "; charset=utf-8", GOOD_TITLES | {"Café \ufffd"}),
    Case("surrogate bytes in UTF-8", _rss(_item("bad", "Köln \x00", "x") + GOOD).encode().replace(b"\x00", SURR),
         RSS, GOOD_TITLES | {"Köln \ufffd\ufffd\ufffd"}),
    Case("served as text/rss+xml", _rss(GOOD).encode(), "text/rss+xml", GOOD_TITLES),
    Case("served as application/x-rss+xml", _rss(GOOD).encode(), "application/x-rss+xml", GOOD_TITLES),
    Case("served as text/html", _rss(GOOD).encode(), "text/html; charset=utf-8", GOOD_TITLES),
    Case("served as octet-stream", _rss(GOOD).encode(), "application/octet-stream", GOOD_TITLES),
    Case("served as text/plain", _rss(GOOD).encode(), "text/plain", GOOD_TITLES),
    Case(
        "atom as text/atom+xml",
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
        b'<entry><id>a1</id><title type="text">History of the &lt;blink&gt; tag</title><summary>s</summary></entry>'
        b'<entry><id>a2</id><title type="html">Bold &lt;b&gt;move&lt;/b&gt;</title><summary>s2</summary></entry>'
        b"</feed>",
        "text/atom+xml",
        {"History of the <blink> tag", "Bold move"},
    ),
    Case(
        "json feed surrogates",
        json.dumps(
            {
                "version": "https://jsonfeed.org/version/1.1",
                "title": "J",
                "items": [
                    {"id": "bad\ud800", "title": "Json \udc00 title", "content_text": "t \ud800"},
                    {"id": "ok-1", "title": "Harbour reopens", "content_text": "The harbour reopened."},
                    {"id": "ok-2", "title": "Ferry resumes", "content_html": "<p>The ferry runs.</p>"},
                ],
            }
        ).encode(),
        "application/feed+json",
        GOOD_TITLES | {"Json \ufffd title"},
    ),
    Case(
        "json feed with a stray byte",
        json.dumps(
            {"version": "https://jsonfeed.org/version/1", "items": [{"id": "1", "title": "Stray \x00 byte"}]}
        ).encode().replace(b"\\u0000", b"\xff"),
        "application/json",
        {"Stray \ufffd byte"},
    ),
]  # fmt: skip


async def test_hostile_feed_corpus_loses_no_good_item(tmp_path: Path, store_url: str, server: LocalServer) -> None:
    """One bot, one subscription per case, one poll pass: every title arrives, nothing fails."""
    async with running_bot(tmp_path, store_url) as bot:
        for n, case in enumerate(CASES):
            server.route(f"/c{n}", feed(case.body, case.content_type))
            await bot.services.subscribe(ChannelRef("console", f"c{n}"), server.url(f"/c{n}"), backfill=10)
        await bot.engine.run_pass()
        sources = {src.url: src for src in await bot.services.all_sources()}
        for n, case in enumerate(CASES):
            src = sources[server.url(f"/c{n}")]
            assert (src.failures, src.last_error) == (0, None), case.name
            got = {p.digest.title for p in bot.platform.posts if p.channel.channel == f"c{n}"}
            assert got == case.titles, case.name


async def test_an_item_the_store_refuses_is_skipped_and_its_neighbours_kept(
    tmp_path: Path, server: LocalServer
) -> None:
    """A real database refusal (a trigger) for one item: it is skipped, logged; the rest stay."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    server.route("/f", feed(_rss(GOOD + _item("poison", "Poison", "refused by the database")).encode()))
    async with running_bot(tmp_path, url) as bot:
        with bot.services.store.engine.begin() as conn:
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE INSERT ON items WHEN NEW.title = 'Poison' "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        await bot.services.subscribe(MAIN, server.url("/f"), backfill=10)
        await bot.engine.run_pass()
        assert {p.digest.title for p in bot.platform.posts} == GOOD_TITLES
        [src] = await bot.services.all_sources()
        assert (src.failures, src.last_error) == (0, None)


def test_a_summariser_failure_keeps_the_item_with_a_bare_digest(store_url: str) -> None:
    """The summariser is the store's argument: one that raises on an item must not lose it."""
    from sqlalchemy import select

    from bot.store import Store
    from bot.store.models import DigestRow
    from bot.store.types import NewItem
    from digests import Digest, Dispatch, summarise

    def fragile(dispatch: Dispatch) -> Digest:
        if "explodes" in dispatch.text:
            raise RuntimeError("summariser bug")
        return summarise(dispatch)

    store = Store.open(store_url)
    try:
        source = store.ensure_source("feed", "https://e.example/f", "f")
        items = [
            NewItem("a", None, "Calm story", 'It rained. "Fine," said Al Bo.'),
            NewItem("b", None, "Odd story", "This one explodes the summariser."),
            NewItem("c\ud800", None, "Surrogate \udc00 title", "Body \ud800 text."),
        ]
        result = store.ingest(source, items, fragile)
        assert result.new == 3
        with store.tx() as s:
            headlines = sorted(s.scalars(select(DigestRow.headline)).all())
        assert "Odd story" in headlines and len(headlines) == 3
    finally:
        store.close()


async def test_empty_valid_feed_is_a_success_not_a_failure(tmp_path: Path, store_url: str, server: LocalServer) -> None:
    server.route("/empty", feed(_rss("").encode(), "application/rss+xml"))
    server.route("/empty-plain", feed(_rss("").encode(), "text/plain"))
    server.route("/empty-atom", feed(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title></feed>', "text/xml"))
    server.route("/empty-json", feed(b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "text/plain"))
    async with running_bot(tmp_path, store_url) as bot:
        for path in ("/empty", "/empty-plain", "/empty-atom", "/empty-json"):
            await bot.services.subscribe(MAIN, server.url(path))
        await bot.engine.run_pass()
        for src in await bot.services.all_sources():
            assert (src.failures, src.last_error, src.paused_reason) == (0, None, None), src.url
            assert src.last_fetch is not None


async def test_media_that_is_never_a_feed_is_refused_before_reading(server: LocalServer, fetcher) -> None:  # type: ignore[no-untyped-def]
    from bot.errors import FetchError
    from bot.sources.feeds import fetch_feed

    url = server.route("/img", Reply(body=b"\x89PNG" + b"0" * 1000, headers={"Content-Type": "image/png"}))
    with pytest.raises(FetchError) as err:
        await fetch_feed(fetcher, url)
    assert err.value.reason == "bad_content_type"


# --------------------------------------------------------------------------- text typed as text stays text


def test_text_typed_as_text_stays_text() -> None:
    body = (
        b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><id>1</id>'
        b'<title type="text">List&lt;T&gt; &amp;amp; more</title><summary type="text">a &lt;b&gt; c</summary>'
        b"</entry></feed>"
    )
    [item] = parse_feed(body, "https://e.example/f").items
    assert item.title == "List<T> &amp; more"  # decoded once, by the XML parser; never again
    assert item.text == "a <b> c"
    rss_body = _rss(_item("1", "History of the &lt;blink&gt; tag", "x")).encode()
    assert parse_feed(rss_body, "https://e.example/f").items[0].title == "History of the <blink> tag"


def test_json_feed_titles_and_content_text_are_plain_text() -> None:
    data = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Feeds &amp; <Things>",
        "items": [{"id": "1", "title": "List&lt;T&gt; and <blink>", "content_text": "a <b>bold</b> claim &amp; more"}],
    }
    feed_ = parse_feed(json.dumps(data).encode(), "https://e.example/f.json")
    assert feed_.title == "Feeds &amp; <Things>"
    assert feed_.items[0].title == "List&lt;T&gt; and <blink>"
    assert feed_.items[0].text == "a <b>bold</b> claim &amp; more"


@pytest.mark.parametrize(
    ("fragment", "kept"),
    [
        ('<p>Intro.</p><embed src="v.swf"><p>"We will rebuild," said the mayor.</p>', '"We will rebuild," said'),
        ('<p>Intro.</p><object data="v.mp4"><p>"We will rebuild," said the mayor.</p>', '"We will rebuild," said'),
        ("<p>Intro.</p><svg><circle r='4'/><p>\"We will rebuild,\" said the mayor.</p>", '"We will rebuild," said'),
        ("<p>Intro.</p><svg><g><text>label</text><p>First.</p>tail</g>after<p>Second.</p></svg>", "tail"),
        ("<p>Intro.</p><math><mi>x</mi><p>After the formula.</p>", "After the formula."),
    ],
)
def test_text_after_unclosed_embedded_elements_is_kept(fragment: str, kept: str) -> None:
    text = html_to_text(fragment)
    assert text.startswith("Intro.") and kept in text


def test_a_drawing_s_own_text_goes_and_an_object_s_fallback_stays() -> None:
    """As a browser shows them: an SVG's labels are part of the picture; an <object> that
    cannot run (ActiveX, Flash) shows its fallback content."""
    text = html_to_text('<p>a</p><svg><text>chart label</text></svg><object><param name="x">fallback</object><p>b</p>')
    assert text == "a\n\nfallback\n\nb"
    assert html_to_text('safe<object classid="clsid:C932BA85"> description') == "safe description"
