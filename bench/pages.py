"""The link path on the saved dev pages, served locally: latency and extraction quality.

    .venv/bin/python bench/pages.py [--eval ../shared/eval] [--rounds 3]

Each page of ``pages-dev/`` is served by a child-process HTTP server on 127.0.0.1 (as
``text/html`` with no charset, the bytes exactly as stored) and fetched through the real link
path, ``fetch_article`` (SafeFetcher + charset sniffing + trafilatura), one link at a time as
a chat user would paste them: p50/p95 latency over all rounds. Predictions are scored with
the set's own ``score_pages.py``, next to the baseline measured in the same run: trafilatura
alone (``bare_extraction(raw bytes, with_metadata=True)``, its own decoding) on the same HTML.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def serve(folder: Path) -> None:
    from aiohttp import web

    async def handler(request: web.Request) -> web.Response:
        path = folder / f"{request.match_info['id']}.html"
        if not path.is_file():
            raise web.HTTPNotFound()
        return web.Response(body=path.read_bytes(), headers={"Content-Type": "text/html"})

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/{id}", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        print(site._server.sockets[0].getsockname()[1], flush=True)  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


async def link_path(pages: list[dict], port: int, rounds: int) -> tuple[list[float], list[dict]]:
    from bot.config import FetchSettings
    from bot.errors import FetchError
    from bot.fetch import SafeFetcher
    from bot.sources.pages import fetch_article

    latencies: list[float] = []
    predictions: list[dict] = []
    async with SafeFetcher(FetchSettings(allow_private_addresses=True)) as fetcher:
        for round_no in range(rounds):
            for page in pages:
                url = f"http://127.0.0.1:{port}/{page['id']}"
                start = time.perf_counter()
                try:
                    dispatch = await fetch_article(fetcher, url)
                    title, body = dispatch.title, dispatch.text
                except FetchError as exc:
                    print(f"  {page['id']}: {exc.reason}: {exc}", file=sys.stderr)
                    title, body = None, ""
                latencies.append(time.perf_counter() - start)
                if round_no == 0:
                    predictions.append({"id": page["id"], "title": title, "body": body})
    return latencies, predictions


def baseline(pages: list[dict], folder: Path) -> tuple[float, list[dict]]:
    import trafilatura

    predictions = []
    start = time.perf_counter()
    for page in pages:
        doc = trafilatura.bare_extraction((folder / page["file"]).read_bytes(), url=page["url"], with_metadata=True)
        predictions.append(
            {"id": page["id"], "title": getattr(doc, "title", None), "body": getattr(doc, "text", None) or ""}
        )
    return time.perf_counter() - start, predictions


def score(scorer: Path, folder: Path, predictions: list[dict], work: Path, name: str) -> dict:
    pred = work / f"{name}.jsonl"
    out = work / f"{name}.json"
    pred.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(scorer), str(folder), str(pred), "--json", str(out)], capture_output=True, text=True
    )
    print(f"--- {name}\n{done.stdout.strip()}")
    return json.loads(out.read_text()) if out.exists() else {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return

    import logging

    logging.basicConfig(level=logging.ERROR)
    folder = args.eval / "pages-dev"
    pages = [json.loads(line) for line in (folder / "pages.jsonl").read_text().splitlines() if line.strip()]
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(folder)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        port = int(child.stdout.readline())  # type: ignore[union-attr]
        latencies, ours = asyncio.run(link_path(pages, port, args.rounds))
    finally:
        child.terminate()
        child.wait(timeout=5)
    base_seconds, base = baseline(pages, folder)

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        score(args.eval / "score_pages.py", folder, base, work, "baseline-trafilatura-alone")
        score(args.eval / "score_pages.py", folder, ours, work, "wirebrief-link-path")

    ms = sorted(x * 1000 for x in latencies)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    base_ms = base_seconds / len(pages) * 1000
    print(f"--- latency of fetch_article over HTTP, {len(pages)} pages x {args.rounds} rounds")
    print(f"  p50 {statistics.median(ms):.1f} ms   p95 {p95:.1f} ms   mean {statistics.fmean(ms):.1f} ms")
    print(f"  baseline (trafilatura alone, extraction only, no HTTP): {base_ms:.1f} ms/page")
    print(f"  link path mean / baseline mean: x{statistics.fmean(ms) / base_ms:.2f}")


if __name__ == "__main__":
    main()
