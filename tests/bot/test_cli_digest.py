"""`wirebrief digest` as a user runs it: files, stdin, JSON, batches, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.bot.proc import wirebrief

STORY = (
    "ROTTERDAM, March 3 (Sample Wire) — Dock workers will strike for 48 hours from Thursday, the union said.\n"
    '"We have been patient for eleven months," union negotiator Marieke de Vos told reporters.\n'
    "Port chief executive Allard Castelein urged calm.\n"
    '"Nobody wins when ships sail to Antwerp instead," he said.\n'
    "END/SW/\n"
)


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_file_prints_a_readable_digest(tmp_path: Path) -> None:
    result = wirebrief(tmp_path, "digest", str(write(tmp_path, "story.txt", STORY)))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Dock workers" in out and "ROTTERDAM" in out
    assert "Marieke de Vos" in out and "union negotiator" in out and "Allard Castelein" in out
    assert "END/SW" not in out


def test_stdin_and_json_contract(tmp_path: Path) -> None:
    import subprocess

    from tests.bot.proc import WIREBRIEF, cli_env

    result = subprocess.run(
        [*WIREBRIEF, "digest", "-", "--json"],
        input=STORY,
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"headline", "dateline", "quotes", "key_quotes", "dispatch"}
    assert data["dateline"] == {"place": "ROTTERDAM", "date": "March 3", "agency": "Sample Wire"}
    assert [q["speaker"] for q in data["quotes"]] == ["Marieke de Vos", "Allard Castelein"]
    for q in data["quotes"]:
        assert STORY[q["start"] : q["end"]] == q["text"]
        assert set(q) == {"text", "speaker", "role", "start", "end"}
    assert all(0 <= i < len(data["quotes"]) for i in data["key_quotes"])
    assert data["dispatch"]["text"].startswith("Dock workers") and "END/SW" not in data["dispatch"]["text"]


def test_batch_keeps_order_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": "a", "text": STORY}),
        "{not json",
        json.dumps({"id": "c", "text": ""}),
        json.dumps({"id": 4, "text": 'Anna Berg said: "We reopen Monday."', "title": "Port reopens"}),
    ]
    src = write(tmp_path, "in.jsonl", "\n".join(lines) + "\n")
    out = tmp_path / "out.jsonl"
    result = wirebrief(tmp_path, "digest", "--batch", str(src), "--out", str(out))
    assert result.returncode == 0, result.stderr
    records = [json.loads(x) for x in out.read_text().splitlines()]
    assert [r.get("id") for r in records] == ["a", None, "c", 4]
    assert "line 2" in records[1]["error"] and "line 3" in records[2]["error"]
    assert records[3]["headline"] == "Port reopens" and records[3]["quotes"][0]["speaker"] == "Anna Berg"
    assert "100% 4 lines" in result.stderr  # the progress bar
    assert "2 of 4 lines failed" in result.stderr


def test_batch_hostile_lines_never_end_the_batch(tmp_path: Path) -> None:
    """Every kind of bad line gets its own error record (or a repaired digest); every good line
    after it is still digested, in order."""
    good = json.dumps({"id": "good", "text": 'Anna Berg said: "We reopen Monday."'})
    bad: list[bytes] = [
        b'{"id": "sur", "text": "Lone \\ud800 surrogate said: \\"fine\\"", "title": "T \\udc00"}',
        b'{"id": "bytes", "text": "Caf\xe9 \xff said: \\"fine\\""}',
        b"[" * 100_000,
        b'{"id": {"nested": ["\\ud800"]}, "text": 5}',
        b'{"id": 7, "text": "x", "title": ["not", "a", "string"]}',
        b'"just a string"',
        b"\x00\x01\x02",
        b'{"id": "big", "text": "' + b"a" * (11 * 1024 * 1024) + b'"}',
        b'{"id": "num", "text": "1e999999 said nothing", "extra": 1e999999}',
    ]
    body = b"\n".join(line for b_ in bad for line in (b_, good.encode())) + b"\n"
    src = write(tmp_path, "in.jsonl", body)
    out = tmp_path / "out.jsonl"
    result = wirebrief(tmp_path, "digest", "--batch", str(src), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    records = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 2 * len(bad)
    goods = records[1::2]
    assert all(r.get("id") == "good" and r["quotes"][0]["speaker"] == "Anna Berg" for r in goods)
    sur, raw, deep, nested, title, string, binary, big, num = records[0::2]
    assert sur["id"] == "sur" and "\ufffd" in sur["dispatch"]["text"] and sur["dispatch"]["title"] == "T \ufffd"
    assert raw["id"] == "bytes" and raw["dispatch"]["text"].startswith("Caf\ufffd \ufffd")
    assert "line 5" in deep["error"]
    assert nested == {"id": {"nested": ["\ufffd"]}, "error": 'line 7: "text" must be a string'}
    assert title["id"] == 7 and "title" in title["error"]
    assert "line 11" in string["error"] and "line 13" in binary["error"]
    assert big["id"] is None and "longer than" in big["error"]
    assert num["id"] == "num" and "headline" in num


def test_batch_streams_line_by_line(tmp_path: Path) -> None:
    """Over a real pipe: a line's record is written while the input is still open, so the
    batch is never read whole (memory is bounded by one line)."""
    import io
    import os
    import queue
    import threading

    from bot.cli.batch import stream_batch

    records: queue.Queue[str] = queue.Queue()

    class Sink(io.StringIO):
        def write(self, text: str) -> int:
            records.put(text)
            return len(text)

    read_fd, write_fd = os.pipe()
    with os.fdopen(read_fd, "rb") as reader, os.fdopen(write_fd, "wb") as writer:
        result: list[tuple[int, int]] = []
        worker = threading.Thread(target=lambda: result.append(stream_batch(reader, Sink())), daemon=True)
        worker.start()
        writer.write(json.dumps({"id": 1, "text": STORY}).encode() + b"\n")
        writer.flush()
        assert json.loads(records.get(timeout=5))["id"] == 1  # the pipe is still open
        writer.write(b"not json\n")
        writer.flush()
        assert json.loads(records.get(timeout=5)) == {"id": None, "error": "line 2: not valid JSON (Expecting value)"}
    worker.join(timeout=5)
    assert result == [(2, 1)]


def test_batch_reads_standard_input(tmp_path: Path) -> None:
    import subprocess

    from tests.bot.proc import WIREBRIEF, cli_env

    lines = json.dumps({"id": "x", "text": STORY}) + "\n{broken\n"
    result = subprocess.run(
        [*WIREBRIEF, "digest", "--batch", "-"],
        input=lines,
        capture_output=True,
        text=True,
        env=cli_env(tmp_path),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    first, second = (json.loads(x) for x in result.stdout.splitlines())
    assert first["id"] == "x" and "headline" in first and "line 2" in second["error"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: str(p / "missing.txt"), "no such file"),
        (lambda p: str(p), "is a directory"),
        (lambda p: str(write(p, "latin1.txt", "caf\xe9 said".encode("latin-1"))), "not UTF-8"),
        (lambda p: str(write(p, "empty.txt", "  \n")), "empty"),
        (lambda p: str(write(p, "big.txt", b"a" * (50 * 1024 * 1024))), "over 5 MB"),
        (lambda p: str(write(p, "bin.txt", b"\x00\x01\x02" * 10)), "binary"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(tmp_path: Path, make, message: str) -> None:
    result = wirebrief(tmp_path, "digest", make(tmp_path))
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
