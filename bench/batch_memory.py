"""Peak memory of `wirebrief digest --batch` as the input grows: streamed, so it stays flat.

    .venv/bin/python bench/batch_memory.py [--mb 300] [--bad-every 10]

Writes a JSONL file of about ``--mb`` megabytes (each line a short story plus a 100 KB padding
field, every ``--bad-every``-th line hostile: broken JSON, a lone-surrogate escape, a
non-string text), runs the real command on it in a child process and reports the child's
peak RSS against a one-line batch run in the same way (the interpreter and imports alone).
A ratio near 1.0 means memory does not grow with the input.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STORY = 'OSLO, May 2 - The ferry line reopened on Monday. "We are back," said harbour master Ida Berg.'
HOSTILE = [b"{broken json", b'{"id": "s", "text": "lone \\ud800 surrogate said \\"yes\\""}', b'{"id": 3, "text": 5}']


def write_input(path: Path, megabytes: int, bad_every: int) -> int:
    pad = "x" * 100_000
    lines = 0
    with path.open("wb") as fh:
        while fh.tell() < megabytes * 1_000_000:
            if bad_every and lines % bad_every == bad_every - 1:
                fh.write(HOSTILE[lines % len(HOSTILE)] + b"\n")
            else:
                fh.write(json.dumps({"id": lines, "text": STORY, "pad": pad}).encode() + b"\n")
            lines += 1
    return lines


def run(batch: Path, out: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit status) of one `digest --batch` child process."""
    cmd = [sys.executable, "-c", "from bot.cli import main; main()", "digest", "--batch", str(batch), "--out", str(out)]
    start = time.perf_counter()
    child = subprocess.Popen(cmd, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT)})
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, child.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=300)
    parser.add_argument("--bad-every", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        small, big, out = folder / "one.jsonl", folder / "big.jsonl", folder / "out.jsonl"
        small.write_text(json.dumps({"id": 0, "text": STORY}) + "\n")
        lines = write_input(big, args.mb, args.bad_every)
        base_s, base_mb, base_rc = run(small, out)
        big_s, big_mb, big_rc = run(big, out)
        records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    errors = sum(1 for r in records if "error" in r)
    print(f"digest --batch, {args.mb} MB input ({lines:,} lines, every {args.bad_every}th hostile); machine shared")
    print(f"  one-line batch (baseline): peak RSS {base_mb:6.0f} MB   {base_s:5.1f} s   exit {base_rc}")
    print(f"  {args.mb} MB batch:            peak RSS {big_mb:6.0f} MB   {big_s:5.1f} s   exit {big_rc}")
    print(f"  peak RSS ratio big / baseline: x{big_mb / base_mb:.2f}")
    print(
        f"  records written: {len(records):,} of {lines:,} lines ({errors:,} error records, 0 lines lost)"
        if len(records) == lines
        else f"  records written: {len(records):,} of {lines:,} lines: LINES LOST"
    )


if __name__ == "__main__":
    main()
