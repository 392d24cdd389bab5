"""The outbox's local journal: platform answers not yet recorded in the store.

A post whose POST succeeded is only "sent" once the store says so. Between the two, the
store can be away (PostgreSQL restarting) or the process killed; without a record the claim
goes stale and the post is sent again. So the platform's answer (the message id) is appended
to this file and fsynced *before* the store is asked to mark the post, and replayed — at
start, and when the store comes back — until the store has it.

One file per process (``journal-<pid>-<random>.jsonl``) in a folder per store, held under an
exclusive ``flock`` while the process lives. A starting process adopts the files no living
process holds (a crashed one's), so two processes never replay into each other's work, and
a killed process's answers are never lost. Entries are JSON lines; a torn last line (a kill
mid-write) is skipped: its post was not yet acknowledged, and the stale claim's look-up on
the platform finds it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

#: What a journal entry marks: a delivery (post or reply) or an edition.
DELIVERY, EDITION = "delivery", "edition"


@dataclass(frozen=True)
class Answer:
    """A platform's answer to a claimed post: what to mark sent, with which message id."""

    kind: str
    id: int
    message_id: str | None

    @property
    def key(self) -> tuple[str, int]:
        return self.kind, self.id


def journal_dir(store_url: str, data_dir: Path) -> Path:
    """Beside a SQLite file (``<file>.journal``); for a server database, a folder in the data
    directory named by a hash of the URL (so two stores never share a journal)."""
    url = make_url(store_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database).expanduser()
        return db.with_name(db.name + ".journal")
    ident = url.render_as_string(hide_password=True)
    return data_dir / "journal" / hashlib.sha256(ident.encode()).hexdigest()[:16]


class Journal:
    """Append-only, fsynced; thread-safe (the outbox writes from worker threads)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.path = folder / f"journal-{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
        self._file = self.path.open("ab")
        fcntl.flock(self._file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, int], Answer] = {}

    # -- writing ---------------------------------------------------------------------------
    def record(self, answer: Answer) -> None:
        """Durably note a platform's answer before the store is asked to mark it."""
        with self._lock:
            self._pending[answer.key] = answer
            self._append({"k": "sent", "kind": answer.kind, "id": answer.id, "m": answer.message_id}, sync=True)

    def done(self, answer: Answer) -> None:
        """The store has it: forget it (the file is emptied once nothing is pending)."""
        with self._lock:
            if self._pending.pop(answer.key, None) is None:
                return
            if not self._pending:
                self._file.truncate(0)
                self._file.seek(0)
                return
            self._append({"k": "done", "kind": answer.kind, "id": answer.id}, sync=False)

    def pending(self) -> list[Answer]:
        with self._lock:
            return list(self._pending.values())

    def _append(self, entry: dict[str, object], *, sync: bool) -> None:
        self._file.write(json.dumps(entry, separators=(",", ":")).encode() + b"\n")
        self._file.flush()
        if sync:
            os.fsync(self._file.fileno())

    # -- adopting a crashed process's journal ------------------------------------------------
    def adopt(self) -> int:
        """Take over the entries of journal files no living process holds; returns how many.
        They are written to this journal (fsynced) before their file is removed."""
        adopted = 0
        for other in sorted(self.folder.glob("journal-*.jsonl")):
            if other == self.path:
                continue
            try:
                handle = other.open("rb+")
            except OSError:
                continue
            with handle:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    continue  # a living process holds it
                answers = read_answers(handle.read())
                for answer in answers:
                    self.record(answer)
                adopted += len(answers)
                with contextlib.suppress(OSError):
                    other.unlink()
        if adopted:
            log.info("journal: %d post(s) sent by an earlier process await marking", adopted)
        return adopted

    def close(self) -> None:
        """Release the file; remove it when nothing is pending (else the next start adopts it)."""
        with self._lock:
            empty = not self._pending
            with contextlib.suppress(OSError):
                self._file.close()
            if empty:
                with contextlib.suppress(OSError):
                    self.path.unlink()


def read_answers(data: bytes) -> list[Answer]:
    """The answers a journal's bytes still hold (sent and not done); torn lines skipped."""
    pending: dict[tuple[str, int], Answer] = {}
    for line in data.splitlines():
        try:
            entry = json.loads(line)
            kind, ident = str(entry["kind"]), int(entry["id"])
        except (ValueError, KeyError, TypeError):
            continue
        if entry.get("k") == "sent":
            message = entry.get("m")
            pending[(kind, ident)] = Answer(kind, ident, None if message is None else str(message))
        elif entry.get("k") == "done":
            pending.pop((kind, ident), None)
    return list(pending.values())
