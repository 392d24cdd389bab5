"""Feed parsing (RSS 0.91/1.0/2.0, Atom, JSON Feed) and fetching through the real loopback server."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import FetchError
from bot.fetch import SafeFetcher
from bot.sources.feeds import MAX_ITEMS, MAX_TEXT_CHARS, fetch_feed, parse_feed
from tests.bot.sources.conftest import LocalServer, Reply

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


def rss(items: str, title: str = "Test feed") -> bytes:
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'.encode()


# --------------------------------------------------------------------------- formats


def test_rss_091() -> None:
    feed = parse_feed(sample("rss091.xml"), "https://gazette.example/rss")
    assert feed.title == "Harbour Gazette"
    assert [i.title for i in feed.items] == ["Ferry timetable changes for winter", "Lighthouse reopens"]
    first = feed.items[0]
    assert first.guid == first.link == "https://gazette.example/ferry-winter"
    assert "Café owners" in first.text  # declared ISO-8859-1, entity decoded
    assert first.published is None


def test_rss_10_rdf() -> None:
    feed = parse_feed(sample("rss10.rdf"), "https://valley.example/rss")
    assert feed.title == "Valley Courier"
    assert [i.title for i in feed.items] == ["Council approves new bridge", "Farmers' market moves indoors"]
    assert feed.items[0].published == datetime(2025, 3, 2, 8, 30, tzinfo=UTC)
    assert feed.items[0].text.startswith('"The bridge will be finished by spring,"')


def test_rss_20_full_content_relative_link_and_order() -> None:
    feed = parse_feed(sample("rss20.xml"), "https://wire.example/feed.xml", "application/rss+xml")
    assert feed.title == "Northern Wire & Co"
    newest = feed.items[0]
    assert newest.title == "Port strike ends after talks"  # re-sorted newest first
    assert newest.guid == "nw-1002"
    assert newest.link == "https://wire.example/stories/port-strike"
    assert newest.published == datetime(2025, 1, 7, 11, 30, tzinfo=UTC)
    # content:encoded wins over the teaser; HTML becomes paragraphs; the script is gone
    assert newest.text == (
        "ROTTERDAM, Jan 7 (Northern Wire) - Dock workers ended a three-day strike.\n\n"
        '"We have a fair deal," said union leader Maria Jansen.\n\n'
        "The port authority said ships would dock from Tuesday."
    )
    assert "alert" not in newest.text


def test_atom() -> None:
    feed = parse_feed(sample("atom.xml"), "https://mountain.example/atom", "application/atom+xml")
    assert feed.title == "Mountain Post"
    first, second = feed.items
    assert first.title == "Snow closes pass road"  # type="html" title reduced to text
    assert first.guid == "tag:mountain.example,2025:pass-closed"
    assert first.published == datetime(2025, 2, 10, 17, 0, tzinfo=UTC)
    assert first.text.startswith('"The road stays shut')
    assert second.text == "All lifts passed the annual inspection."
    assert second.published == datetime(2025, 2, 9, 8, 0, tzinfo=UTC)  # updated when no published


def test_json_feed() -> None:
    feed = parse_feed(sample("feed.json"), "https://river.example/feed.json", "application/feed+json")
    assert feed.title == "River Daily"
    assert [i.guid for i in feed.items] == ["78", "rd-77"]  # newest first; junk items dropped
    boat, barrier = feed.items
    assert boat.link == "https://river.example/relative/boat-race"
    assert boat.title is None and boat.text.startswith("The boat race")
    assert barrier.text == '"It held perfectly," said engineer Lena Vogt.\n\nTests continue next week.'
    assert barrier.published == datetime(2025, 4, 1, 8, 0, tzinfo=UTC)


def test_json_feed_sniffed_without_content_type() -> None:
    body = json.dumps({"version": "https://jsonfeed.org/version/1", "items": [{"id": "a", "content_text": "x"}]})
    assert [i.guid for i in parse_feed(body.encode(), "https://e.example/f").items] == ["a"]


# --------------------------------------------------------------------------- identity: guids, edits, duplicates


def test_duplicate_guids_keep_the_first() -> None:
    body = rss(
        "<item><guid>g1</guid><title>First</title><description>one</description></item>"
        "<item><guid>g1</guid><title>Again</title><description>two</description></item>"
        "<item><guid>g2</guid><title>Other</title><description>three</description></item>"
    )
    feed = parse_feed(body, "https://e.example/f")
    assert [(i.guid, i.title) for i in feed.items] == [("g1", "First"), ("g2", "Other")]


def test_edited_item_keeps_its_guid_and_changes_its_hash() -> None:
    before = parse_feed(rss("<item><guid>s1</guid><title>T</title><description>Draft.</description></item>"), "u")
    after = parse_feed(rss("<item><guid>s1</guid><title>T</title><description>Fixed.</description></item>"), "u")
    again = parse_feed(rss("<item><guid>s1</guid><title>T</title><description>Fixed.</description></item>"), "u")
    assert before.items[0].guid == after.items[0].guid == "s1"
    assert before.items[0].content_hash != after.items[0].content_hash
    assert after.items[0].content_hash == again.items[0].content_hash


def test_guid_falls_back_to_link_then_to_a_stable_hash() -> None:
    body = rss(
        "<item><title>Linked</title><link>https://e.example/a</link></item>"
        "<item><title>Bare</title><description>No id, no link.</description></item>"
    )
    first = parse_feed(body, "https://e.example/f").items
    second = parse_feed(body, "https://e.example/f").items
    assert first[0].guid == "https://e.example/a"
    assert first[1].guid.startswith("sha256:") and first[1].guid == second[1].guid


def test_relative_guid_is_not_turned_into_a_url() -> None:
    body = rss("<item><guid>1234</guid><title>T</title><description>x</description></item>")
    assert parse_feed(body, "https://e.example/feeds/main.xml").items[0].guid == "1234"


# --------------------------------------------------------------------------- hostile and broken input


def test_malformed_xml_that_still_has_entries_is_read() -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>'
        b"<item><title>Kept & unescaped</title><description>still here</description></item>"
    )
    feed = parse_feed(body, "https://e.example/f")
    assert [i.text for i in feed.items] == ["still here"]


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\x01\x02 binary",
        b"<html><head><title>A page</title></head><body><p>Not a feed</p></body></html>",
        b"just some words",
        b"{not json",
        b'{"items": "nope"}',
        b"[1, 2, 3]",
        b"/etc/passwd",  # feedparser would open a *string* as a file name; we give it a stream
        b"   ",
    ],
)
def test_garbage_is_malformed(body: bytes) -> None:
    with pytest.raises(FetchError) as err:
        parse_feed(body, "https://e.example/f")
    assert err.value.reason == "malformed"


def test_billion_laughs_does_not_expand() -> None:
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i else "&lol;" * 10}">' for i in range(10))
        + ']><rss version="2.0"><channel><title>&lol9;</title><item><title>x</title></item></channel></rss>'
    )
    try:
        feed = parse_feed(lol.encode(), "https://e.example/f")
    except FetchError as exc:
        assert exc.reason == "malformed"
        return
    assert len(feed.title or "") < 10_000


def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-VALUE")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><title>t</title><item><title>a</title><description>&x;</description></item>'
        "</channel></rss>"
    ).encode()
    try:
        feed = parse_feed(body, "https://e.example/f")
    except FetchError:
        return
    assert all("TOP-SECRET" not in (i.text + (i.title or "")) for i in feed.items)


def test_hostile_links_are_dropped() -> None:
    body = rss(
        "<item><title>a</title><link>javascript:alert(1)</link></item>"
        "<item><title>b</title><link>file:///etc/passwd</link></item>"
        "<item><title>c</title><link>data:text/html,hi</link></item>"
    )
    assert [i.link for i in parse_feed(body, "https://e.example/f").items] == [None, None, None]


def test_caps_on_item_count_and_text_length() -> None:
    huge = "word " * (MAX_TEXT_CHARS // 2)
    items = "".join(
        f"<item><guid>g{n}</guid><title>t{n}</title><description>{huge if n == 0 else n}</description></item>"
        for n in range(MAX_ITEMS + 50)
    )
    feed = parse_feed(rss(items), "https://e.example/f")
    assert len(feed.items) == MAX_ITEMS
    assert len(feed.items[0].text) <= MAX_TEXT_CHARS
    assert feed.items[0].guid == "g0"  # undated: the feed's own order is kept


def test_empty_but_valid_feed_has_no_items() -> None:
    feed = parse_feed(rss(""), "https://e.example/f")
    assert feed.title == "Test feed" and feed.items == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.binary(max_size=2000) | st.text(max_size=2000).map(lambda t: rss(f"<item><description>{t}</description></item>"))
)
def test_any_bytes_either_parse_or_are_malformed(body: bytes) -> None:
    try:
        feed = parse_feed(body, "https://e.example/f")
    except FetchError as exc:
        assert exc.reason == "malformed"
        return
    assert len(feed.items) <= MAX_ITEMS
    assert all(i.published is None or i.published.tzinfo is not None for i in feed.items)


# --------------------------------------------------------------------------- over HTTP


async def test_fetch_feed_then_304(server: LocalServer, fetcher: SafeFetcher) -> None:
    body = sample("rss20.xml")

    def route(seen):  # type: ignore[no-untyped-def]
        if seen.headers.get("if-none-match") == '"r1"':
            return Reply(304, b"", {"ETag": '"r1"'})
        return Reply(body=body, headers={"Content-Type": "application/rss+xml; charset=utf-8", "ETag": '"r1"'})

    url = server.route("/rss", route)
    result, feed = await fetch_feed(fetcher, url)
    assert feed is not None and len(feed.items) == 2
    assert feed.items[0].link == server.url("/stories/port-strike")
    again, nothing = await fetch_feed(fetcher, url, etag=result.etag)
    assert again.status == 304 and nothing is None
    assert "application/rss+xml" in server.hits("/rss")[0].headers["accept"]


async def test_fetch_feed_reads_an_html_page_and_finds_no_feed(server: LocalServer, fetcher: SafeFetcher) -> None:
    """Feeds are served as text/html too, so the body decides: a real page is not a feed."""
    url = server.route("/page", Reply(body=b"<html><p>hello</p></html>", headers={"Content-Type": "text/html"}))
    with pytest.raises(FetchError) as err:
        await fetch_feed(fetcher, url)
    assert err.value.reason == "malformed" and "did not send a feed" in str(err.value)


async def test_fetch_feed_malformed_xml_over_http(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route("/junk", Reply(body=b"<rss><<<>>>", headers={"Content-Type": "text/xml"}))
    with pytest.raises(FetchError) as err:
        await fetch_feed(fetcher, url)
    assert err.value.reason == "malformed"
