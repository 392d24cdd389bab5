"""Hostile input of our own making through the bot's real paths: per class, cases, crashes,
good items lost, live links, pings (and Slack replays acted on). Issue 11's figure is all 0.

    .venv/bin/python bench/hostile_corpus.py [--cases 40] [--seed 11] [--only feed,page,slack,markup]

- feed: hostile feeds (lone surrogate and NUL references, stray and surrogate bytes, undefined
  entities, 200 KB items, 3,000-deep markup, unclosed <embed>/<svg>, JSON Feed items of every
  wrong type; every content type feedparser reads, UTF-16, gzip) served over HTTP on 127.0.0.1,
  polled through the real poll path (SafeFetcher, parse_feed, ingest, summariser) into a real
  SQLite store. Lost: a good item's title missing from the store, or its marker word missing from
  its stored digest. Every stored digest is then rendered for Discord and Slack and checked.
- page: articles among hostile markup (unclosed embedded elements, scripts, stray bytes, CJK,
  deep nesting, long comments, XHTML, Latin-1) through the link path (``digest_link``). Lost:
  the quote paragraph's marker missing from the digest, or the page refused.
- slack: signed requests to the real slack-bolt app (HTTP mode) on a local fake Slack: each
  command or event sent once, replayed exactly, retried with X-Slack-Retry-Num, plus requests
  with malformed timestamps, stale ones and bad signatures. Acted on twice or by a forged one =
  a replay acted on; a 5xx = a crash; a genuine request never answered = lost.
- markup: quotes, headlines, datelines and speakers made of Markdown, mrkdwn, mentions, fences
  and disguised links, rendered by the real Discord embed and Slack Block Kit renderers. Lost:
  the reader no longer sees the source's text. Live markup (formatting) is counted too.

Bounded: ``--cases`` per class, every poll and request under a deadline. The machine is shared:
the seconds printed are wall time for information, not a goal.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from hostile_cases import (  # noqa: E402
    discord_live,
    discord_reads,
    feed_case,
    markup_text,
    page_case,
    slack_live,
    slack_reads,
)

DEADLINE = 30.0


@dataclass
class Tally:
    name: str
    cases: int = 0
    good: int = 0  # good items, pages, genuine requests or quotes that must arrive unchanged
    crashes: int = 0
    lost: int = 0
    links: int = 0
    pings: int = 0
    markup: int | None = None
    replays: int | None = None
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if len(self.notes) < 20:
            self.notes.append(text[:200])

    def rendered(self, digest: Any, where: str) -> None:
        """Render a digest for both platforms and count what would still act."""
        from adapters.discord.render import digest_embed
        from adapters.slack.blocks import digest_message

        texts = _embed_texts(digest_embed(digest).to_dict())
        for text in texts:
            links, pings, _ = discord_live(text)
            self._count(links, pings, f"{where} discord: {text!r}")
        for text in _slack_source_texts(digest_message(digest, "Hostile source")):
            links, pings, _ = slack_live(text)
            self._count(links, pings, f"{where} slack: {text!r}")

    def _count(self, links: int, pings: int, what: str) -> None:
        self.links += links
        self.pings += pings
        if links or pings:
            self.note(what)


def _embed_texts(data: dict[str, Any]) -> list[str]:
    texts = [data.get("title") or "", data.get("description") or ""]
    return texts + [f[k] for f in data.get("fields", []) for k in ("name", "value")]


def _slack_source_texts(message: dict[str, Any]) -> list[str]:
    """Every text object, with Wirebrief's own wrapping of a quote ("> “…”\\n— *who*") taken off."""
    out = [message["text"]]
    for block in message["blocks"]:
        if block["type"] == "header":
            out.append(block["text"]["text"])
        elif block["type"] == "context":
            out.extend(e["text"] for e in block["elements"])
        elif block["type"] == "section":
            body, _, who = block["text"]["text"].removeprefix("> “").partition("”\n— *")
            out.extend([body, who.removesuffix("*")])
    return out


# --------------------------------------------------------------------------- a local server


class Server:
    """127.0.0.1, port 0; ``routes[path] = (headers, body)``."""

    def __init__(self, routes: dict[str, tuple[dict[str, str], bytes]]) -> None:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                headers, body = routes.get(self.path, ({}, b""))
                self.send_response(200 if self.path in routes else 404)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{path}"

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


