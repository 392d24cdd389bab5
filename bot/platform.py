"""The one small interface every chat platform implements (after opsdroid's connectors).

The engine owns the loop: it starts each platform, hands it a :class:`~bot.services.Services`
to call when users act in chat, and sends posts through the platform's outbox. A platform
translates; it keeps no state of its own beyond its connection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from bot.domain import Edition, Post, Reply
    from bot.services import Services


@runtime_checkable
class Platform(Protocol):
    """A chat platform adapter.

    ``post`` raises :class:`bot.errors.ChannelGone` when the channel is deleted or the bot
    lost access (the engine pauses the subscription and tells status), and
    :class:`bot.errors.RateLimited` when the platform says wait (the outbox waits and retries).
    Any other exception counts as a transient failure and the delivery is retried later.
    """

    name: str
    #: Posts per second the outbox allows this platform, all channels together.
    rate_per_second: float

    async def start(self, services: Services) -> None:
        """Connect and begin listening; return once ready to post."""

    async def stop(self) -> None:
        """Disconnect cleanly."""

    async def post(self, post: Post) -> str | None:
        """Send one digest; return the platform's message id if it gives one."""

    async def reply(self, reply: Reply) -> str | None:
        """Send one reply in a story's thread (under ``reply.thread``, the first post's
        message id, where the platform gave one); return the reply's message id."""

    async def edition(self, edition: Edition) -> str | None:
        """Post one edition: a message with its header and as many stories as the platform's
        limits allow, the rest in a thread under it (never dropped); return the first
        message's id. Posting the same edition again (a retried claim) must not make a second
        one where the platform can tell (Discord: the edition id as the message nonce)."""
