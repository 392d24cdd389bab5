"""APScheduler 3.11 as a trigger only. Jobs hold no state worth keeping: a poll job says "look
at this source now", a cron job says "deliver what is due now". What is due is computed from
the store, so a restart (or a job lost with the process) loses no scheduled post."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.domain import SourceInfo
from bot.schedules import cron_trigger, next_poll_time

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


class Triggers:
    """The engine's alarm clock: per-source poll jobs spread by URL hash, per-subscription
    cron jobs (missed fires coalesced into one), and a periodic sweep."""

    def __init__(
        self,
        on_poll: Callable[[int], Awaitable[None]],
        on_due: Callable[[], Awaitable[None]],
        on_sweep: Callable[[], Awaitable[None]],
        sweep_seconds: float,
    ) -> None:
        self._on_poll, self._on_due, self._on_sweep = on_poll, on_due, on_sweep
        self._sweep_seconds = sweep_seconds
        self._scheduler = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
        self._poll_jobs: dict[int, str] = {}
        self._cron_jobs: dict[int, str] = {}

    def start(self) -> None:
        self._scheduler.add_job(
            self._on_sweep,
            IntervalTrigger(seconds=self._sweep_seconds),
            id="sweep",
            next_run_time=datetime.now(UTC),
        )
        self._scheduler.start()

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)

    def sync(self, sources: list[SourceInfo], intervals: dict[str, int], crons: list[tuple[int, str, str]]) -> None:
        """Make the jobs match the store: one poll job per active source, one cron job per
        scheduled subscription; changed schedules replace their job."""
        wanted_polls: dict[int, str] = {}
        for src in sources:
            if src.paused_reason is None:
                wanted_polls[src.id] = f"{src.url}|{intervals.get(src.kind, 300)}"
        self._apply(
            self._poll_jobs,
            wanted_polls,
            "poll",
            self._add_poll,
            sources_by_id={s.id: s for s in sources},
            intervals=intervals,
        )
        wanted_crons = {sub_id: f"{cron}|{tz}" for sub_id, cron, tz in crons}
        self._apply(self._cron_jobs, wanted_crons, "cron", self._add_cron)

    def _apply(self, current: dict[int, str], wanted: dict[int, str], prefix: str, add, **ctx) -> None:  # type: ignore[no-untyped-def]
        for key in list(current):
            if wanted.get(key) != current[key]:
                self._remove(f"{prefix}:{key}")
                del current[key]
        for key, sig in wanted.items():
            if key not in current:
                add(key, sig, **ctx)
                current[key] = sig

    def _remove(self, job_id: str) -> None:
        try:
            self._scheduler.remove_job(job_id)
        except Exception:  # already gone
            log.debug("job already removed", extra={"job": job_id})

    def _add_poll(
        self, source_id: int, sig: str, *, sources_by_id: dict[int, SourceInfo], intervals: dict[str, int]
    ) -> None:
        src = sources_by_id[source_id]
        interval = intervals.get(src.kind, 300)
        now = datetime.now(UTC).replace(tzinfo=None)
        first = next_poll_time(src.url, interval, now).replace(tzinfo=UTC)
        self._scheduler.add_job(
            self._on_poll,
            IntervalTrigger(seconds=interval, start_date=first),
            args=[source_id],
            id=f"poll:{source_id}",
            replace_existing=True,
        )

    def _add_cron(self, sub_id: int, sig: str) -> None:
        cron, _, tz = sig.partition("|")
        self._scheduler.add_job(
            self._on_due,
            cron_trigger(cron, tz),
            id=f"cron:{sub_id}",
            replace_existing=True,
            # a fire that comes a little late still runs; several missed fires run once
            misfire_grace_time=int(timedelta(hours=1).total_seconds()),
        )

    @property
    def job_ids(self) -> list[str]:
        return sorted(job.id for job in self._scheduler.get_jobs())