def _config(folder: Path) -> Path:
    config = folder / "hostile.toml"
    config.write_text(
        f'platforms = ["console"]\n[store]\nurl = "sqlite:///{folder / "store.sqlite3"}"\n'
        "[fetch]\nallow_private_addresses = true\ntimeout_seconds = 20\n"
        "[console]\nsamples = false\n[scheduler]\nfailure_limit = 1000\n",
        encoding="utf-8",
    )
    return config


# --------------------------------------------------------------------------- feeds


async def run_feeds(count: int, seed: int) -> Tally:
    from sqlalchemy import select

    from bot.app import open_services
    from bot.config import load_settings
    from bot.domain import ChannelRef
    from bot.store.models import DigestRow, ItemRow, SourceRow
    from digests import Digest

    rng = random.Random(seed)
    cases = [feed_case(rng, n) for n in range(count)]
    tally = Tally("hostile feed", cases=count, good=sum(len(c.good) for c in cases))
    routes = {f"/f{n}": (case.headers, case.body) for n, case in enumerate(cases)}
    with tempfile.TemporaryDirectory() as tmp, Server(routes) as server:
        services = await open_services(load_settings(_config(Path(tmp))))
        try:
            index = {}
            for n in range(count):
                info = await services.subscribe(ChannelRef("console", f"f{n}"), server.url(f"/f{n}"), check=False)
                index[info.source.url] = n

            async def poll(src: Any) -> None:
                try:
                    await asyncio.wait_for(services.poll(src), DEADLINE)
                except Exception as exc:  # a crash (or a hang) out of the poll path
                    tally.crashes += 1
                    tally.note(f"{cases[index[src.url]].name}: {type(exc).__name__}: {exc}")

            for src in await services.sources_due(force=True):
                await poll(src)
            with services.store.tx() as s:
                rows = s.execute(
                    select(SourceRow.url, SourceRow.last_error, ItemRow.title, DigestRow.data)
                    .join(ItemRow, ItemRow.source_id == SourceRow.id, isouter=True)
                    .join(DigestRow, DigestRow.item_id == ItemRow.id, isouter=True)
                ).all()
        finally:
            await services.aclose()
    stored: dict[int, dict[str, str]] = {n: {} for n in range(count)}
    for url, error, title, data in rows:
        n = index[url]
        if error:
            tally.crashes += 1 if error.startswith("unexpected") else 0
            tally.note(f"f{n} {cases[n].name}: poll failed: {error}")
        if title is not None:
            stored[n][" ".join(title.split())] = data or ""
        if data:
            tally.rendered(Digest.from_json(json.loads(data)), f"f{n}")
    for n, case in enumerate(cases):
        for title, marker in case.good.items():
            data = stored[n].get(" ".join(title.split()))
            if data is None or marker not in data:
                tally.lost += 1
                tally.note(f"f{n} {case.name}: lost {title!r} ({'no item' if data is None else 'marker gone'})")
    return tally


# --------------------------------------------------------------------------- pages


async def run_pages(count: int, seed: int) -> Tally:
    from bot.config import FetchSettings
    from bot.errors import FetchError
    from bot.fetch import SafeFetcher
    from bot.links import digest_link

    rng = random.Random(seed)
    cases = [page_case(rng, n) for n in range(count)]
    tally = Tally("hostile page", cases=count, good=count)
    routes = {f"/p{n}": (case.headers, case.body) for n, case in enumerate(cases)}
    with Server(routes) as server:
        async with SafeFetcher(FetchSettings(allow_private_addresses=True, timeout_seconds=20)) as fetcher:
            for n, case in enumerate(cases):
                try:
                    digest = await asyncio.wait_for(digest_link(fetcher, server.url(f"/p{n}")), DEADLINE)
                except FetchError as exc:  # a refusal in one line is not a crash, but the article is lost
                    tally.lost += 1
                    tally.note(f"p{n} {case.name}: refused: {exc}")
                    continue
                except Exception as exc:
                    tally.crashes += 1
                    tally.note(f"p{n} {case.name}: {type(exc).__name__}: {exc}")
                    continue
                shown = digest.text + " ".join(q.text for q in digest.quotes)
                if case.marker not in shown:
                    tally.lost += 1
                    tally.note(f"p{n} {case.name}: marker gone from {digest.text[:120]!r}")
                tally.rendered(digest, f"p{n}")
    return tally


