"""Telling "the database is away for now" from a bug, and saying so once per outage.

While PostgreSQL restarts, or a network path to it drops, every claim and mark fails. Those
failures mean "retry later": the outbox keeps its queue and waits, and the operator needs one
line when the outage starts and one when it ends — not a traceback for every queued post.
Anything else SQLAlchemy raises (a constraint, a missing column) is a real error and stays one.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy import exc as sa_exc

log = logging.getLogger(__name__)

#: Driver messages of a database that is unreachable or went away mid-transaction.
_AWAY = (
    "connection refused",
    "could not connect",
    "connection timeout",
    "timeout expired",
    "server closed the connection",
    "connection is closed",
    "connection already closed",
    "terminating connection",
    "the database system is",
    "consuming input failed",
    "ssl syscall",
    "eof detected",
    "connection reset",
    "broken pipe",
    "database is locked",
    "disk i/o error",
)


def unavailable(exc: BaseException) -> bool:
    """True when ``exc`` says the store cannot be reached now (retry later), not a bug."""
    if isinstance(exc, sa_exc.TimeoutError):  # the connection pool is exhausted or stuck
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated or isinstance(exc, sa_exc.InterfaceError):
            return True
        if isinstance(exc, sa_exc.OperationalError):
            return True
        text = str(exc.orig or exc).lower()
        return any(fragment in text for fragment in _AWAY)
    return False


def first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


class Outage:
    """One per process: logs the start of an outage once (WARNING) and its end (INFO)."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.outages = 0
        self._lock: asyncio.Lock | None = None

    def lock(self) -> asyncio.Lock:
        """Held by the one worker probing the store; the others wait behind it."""
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    @property
    def down(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException, what: str) -> None:
        if self.since is not None:
            return
        self.since = time.monotonic()
        self.outages += 1
        log.warning("store unreachable (%s while %s); deliveries wait and retry", first_line(exc), what)

    def back(self) -> None:
        if self.since is None:
            return
        log.info("store reachable again after %.0f s; deliveries resume", time.monotonic() - self.since)
        self.since = None
