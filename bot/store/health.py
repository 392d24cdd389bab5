"""The store's error boundary: database failures as one line that says what to do, and the
schema check that lets ``wirebrief db upgrade`` repair a missing table.

A corrupt SQLite file, a folder that cannot be written, a database path under a file or a
table dropped by hand each used to surface as a SQLAlchemy traceback from whichever command
touched the store first. Here each becomes a :class:`~bot.errors.StoreError` naming the file
and the remedy.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import Connection, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.errors import StoreError
from bot.store.models import Base

log = logging.getLogger(__name__)

_ASIDE = "move it aside (a new store is created) or restore a backup"
#: (fragment of the driver's message, what it means, what to do)
_KNOWN = (
    ("file is not a database", "is not a SQLite database", _ASIDE),
    ("malformed", "is damaged", _ASIDE),
    ("encrypted", "is not a SQLite database", _ASIDE),
    ("readonly database", "is read-only", "make the file and its folder writable, or set [store] url elsewhere"),
    ("unable to open database file", "cannot be opened", "check its folder exists and is writable"),
    ("disk i/o error", "cannot be read or written (disk I/O error)", "check the disk"),
    ("disk is full", "cannot be written: the disk is full", "free some space"),
    ("no such table", "is missing a table", "run `wirebrief db upgrade` to recreate it"),
    ("already exists", "has tables but no record of its migrations", "restore a backup, or move it aside"),
)


def where(url: str | None) -> str:
    """The store as a user knows it: the SQLite file, or the URL without its password."""
    if not url:
        return "the database"
    try:
        parsed = make_url(url)
    except Exception:
        return "the store"
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        return str(Path(parsed.database).expanduser())
    return parsed.render_as_string(hide_password=True)


def store_error(exc: BaseException, url: str | None = None) -> StoreError:
    """One line for a database failure: where, what it means, what to do."""
    detail = first_line(exc)
    lowered = detail.lower()
    for fragment, meaning, remedy in _KNOWN:
        if fragment in lowered:
            return StoreError(f"store: {where(url)} {meaning} ({detail}); {remedy}")
    return StoreError(f"store: {where(url)} failed ({detail})")


def folder_error(exc: OSError, folder: Path) -> StoreError:
    """The SQLite file's folder cannot be made."""
    if isinstance(exc, FileExistsError | NotADirectoryError):
        blocker = next((p for p in [folder, *folder.parents] if p.exists() and not p.is_dir()), folder)
        return StoreError(
            f"store: cannot create the folder {folder}: {blocker} is a file; set [store] url (or "
            "WIREBRIEF_STORE_URL) to a path in a folder"
        )
    reason = exc.strerror or type(exc).__name__
    return StoreError(
        f"store: cannot create the folder {folder} ({reason}); make it writable or set [store] url "
        "(or WIREBRIEF_STORE_URL) to a writable place"
    )


def first_line(exc: BaseException) -> str:
    msg = str(getattr(exc, "orig", None) or exc).strip()
    return msg.splitlines()[0][:300] if msg else type(exc).__name__


def check_tables(conn: Connection, *, repair: bool) -> list[str]:
    """Tables the models expect but the database lacks. ``repair`` creates them (with their
    indexes) from the models; otherwise a StoreError says to run ``wirebrief db upgrade``.
    A table present but missing columns cannot be repaired safely: the error says so."""
    try:
        present = set(inspect(conn).get_table_names())
    except SQLAlchemyError as exc:
        raise store_error(exc, conn.engine.url.render_as_string(hide_password=False)) from None
    missing = [t for t in Base.metadata.sorted_tables if t.name not in present]
    _check_columns(conn, [t for t in Base.metadata.sorted_tables if t.name in present])
    if not missing:
        return []
    names = ", ".join(t.name for t in missing)
    if not repair:
        raise StoreError(f"store: the table(s) {names} are missing; run `wirebrief db upgrade` to recreate them")
    Base.metadata.create_all(conn, tables=missing)
    log.warning("store repaired: recreated missing table(s) %s (their rows are gone)", names)
    return [t.name for t in missing]


def _check_columns(conn: Connection, tables: list) -> None:  # type: ignore[type-arg]
    inspector = inspect(conn)
    for table in tables:
        have = {c["name"] for c in inspector.get_columns(table.name)}
        lacking = [c.name for c in table.columns if c.name not in have]
        if lacking:
            raise StoreError(
                f"store: table {table.name} lacks column(s) {', '.join(lacking)} (changed by hand?); "
                "restore a backup, or move the database aside and start a new store"
            )
