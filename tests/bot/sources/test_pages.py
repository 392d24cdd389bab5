"""The link path: page extraction, charset sniffing, fetch_article over HTTP, and `wirebrief digest URL`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import FetchError
from bot.fetch import SafeFetcher
from bot.links import digest_link
from bot.sources.pages import decode_html, extract_article, fetch_article
from tests.bot.sources.conftest import LocalServer, Reply

SAMPLES = Path(__file__).parent / "samples"
ARTICLE = (SAMPLES / "article.html").read_bytes()
TITLE = "Tram line to the airport approved"
URL = "https://chronicle.example/tram"


# --------------------------------------------------------------------------- extraction


def test_extracts_title_body_and_metadata() -> None:
    dispatch = extract_article(ARTICLE, URL, "text/html; charset=utf-8")
    assert dispatch.title == TITLE  # "| Riverside Chronicle" suffix removed
    assert dispatch.url == URL
    assert dispatch.source == "Riverside Chronicle"
    assert dispatch.published == datetime(2025, 5, 14, tzinfo=UTC)
    assert dispatch.text.startswith("RIVERSIDE, May 14 (Riverside Chronicle)")  # the h1 is not repeated
    assert '"Nobody has shown us where the last 200 million will come from," said Petra Lind' in dispatch.text
    for boilerplate in ("Subscribe", "Bus fares rise", "All rights reserved", "Cookie settings"):
        assert boilerplate not in dispatch.text


def test_paywalled_or_short_page_is_empty() -> None:
    with pytest.raises(FetchError) as err:
        extract_article((SAMPLES / "paywall.html").read_bytes(), URL, "text/html")
    assert err.value.reason == "empty"
    assert "chronicle.example" in str(err.value)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"%PDF-1.7 binary", "application/pdf"),
        (b'{"json": true}', "application/json"),
        (b"plain words only", None),
        (b"<html><body><p>text</p></body></html>", "image/png"),
    ],
)
def test_non_html_is_not_an_article(body: bytes, content_type: str | None) -> None:
    with pytest.raises(FetchError) as err:
        extract_article(body, URL, content_type)
    assert err.value.reason == "not_article"


def test_html_without_content_type_is_sniffed() -> None:
    assert extract_article(ARTICLE, URL, None).title == TITLE


def test_scripts_and_hostile_markup_do_not_reach_the_text() -> None:
    hostile = ARTICLE.replace(
        b"<p>The line will run",
        b"<script>steal(document.cookie)</script><style>p{}</style><p>The line will run",
    )
    text = extract_article(hostile, URL, "text/html").text
    assert "steal" not in text and "p{}" not in text


# --------------------------------------------------------------------------- charset sniffing

PHRASE = "Le maire de Besançon a déclaré : « Nous rénoverons l'école »"


def _page(charset_meta: str | None, phrase: str = PHRASE) -> str:
    meta = f'<meta charset="{charset_meta}">' if charset_meta else ""
    return f"<html><head>{meta}<title>t</title></head><body><p>{phrase}</p></body></html>"


def test_charset_from_http_header() -> None:
    assert PHRASE in decode_html(_page(None).encode("cp1252"), "text/html; charset=windows-1252")


def test_charset_from_meta_tag() -> None:
    assert PHRASE in decode_html(_page("windows-1252").encode("cp1252"), "text/html")


def test_utf8_bytes_win_over_a_default_latin1_header() -> None:
    assert PHRASE in decode_html(_page(None).encode("utf-8"), "text/html; charset=ISO-8859-1")


def test_wrong_declared_charset_falls_back_to_what_decodes() -> None:
    body = _page("utf-8", PHRASE * 20).encode("cp1252")  # claims UTF-8, is not
    assert PHRASE in decode_html(body, "text/html")


def test_cyrillic_legacy_charset() -> None:
    phrase = "Київ: мер заявив, що метро відкриють у понеділок"
    assert phrase in decode_html(_page("koi8-u", phrase).encode("koi8-u"), None)


def test_bom_wins() -> None:
    assert PHRASE in decode_html(b"\xef\xbb\xbf" + _page("windows-1252").encode("utf-8"), "text/html; charset=latin-1")


# --------------------------------------------------------------------------- over HTTP


async def test_fetch_article_over_http(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route("/tram", Reply(body=ARTICLE, headers={"Content-Type": "text/html; charset=utf-8"}))
    dispatch = await fetch_article(fetcher, url)
    assert dispatch.title == TITLE and dispatch.url == url
    accept = server.hits("/tram")[0].headers["accept"]
    assert "text/html" in accept and "application/xhtml+xml" in accept


async def test_fetch_article_reports_final_url_after_redirect(server: LocalServer, fetcher: SafeFetcher) -> None:
    final = server.route("/story", Reply(body=ARTICLE, headers={"Content-Type": "text/html"}))
    short = server.route("/s/1", Reply(301, b"", {"Location": "/story"}))
    assert (await fetch_article(fetcher, short)).url == final


async def test_fetch_article_non_html_is_not_article(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route("/doc.pdf", Reply(body=b"%PDF" + b"\0" * 5000, headers={"Content-Type": "application/pdf"}))
    with pytest.raises(FetchError) as err:
        await fetch_article(fetcher, url)
    assert err.value.reason == "not_article"


async def test_fetch_article_404(server: LocalServer, fetcher: SafeFetcher) -> None:
    with pytest.raises(FetchError) as err:
        await fetch_article(fetcher, server.url("/missing"))
    assert err.value.reason == "http_status" and "HTTP 404" in str(err.value)


async def test_digest_link_summarises_the_page(server: LocalServer, fetcher: SafeFetcher) -> None:
    url = server.route("/tram", Reply(body=ARTICLE, headers={"Content-Type": "text/html"}))
    digest = await digest_link(fetcher, url)
    assert digest.title == TITLE and digest.url == url
    assert any("most important transport decision" in q.text for q in digest.quotes)


# --------------------------------------------------------------------------- the CLI


def _cli(url: str, *, allow: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WIREBRIEF_")}
    if allow:
        env["WIREBRIEF_ALLOW_PRIVATE_ADDRESSES"] = "1"
    return subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", "digest", url, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=Path(__file__).resolve().parents[3],
    )


def test_cli_digest_url_with_loopback_allowed(server: LocalServer) -> None:
    url = server.route("/article", Reply(body=ARTICLE, headers={"Content-Type": "text/html; charset=utf-8"}))
    done = _cli(url, allow=True)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["dispatch"]["title"] == TITLE and data["dispatch"]["url"] == url
    assert "allow_private_addresses is ON" in done.stderr  # loud when on


def test_cli_digest_url_refused_by_default(server: LocalServer) -> None:
    url = server.route("/article", Reply(body=ARTICLE, headers={"Content-Type": "text/html"}))
    done = _cli(url, allow=False)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("wirebrief: error:") and "won't fetch from 127.0.0.1" in lines[0]
    assert done.stdout == ""
    assert server.requests == []  # refused before any connection


# --------------------------------------------------------------------------- hostile sizes


def test_huge_page_is_cut_before_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.sources import pages

    monkeypatch.setattr(pages, "MAX_TAGS", 1_000)
    paragraphs = "".join(f"<p>Paragraph number {n} of a very long page, said the editor.</p>" for n in range(3_000))
    dispatch = extract_article(f"<html><body><article>{paragraphs}</article></body></html>".encode(), URL, None)
    assert "Paragraph number 10 " in dispatch.text
    assert "Paragraph number 2999 " not in dispatch.text


def test_body_handed_to_the_summariser_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.sources import pages

    monkeypatch.setattr(pages, "MAX_BODY_CHARS", 2_000)
    paragraphs = "".join(f"<p>Paragraph number {n} of a very long page, said the editor.</p>" for n in range(300))
    dispatch = extract_article(f"<html><body><article>{paragraphs}</article></body></html>".encode(), URL, None)
    assert 1_000 < len(dispatch.text) <= 2_000
    assert dispatch.text.endswith("said the editor.")  # cut at a paragraph break
