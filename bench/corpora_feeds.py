"""The bot's feed path over other projects' feed test corpora, against plain feedparser.

    .venv/bin/python bench/corpora_feeds.py [--corpora ../shared/corpora] [--limit N] [--show 10]

Every feed file of ``feedparser-tests/`` and ``gofeed-testdata/`` (see their README) is served
over local HTTP with the content type it implies — the ``Header: Content-type`` its comment
states (feedparser's convention), else by extension — subscribed to, and polled through the
bot's real path (SafeFetcher, parse_feed, the store's ingest and summariser, on a temporary
SQLite store). The same bytes go to plain ``feedparser.parse`` with the same headers (for
JSON Feed, plain ``json``), its values rendered as a browser would show them (HTML reduced by
lxml, line breaks and blocks kept apart, script/style/iframe/noscript/template unseen): the
reference for what a reader should get. Counted per file:

- crash: the poll raised, or recorded an "unexpected error" (plain feedparser's own crashes
  are counted apart);
- hang: the poll took longer than 30 s;
- refused: the content type was refused;
- lost: an entry the reference has, with a title or text, that the store lacks, unless it is
  one the bot drops by design (each reason named: a repeated id, the same story twice, an
  entry with nothing to digest, past the 200-item cap);
- mangled: a word the reference shows (its title, or one of its bodies) missing from what the
  bot stored, or a U+FFFD the reference does not have.

Data only: nothing from the corpora is copied into the project.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CORPORA = ROOT.parent / "shared" / "corpora"
POLL_TIMEOUT = 30.0
MAX_ITEMS = 200
_HEADER = re.compile(rb"^\s*Header:\s*([A-Za-z-]+):[ \t]*(.*?)\s*$", re.MULTILINE)
_BY_EXTENSION = {".xml": "application/xml", ".rdf": "application/rdf+xml", ".json": "application/feed+json"}
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Case:
    rel: str
    path: Path
    headers: dict[str, str]

    @property
    def is_json(self) -> bool:
        return self.path.suffix == ".json"


@dataclass
class Outcome:
    case: Case
    reference: int | None = None  # entries plain feedparser (or json) finds; None: it crashed
    reference_error: str | None = None
    stored: int = 0
    poll_error: str | None = None
    crashed: bool = False
    hung: bool = False
    refused: bool = False
    dropped: Counter[str] = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    mangled: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- the corpora


def discover(root: Path) -> list[Case]:
    """Every feed file: XML anywhere; JSON only where it is a feed (gofeed keeps its expected
    output as JSON beside each XML test, and as ``*_expected.json``)."""
    cases: list[Case] = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in (".xml", ".rdf", ".json"):
            continue
        if path.suffix == ".json" and (path.stem.endswith("_expected") or path.with_suffix(".xml").exists()):
            continue
        cases.append(Case(str(path.relative_to(root)), path, _headers(path)))
    return cases


def _headers(path: Path) -> dict[str, str]:
    """feedparser's test files state their HTTP headers in a leading comment."""
    head = path.read_bytes()[:2048]
    headers = {m.group(1).decode().lower(): m.group(2).decode("latin-1") for m in _HEADER.finditer(head)}
    headers.setdefault("content-type", _BY_EXTENSION.get(path.suffix, "application/xml"))
    return {k: v for k, v in headers.items() if k in ("content-type", "etag", "last-modified")}


# --------------------------------------------------------------------------- the local server


class Server:
    """A threaded HTTP server on 127.0.0.1 serving each case's bytes under its headers."""

    def __init__(self, cases: list[Case]) -> None:
        self.cases = cases
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                try:
                    case = outer.cases[int(self.path.rsplit("/", 1)[-1])]
                except (ValueError, IndexError):
                    self.send_error(404)
                    return
                body = case.path.read_bytes()
                self.send_response(200)
                for key, value in case.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def url(self, index: int) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/feed/{index}"

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


# --------------------------------------------------------------------------- the reference


@dataclass(frozen=True)
class Entry:
    ident: str | None
    title: str  # as a reader sees it
    texts: tuple[str, ...]  # every body a reader could be shown (content, summary)

    @property
    def text(self) -> str:
        return max(self.texts, key=len, default="")


