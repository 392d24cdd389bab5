"""What a subscription may say, in one place: the settings a user gives (schedule, zone,
backfill, filter, cap, mention, target, what an empty edition does), read from one line of words (Slack's `/digest
subscribe …`, the CLI) or from named options (Discord), and checked into a
:class:`SubscribeRequest` the services act on.

Adapters only split their platform's syntax into words or options; every rule about what a
value may be lives here or in :mod:`bot.schedules` / :mod:`bot.filters`, so the CLI, Discord
and Slack accept and refuse exactly the same things with the same words."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.domain import SubscriptionOptions
from bot.errors import UserInputError
from bot.filters import parse_filter
from bot.schedules import check_timezone, cron_trigger, normalise_schedule

MAX_BACKFILL = 10
MAX_PER_HOUR = 500
#: The words of the one-line form, for help texts.
LINE_HELP = (
    '[on arrival | hourly | daily 08:00 | weekdays 08:00 | mon,thu 09:30 | cron "0 8 * * 1-5"] '
    '[tz Europe/Kyiv] [backfill 3] [filter "strike, -sport"] [max 5] [mention @group when "breaking"] '
    "[empty line]"
)
#: What ``empty`` means, for help texts.
EMPTY_HELP = (
    "what a scheduled edition with nothing new does: nothing (the default) posts nothing, "
    "line posts one line saying there was nothing new"
)
_SCHEDULE_HEADS = {"daily", "weekdays", "weekends", "every"}
_DAY = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*(,(mon|tue|wed|thu|fri|sat|sun)[a-z]*)*$", re.IGNORECASE)
_CLEAR = {"none", "off", "no", "clear", "-"}


@dataclass(frozen=True)
class SubscribeWords:
    """The raw values of a subscribe line, before any is checked (None: not given)."""

    schedule: str | None = None
    timezone: str | None = None
    backfill: str | None = None
    filters: str | None = None
    max_per_hour: str | None = None
    mention: str | None = None
    mention_when: str | None = None
    empty: str | None = None
    post_as: str | None = None
    avatar: str | None = None


def read_line(words: list[str]) -> SubscribeWords:
    """``daily 08:00 tz Europe/Kyiv filter "strike" max 5 mention S123 when "breaking"`` → values.

    Raises UserInputError naming the word it does not understand."""
    rest = list(words)
    found: dict[str, str] = {}

    def take(key: str, what: str) -> None:
        if not rest:
            raise UserInputError(f"{key} needs {what}")
        found[key] = rest.pop(0)

    while rest:
        word = rest.pop(0)
        low = word.lower()
        if low == "on" and rest and rest[0].lower() == "arrival":
            rest.pop(0)
            found["schedule"] = "on arrival"
        elif low in ("hourly", "arrival"):
            found["schedule"] = low
        elif low in _SCHEDULE_HEADS or _DAY.match(low):
            if not rest:
                raise UserInputError(f"{word} needs a time, e.g. {word} 08:00")
            times = [rest.pop(0)]
            while rest and rest[0].lower() in ("and",) and len(rest) > 1:
                times += [rest.pop(0), rest.pop(0)]
            found["schedule"] = " ".join([word, *times])
        elif low == "cron":
            found["schedule"] = "cron " + _cron_words(rest)
        elif low in ("tz", "timezone", "zone"):
            take("timezone", "a time zone name, e.g. tz Europe/Kyiv")
        elif low == "backfill":
            take("backfill", "a number, e.g. backfill 3")
        elif low in ("filter", "filters", "only"):
            take("filters", 'a filter in quotes, e.g. filter "strike, -sport"')
        elif low in ("max", "cap", "limit"):
            take("max_per_hour", "a number of posts an hour, e.g. max 5")
            if rest and rest[0].lower() in ("/hour", "per", "an", "a", "hourly"):
                while rest and rest[0].lower() in ("/hour", "per", "an", "a", "hour", "hourly"):
                    rest.pop(0)
        elif low == "mention":
            take("mention", "a group to mention, e.g. mention @breaking-desk")
        elif low in ("when", "if"):
            take("mention_when", 'a filter in quotes, e.g. when "breaking"')
        elif low in ("empty", "quiet"):
            take("empty", "line or nothing, e.g. empty line")
        elif low == "as":
            take("post_as", 'a name in quotes, e.g. as "Harbour Desk"')
        elif low == "avatar":
            take("avatar", "an image link, e.g. avatar https://example.com/desk.png")
        else:
            raise UserInputError(f"I don't understand {word!r}")
    return SubscribeWords(**found)


def _cron_words(rest: list[str]) -> str:
    """``cron "0 8 * * 1-5"`` (quoted, one word) or the five fields unquoted."""
    if rest and len(rest[0].split()) == 5:
        return rest.pop(0)
    if len(rest) < 5:
        raise UserInputError('cron needs five fields in quotes, e.g. cron "0 8 * * 1-5"')
    return " ".join(rest.pop(0) for _ in range(5))


@dataclass(frozen=True)
class SubscribeRequest:
    """A subscription's settings, checked: what the store is told to keep."""

    cron: str | None
    timezone: str | None  # None: the channel's default
    backfill: int
    options: SubscriptionOptions


