"""Wire folders: each settled ``.txt``/``.md`` file in a configured folder is one dispatch.

Agencies and editors drop files into a folder, often by copying, uploading or writing in
place; reading such a file half-way would post half a story. A file is therefore read only
once it has *settled*: nothing about it changed for ``settle_seconds``. "Changed" uses the
later of mtime and ctime, because ``cp -p``/rsync keep an old mtime while still writing, but
the kernel sets ctime on every write and rename and nobody can back-date it.

Only configuration names wire folders (chat users can only pick a configured name), but
the files themselves may come from anywhere, so they are size-capped, decoded carefully and
symlinks may not lead out of the folder.
"""

from __future__ import annotations

import logging
import os
import re
import stat
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from charset_normalizer import from_bytes

log = logging.getLogger(__name__)

SUFFIXES = frozenset({".txt", ".md"})
TEMP_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp", ".swx", ".filepart", ".download")
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 5_000
MAX_DEPTH = 4
#: A future mtime further ahead than this is a skewed clock, not a write in progress.
_CLOCK_SKEW_SECONDS = 5.0
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

#: (path, size, mtime) of files already warned about, so a stuck bad file is logged once,
#: not on every scan. Bounded; a log de-duplication cache, not application state.
_warned: OrderedDict[tuple[str, int, float], None] = OrderedDict()


@dataclass(frozen=True)
class WireFile:
    """One settled dispatch file. ``guid`` is its path relative to the folder (posix form)."""

    path: Path
    guid: str
    text: str
    title: str | None
    modified: datetime


def scan_wire_folder(folder: Path, *, settle_seconds: float = 2.0, now: float | None = None) -> list[WireFile]:
    """Every settled, readable dispatch file under ``folder``, oldest first (arrival order).

    Skips hidden and temp files, files still being written (changed within
    ``settle_seconds`` of ``now``), files over 5 MB and undecodable files (with a warning).
    A missing folder yields nothing and a warning: the operator may create it later.
    Blocking I/O: call it in a thread from async code.
    """
    folder = Path(folder)
    clock = time.time() if now is None else now
    try:
        root = folder.resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError, PermissionError, OSError) as exc:
        _warn_once(str(folder), 0, 0.0, f"wire folder {folder} cannot be read ({exc.__class__.__name__})")
        return []
    if not root.is_dir():
        _warn_once(str(folder), 0, 0.0, f"wire folder {folder} is not a directory")
        return []
    found: list[tuple[float, str, WireFile]] = []
    for path, st in _candidates(root):
        changed = _changed_at(st, clock)
        if clock - changed < settle_seconds:
            log.debug("wire file not settled yet: file=%s age=%.1fs", path, clock - changed)
            continue
        wire = _read(root, path, st)
        if wire is not None:
            found.append((st.st_mtime, wire.guid, wire))
    found.sort(key=lambda entry: (entry[0], entry[1]))
    return [wire for _, _, wire in found]


def _candidates(root: Path) -> list[tuple[Path, os.stat_result]]:
    """Regular ``.txt``/``.md`` files, not hidden or temporary, at most MAX_FILES, MAX_DEPTH deep."""
    out: list[tuple[Path, os.stat_result]] = []
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        directory, depth = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            log.warning("wire folder unreadable: folder=%s error=%s", directory, exc)
            continue
        for entry in entries:
            if _skipped_name(entry.name):
                continue
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if depth + 1 < MAX_DEPTH:
                    stack.append((path, depth + 1))
                continue
            if path.suffix.lower() not in SUFFIXES:
                continue
            st = _regular_file_stat(root, path)
            if st is None:
                continue
            out.append((path, st))
            if len(out) >= MAX_FILES:
                _warn_once(
                    str(root), MAX_FILES, 0.0, f"wire folder {root} holds over {MAX_FILES} files; reading the first"
                )
                return out
    return out


def _skipped_name(name: str) -> bool:
    lower = name.lower()
    return name.startswith((".", "~", "#")) or name.endswith("~") or lower.endswith(TEMP_SUFFIXES)


def _regular_file_stat(root: Path, path: Path) -> os.stat_result | None:
    """stat of a regular file inside ``root``; a symlink may be followed only if it stays inside."""
    try:
        if path.is_symlink():
            target = path.resolve(strict=True)
            if not target.is_relative_to(root):
                _warn_once(str(path), 0, 0.0, f"wire file {path} is a symlink out of the folder; skipped")
                return None
        st = path.stat()
    except OSError:
        return None  # vanished between listing and stat, or a dangling link
    return st if stat.S_ISREG(st.st_mode) else None


def _changed_at(st: os.stat_result, clock: float) -> float:
    """When the file last changed: the later of mtime and ctime, unless mtime is in the future
    (a skewed writer's clock), in which case ctime, set by our own kernel, decides."""
    if st.st_mtime > clock + _CLOCK_SKEW_SECONDS:
        return st.st_ctime
    return max(st.st_mtime, st.st_ctime)


def _read(root: Path, path: Path, st: os.stat_result) -> WireFile | None:
    if st.st_size > MAX_FILE_BYTES:
        _warn_once(
            str(path), st.st_size, st.st_mtime, f"wire file {path} is {st.st_size / 2**20:.1f} MB, over 5 MB; skipped"
        )
        return None
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        log.warning("wire file unreadable: file=%s error=%s", path, exc)
        return None
    if len(data) > MAX_FILE_BYTES:  # grew after stat
        return None
    text = _decode(data)
    if text is None:
        _warn_once(
            str(path),
            st.st_size,
            st.st_mtime,
            f"wire file {path} is not readable text (binary or unknown encoding); skipped",
        )
        return None
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if not text:
        log.debug("wire file empty: file=%s", path)
        return None
    guid = path.relative_to(root).as_posix()
    modified = datetime.fromtimestamp(st.st_mtime, tz=UTC)
    return WireFile(path=path, guid=guid, text=text, title=None, modified=modified)


def _decode(data: bytes) -> str | None:
    """UTF-8 (with or without BOM) and UTF-16 with a BOM; otherwise a confident guess or None.

    Binary files (NUL bytes without a UTF-16 BOM) are refused rather than guessed at.
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None or best.chaos > 0.2:
        return None
    try:
        return data.decode(best.encoding)
    except (LookupError, UnicodeDecodeError):
        return None


def _warn_once(path: str, size: int, mtime: float, message: str) -> None:
    key = (path, size, mtime)
    if key in _warned:
        return
    _warned[key] = None
    if len(_warned) > 1024:
        _warned.popitem(last=False)
    log.warning("%s", message)
