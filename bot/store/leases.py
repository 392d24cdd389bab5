"""Poll leases: which sources a poller may take now, across every process on the store.

A poller asks for at most as many sources as it has free slots. The query skips sources
another process holds (PostgreSQL: ``FOR UPDATE SKIP LOCKED`` while choosing, then the
``lease_until`` column; SQLite: one writer at a time, the same column), hosts this poller
already polls as much as it may, and — when its share for them is used up — sources that
keep failing. Taking a lease also moves the source's next poll to its next aligned time, so
each source is polled once per interval by one process, and a poller that dies holding a
lease frees it when the lease runs out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Row, or_, select, update
from sqlalchemy.orm import Session

from bot.schedules import next_poll_time
from bot.store.base import StoreBase
from bot.store.models import SourceRow, SubscriptionRow
from bot.store.types import SourceRef, source_host

#: Candidates read per free slot: room to skip over hosts that are full.
_WINDOW = 4
#: Queries one lease may make, each past the hosts the one before filled.
_ROUNDS = 3
#: What a poll needs (SourceRef's fields, in order) and the host the caps count.
_COLUMNS = (
    SourceRow.id,
    SourceRow.kind,
    SourceRow.url,
    SourceRow.name,
    SourceRow.etag,
    SourceRow.last_modified,
    SourceRow.failures,
    SourceRow.next_poll,
    SourceRow.host,
)


@dataclass(frozen=True)
class LeaseRequest:
    """What one poller can take now."""

    limit: int
    #: Seconds between polls, by source kind ("feed", "wire", "file").
    intervals: Mapping[str, int]
    #: How long a lease holds a source if its poller never reports back.
    lease: timedelta
    #: Polls this poller has in flight, by host; a host may have at most ``per_host``.
    host_counts: Mapping[str, int] = field(default_factory=dict)
    per_host: int = 4
    #: How many more failing sources may be taken now (they get a lane of their own). A source
    #: is failing if its last poll failed, or if its host just timed out for another source.
    failing_room: int = 1
    suspect_hosts: frozenset[str] = frozenset()
    #: `run --once`: every active source not fetched since this time, whatever its next poll.
    fetched_before: datetime | None = None
    #: When the oldest due sources all belong to hosts at their cap, query again past them.
    #: Each such query reads every due source of those hosts (ten thousand feeds on one host:
    #: O(N)), so a poller asks for it a few times a second, not on every lease.
    look_past: bool = True


class LeaseStore(StoreBase):
    def lease_sources(self, request: LeaseRequest, now: datetime) -> list[SourceRef]:
        """Lease up to ``request.limit`` due sources; the caller polls each and reports
        ``poll_ok``/``poll_failed``, which end the lease."""
        if request.limit <= 0:
            return []
        picks = _Picks(request)
        with self.tx() as s:
            # The oldest due sources may all sit on a host this poller may not poll more of
            # (a dead host with a thousand feeds): look again past that host — a few rounds
            # at most, each excluding the hosts the last one filled — so its backlog never
            # holds back the sources of other hosts.
            for _ in range(_ROUNDS if request.look_past else 1):
                want = request.limit - len(picks.chosen)
                rows = s.execute(self._candidates(request, now, want, picks)).all()
                fresh = picks.take([_candidate(row) for row in rows], want)
                if fresh:
                    self._hold(s, request, now, fresh)
                if len(picks.chosen) >= request.limit or not picks.skipped or len(rows) < want * _WINDOW:
                    break
        return picks.chosen

    def _candidates(self, request: LeaseRequest, now: datetime, want: int, picks: _Picks):  # type: ignore[no-untyped-def]
        query = (
            select(*_COLUMNS)
            .where(
                SourceRow.paused_reason.is_(None),
                or_(SourceRow.lease_until.is_(None), SourceRow.lease_until <= now),
                self._due_clause(request, now),
                select(SubscriptionRow.id)
                .where(SubscriptionRow.source_id == SourceRow.id, SubscriptionRow.paused_reason.is_(None))
                .exists(),
            )
            .order_by(SourceRow.next_poll.asc().nulls_first(), SourceRow.id)
            .limit(want * _WINDOW)
            .with_for_update(skip_locked=True, of=SourceRow)
        )
        full = picks.full_hosts()
        if full:
            query = query.where(SourceRow.host.not_in(full))
        if picks.failing_room <= 0:
            query = query.where(SourceRow.failures == 0)
            if request.suspect_hosts:
                query = query.where(SourceRow.host.not_in(sorted(request.suspect_hosts)))
        return query

    @staticmethod
    def _hold(s: Session, request: LeaseRequest, now: datetime, refs: list[SourceRef]) -> None:
        """Lease them, and move each one's next poll to its next aligned time."""
        until = now + request.lease
        values = [
            {
                "id": ref.id,
                "lease_until": until,
                "next_poll": next_poll_time(ref.url, request.intervals.get(ref.kind, 300), now),
            }
            for ref in refs
        ]
        s.execute(update(SourceRow), values)

    @staticmethod
    def _due_clause(request: LeaseRequest, now: datetime):  # type: ignore[no-untyped-def]
        if request.fetched_before is not None:
            return or_(SourceRow.last_fetch.is_(None), SourceRow.last_fetch < request.fetched_before)
        return or_(SourceRow.next_poll.is_(None), SourceRow.next_poll <= now)


def _candidate(row: Row[Any]) -> tuple[SourceRef, str]:
    """A due source as the lease query reads it — plain columns, not an ORM object: the query
    reads several candidates per free slot and skips most of them — with its host."""
    ref = SourceRef(*row[:8])
    return ref, row[8] or source_host(ref.kind, ref.url)


class _Picks:
    """What one lease has chosen so far, and the per-host counts and failing lane it leaves."""

    def __init__(self, request: LeaseRequest) -> None:
        self.request = request
        self.counts = dict(request.host_counts)
        self.failing_room = request.failing_room
        self.chosen: list[SourceRef] = []
        #: The last round passed over due sources for a host's cap or the failing lane.
        self.skipped = False

    def full_hosts(self) -> list[str]:
        return sorted(h for h, n in self.counts.items() if h and n >= self.request.per_host)

    def take(self, candidates: list[tuple[SourceRef, str]], want: int) -> list[SourceRef]:
        """Oldest due first, within the per-host caps and the failing sources' lane."""
        fresh: list[SourceRef] = []
        self.skipped = False
        for ref, host in candidates:
            if len(fresh) >= want:
                break
            if host and self.counts.get(host, 0) >= self.request.per_host:
                self.skipped = True
                continue
            if ref.failures > 0 or host in self.request.suspect_hosts:
                if self.failing_room <= 0:
                    self.skipped = True
                    continue
                self.failing_room -= 1
            self.counts[host] = self.counts.get(host, 0) + 1
            fresh.append(ref)
        self.chosen += fresh
        return fresh
