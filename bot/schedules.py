"""Pure schedule arithmetic: cron validation, delivery slots and poll spreading.

Kept apart from the APScheduler wiring (bot.scheduler) because the store and the services
need the same answers: a slot must be a function of the digest and the schedule only, so
every process computes the same delivery key for the same post (never ``now()``).
"""

from __future__ import annotations

import hashlib
import re
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


#: What every surface (CLI, Discord, Slack) says a schedule may be; one grammar, parsed here.
SCHEDULE_HELP = 'on arrival, hourly, daily 08:00, weekdays 08:00, weekends 10:00, mon,thu 09:30, or cron "0 8 * * 1-5"'
_ARRIVAL_WORDS = {"on arrival", "arrival", "on-arrival", "now", "immediately", "as it arrives"}
_DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab numbering: 0 (and 7) is Sunday
_DAY_SETS = {"daily": "*", "every day": "*", "weekdays": "1-5", "weekends": "0,6"}
_TIME = re.compile(r"^(?:at\s+)?([01]?\d|2[0-3])(?::([0-5]\d))?\s*(am|pm)?$", re.IGNORECASE)


def normalise_schedule(schedule: str | None) -> str | None:
    """None for "on arrival"; otherwise a 5-field crontab string. Accepts every form in
    :data:`SCHEDULE_HELP` and raises a one-line UserInputError naming them otherwise."""
    if schedule is None:
        return None
    text = " ".join(schedule.replace("\u201c", '"').replace("\u201d", '"').split()).strip()
    lowered = text.lower()
    if not lowered or lowered in _ARRIVAL_WORDS:
        return None
    if len(text) > 100:
        raise UserInputError(f"a schedule is at most 100 characters; try {SCHEDULE_HELP}")
    if lowered.startswith("cron "):
        text = text[5:].strip().strip("\"'")
        lowered = text.lower()
    if lowered in ("hourly", "every hour"):
        return "0 * * * *"
    words = _words_schedule(lowered)
    if words is not None:
        return words
    if len(text.split()) == 5 and re.fullmatch(r"[\w*/,\- ]+", text):
        return text
    raise UserInputError(f"schedule {schedule.strip()!r} is not one I know: use {SCHEDULE_HELP}")


def _words_schedule(text: str) -> str | None:
    """``daily 08:00``, ``weekdays 8am``, ``mon,thu 09:30``, ``daily 08:00,18:00`` as crontab, or None."""
    for prefix, days in _DAY_SETS.items():
        if text.startswith(prefix + " ") or text.startswith(prefix + " at "):
            return _at(text[len(prefix) :].strip(), days)
    head, _, rest = text.partition(" ")
    names = [d.strip()[:3] for d in head.replace("mondays", "mon").split(",") if d.strip()]
    if names and rest and all(n in _DAY_NAMES for n in names):
        days = ",".join(str(_DAY_NAMES.index(n)) for n in dict.fromkeys(names))
        return _at(rest.strip(), days)
    return None


def _at(times: str, days: str) -> str:
    """One or more times (``08:00``, ``8am``, ``08:00,18:00``) on ``days`` (crontab weekdays)."""
    parsed: list[tuple[int, int]] = []
    for part in times.removeprefix("at ").replace(" and ", ",").split(","):
        match = _TIME.match(part.strip())
        if not match:
            raise UserInputError(f"{part.strip() or 'the time'!r} is not a time like 08:00 (24-hour) or 8am")
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
        if match.group(3):
            if hour > 12 or hour == 0:
                raise UserInputError(f"{part.strip()!r} is not a time like 08:00 or 8am")
            hour = hour % 12 + (12 if match.group(3).lower() == "pm" else 0)
        parsed.append((hour, minute))
    minutes = sorted({m for _, m in parsed})
    if len(minutes) > 1:  # one cron line has one minute list: 08:15 and 18:45 cannot share it
        raise UserInputError("times in one schedule must share their minutes (e.g. 08:00,18:00); subscribe twice")
    hours = ",".join(str(h) for h in sorted({h for h, _ in parsed}))
    return f"{minutes[0]} {hours} * * {days}"


