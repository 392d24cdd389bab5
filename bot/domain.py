"""Domain types of the application layer, shared by services, store and adapters.

Adapters speak only these types (and ``digests.Digest``); they never see ORM rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from digests.model import Digest, Quote


@dataclass(frozen=True)
class ChannelRef:
    """A place digests are posted: ``platform`` ("console", "discord", "slack"), the
    platform's channel id and, where the platform has one, the guild/workspace id."""

    platform: str
    channel: str
    workspace: str | None = None

    def __str__(self) -> str:
        return f"{self.platform}:{self.channel}"

    @classmethod
    def parse(cls, text: str) -> ChannelRef:
        """``console:main`` or ``discord:<guild>/<channel>`` or ``slack:<team>/<channel>``."""
        from bot.errors import UserInputError

        platform, sep, rest = text.partition(":")
        if not sep or not platform or not rest:
            raise UserInputError(f"channel {text!r} must look like PLATFORM:CHANNEL, e.g. console:main")
        workspace, slash, channel = rest.rpartition("/")
        return cls(platform.strip().lower(), channel.strip(), workspace.strip() or None if slash else None)


@dataclass(frozen=True)
class Schedule:
    """When a subscription posts: on arrival (``cron`` is None) or on a cron in a timezone."""

    cron: str | None = None
    timezone: str = "UTC"

    @property
    def on_arrival(self) -> bool:
        return self.cron is None

    def __str__(self) -> str:
        """In words and in its own zone: "weekdays at 08:00 (Europe/Kyiv)", "on arrival"."""
        from bot.schedules import describe_schedule

        return describe_schedule(self.cron, self.timezone)


@dataclass(frozen=True)
class SubscriptionOptions:
    """A subscription's settings beside its schedule, stored as one JSON document so a new
    setting needs no migration. Texts are canonical (parsed and re-spelt by the services).

    ``filters``: which items post (see :mod:`bot.filters`); ``max_per_hour``: a cap on posts;
    ``mention``: a Discord role id or Slack user-group id pinged for items matching
    ``mention_when`` (never for anything else); ``target``: where posts go instead of the
    channel itself ("forum:<id>" for a Discord forum, a post per story; "thread:<id>");
    ``empty_line``: a scheduled subscription's edition period with nothing new posts one
    line saying so, instead of nothing (for channels that want to see the bot is alive);
    ``post_as`` / ``avatar``: the name and picture posts show (Discord, through a webhook)."""

    filters: str | None = None
    max_per_hour: int | None = None
    mention: str | None = None
    mention_when: str | None = None
    target: str | None = None
    empty_line: bool | None = None
    post_as: str | None = None
    avatar: str | None = None

    def to_json(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_json(cls, data: object) -> SubscriptionOptions:
        if not isinstance(data, dict):
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)

    def describe(self) -> list[str]:
        """Each setting in words, for lists and replies."""
        out = []
        if self.filters:
            out.append(f"filter: {self.filters}")
        if self.max_per_hour:
            out.append(f"at most {self.max_per_hour} a hour")
        if self.mention:
            out.append(f"mention {self.mention} when: {self.mention_when or 'every item'}")
        if self.target:
            kind, _, ident = self.target.partition(":")
            out.append(f"posts into {kind} {ident}")
        if self.empty_line:
            out.append("one line when an edition has nothing new")
        if self.post_as or self.avatar:
            name = f'as "{self.post_as}"' if self.post_as else "under the bot's name"
            out.append(f"posts {name}" + (" with its own avatar" if self.avatar else ""))
        return out


@dataclass(frozen=True)
class SourceInfo:
    """A feed, wire folder or page source as users see it in `status`."""

    id: int
    kind: str  # "feed", "wire", "page"
    url: str
    name: str
    last_fetch: datetime | None = None
    last_error: str | None = None
    next_poll: datetime | None = None
    failures: int = 0
    paused_reason: str | None = None

    @property
    def host(self) -> str | None:
        """The feed's host (``www.`` dropped), which tells two feeds with one title apart."""
        if self.kind != "feed":
            return None
        from urllib.parse import urlsplit

        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.") or None

    @property
    def label(self) -> str:
        """How lists name the source: "Title (host)" for a feed, the wire's name otherwise."""
        name = " ".join((self.name or "").split()) or self.url
        host = self.host
        if host is None or name == self.url or host in name.lower():
            return name
        return f"{name} ({host})"


@dataclass(frozen=True)
class SubscriptionInfo:
    """One channel's subscription to one source; ``number`` is its 1-based place in the
    channel's list, which is what chat users type to unsubscribe."""

    id: int
    number: int
    channel: ChannelRef
    source: SourceInfo
    schedule: Schedule
    backfill: int
    created: datetime
    last_post: datetime | None = None
    next_post: datetime | None = None
    paused_reason: str | None = None
    options: SubscriptionOptions = SubscriptionOptions()
    #: Deliveries to this channel from this source that failed for good, and the last error.
    failed_deliveries: int = 0
    last_delivery_error: str | None = None


