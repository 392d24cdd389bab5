"""`/digest` command text -> a command object, or the usage line.

Slack hands us the text after the command name, possibly with its own markup: links as
``<https://x|label>`` or ``<https://x>``, ``&amp;``/``&lt;``/``&gt;`` entities, and curly
quotes typed by desktop clients. All of that is normalised here so the handlers only see
plain values; whether a schedule, timezone or source is *valid* is the services' call.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.errors import UserInputError
from bot.subscription_grammar import LINE_HELP, SubscribeWords, read_line

COMMAND = "/digest"
USAGE = (
    "Usage: `{cmd}` · `{cmd} subscribe <feed URL or wire name> " + LINE_HELP + "` · `{cmd} list` · "
    "`{cmd} unsubscribe <n>` · `{cmd} status` · `{cmd} timezone <zone> [workspace]` · "
    '`{cmd} preview <url> [filter "…"]` · `{cmd} edition` · `{cmd} export [opml|json]` · `{cmd} import <url>` · '
    "`{cmd} help`"
)
MAX_TEXT = 1000

_LINK = re.compile(r"<((?:https?|ftp|file|mailto):[^|>\s]*)(?:\|[^>]*)?>", re.IGNORECASE)
_CURLY = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'"})
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
class NextEdition:
    """`/digest edition`: what the channel's next edition would hold now, for the caller."""


@dataclass(frozen=True)
class ListSubs:
    pass


@dataclass(frozen=True)
class Status:
    pass


@dataclass(frozen=True)
class Subscribe:
    """The source and the settings' words, unchecked: the services check them (one grammar)."""

    source: str
    said: SubscribeWords = field(default_factory=SubscribeWords)


@dataclass(frozen=True)
class SetTimezone:
    zone: str
    workspace: bool = False


@dataclass(frozen=True)
class Unsubscribe:
    which: str


@dataclass(frozen=True)
class Preview:
    url: str
    filters: str | None = None


@dataclass(frozen=True)
class Export:
    """`/digest export [opml|json]`: the channel's subscriptions as a file's text."""

    fmt: str = "opml"


@dataclass(frozen=True)
class Import:
    """`/digest import <url>`: subscribe to every feed of an OPML or JSON file at ``url``."""

    url: str


Command = (
    Latest | Help | NextEdition | ListSubs | Status | Subscribe | Unsubscribe | Preview | SetTimezone | Export | Import
)


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


def _parse_subscribe(args: list[str]) -> Subscribe:
    if not args:
        raise UsageError("say which feed URL or wire name to subscribe to")
    source = _source(args[0])
    try:
        said = read_line(args[1:])
    except UserInputError as exc:
        raise UsageError(str(exc)) from None
    return Subscribe(source, said)


def _parse_timezone(args: list[str]) -> SetTimezone:
    if not args or len(args) > 2 or (len(args) == 2 and args[1].lower() not in ("workspace", "everywhere")):
        raise UsageError("say which time zone, e.g. timezone Europe/Kyiv (add workspace for every channel)")
    return SetTimezone(args[0], len(args) == 2)


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
    if verb in ("edition", "next") and not rest:
        return NextEdition()
    if verb in ("latest", "last") and not rest:
        return Latest()
    if verb == "subscribe":
        return _parse_subscribe(rest)
    if verb in ("timezone", "tz"):
        return _parse_timezone(rest)
    if verb == "export" and len(rest) <= 1:
        fmt = rest[0].lower() if rest else "opml"
        if fmt not in ("opml", "json"):
            raise UsageError(f"export makes opml or json, not {rest[0]!r}")
        return Export(fmt)
    if verb == "import" and len(rest) == 1:
        if urlsplit(rest[0]).scheme.lower() not in ("http", "https"):
            raise UsageError(f"{rest[0]!r} is not an http(s) link to an OPML or JSON file")
        return Import(rest[0])
    if verb in ("unsubscribe", "remove") and len(rest) == 1:
        return Unsubscribe(rest[0])
    if verb == "preview" and (len(rest) == 1 or (len(rest) == 3 and rest[1].lower() in ("filter", "only"))):
        url = rest[0]
        if urlsplit(url).scheme.lower() not in ("http", "https"):
            raise UsageError(f"{url!r} is not an http(s) link")
        return Preview(url, rest[2] if len(rest) == 3 else None)
    if verb in ("list", "ls", "status", "latest", "last", "unsubscribe", "remove", "preview", "edition", "next",
                "export", "import"):  # fmt: skip
        raise UsageError(f"wrong arguments for {verb!r}")
    raise UsageError(f"unknown subcommand {verb!r}")
