"""The use-cases every adapter calls. Adapters never touch the store or the summariser.

INTERFACE CONTRACT (adapters are written against exactly these signatures; the engine
implements them). All methods are coroutines so chat handlers can await them; blocking
work (database, summariser, HTTP) runs off the event loop inside.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain import ChannelRef, ChannelStatus, Edition, FeedPreview, Post, SubscriptionInfo
from digests.model import Digest

if TYPE_CHECKING:
    from bot.exchange import ImportReport


class Services:
    async def latest_digest(self, channel: ChannelRef) -> Post | None:
        """The newest digest from any source this channel subscribes to, or None when the
        channel has no subscriptions or its sources have produced nothing yet."""
        raise NotImplementedError

    async def subscribe(
        self,
        channel: ChannelRef,
        source: str,
        schedule: str | None = None,
        timezone: str | None = None,
        backfill: int | str = 1,
        *,
        filters: str | None = None,
        max_per_hour: int | str | None = None,
        mention: str | None = None,
        mention_when: str | None = None,
        target: str | None = None,
        empty: str | None = None,
        post_as: str | None = None,
        avatar: str | None = None,
    ) -> SubscriptionInfo:
        """Subscribe ``channel`` to ``source`` (a feed URL or the name of a wire folder).

        Every value is text as the user typed it, checked here once for every platform
        (:mod:`bot.subscription_grammar`): ``schedule`` "on arrival" (None), "hourly",
        "daily 08:00", "weekdays 08:00", "mon,thu 09:30" or a 5-field cron; ``timezone`` an
        IANA name (None: the channel's default); ``backfill`` 0-10; ``filters`` and
        ``mention_when`` in the :mod:`bot.filters` language; ``max_per_hour`` a cap;
        ``mention`` a role / user-group id; ``target`` "forum:<id>" / "thread:<id>"; ``empty``
        "line" (a scheduled edition with nothing new posts one line) or "nothing"; ``post_as``
        and ``avatar`` the name and image link posts show (Discord). Options
        left None keep what an existing subscription had; "none" clears one. Raises
        UserInputError with a one-line message fit to show the user; subscribing twice to the
        same source updates it."""
        raise NotImplementedError

    async def unsubscribe(self, channel: ChannelRef, which: str) -> SubscriptionInfo:
        """Remove a subscription, named by its number in :meth:`subscriptions` ("2") or by
        its source URL/name. Raises NotFoundError with a helpful message."""
        raise NotImplementedError

    async def subscriptions(self, channel: ChannelRef) -> list[SubscriptionInfo]:
        """The channel's subscriptions, numbered from 1, oldest first."""
        raise NotImplementedError

    async def status(self, channel: ChannelRef) -> ChannelStatus:
        """Per subscription: source last fetch / last error / next poll, last and next post,
        and why it is paused, if it is."""
        raise NotImplementedError

    async def digest_link(self, url: str) -> Digest:
        """Fetch a web page (SSRF-guarded, size and time capped) and summarise it.
        Raises FetchError whose ``reason`` says why, for a polite reply."""
        raise NotImplementedError

    async def preview(self, channel: ChannelRef, url: str, filters: str | None = None) -> FeedPreview | Digest:
        """What subscribing ``channel`` to the feed at ``url`` would bring (its latest items as
        they would post, which of them ``filters`` lets through), stored nowhere; for a web
        page, its digest. Raises FetchError or UserInputError with a reason fit to show."""
        raise NotImplementedError

    async def export_subscriptions(self, channel: ChannelRef, fmt: str = "opml") -> str:
        """The channel's subscriptions as an OPML or JSON document (see :mod:`bot.exchange`)."""
        raise NotImplementedError

    async def import_subscriptions(self, channel: ChannelRef, data: bytes) -> ImportReport:
        """Subscribe the channel to every feed of an OPML or JSON file, each checked as if typed;
        entries that fail are skipped with their reason (the report says which)."""
        raise NotImplementedError

    async def import_from_url(self, channel: ChannelRef, url: str) -> ImportReport:
        """:meth:`import_subscriptions` of a file fetched (once, through the guard) from ``url``."""
        raise NotImplementedError

    async def next_edition(self, channel: ChannelRef) -> Edition | None:
        """What the channel's next edition would hold if it went out now (its soonest
        schedule, every story owed to it so far, ranked), for the caller's eyes only; an
        edition with no stories when nothing has arrived; None when the channel has no
        scheduled subscription (so it gets one post per story, not editions)."""
        raise NotImplementedError

    async def channel_gone(self, channel: ChannelRef, reason: str) -> None:
        """Pause every subscription of a channel that was deleted or lost permissions."""
        raise NotImplementedError

    async def set_timezone(self, channel: ChannelRef, timezone: str | None, *, workspace_wide: bool = False) -> str:
        """Set (None or "none": clear) the default time zone of the channel, or of its whole
        workspace; returns the zone now in force for new subscriptions there."""
        raise NotImplementedError

    async def default_timezone(self, channel: ChannelRef) -> str:
        """The zone a new subscription here gets when it names none."""
        raise NotImplementedError

    async def known_wire_names(self) -> list[str]:
        """Names of the wire folders users may subscribe to (for autocomplete and help)."""
        raise NotImplementedError

    async def first_time(self, key: str) -> bool:
        """True the first time a platform request with identity ``key`` is seen, by any
        instance on this store; False for a replay or a retry, which must be acknowledged
        and ignored."""
        raise NotImplementedError