# --------------------------------------------------------------------------- Markdown injection


def run_markup(count: int, seed: int) -> Tally:
    from adapters.discord.render import digest_embed
    from adapters.slack.blocks import digest_message
    from digests.model import Dateline, Digest, Quote

    rng = random.Random(seed)
    tally = Tally("Markdown injection", cases=count, markup=0)
    for n in range(count):
        quotes = [markup_text(rng) for _ in range(rng.randint(1, 3))]
        tally.good += len(quotes)
        speaker, role = markup_text(rng)[:80], markup_text(rng)[:80]
        digest = Digest(
            headline=markup_text(rng)[:200],
            dateline=Dateline(markup_text(rng)[:40], "May 2", markup_text(rng)[:40]),
            quotes=tuple(Quote(q, speaker, role, 0, len(q)) for q in quotes),
            key_quotes=tuple(range(len(quotes))),
            text=" ".join(quotes),
            url="https://news.example/story",
        )
        try:
            embed = digest_embed(digest).to_dict()
            message = digest_message(digest, markup_text(rng)[:60])
        except Exception as exc:
            tally.crashes += 1
            tally.note(f"m{n}: {type(exc).__name__}: {exc}")
            continue
        for text in _embed_texts(embed):
            links, pings, markup = discord_live(text)
            tally._count(links, pings, f"m{n} discord: {text!r}")
            tally.markup = (tally.markup or 0) + markup
        for i, text in enumerate(_slack_source_texts(message)):
            links, pings, markup = slack_live(text)
            tally._count(links, pings, f"m{n} slack: {text!r}")
            if i > 1:  # the fallback is a notification and the header plain_text: neither formats
                tally.markup = (tally.markup or 0) + markup
        seen_discord = [discord_reads(f["value"])[1:-1] for f in embed.get("fields", [])]
        seen_slack = [slack_reads(t) for t in _slack_source_texts(message)[3::2]][: len(quotes)]
        want = [(q.replace("\u200b", ""), q.replace("｀", "`")) for q in quotes]  # one stand-in for both backticks
        seen = list(zip(seen_discord, seen_slack, strict=False))
        lost = sum(i >= len(seen) or seen[i] != pair for i, pair in enumerate(want))
        if lost:
            tally.lost += lost
            tally.note(f"m{n}: reader sees {seen!r} for {quotes!r}")
    return tally


# --------------------------------------------------------------------------- the run


async def run(count: int, seed: int, only: set[str]) -> list[Tally]:
    from hostile_slack import run_slack

    runners = {"feed": run_feeds, "page": run_pages, "slack": run_slack}
    out = []
    for name in ("feed", "page", "slack", "markup"):
        if name not in only:
            continue
        start = time.perf_counter()
        tally = run_markup(count, seed) if name == "markup" else await runners[name](count, seed)
        tally.seconds = time.perf_counter() - start
        out.append(tally)
    return out


def report(tallies: list[Tally], show: int = 5) -> None:
    columns = ("cases", "good", "crashes", "lost", "links", "pings", "markup", "replays", "wall s")
    print(f"{'class':20s} " + " ".join(f"{c:>7s}" for c in columns))
    for t in tallies:

        def cell(v: int | None) -> str:
            return "-" if v is None else str(v)

        print(
            f"{t.name:20s} "
            + " ".join(f"{v:>7}" for v in (t.cases, t.good, t.crashes, t.lost, t.links, t.pings))
            + f" {cell(t.markup):>7s} {cell(t.replays):>7s} {t.seconds:7.1f}"
        )
        for note in t.notes[:show]:
            print(f"    {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=40, help="cases per class (at most 200)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--only", default="feed,page,slack,markup")
    parser.add_argument("--show", type=int, default=5, help="notes shown per class")
    args = parser.parse_args()
    logging.basicConfig(level=logging.CRITICAL)
    tallies = asyncio.run(run(min(args.cases, 200), args.seed, set(args.only.split(","))))
    report(tallies, args.show)


if __name__ == "__main__":
    main()
