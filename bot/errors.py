"""Errors a user can act on. Every message is one line, fit for a CLI or a polite chat reply."""

from __future__ import annotations


class WirebriefError(Exception):
    """Base of every error whose message is meant for the user."""


class ConfigError(WirebriefError):
    """A configuration key is missing or holds a bad value; the message names the key."""


class StoreError(WirebriefError):
    """The database cannot be opened, written or read; the message says what to do."""


class UserInputError(WirebriefError):
    """Something the user typed (a schedule, a timezone, a source) cannot be used."""


class NotFoundError(WirebriefError):
    """The subscription, source or digest asked for does not exist."""


class FetchError(WirebriefError):
    """A feed or page could not be fetched or read.

    ``reason`` is a short machine code adapters can map to a polite sentence:
    ``not_article``, ``too_big``, ``timeout``, ``address_refused``, ``empty``,
    ``http_status``, ``bad_url``, ``connection``, ``bad_content_type``, ``malformed``.
    """

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class DeliveryError(WirebriefError):
    """A platform refused a post."""


class ChannelGone(DeliveryError):
    """The channel was deleted, or the bot lost access; its subscriptions must pause."""


class RateLimited(DeliveryError):
    """The platform asked us to wait ``retry_after`` seconds before posting again."""

    def __init__(self, retry_after: float, message: str = "rate limited") -> None:
        super().__init__(message)
        self.retry_after = retry_after