def _crontab_weekdays(field: str) -> str:
    """Crontab's weekday field in APScheduler 3's terms. APScheduler 3 counts 0 as *Monday*
    (crontab: Sunday), so "1-5" would post Tuesday to Saturday; numbers become day names."""
    if field == "*" or not re.search(r"\d", field):
        return field
    days: list[int] = []
    for part in field.split(","):
        body, _, step_text = part.partition("/")
        step = int(step_text) if step_text.isdigit() and int(step_text) > 0 else 1
        if body == "*":
            lo, hi = 0, 6
        elif "-" in body:
            a, _, b = body.partition("-")
            lo, hi = _day_number(a), _day_number(b)
            if hi < lo:  # "5-1": Friday round to Monday
                hi += 7
        else:
            lo = hi = _day_number(body)
        days.extend(d % 7 for d in range(lo, hi + 1, step))
    return ",".join(_DAY_NAMES[d] for d in sorted(set(days)))


def _day_number(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit() and 0 <= int(token) <= 7:
        return int(token) % 7
    if token[:3] in _DAY_NAMES:
        return _DAY_NAMES.index(token[:3])
    raise ValueError(f"bad weekday {token!r}")


@lru_cache(maxsize=1024)
def cron_trigger(cron: str, timezone: str) -> CronTrigger:
    """Validated APScheduler trigger (cached: the due computation asks for it per digest)."""
    zone = check_timezone(timezone)
    fields = cron.split()
    if len(fields) != 5:
        raise UserInputError(
            f'schedule {cron!r} must be 5 cron fields (minute hour day month weekday), e.g. "0 8 * * *"'
        )
    try:
        minute, hour, day, month, weekday = fields
        return CronTrigger(
            minute=minute, hour=hour, day=day, month=month, day_of_week=_crontab_weekdays(weekday), timezone=zone
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise UserInputError(f"schedule {cron!r} is not a valid cron expression: {exc}") from None


def describe_schedule(cron: str | None, timezone: str = "UTC") -> str:
    """A schedule in words, in its own zone: "daily at 08:00 (Europe/Kyiv)", "weekdays at
    08:00 (UTC)", "on arrival"; a cron no phrase fits stays cron, with its zone."""
    if cron is None:
        return "on arrival"
    fields = cron.split()
    if len(fields) == 5 and fields[2:4] == ["*", "*"] and fields[0].isdigit():
        minute, hours, weekday = int(fields[0]), fields[1], fields[4]
        if cron == "0 * * * *":
            return f"hourly ({timezone})"
        if all(h.isdigit() for h in hours.split(",")):
            times = ", ".join(f"{int(h):02d}:{minute:02d}" for h in hours.split(","))
            days = _describe_days(weekday)
            if days is not None:
                return f"{days} at {times} ({timezone})"
    return f"cron {cron} ({timezone})"


def _describe_days(field: str) -> str | None:
    names = {"*": "daily", "1-5": "weekdays", "mon-fri": "weekdays", "0,6": "weekends", "6,0": "weekends"}
    if field.lower() in names:
        return names[field.lower()]
    try:
        days = _crontab_weekdays(field).split(",")
    except ValueError:
        return None
    full = {"sun": "Sun", "mon": "Mon", "tue": "Tue", "wed": "Wed", "thu": "Thu", "fri": "Fri", "sat": "Sat"}
    if all(d in full for d in days):
        return ", ".join(full[d] for d in days)
    return None


def format_local(moment: datetime | None, timezone: str, empty: str = "—") -> str:
    """``Mon 3 Jun 08:00 Europe/Kyiv``: a time as the subscription's zone sees it."""
    if moment is None:
        return empty
    try:
        local = moment.astimezone(ZoneInfo(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        local, timezone = moment.astimezone(UTC), "UTC"
    return f"{local:%a} {local.day} {local:%b %H:%M} {timezone}"


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