def check_backfill(backfill: object) -> int:
    if isinstance(backfill, str) and backfill.strip().isdigit() and len(backfill.strip()) <= 4:
        backfill = int(backfill.strip())
    if isinstance(backfill, bool) or not isinstance(backfill, int) or not 0 <= backfill <= MAX_BACKFILL:
        raise UserInputError(f"backfill must be a whole number from 0 to {MAX_BACKFILL}, not {backfill!r}")
    return backfill


def check_request(
    platform: str,
    existing: SubscriptionOptions,
    *,
    schedule: str | None,
    timezone: str | None,
    backfill: object,
    filters: str | None = None,
    max_per_hour: object = None,
    mention: str | None = None,
    mention_when: str | None = None,
    target: str | None = None,
    empty: str | None = None,
    post_as: str | None = None,
    avatar: str | None = None,
) -> SubscribeRequest:
    """Every value checked, with a one-line reason when one cannot be used. Options not given
    (None) keep what the subscription had; "none"/"off" clears one."""
    cron = normalise_schedule(schedule)
    zone = (timezone or "").strip() or None
    if zone is not None:
        check_timezone(zone)
    if cron is not None:
        cron_trigger(cron, zone or "UTC")
    options = existing
    if filters is not None:
        parsed = None if filters.strip().lower() in _CLEAR else parse_filter(filters)
        options = replace(options, filters=parsed.text if parsed else None)
    if max_per_hour is not None:
        options = replace(options, max_per_hour=_cap(max_per_hour))
    if mention is not None:
        options = replace(options, mention=check_mention(platform, mention))
    if mention_when is not None:
        parsed = None if mention_when.strip().lower() in _CLEAR else parse_filter(mention_when, what="mention filter")
        options = replace(options, mention_when=parsed.text if parsed else None)
    if options.mention_when and not options.mention:
        raise UserInputError("a mention filter needs someone to mention: add mention <role or group>")
    if target is not None:
        options = replace(options, target=check_target(platform, target))
    if empty is not None:
        options = replace(options, empty_line=check_empty(empty))
    if post_as is not None:
        options = replace(options, post_as=check_post_as(platform, post_as))
    if avatar is not None:
        options = replace(options, avatar=check_avatar(platform, avatar))
    return SubscribeRequest(cron, zone, check_backfill(backfill), options)


def _cap(value: object) -> int | None:
    text = str(value).strip().lower().removesuffix("/hour").removesuffix("/h").strip()
    if text in _CLEAR or text == "0":
        return None
    if not text.isdigit() or not 1 <= int(text) <= MAX_PER_HOUR:
        raise UserInputError(f"max must be a number of posts an hour from 1 to {MAX_PER_HOUR} (0 or none: no cap)")
    return int(text)


