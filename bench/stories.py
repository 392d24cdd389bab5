"""Story clustering figures on the shared dev set, with the README's baseline in the same run.

    .venv/bin/python bench/stories.py [--eval ../shared/eval] [--gold FILE] [--orders N]

- Quality: ``wirebrief stories`` (the real command, a subprocess) and the TF-IDF single-link
  baseline (cosine over body words, sublinear counts, threshold 0.19), both scored by the set's
  own ``score_clusters.py``: on the whole file, then on its two halves as separate streams.
- Halves: a gold story belongs to the HELD-OUT half when its first article is dated in an
  even-numbered month, else to the TUNE half. Whole months, not single stories, go one way, so
  stories on one subject at one time (the clusterer's hard cases) stay together. Rule for changes
  to ``digests/stories``: look at the tune half's errors only; the held-out half is a check that
  a change generalises (it was fixed on 2026-11-27, after the first version had seen all of dev,
  so it guards later tuning, not that version). The eval owners' TEST split is the release check:
  ``--gold ../shared/eval/<test file>``.
- Arrival order: the set's dates carry no time of day and the command takes same-day articles
  in input order, so ``--orders N`` (default 20) also runs the whole file N times with same-day
  articles in a seeded random order and prints the mean and worst B³ F1 and wrong merges.
- Speed: articles per second of the command including start-up (wall clock and CPU), and the
  baseline's in-process time for the same articles as a ratio. The machine may be shared:
  compare ratios and CPU figures.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from digests.stories import Article, StoryIndex, StoryParams, extract

ROOT = Path(__file__).resolve().parent.parent
WIREBRIEF = Path(sys.executable).with_name("wirebrief")
_WORDS = re.compile(r"[a-z]{3,}")
#: The clusterer with its guards against chaining switched off, run in process beside the command.
ABLATIONS = {
    "without the bridge rule (bridge_margin=0)": StoryParams(bridge_margin=0.0),
    "without member weights (full_member=0)": StoryParams(full_member=0.0),
    "without either guard": StoryParams(bridge_margin=0.0, full_member=0.0),
}


def baseline(rows: list[dict], threshold: float = 0.19) -> dict[str, str]:
    """TF-IDF cosine over body words, single link: every pair at or above the bar is joined."""
    docs = [Counter(_WORDS.findall(r["text"].lower())) for r in rows]
    n = len(docs)
    df = Counter(w for d in docs for w in d)
    vecs = []
    for d in docs:
        v = {w: (1 + math.log(c)) * math.log(n / df[w]) for w, c in d.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        vecs.append({w: x / norm for w, x in v.items() if x})
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        for j in range(i):
            a, b = (vecs[i], vecs[j]) if len(vecs[i]) < len(vecs[j]) else (vecs[j], vecs[i])
            if sum(x * b.get(w, 0.0) for w, x in a.items()) >= threshold:
                parent[find(i)] = find(j)
    return {r["id"]: rows[find(i)]["id"] for i, r in enumerate(rows)}


def score(scorer: Path, gold: Path, pred: Path) -> str:
    cmd = [sys.executable, str(scorer), str(gold), str(pred)]
    return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()


def held_out(rows: list[dict]) -> set[str]:
    """Gold stories whose first article is dated in an even-numbered month (see the docstring)."""
    first: dict[str, str] = {}
    for r in rows:
        first[r["story"]] = min(first.get(r["story"], r["published"]), r["published"])
    return {story for story, day in first.items() if int(day[5:7]) % 2 == 0}


def write_jsonl(path: Path, rows: list[dict], drop: str | None = None) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for r in rows:
            fh.write(json.dumps({k: v for k, v in r.items() if k != drop}, ensure_ascii=False) + "\n")


def run_stories(inp: Path, out: Path) -> None:
    done = subprocess.run([str(WIREBRIEF), "stories", str(inp), "--out", str(out)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"wirebrief stories failed: {done.stderr.strip()[-500:]}")


def halves(rows: list[dict], scorer: Path, tmp: Path) -> None:
    """Each half as its own stream through the command and the baseline, scored by the scorer."""
    held = held_out(rows)
    for name, part in (
        ("TUNE half (stories first dated in an odd month)", [r for r in rows if r["story"] not in held]),
        ("HELD-OUT half (stories first dated in an even month)", [r for r in rows if r["story"] in held]),
    ):
        gold, inp, ours, base = (tmp / f"{name[:4]}-{x}.jsonl" for x in ("gold", "in", "ours", "base"))
        write_jsonl(gold, part)
        write_jsonl(inp, part, drop="story")
        run_stories(inp, ours)
        labels = baseline(part)
        write_jsonl(base, [{"id": r["id"], "story": labels[r["id"]]} for r in part])
        print(f"== {name}: {len(part)} articles, {len({r['story'] for r in part})} gold stories")
        print("-- wirebrief stories")
        print(score(scorer, gold, ours))
        print("-- baseline")
        print(score(scorer, gold, base))


def figures(scorer: Path, gold: Path, pred: Path) -> dict:
    """The scorer's metrics as a dict (its --json output)."""
    out = pred.with_suffix(".score.json")
    cmd = [sys.executable, str(scorer), str(gold), str(pred), "--json", str(out)]
    subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.read_text(encoding="utf-8"))