_BLOCKS = {"p", "div", "br", "li", "tr", "td", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr", "dd"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _is_text(media: str | None) -> bool:
    kind = (media or "text/html").lower()
    return kind.startswith("text/") or "html" in kind or kind in ("text", "html", "xhtml")


def reader_text(value: Any, media: str | None) -> str:
    """What a browser shows of this value: HTML reduced by lxml (its own parse, not the
    bot's), breaks and blocks kept apart, never-rendered elements gone; text as it is."""
    if not isinstance(value, str) or not value.strip():
        return ""
    value = _CONTROL.sub("", value)
    kind = (media or "text/html").lower()
    if "html" not in kind and "xml" not in kind:
        return " ".join(value.split())
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(value, create_parent="div")
    except (etree.ParserError, ValueError):
        return " ".join(value.split())
    for bad in list(root.iter("script", "style", "noscript", "template", "iframe", "head", etree.Comment)):
        bad.drop_tree()
    for svg in list(root.iter("svg", "{*}svg")):  # a drawing's title and metadata are not shown
        for hidden in list(svg.iter("{*}title", "{*}desc", "{*}metadata", "title", "desc", "metadata")):
            if hidden.getparent() is not None:
                hidden.drop_tree()
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in _BLOCKS:
            element.tail = " " + (element.tail or "")
            element.text = " " + (element.text or "")
    return " ".join(root.text_content().split())


def reference(case: Case, body: bytes) -> list[Entry]:
    """Entries of plain feedparser (its raw values: no sanitiser) or, for JSON, plain json."""
    if case.is_json:
        data = json.loads(body.decode("utf-8-sig"))
        entries = []
        for item in data.get("items") or [] if isinstance(data, dict) else []:
            if not isinstance(item, dict):
                continue
            texts = (
                reader_text(item.get("content_html"), "text/html"),
                reader_text(item.get("content_text"), "text"),
                reader_text(item.get("summary"), "text"),
            )
            ident = None if item.get("id") is None else str(item.get("id"))
            entries.append(Entry(ident, reader_text(item.get("title"), "text"), tuple(t for t in texts if t)))
        return entries
    import feedparser

    parsed = feedparser.parse(io.BytesIO(body), response_headers=case.headers, sanitize_html=False)
    entries = []
    for entry in parsed.get("entries") or []:
        bodies = [(c.get("value"), c.get("type")) for c in entry.get("content") or [] if isinstance(c, dict)]
        bodies.append((entry.get("summary"), (entry.get("summary_detail") or {}).get("type")))
        texts = tuple(t for v, m in bodies if (t := reader_text(v, m if _is_text(m) or "xml" in (m or "") else "text")))
        detail = (entry.get("title_detail") or {}).get("type")
        title = reader_text(entry.get("title"), detail if detail and "html" in detail else "text")
        entries.append(Entry(entry.get("id") or entry.get("link"), title, texts))
    return entries


# --------------------------------------------------------------------------- comparing


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.casefold()))


def _key(text: str) -> str:
    return " ".join(_CONTROL.sub("", text).split()).casefold()


def compare(outcome: Outcome, entries: list[Entry], stored: list[tuple[str, str]]) -> None:
    """Each reference entry found in the store, dropped for a named reason, or lost; each
    found one checked for mangled words."""
    titles = {_key(t): (t, x) for t, x in stored if t}
    seen_ids: set[str] = set()
    seen_bodies: set[str] = set()
    for n, entry in enumerate(entries):
        body_key = _key(entry.text) or _key(entry.title)
        repeat_id = entry.ident is not None and entry.ident in seen_ids
        repeat_body = bool(body_key) and body_key in seen_bodies
        if entry.ident is not None:
            seen_ids.add(entry.ident)
        seen_bodies.add(body_key)
        if n >= MAX_ITEMS:
            outcome.dropped["past the 200-item cap"] += 1
            continue
        if not entry.title.strip() and not entry.text.strip():
            outcome.dropped["nothing to digest (no title, no text)"] += 1
            continue
        found = titles.get(_key(entry.title)) if entry.title else None
        if found is None and not entry.title:
            found = _best_by_words(entry.text, stored) or next(
                (s for s in stored if _key(s[1]) == _key(entry.text)), None
            )
        if found is None:
            if repeat_id:
                outcome.dropped["a repeated id (the first is kept)"] += 1
            elif repeat_body:
                outcome.dropped["the same story twice (kept once)"] += 1
            else:
                outcome.lost.append(entry.title or entry.text[:60])
            continue
        _mangled(outcome, "title", [entry.title], found[0])
        _mangled(outcome, "text", list(entry.texts), found[1])