@dataclass(frozen=True)
class Post:
    """One digest on its way to one channel, with what a renderer shows besides the digest."""

    digest: Digest
    channel: ChannelRef
    source_name: str
    source_url: str | None
    published: datetime | None
    delivery_id: int | None = None
    #: A role / user-group id to ping with this post (only when the subscription's mention
    #: filter matched it); None pings nobody.
    mention: str | None = None
    #: Where the post goes instead of ``channel`` ("forum:<id>", "thread:<id>"), if anywhere.
    target: str | None = None
    #: A re-claimed post an earlier attempt may have made: the platform looks for it first.
    resend: bool = False
    #: The name and avatar URL the post shows instead of the bot's (Discord webhooks), if any.
    post_as: str | None = None
    avatar: str | None = None


@dataclass(frozen=True)
class FeedPreview:
    """A feed as subscribing to it would bring it, before anyone does: its title, how many items
    it carries now, and its latest items as they would post (newest first); with a filter,
    which of them it lets through."""

    url: str
    title: str
    total: int
    posts: tuple[Post, ...]
    passes: tuple[bool, ...]
    filters: str | None = None

    @property
    def host(self) -> str:
        from urllib.parse import urlsplit

        return (urlsplit(self.url).hostname or "").removeprefix("www.")


#: What a reply in a story's thread is about.
REPLY_KINDS = ("outlet", "followup", "edit", "correction")


@dataclass(frozen=True)
class Reply:
    """A message in a story's thread in one channel, under the story's first post there.

    ``kind``: "outlet" (another outlet reports the story: new quotes it brings), "followup"
    (a later article from a source already in the thread), "edit" or "correction" (an item
    changed after it was posted: ``changes`` says how, in plain sentences). ``thread`` is the
    platform's id of the first post (None when the platform gave none, e.g. the console)."""

    channel: ChannelRef
    kind: str
    source_name: str
    source_url: str | None
    headline: str
    quotes: tuple[Quote, ...] = ()
    changes: tuple[str, ...] = ()
    thread: str | None = None
    thread_title: str | None = None
    delivery_id: int | None = None
    #: A re-claimed reply an earlier attempt may have made: the platform looks for it first.
    resend: bool = False
    #: The subscription's target (see :attr:`Post.target`): a reply to a story first posted
    #: into a thread goes into that thread.
    target: str | None = None

    @property
    def title(self) -> str:
        """The reply's first line, e.g. "Also reported by AP"."""
        name = " ".join(self.source_name.split()) or "another source"
        return {
            "outlet": f"Also reported by {name}",
            "followup": f"Update from {name}",
            "edit": f"{name} updated this story",
            "correction": f"Correction from {name}",
        }.get(self.kind, name)

    @property
    def summary(self) -> str | None:
        """ "new: quote from Ana Lima and Jo Bo" when the reply brings attributed quotes."""
        speakers = list(dict.fromkeys((q.speaker or "").strip() for q in self.quotes if (q.speaker or "").strip()))
        if not speakers:
            return None
        names = speakers[0] if len(speakers) == 1 else ", ".join(speakers[:-1]) + " and " + speakers[-1]
        return f"new: {'quote' if len(self.quotes) == 1 else 'quotes'} from {names}"


@dataclass(frozen=True)
class Link:
    """A source's name and, if it has one, the link to its telling of a story."""

    name: str
    url: str | None = None


@dataclass(frozen=True)
class EditionStory:
    """One story in an edition: its headline linking to the best source, the other outlets
    that carried it, and its strongest attributed quote (speaker and role)."""

    headline: str
    source: Link
    also: tuple[Link, ...] = ()
    quote: Quote | None = None
    published: datetime | None = None
    story_id: int | None = None

    @property
    def outlets(self) -> int:
        return 1 + len(self.also)


@dataclass(frozen=True)
class Edition:
    """A scheduled round-up: one message per fire time and channel with every story that
    arrived since the channel's previous edition, from every source it gets on that schedule.
    ``fire`` is the schedule's fire time (aware); ``timezone`` the subscription's zone, in
    which the header names the day."""

    channel: ChannelRef
    fire: datetime
    timezone: str
    stories: tuple[EditionStory, ...]
    sources: int
    edition_id: int | None = None
    #: A re-claimed edition: the platform looks for each part an earlier attempt made first.
    resend: bool = False

    @property
    def local_fire(self) -> datetime:
        from zoneinfo import ZoneInfo

        try:
            return self.fire.astimezone(ZoneInfo(self.timezone))
        except (KeyError, ValueError):
            return self.fire

    @property
    def name(self) -> str:
        """ "Morning edition" … by the hour the edition fires, in the subscription's zone."""
        hour = self.local_fire.hour
        if 4 <= hour < 12:
            return "Morning edition"
        if 12 <= hour < 17:
            return "Afternoon edition"
        if 17 <= hour < 22:
            return "Evening edition"
        return "Night edition"

    @property
    def header(self) -> str:
        """ "Morning edition · Thu 27 Nov · 12 stories from 3 sources" (or "· nothing new", the
        one line of an empty edition a subscription asked for)."""
        day = self.local_fire.strftime("%a %d %b").replace(" 0", " ")
        if not self.stories:
            return f"{self.name} · {day} · nothing new since the last edition"
        stories = f"{len(self.stories)} {'story' if len(self.stories) == 1 else 'stories'}"
        sources = f"{self.sources} {'source' if self.sources == 1 else 'sources'}"
        return f"{self.name} · {day} · {stories} from {sources}"


@dataclass(frozen=True)
class ChannelStatus:
    """What `/digest status` shows for a channel: every subscription and its source."""

    channel: ChannelRef
    subscriptions: tuple[SubscriptionInfo, ...]
