"""Wire folder scanning on a real directory: settling, skipping, caps, decoding, symlinks."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

import pytest

from bot.sources.wire import MAX_FILE_BYTES, scan_wire_folder

STORY = 'KYIV, March 3 (Wirebrief) - The council met on Monday.\n\n"We agreed," said Olena Koval, the chair.\n'


def settled(folder: Path) -> list:
    """Scan as if enough time had passed for every file to settle."""
    return scan_wire_folder(folder, settle_seconds=2.0, now=time.time() + 10)


def test_new_txt_and_md_files_become_dispatches(tmp_path: Path) -> None:
    (tmp_path / "one.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "two.md").write_text("# Heading\n\nBody text.", encoding="utf-8")
    (tmp_path / "three.TXT").write_text("Upper-case suffix.", encoding="utf-8")
    (tmp_path / "notes.rtf").write_text("not a dispatch", encoding="utf-8")
    files = settled(tmp_path)
    assert sorted(f.guid for f in files) == ["one.txt", "three.TXT", "two.md"]
    one = next(f for f in files if f.guid == "one.txt")
    assert one.text == STORY.strip()
    assert one.title is None
    assert one.path == tmp_path / "one.txt"
    assert one.modified.tzinfo is not None


def test_oldest_first(tmp_path: Path) -> None:
    for name, age in (("b.txt", 300), ("a.txt", 100), ("c.txt", 200)):
        path = tmp_path / name
        path.write_text(name, encoding="utf-8")
        stamp = time.time() - age
        os.utime(path, (stamp, stamp))
    assert [f.guid for f in settled(tmp_path)] == ["b.txt", "c.txt", "a.txt"]


def test_file_still_being_written_is_not_read_half_way(tmp_path: Path) -> None:
    path = tmp_path / "growing.txt"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("FIRST HALF ")
        fh.flush()
        assert scan_wire_folder(tmp_path, settle_seconds=2.0) == []  # just written: not settled
        fh.write("SECOND HALF")
    [done] = settled(tmp_path)
    assert done.text == "FIRST HALF SECOND HALF"


def test_copy_with_preserved_old_mtime_still_waits_to_settle(tmp_path: Path) -> None:
    """cp -p / rsync keep the source's old mtime while writing; ctime gives the write away."""
    path = tmp_path / "copied.txt"
    path.write_text(STORY, encoding="utf-8")
    old = time.time() - 3600
    os.utime(path, (old, old))
    assert scan_wire_folder(tmp_path, settle_seconds=2.0) == []
    assert [f.guid for f in settled(tmp_path)] == ["copied.txt"]


def test_future_mtime_from_a_skewed_clock_does_not_block_forever(tmp_path: Path) -> None:
    path = tmp_path / "future.txt"
    path.write_text(STORY, encoding="utf-8")
    future = time.time() + 86400 * 365
    os.utime(path, (future, future))
    assert [f.guid for f in settled(tmp_path)] == ["future.txt"]


@pytest.mark.parametrize(
    "name", [".hidden.txt", "draft.txt~", "upload.txt.tmp", "upload.txt.part", "~lock.txt", "#autosave.txt"]
)
def test_hidden_and_temp_files_are_skipped(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text(STORY, encoding="utf-8")
    (tmp_path / "real.txt").write_text(STORY, encoding="utf-8")
    assert [f.guid for f in settled(tmp_path)] == ["real.txt"]


def test_subfolders_give_relative_guids_and_hidden_folders_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "desk" / "sport").mkdir(parents=True)
    (tmp_path / "desk" / "sport" / "match.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD.txt").write_text(STORY, encoding="utf-8")
    assert [f.guid for f in settled(tmp_path)] == ["desk/sport/match.txt"]


def test_oversized_file_is_skipped_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with (tmp_path / "huge.txt").open("wb") as fh:
        fh.truncate(MAX_FILE_BYTES + 1)
    (tmp_path / "ok.txt").write_text(STORY, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.sources.wire"):
        assert [f.guid for f in settled(tmp_path)] == ["ok.txt"]
        settled(tmp_path)
    warnings = [r.getMessage() for r in caplog.records if "huge.txt" in r.getMessage()]
    assert len(warnings) == 1 and "over 5 MB" in warnings[0]  # logged once, not on every scan


def test_binary_and_undecodable_files_are_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with caplog.at_level(logging.WARNING, logger="bot.sources.wire"):
        assert settled(tmp_path) == []
    assert any("photo.txt" in r.getMessage() and "not readable text" in r.getMessage() for r in caplog.records)


def test_legacy_encodings_are_decoded(tmp_path: Path) -> None:
    (tmp_path / "bom.txt").write_bytes("\ufeffZürich — «Grüezi»".encode())
    (tmp_path / "utf16.txt").write_bytes("Kyiv: \u201cДобрий день\u201d".encode("utf-16"))
    latin = "Le maire de Besançon a déclaré : « Nous rénoverons l'école élémentaire et la bibliothèque. »\n" * 5
    (tmp_path / "latin.txt").write_bytes(latin.encode("cp1252"))
    texts = {f.guid: f.text for f in settled(tmp_path)}
    assert texts["bom.txt"] == "Zürich — «Grüezi»"
    assert texts["utf16.txt"] == "Kyiv: \u201cДобрий день\u201d"
    assert "Besançon a déclaré" in texts["latin.txt"]


def test_empty_files_are_ignored(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("  \n\n ", encoding="utf-8")
    assert settled(tmp_path) == []


def test_symlink_out_of_the_folder_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("SECRET", encoding="utf-8")
    wire = tmp_path / "wire"
    wire.mkdir()
    (wire / "leak.txt").symlink_to(outside / "secret.txt")
    (wire / "inner.txt").write_text(STORY, encoding="utf-8")
    (wire / "alias.txt").symlink_to(wire / "inner.txt")
    assert sorted(f.guid for f in settled(wire)) == ["alias.txt", "inner.txt"]


def test_missing_folder_yields_nothing(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.sources.wire"):
        assert scan_wire_folder(tmp_path / "nope") == []
    assert any("cannot be read" in r.getMessage() for r in caplog.records)


def test_edited_file_keeps_its_guid_with_new_text(tmp_path: Path) -> None:
    path = tmp_path / "story.txt"
    path.write_text("Version one.", encoding="utf-8")
    [before] = settled(tmp_path)
    path.write_text("Version two.", encoding="utf-8")
    [after] = settled(tmp_path)
    assert before.guid == after.guid == "story.txt"
    assert (before.text, after.text) == ("Version one.", "Version two.")