def _best_by_words(text: str, stored: list[tuple[str, str]]) -> tuple[str, str] | None:
    """The stored item sharing most of an untitled entry's words (at least half of them)."""
    words = _words(text)
    if not words:
        return None
    best = max(stored, key=lambda s: len(words & _words(s[1])), default=None)
    if best is None or len(words & _words(best[1])) * 2 < len(words):
        return None
    return best


def _mangled(outcome: Outcome, what: str, expected: list[str], got: str) -> None:
    """Mangled unless ``got`` carries every word of one of the reference's versions."""
    if not any(expected):
        return
    misses = [(_words(e) - _words(got), e) for e in expected if e]
    missing, version = min(misses, key=lambda m: len(m[0]))
    if "\ufffd" in got and not any("\ufffd" in e for e in expected):
        outcome.mangled.append(f"{what}: U+FFFD where the reference has none ({version[:60]!r} -> {got[:60]!r})")
    elif missing:
        outcome.mangled.append(f"{what}: missing {sorted(missing)[:5]} ({version[:60]!r} -> {got[:60]!r})")


# --------------------------------------------------------------------------- the poll path


def _config(folder: Path) -> Path:
    config = folder / "bench.toml"
    config.write_text(
        f'platforms = ["console"]\n[store]\nurl = "sqlite:///{folder / "store.sqlite3"}"\n'
        "[fetch]\nallow_private_addresses = true\ntimeout_seconds = 20\n"
        "[console]\nsamples = false\n[scheduler]\nfailure_limit = 1000\n",
        encoding="utf-8",
    )
    return config


async def run(cases: list[Case], concurrency: int = 8) -> list[Outcome]:
    """Subscribe to every case, poll each through the bot's real path, compare with the reference."""
    from sqlalchemy import select

    from bot.app import open_services
    from bot.config import load_settings
    from bot.domain import ChannelRef
    from bot.store.models import ItemRow, SourceRow

    with tempfile.TemporaryDirectory() as tmp, Server(cases) as server:
        services = await open_services(load_settings(_config(Path(tmp))))
        try:
            urls = {}
            for n, _case in enumerate(cases):
                channel = ChannelRef("console", f"c{n}")
                info = await services.subscribe(channel, server.url(n), backfill=0, check=False)
                urls[info.source.url] = n
            outcomes = [Outcome(case) for case in cases]
            gate = asyncio.Semaphore(concurrency)

            async def poll(src: Any) -> None:
                outcome = outcomes[urls[src.url]]
                async with gate:
                    try:
                        await asyncio.wait_for(services.poll(src), POLL_TIMEOUT)
                    except TimeoutError:
                        outcome.hung = True
                    except Exception as exc:  # a crash out of the poll path is what we count
                        outcome.crashed, outcome.poll_error = True, f"{type(exc).__name__}: {exc}"

            await asyncio.gather(*(poll(src) for src in await services.sources_due(force=True) if src.url in urls))
            store = services.store
            with store.tx() as s:
                sources = {row.url: row for row in s.scalars(select(SourceRow))}
                rows = s.execute(select(ItemRow.source_id, ItemRow.guid, ItemRow.title)).all()
            per_source: dict[int, list[tuple[str, str]]] = {}
            for source_id, guid, title in rows:
                per_source.setdefault(source_id, []).append((guid, title or ""))
        finally:
            await services.aclose()
    for url, n in urls.items():
        outcome, row = outcomes[n], sources[url]
        if row.last_error and not outcome.poll_error:
            outcome.poll_error = row.last_error
        outcome.crashed |= bool(row.last_error and row.last_error.startswith("unexpected error"))
        outcome.refused = bool(row.last_error and "not something I can read" in row.last_error)
        body = outcome.case.path.read_bytes()
        texts = _item_texts(body, url, outcome.case.headers.get("content-type"))
        stored = [(title, texts.get(guid, "")) for guid, title in per_source.get(row.id, [])]
        outcome.stored = len(stored)
        try:
            entries = reference(outcome.case, body)
        except Exception as exc:  # plain feedparser (or json) fails on the file: noted, not ours
            outcome.reference_error = f"{type(exc).__name__}: {str(exc)[:80]}"
            continue
        outcome.reference = len(entries)
        compare(outcome, entries, stored)
    return outcomes