def check_empty(value: str) -> bool | None:
    """``line`` (one line when an edition has nothing new) or ``nothing`` (the default)."""
    text = value.strip().lower()
    if text in ("line", "one line", "say so", "note", "yes", "on"):
        return True
    if text in _CLEAR or text in ("nothing", "silent", "quiet"):
        return None
    raise UserInputError(f"empty must be line (one line when an edition has nothing new) or nothing, not {value!r}")


def check_mention(platform: str, value: str) -> str | None:
    """A Discord role id or a Slack user-group id; never @everyone/@here/@channel."""
    text = value.strip()
    if text.lower() in _CLEAR:
        return None
    bare = text.lower().strip("<>").split("|")[0].lstrip("@!")  # @here, <!channel>, <!here|here>
    if bare in ("everyone", "here", "channel"):
        raise UserInputError("Wirebrief never pings everyone: mention a role (Discord) or a user group (Slack)")
    if platform == "discord":
        ident = text.removeprefix("<@&").removesuffix(">")
        if ident.isdigit() and 15 <= len(ident) <= 21:
            return ident
        raise UserInputError(f"{text!r} is not a Discord role: pick one in the mention option")
    if platform == "slack":
        match = re.fullmatch(r"<?!?subteam\^(S[A-Z0-9]{2,20})(?:\|[^>]*)?>?|(S[A-Z0-9]{2,20})", text)
        if match:
            return match.group(1) or match.group(2)
        raise UserInputError(f"{text!r} is not a Slack user group: type @ and pick one, e.g. mention @breaking-desk")
    raise UserInputError(f"mentions exist on Discord and Slack only, not on {platform}")


def check_target(platform: str, value: str) -> str | None:
    """``forum:<id>`` or ``thread:<id>`` (Discord): where posts go instead of the channel."""
    text = value.strip().lower()
    if text in _CLEAR:
        return None
    kind, _, ident = text.partition(":")
    if platform != "discord":
        raise UserInputError("posting into a forum or thread is a Discord feature")
    if kind not in ("forum", "thread") or not ident.isdigit():
        raise UserInputError(f"{value!r} is not a forum or thread channel")
    return f"{kind}:{ident}"


#: What Discord refuses in a webhook's name (and what would pass for the real thing).
_NAME_REFUSED = ("@", "#", ":", "```")
_NAME_WORDS = ("discord", "clyde")
MAX_NAME = 80


def _persona_platform(platform: str) -> None:
    if platform != "discord":
        raise UserInputError("posting under another name and avatar is a Discord feature (webhooks)")


def check_post_as(platform: str, value: str) -> str | None:
    """The name posts show instead of the bot's: 1-80 characters Discord accepts for a webhook."""
    text = " ".join(value.split())
    if text.lower() in _CLEAR:
        return None
    _persona_platform(platform)
    if not 1 <= len(text) <= MAX_NAME:
        raise UserInputError(f"a name to post as is 1 to {MAX_NAME} characters")
    if any(bad in text for bad in _NAME_REFUSED) or any(word in text.lower() for word in _NAME_WORDS):
        refused = "@ # : ``` and the words discord and clyde"
        raise UserInputError(f"{text!r} cannot be a poster's name: Discord refuses {refused}")
    return text


def check_avatar(platform: str, value: str) -> str | None:
    """An http(s) image link Discord fetches for the avatar (Discord, not Wirebrief, fetches it)."""
    text = value.strip()
    if text.lower() in _CLEAR:
        return None
    _persona_platform(platform)
    if len(text) > 2048 or not re.fullmatch(r"https?://[^\s<>\"']+", text):
        raise UserInputError("an avatar must be an http(s) link to an image, at most 2048 characters")
    return text
