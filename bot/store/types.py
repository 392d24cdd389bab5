"""Plain values the store hands to the services (never ORM rows, which are bound to a session)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from bot.domain import ChannelRef


def utcnow() -> datetime:
    """Naive UTC, the form every timestamp has in the store."""
    return datetime.now(UTC).replace(tzinfo=None)


def aware(value: datetime | None) -> datetime | None:
    """A stored naive-UTC timestamp as an aware one, for users and adapters."""
    return value.replace(tzinfo=UTC) if value is not None else None


def channel_key(channel: ChannelRef) -> tuple[str, str, str]:
    """(platform, workspace, channel) as stored: no workspace is "" so UNIQUE keys work."""
    return channel.platform, channel.workspace or "", channel.channel


def source_host(kind: str, url: str) -> str:
    """The key polls are capped by: a feed's host:port (as aiohttp's per-host limit keys it),
    "" for wire folders and files, which are local and need no politeness."""
    if kind != "feed":
        return ""
    return (urlsplit(url).netloc or "").lower()[:255]


@dataclass(frozen=True)
class SourceRef:
    """What a poll needs to know about a source."""

    id: int
    kind: str
    url: str
    name: str
    etag: str | None
    last_modified: str | None
    failures: int
    next_poll: datetime | None

    @property
    def host(self) -> str:
        return source_host(self.kind, self.url)


@dataclass(frozen=True)
class NewItem:
    """One item as a source read it, before dedupe: a feed entry or a wire file."""

    guid: str
    link: str | None
    title: str | None
    text: str
    published: datetime | None = None


@dataclass(frozen=True)
class IngestResult:
    new: int = 0
    updated: int = 0
    duplicates: int = 0
    #: Why the poll failed (a FetchError reason such as "timeout"), None when it did not.
    failure: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A digest due in a channel: what the outbox tries to claim and post."""

    digest_id: int
    channel: ChannelRef
    slot: str
    subscription_id: int

    @property
    def key(self) -> tuple[int, str, str, str, str]:
        return (self.digest_id, *channel_key(self.channel), self.slot)


@dataclass(frozen=True)
class EditionCandidate:
    """An edition due in a channel: one schedule ("cron|timezone") and one fire time of it."""

    channel: ChannelRef
    cron: str
    timezone: str
    fire: str  # the fire time as the slot key, "2025-11-27T08:00Z"

    @property
    def schedule(self) -> str:
        return f"{self.cron}|{self.timezone}"

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (*channel_key(self.channel), self.schedule, self.fire)