def _item_texts(body: bytes, url: str, content_type: str | None) -> dict[str, str]:
    """Each stored item's text as the poll's parser made it (the store keeps the digest's
    cleaned text, not the item's): the same parse_feed, on the same bytes, keyed like the store."""
    from bot.errors import FetchError
    from bot.sources.feeds import parse_feed
    from bot.store.ingest import guid_key

    try:
        return {guid_key(item.guid): item.text for item in parse_feed(body, url, content_type).items}
    except FetchError:
        return {}


# --------------------------------------------------------------------------- the report


def report(outcomes: list[Outcome], seconds: float, show: int) -> dict[str, int]:
    figures = {
        "files": len(outcomes),
        "crashes": sum(o.crashed for o in outcomes),
        "hangs": sum(o.hung for o in outcomes),
        "content-type refusals": sum(o.refused for o in outcomes),
        "items lost": sum(len(o.lost) for o in outcomes),
        "files with text mangled": sum(bool(o.mangled) for o in outcomes),
        "fields mangled": sum(len(o.mangled) for o in outcomes),
    }
    reference_entries = sum(o.reference or 0 for o in outcomes)
    print(f"feed corpora through the bot's poll path: {len(outcomes)} files in {seconds:.0f} s (machine shared)")
    print(
        f"  reference (plain feedparser / json): {reference_entries} entries; "
        f"it crashed on {sum(o.reference_error is not None for o in outcomes)} files"
    )
    print(
        f"  stored by the bot: {sum(o.stored for o in outcomes)} items; polls that failed (a reason recorded): "
        f"{sum(bool(o.poll_error) for o in outcomes)}"
    )
    for name, value in figures.items():
        print(f"  {name:26s} {value}")
    dropped: Counter[str] = Counter()
    for o in outcomes:
        dropped.update(o.dropped)
    for reason, count in dropped.most_common():
        print(f"  by design, not stored: {count:5d}  {reason}")
    errors = Counter((o.poll_error or "").split(":")[0][:60] for o in outcomes if o.poll_error)
    for reason, count in errors.most_common(8):
        print(f"  poll failure {count:5d}  {reason}")
    for o in outcomes:
        if o.reference_error:
            print(f"  reference failed: {o.case.rel}: {o.reference_error}")
        if o.poll_error and not o.crashed:
            print(f"  poll failed: {o.case.rel} (reference: {o.reference} entries): {o.poll_error[:90]}")
    bad = [o for o in outcomes if o.crashed or o.hung or o.refused or o.lost or o.mangled]
    for o in bad[:show]:
        print(
            f"  - {o.case.rel} [{o.case.headers.get('content-type')}]: crashed={o.crashed} hung={o.hung} "
            f"refused={o.refused} error={o.poll_error!r} lost={o.lost[:3]} mangled={o.mangled[:2]}"
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--limit", type=int, default=0, help="only the first N files (0: all)")
    parser.add_argument("--show", type=int, default=15, help="list up to N files with a problem")
    parser.add_argument("--dump", type=Path, help="write each file's outcome here (JSON lines)")
    args = parser.parse_args()
    if not args.corpora.is_dir():
        sys.exit(f"no corpora at {args.corpora} (see ../shared/corpora/README.md)")
    logging.basicConfig(level=logging.CRITICAL)
    cases = discover(args.corpora)
    if args.limit:
        cases = cases[: args.limit]
    start = time.perf_counter()
    outcomes = asyncio.run(run(cases))
    report(outcomes, time.perf_counter() - start, args.show)
    if args.dump:
        with args.dump.open("w", encoding="utf-8") as fh:
            for o in outcomes:
                row = {"file": o.case.rel, "reference": o.reference, "stored": o.stored, "error": o.poll_error}
                fh.write(json.dumps({**row, "lost": o.lost, "mangled": o.mangled}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
