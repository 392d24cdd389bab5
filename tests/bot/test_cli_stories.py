"""`wirebrief stories` as a user runs it: one story per event across outlets, bad lines reported."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bot.proc import wirebrief
from tests.digests.story_fixtures import BUDGET, FIRE, STRIKE_AFP, STRIKE_AP, STRIKE_BBC


def _line(**fields: object) -> str:
    return json.dumps(fields)


def test_stories_in_input_order_replayed_by_published(tmp_path: Path) -> None:
    lines = [
        _line(id="afp", text=STRIKE_AFP, source="AFP", published="2025-03-04T07:00:00Z"),
        _line(id="fire", text=FIRE, published="2025-03-04T08:00:00+00:00"),
        _line(id="ap", text=STRIKE_AP, source="AP", published="2025-03-03"),
        _line(id="bbc", text=STRIKE_BBC, title="Rotterdam dockers to walk out over pay", published="2025-03-03T11:30"),
        "",
        _line(id=7, text=BUDGET, published="2025-03-04"),
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = wirebrief(tmp_path, "stories", str(src), "--out", str(tmp_path / "out.jsonl"))
    assert result.returncode == 0, result.stderr
    assert "stories" in result.stderr and "6 lines" in result.stderr  # the progress bar
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert out == [
        {"id": "afp", "story": "ap"},  # the story is named after its first article by time
        {"id": "fire", "story": "fire"},
        {"id": "ap", "story": "ap"},
        {"id": "bbc", "story": "ap"},
        {"id": 7, "story": 7},
    ]


def test_bad_lines_get_an_error_and_the_rest_go_on(tmp_path: Path) -> None:
    lines = [
        "{not json",
        _line(id="a", text=STRIKE_AP),
        _line(id="b", text=""),
        _line(id="c", text=STRIKE_BBC, published="next tuesday"),
        _line(text=FIRE),
        _line(id="a", text=FIRE),
        "[1, 2]",
    ]
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines), encoding="utf-8")
    result = wirebrief(tmp_path, "stories", str(src))
    assert result.returncode == 0, result.stderr
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert len(out) == 7
    assert out[1] == {"id": "a", "story": "a"}
    errors = [o for o in out if "error" in o]
    assert len(errors) == 6
    assert "line 1: not valid JSON" in errors[0]["error"]
    assert errors[1]["id"] == "b" and '"text"' in errors[1]["error"]
    assert errors[2]["id"] == "c" and "ISO" in errors[2]["error"]
    assert '"id"' in errors[3]["error"]
    assert "duplicate" in errors[4]["error"]
    assert "6 of 7 lines failed" in result.stderr


def test_unreadable_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    missing = wirebrief(tmp_path, "stories", str(tmp_path / "nope.jsonl"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1
    folder = wirebrief(tmp_path, "stories", str(tmp_path))
    assert folder.returncode == 2 and "directory" in folder.stderr


def test_bad_bytes_are_replaced_not_fatal(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"id": "x", "text": "Caf\xe9 owners in Lyon protest."}\n\xff\xfe\n')
    result = wirebrief(tmp_path, "stories", str(src))
    assert result.returncode == 0, result.stderr
    out = [json.loads(x) for x in result.stdout.splitlines()]
    assert out[0] == {"id": "x", "story": "x"} and "error" in out[1]
