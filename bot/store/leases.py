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

from bot.schedules import next_poll_time
from bot.store.base import StoreBase
from bot.store.models import SourceRow, SubscriptionRow
from bot.store.types import SourceRef, source_host

#: Candidates read per free slot: room to skip over hosts that are full.
_WINDOW = 4
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


class LeaseStore(StoreBase):
    def lease_sources(self, request: LeaseRequest, now: datetime) -> list[SourceRef]:
        """Lease up to ``request.limit`` due sources; the caller polls each and reports
        ``poll_ok``/``poll_failed``, which end the lease."""
        if request.limit <= 0:
            return []
        full = sorted(h for h, n in request.host_counts.items() if h and n >= request.per_host)
        with self.tx() as s:
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
                .limit(request.limit * _WINDOW)
                .with_for_update(skip_locked=True, of=SourceRow)
            )
            if full:
                query = query.where(SourceRow.host.not_in(full))
            if request.failing_room <= 0:
                query = query.where(SourceRow.failures == 0)
                if request.suspect_hosts:
                    query = query.where(SourceRow.host.not_in(sorted(request.suspect_hosts)))
            chosen = _choose([_candidate(row) for row in s.execute(query)], request)
            if not chosen:
                return []
            until = now + request.lease
            values = [
                {
                    "id": ref.id,
                    "lease_until": until,
                    "next_poll": next_poll_time(ref.url, request.intervals.get(ref.kind, 300), now),
                }
                for ref in chosen
            ]
            s.execute(update(SourceRow), values)
            return chosen

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


def _choose(candidates: list[tuple[SourceRef, str]], request: LeaseRequest) -> list[SourceRef]:
    """Oldest due first, within the per-host caps and the failing sources' lane."""
    counts = dict(request.host_counts)
    failing_room = request.failing_room
    chosen: list[SourceRef] = []
    for ref, host in candidates:
        if len(chosen) >= request.limit:
            break
        if host and counts.get(host, 0) >= request.per_host:
            continue
        if ref.failures > 0 or host in request.suspect_hosts:
            if failing_room <= 0:
                continue
            failing_room -= 1
        counts[host] = counts.get(host, 0) + 1
        chosen.append(ref)
    return chosen
