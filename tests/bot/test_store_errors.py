"""Store failures as a user meets them: every command says in one line what is wrong and what
to do, exit status 2, never a traceback; `db upgrade` recreates a table dropped by hand."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.bot.proc import wirebrief


def _one_line_error(result, *fragments: str) -> None:  # type: ignore[no-untyped-def]
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("wirebrief: error: store:"), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize(
    ("make", "command", "fragments"),
    [
        (lambda p: _write(p / "junk.sqlite3", b"\x00garbage" * 600), "status", ("not a SQLite database", "move it")),
        (lambda p: _write(p / "head.sqlite3", b"SQLite format 3\x00" + b"\xff" * 200), "db upgrade", ("move it",)),
        (lambda p: _write(p / "afile", b"x") / "store.sqlite3", "run --once", ("is a file", "WIREBRIEF_STORE_URL")),
        (lambda p: Path("/proc/wirebrief-test/store.sqlite3"), "subscriptions", ("cannot create the folder",)),
        (lambda p: p, "status", ("is a folder",)),
    ],
    ids=["corrupt", "damaged-header", "path-under-a-file", "unwritable-folder", "a-folder"],
)
def test_store_failures_are_one_line(tmp_path: Path, make, command: str, fragments: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    path = make(tmp_path)
    result = wirebrief(tmp_path, *command.split(), WIREBRIEF_STORE_URL=f"sqlite:///{path}")
    _one_line_error(result, *fragments)


def test_default_data_dir_under_a_file_is_one_line(tmp_path: Path) -> None:
    _write(tmp_path / "data", b"not a folder")  # the data dir the CLI is given (XDG_DATA_HOME)
    result = wirebrief(tmp_path, "status")
    _one_line_error(result, "is a file")


def test_a_dropped_table_is_named_then_repaired_by_db_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert wirebrief(tmp_path, "db", "upgrade", WIREBRIEF_STORE_URL=url).returncode == 0
    with sqlite3.connect(tmp_path / "store.sqlite3") as conn:
        conn.execute("DROP TABLE deliveries")
    _one_line_error(wirebrief(tmp_path, "status", WIREBRIEF_STORE_URL=url), "deliveries", "wirebrief db upgrade")
    fixed = wirebrief(tmp_path, "db", "upgrade", WIREBRIEF_STORE_URL=url)
    assert fixed.returncode == 0, fixed.stderr
    assert "recreated table(s) deliveries" in fixed.stdout
    assert wirebrief(tmp_path, "status", WIREBRIEF_STORE_URL=url).returncode == 0


def test_a_column_dropped_by_hand_says_what_to_do(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    assert wirebrief(tmp_path, "db", "upgrade", WIREBRIEF_STORE_URL=url).returncode == 0
    with sqlite3.connect(tmp_path / "store.sqlite3") as conn:
        conn.execute("ALTER TABLE sources DROP COLUMN etag")
    _one_line_error(wirebrief(tmp_path, "db", "upgrade", WIREBRIEF_STORE_URL=url), "sources", "etag", "backup")


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
