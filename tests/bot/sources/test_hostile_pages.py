"""Hostile and foreign pages lose nothing: a corpus of our own pages — articles in scripts
without spaces, a declared charset broken by one stray byte, titles whose tail only looks
like a site name — read through the real link path over HTTP."""

from __future__ import annotations

import pytest

from bot.fetch import SafeFetcher
from bot.sources.pages import _clean_title, decode_html, extract_article, fetch_article
from tests.bot.sources.conftest import LocalServer, Reply

URL = "https://news.example/story"

ZH = (
    "港口工人周一举行罢工，要求提高工资并改善工作条件。工会负责人在码头大门外对记者说，"
    "如果资方不拿出新的方案，罢工将持续到周末。港务局表示，大部分船只已经改道前往邻近港口，"
    "货物积压正在增加。一位船运公司发言人说，延误可能影响整个地区的供应链。市政府呼吁双方尽快恢复谈判，"
    "并表示愿意提供协助。工人们在雨中聚集了几个小时，随后和平散去。"
)
JA = (
    "市議会は火曜日、空港と中央駅を結ぶ新しい路面電車の建設を賛成多数で可決した。市長は採決の後、"
    "「この街にとって一世代で最も重要な交通の決定だ」と述べた。路線の全長は十四キロで、大学や新しい病院を含む"
    "九つの駅に停車する予定だ。野党の議員は費用について疑問を示し、財源の説明を求めた。"
    "交通局は六月に詳しい予算を公表し、沿線の各地区で説明会を開くとしている。"
)


def page(title: str, body: str, *, head: str = "", charset: str = "utf-8") -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n") if p)
    return (
        f'<!doctype html><html><head><meta charset="{charset}"><title>{title}</title>{head}</head>'
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    ).encode(charset)


@pytest.mark.parametrize(("text", "title"), [(ZH, "港口工人罢工"), (JA, "路面電車の建設を可決")])
def test_articles_in_scripts_without_spaces_are_not_empty(text: str, title: str) -> None:
    dispatch = extract_article(page(title, text), URL, "text/html")
    assert dispatch.title == title
    assert text[:40] in dispatch.text and len(dispatch.text) >= len(text) * 0.9


def test_a_short_teaser_in_such_a_script_is_still_empty() -> None:
    from bot.errors import FetchError

    with pytest.raises(FetchError) as err:
        extract_article(page("会员专享", "请登录后继续阅读全文。"), URL, "text/html")
    assert err.value.reason == "empty"


ENGLISH = (
    "The café on the quay reopened on Monday after the storm, its owner said.\n"
    "“We lost the terrace but not the kitchen,” said Zoë Brünner, who has run it for twelve years.\n"
    "The harbour office said the sea wall would be inspected this week and the ferry would resume on Friday.\n"
    "Residents helped clear the promenade, and the council promised money for repairs before the summer season."
)


async def test_a_stray_byte_in_a_declared_utf8_page_costs_one_character(
    server: LocalServer, fetcher: SafeFetcher
) -> None:
    body = page("Café reopens after the storm", ENGLISH).replace(b"twelve years", b"twelve \xff years")
    url = server.route("/stray", Reply(body=body, headers={"Content-Type": "text/html; charset=utf-8"}))
    dispatch = await fetch_article(fetcher, url)
    assert "Zoë Brünner" in dispatch.text and "café" in dispatch.text  # not re-read as windows-1252
    assert "twelve \ufffd years" in dispatch.text
    assert dispatch.title == "Café reopens after the storm"


def test_a_stray_byte_in_a_declared_legacy_charset_keeps_the_charset() -> None:
    body = page("Заголовок", "Жители города вернулись домой после шторма.", charset="windows-1251") + b"\x98"
    text = decode_html(body, "text/html; charset=windows-1251")
    assert "Жители города" in text


def test_undeclared_utf8_with_a_stray_byte_is_still_utf8() -> None:
    body = ENGLISH.encode() + b"\xff"
    assert "Zoë Brünner" in decode_html(body, None)


@pytest.mark.parametrize(
    ("title", "head", "expected"),
    [
        ("Rivers rise after storm - Flood watch", "", "Rivers rise after storm - Flood watch"),
        ("Talks stall - Union and port at odds | Harbour News", '<meta property="og:site_name" content="Harbour News">',
         "Talks stall - Union and port at odds"),
        ("Ferry resumes | NEWS", "", "Ferry resumes"),  # the tail spells the host (news.example)
        ("Ferry resumes | Weather", '<meta property="og:site_name" content="Harbour News">', "Ferry resumes | Weather"),
    ],
)  # fmt: skip
def test_a_title_is_cut_only_when_the_site_name_is_certain(title: str, head: str, expected: str) -> None:
    body = page(title, ENGLISH, head=head)
    assert extract_article(body, URL, "text/html").title == expected


def test_clean_title_without_any_site_keeps_everything() -> None:
    assert _clean_title("A | B - C", []) == "A | B - C"


EMBEDDED = ['<embed src="v.swf">', '<object data="v.mp4">', "<svg><circle r='4'/>", "<math><mi>x</mi>"]


@pytest.mark.parametrize("embedded", EMBEDDED)
def test_the_paragraph_after_an_unclosed_embedded_element_is_kept(embedded: str) -> None:
    """libxml2 (HTML 4) nests the rest of the page inside an unclosed embed, object or svg;
    trafilatura then dropped the quote after an embedded video with it."""
    body = page("Café reopens after the storm", ENGLISH).replace(
        b"<p>\xe2\x80\x9cWe lost", embedded.encode() + b"<p>\xe2\x80\x9cWe lost"
    )
    assert embedded.encode() in body
    dispatch = extract_article(body, URL, "text/html")
    assert "We lost the terrace but not the kitchen" in dispatch.text
    assert "promised money for repairs" in dispatch.text
