"""The store's plumbing shared by its parts: sessions and dialect-aware INSERT ... ON CONFLICT."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

#: Execution option marking a read-only transaction (bot.store.db begins it without the write lock).
READ_ONLY = "wirebrief_read_only"


class StoreBase:
    """Synchronous by design: the async services call it through ``asyncio.to_thread`` so
    a slow disk or a remote PostgreSQL never blocks the event loop."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False)

    @contextmanager
    def tx(self) -> Iterator[Session]:
        """One transaction (SQLite: BEGIN IMMEDIATE, see bot.store.db)."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A transaction that only reads: on SQLite a plain (deferred) BEGIN, so it never takes
        or waits for the write lock (WAL readers see a snapshot while a writer works)."""
        with self._readers.begin() as session:
            yield session

    def insert(self, table: Any) -> Any:
        """``insert(table)`` of the engine's dialect, which has ``on_conflict_do_nothing``."""
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    def close(self) -> None:
        self.engine.dispose()