def in_process(rows: list[dict], pred: Path, params: StoryParams) -> None:
    """The command's clusterer in this process with other parameters (an ablation): same
    arrival rule as ``wirebrief stories`` (by published, then input order)."""
    index = StoryIndex(params)
    arrivals = sorted(enumerate(rows), key=lambda pair: (pair[1]["published"], pair[0]))
    stories = {}
    for _, r in arrivals:
        when = datetime.fromisoformat(r["published"])
        features = extract(Article(r["id"], r["text"], r.get("title"), r.get("source"), when))
        stories[r["id"]] = index.assign(r["id"], features, when).story
    write_jsonl(pred, [{"id": r["id"], "story": stories[r["id"]]} for r in rows])


def orders(rows: list[dict], scorer: Path, gold: Path, tmp: Path, runs: int) -> None:
    """The whole file through the command ``runs`` times, same-day articles shuffled (seeded),
    and the same orders in process through each ablation."""
    results: dict[str, tuple[list[float], list[int]]] = {"wirebrief stories": ([], [])}
    results.update({name: ([], []) for name in ABLATIONS})
    for seed in range(runs):
        rng = random.Random(seed)
        shuffled = sorted(rows, key=lambda r: (r["published"], rng.random()))
        inp, ours = tmp / f"order{seed}-in.jsonl", tmp / f"order{seed}-ours.jsonl"
        write_jsonl(inp, shuffled, drop="story")
        run_stories(inp, ours)
        preds = {"wirebrief stories": ours}
        for n, (name, params) in enumerate(ABLATIONS.items()):
            preds[name] = tmp / f"order{seed}-ablated{n}.jsonl"
            in_process(shuffled, preds[name], params)
        for name, pred in preds.items():
            got = figures(scorer, gold, pred)
            results[name][0].append(got["bcubed_f1"])
            results[name][1].append(got["gold_stories_wrongly_merged"])
    print(f"== arrival order: {runs} runs, same-day articles in a seeded random order (seeds 0-{runs - 1})")
    for name, (f1s, merged) in results.items():
        print(
            f"{name}: B-cubed F1 mean {statistics.mean(f1s):.4f} (worst {min(f1s):.4f}) | wrongly merged mean "
            f"{statistics.mean(merged):.2f} (worst {max(merged)}; at most 5 in {sum(m <= 5 for m in merged)} of {runs})"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--gold", type=Path, help="gold JSONL to run (default: EVAL/clusters-dev.jsonl)")
    ap.add_argument("--orders", type=int, default=20, help="runs with same-day articles shuffled (0: none)")
    args = ap.parse_args()
    gold = args.gold or args.eval / "clusters-dev.jsonl"
    scorer = args.eval / "score_clusters.py"
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    with tempfile.TemporaryDirectory() as tmp:
        inp, ours, base = Path(tmp) / "in.jsonl", Path(tmp) / "ours.jsonl", Path(tmp) / "base.jsonl"
        write_jsonl(inp, rows, drop="story")
        start = time.perf_counter()
        cpu0 = os.times()
        run_stories(inp, ours)
        cpu1 = os.times()
        wall = time.perf_counter() - start
        cpu = (cpu1.children_user - cpu0.children_user) + (cpu1.children_system - cpu0.children_system)
        start = time.perf_counter()
        labels = baseline(rows)
        base_wall = time.perf_counter() - start
        with base.open("w", encoding="utf-8") as fh:
            for r in rows:
                fh.write(json.dumps({"id": r["id"], "story": labels[r["id"]]}) + "\n")
        print(f"== {gold.name}: {len(rows)} articles (score_clusters.py)")
        print("-- wirebrief stories (online: arrival order by published)")
        print(score(scorer, gold, ours))
        for name, params in ABLATIONS.items():
            ablated = Path(tmp) / "ablated.jsonl"
            in_process(rows, ablated, params)
            print(f"-- the same clusterer {name} (in process)")
            print(score(scorer, gold, ablated))
        print("-- baseline: TF-IDF cosine over body words, single link, threshold 0.19")
        print(score(scorer, gold, base))
        halves(rows, scorer, Path(tmp))
        if args.orders > 0:
            orders(rows, scorer, gold, Path(tmp), args.orders)
        print("== speed (the whole file)")
        print(
            f"wirebrief stories, including start-up: {wall:.2f} s wall = {len(rows) / wall:.0f} articles/s "
            f"({cpu:.2f} s CPU = {len(rows) / cpu:.0f} articles/s of CPU)"
        )
        print(f"baseline in-process (no start-up): {base_wall:.2f} s; ratio ours/baseline wall {wall / base_wall:.2f}")
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (shared: wall figures are noisy)")


if __name__ == "__main__":
    main()
