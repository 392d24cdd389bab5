"""APScheduler 3.11 as a trigger only. Jobs hold no state worth keeping: a cron job says
"deliver what is due now". What is due is computed from the store, so a restart (or a job
lost with the process) loses no scheduled post. Polls are not jobs: the poller (bot.poller)
takes due sources from the store, so 10,000 feeds are not 10,000 jobs in memory."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.schedules import cron_trigger

log = logging.getLogger(__name__)

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


class Triggers:
    """The engine's alarm clock: per-subscription cron jobs (missed fires coalesced into one)
    and a periodic sweep."""

    def __init__(
        self,
        on_due: Callable[[], Awaitable[None]],
        on_sweep: Callable[[], Awaitable[None]],
        sweep_seconds: float,
    ) -> None:
        self._on_due, self._on_sweep = on_due, on_sweep
        self._sweep_seconds = sweep_seconds
        self._scheduler = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
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

    def sync(self, crons: list[tuple[int, str, str]]) -> None:
        """Make the jobs match the store: one cron job per scheduled subscription; changed
        schedules replace their job."""
        wanted = {sub_id: f"{cron}|{tz}" for sub_id, cron, tz in crons}
        self._apply(self._cron_jobs, wanted, "cron", self._add_cron)

    def _apply(self, current: dict[int, str], wanted: dict[int, str], prefix: str, add) -> None:  # type: ignore[no-untyped-def]
        for key in list(current):
            if wanted.get(key) != current[key]:
                self._remove(f"{prefix}:{key}")
                del current[key]
        for key, sig in wanted.items():
            if key not in current:
                add(key, sig)
                current[key] = sig

    def _remove(self, job_id: str) -> None:
        try:
            self._scheduler.remove_job(job_id)
        except Exception:  # already gone
            log.debug("job already removed", extra={"job": job_id})

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
