"""`/digest` command text -> a command object, or the usage line.

Slack hands us the text after the command name, possibly with its own markup: links as
``<https://x|label>`` or ``<https://x>``, ``&amp;``/``&lt;``/``&gt;`` entities, and curly
quotes typed by desktop clients. All of that is normalised here so the handlers only see
plain values; whether a schedule, timezone or source is *valid* is the services' call.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot.errors import UserInputError

COMMAND = "/digest"
USAGE = (
    "Usage: `{cmd}` · `{cmd} subscribe <feed URL or wire name> [on arrival | daily 08:00 | "
    'cron "0 8 * * 1-5"] [tz Europe/Kyiv] [backfill 3]` · `{cmd} list` · `{cmd} unsubscribe <n>` · '
    "`{cmd} status` · `{cmd} preview <url>` · `{cmd} help`"
)
MAX_TEXT = 1000

_LINK = re.compile(r"<((?:https?|ftp|file|mailto):[^|>\s]*)(?:\|[^>]*)?>", re.IGNORECASE)
_CURLY = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_NAME = re.compile(r"^[\w.-]{1,100}$")


class UsageError(UserInputError):
    """The command text does not parse; the message says what was wrong, the usage line follows."""


@dataclass(frozen=True)
class Latest:
    """`/digest` alone: the channel's newest digest."""


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class ListSubs:
    pass


@dataclass(frozen=True)
class Status:
    pass


@dataclass(frozen=True)
class Subscribe:
    source: str
    schedule: str | None = None  # None: on arrival; else a 5-field cron
    timezone: str = "UTC"
    backfill: int = 1


@dataclass(frozen=True)
class Unsubscribe:
    which: str


@dataclass(frozen=True)
class Preview:
    url: str


Command = Latest | Help | ListSubs | Status | Subscribe | Unsubscribe | Preview


def usage(command: str = COMMAND) -> str:
    return USAGE.format(cmd=command)


def unslack(text: str) -> str:
    """Undo Slack's markup: unwrap ``<url|label>`` to the URL, decode the three entities."""
    text = _LINK.sub(lambda m: m.group(1), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _tokens(text: str) -> list[str]:
    if len(text) > MAX_TEXT:
        raise UsageError(f"that command is too long (over {MAX_TEXT} characters)")
    try:
        return shlex.split(unslack(text).translate(_CURLY))
    except ValueError:
        raise UsageError("a quote is not closed") from None


def _source(token: str) -> str:
    """A feed URL (http/https) or a configured wire name; never a local path."""
    if "://" in token or token.lower().startswith(("file:", "mailto:")):
        parts = urlsplit(token)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise UsageError(f"{token!r} is not an http(s) link")
        return token
    if not _NAME.match(token):
        raise UsageError(f"{token!r} is neither a feed link nor a wire name")
    return token


def _daily(value: str | None, days: str) -> str:
    match = _HHMM.match(value or "")
    if not match:
        raise UsageError(f"{value or 'the time'!r} is not a time like 08:00")
    return f"{int(match.group(2))} {int(match.group(1))} * * {days}"


def _parse_subscribe(args: list[str]) -> Subscribe:
    if not args:
        raise UsageError("say which feed URL or wire name to subscribe to")
    source = _source(args[0])
    schedule: str | None = None
    timezone = "UTC"
    backfill = 1
    rest = args[1:]
    while rest:
        word = rest.pop(0).lower()
        if word == "on" and rest and rest[0].lower() == "arrival":
            rest.pop(0)
            schedule = None
        elif word in ("daily", "weekdays"):
            schedule = _daily(rest.pop(0) if rest else None, "*" if word == "daily" else "1-5")
        elif word == "cron":
            schedule = _cron(rest)
        elif word in ("tz", "timezone"):
            if not rest:
                raise UsageError("tz needs a timezone name, e.g. tz Europe/Kyiv")
            timezone = rest.pop(0)
        elif word == "backfill":
            backfill = _int(rest.pop(0) if rest else "", "backfill")
        else:
            raise UsageError(f"I don't understand {word!r}")
    return Subscribe(source, schedule, timezone, backfill)


def _cron(rest: list[str]) -> str:
    """``cron "0 8 * * 1-5"`` (quoted, one token) or the five fields unquoted."""
    if not rest:
        raise UsageError('cron needs five fields in quotes, e.g. cron "0 8 * * 1-5"')
    if " " in rest[0].strip():
        return " ".join(rest.pop(0).split())
    if len(rest) < 5:
        raise UsageError('cron needs five fields in quotes, e.g. cron "0 8 * * 1-5"')
    fields = [rest.pop(0) for _ in range(5)]
    return " ".join(fields)


def _int(value: str, what: str) -> int:
    if not value.isdigit() or len(value) > 4:
        raise UsageError(f"{what} needs a whole number, e.g. {what} 3")
    return int(value)


def parse(text: str) -> Command:
    """Parse the text after `/digest`; raise UsageError with a one-line reason."""
    args = _tokens(text or "")
    if not args:
        return Latest()
    verb, rest = args[0].lower(), args[1:]
    if verb in ("help", "?"):
        return Help()
    if verb in ("list", "ls") and not rest:
        return ListSubs()
    if verb == "status" and not rest:
        return Status()
    if verb in ("latest", "last") and not rest:
        return Latest()
    if verb == "subscribe":
        return _parse_subscribe(rest)
    if verb in ("unsubscribe", "remove") and len(rest) == 1:
        return Unsubscribe(rest[0])
    if verb == "preview" and len(rest) == 1:
        url = rest[0]
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise UsageError(f"{url!r} is not an http(s) link")
        return Preview(url)
    if verb in ("list", "ls", "status", "latest", "last", "unsubscribe", "remove", "preview"):
        raise UsageError(f"wrong arguments for {verb!r}")
    raise UsageError(f"unknown subcommand {verb!r}")
