"""Pure schedule arithmetic: cron validation, delivery slots and poll spreading.

Kept apart from the APScheduler wiring (bot.scheduler) because the store and the services
need the same answers: a slot must be a function of the digest and the schedule only, so
every process computes the same delivery key for the same post (never ``now()``).
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.cron import CronTrigger

from bot.errors import UserInputError

#: The slot of on-arrival subscriptions and of notices: a digest is posted once, full stop.
ARRIVAL = "arrival"


def check_timezone(name: str) -> ZoneInfo:
    """An IANA zone, or a one-line UserInputError naming the bad value."""
    name = (name or "").strip()
    if not name or len(name) > 64 or name.startswith(("/", ".")) or ".." in name:
        raise UserInputError(f"timezone {name!r} is not an IANA time zone name such as Europe/Kyiv or UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise UserInputError(f"timezone {name!r} is not an IANA time zone name such as Europe/Kyiv or UTC") from None


def normalise_schedule(schedule: str | None) -> str | None:
    """None for "on arrival"; otherwise the cron string with its whitespace collapsed."""
    if schedule is None:
        return None
    text = " ".join(schedule.split())
    if not text or text.lower() in {"on arrival", "arrival", "on-arrival", "now"}:
        return None
    return text


@lru_cache(maxsize=1024)
def cron_trigger(cron: str, timezone: str) -> CronTrigger:
    """Validated APScheduler trigger (cached: the due computation asks for it per digest)."""
    zone = check_timezone(timezone)
    if len(cron.split()) != 5:
        raise UserInputError(
            f'schedule {cron!r} must be 5 cron fields (minute hour day month weekday), e.g. "0 8 * * *"'
        )
    try:
        return CronTrigger.from_crontab(cron, timezone=zone)
    except (ValueError, KeyError, TypeError) as exc:
        raise UserInputError(f"schedule {cron!r} is not a valid cron expression: {exc}") from None


def next_fire(cron: str, timezone: str, after: datetime) -> datetime | None:
    """First fire time at or after ``after`` (naive UTC or aware), as aware UTC."""
    start = after if after.tzinfo else after.replace(tzinfo=UTC)
    fire = cron_trigger(cron, timezone).get_next_fire_time(None, start)
    return fire.astimezone(UTC) if fire is not None else None


def slot_for(cron: str | None, timezone: str, arrived: datetime) -> tuple[str, datetime | None]:
    """(slot key, due time) of a digest that arrived at ``arrived`` for this schedule.

    On arrival: the constant slot, due now. On a cron: the first fire at or after arrival —
    the same for every process and every restart, so a missed fire is still owed (and all
    digests owed to one fire coalesce into that one posting run)."""
    if cron is None:
        return ARRIVAL, None
    fire = next_fire(cron, timezone, arrived)
    if fire is None:
        return "never", datetime.max.replace(tzinfo=UTC)
    return fire.strftime("%Y-%m-%dT%H:%MZ"), fire


def poll_offset(url: str, interval: int) -> int:
    """Seconds into each interval at which this URL is polled: spreads 1,000 feeds evenly."""
    digest = hashlib.sha1(url.encode("utf-8"), usedforsecurity=False).digest()
    return int.from_bytes(digest[:8], "big") % max(1, interval)


def next_poll_time(url: str, interval: int, now: datetime) -> datetime:
    """The URL's next aligned poll time strictly after ``now`` (naive UTC in, naive UTC out)."""
    epoch = datetime(1970, 1, 1)
    seconds = (now - epoch).total_seconds()
    offset = poll_offset(url, interval)
    periods = int((seconds - offset) // interval) + 1
    return epoch + timedelta(seconds=offset + periods * interval)


def backoff_time(url: str, interval: int, failures: int, now: datetime) -> datetime:
    """After ``failures`` consecutive failures wait 2**failures intervals (at most 6 hours)."""
    delay = min(interval * (2 ** min(failures, 10)), 6 * 3600)
    return next_poll_time(url, interval, now + timedelta(seconds=max(0, delay - interval)))
