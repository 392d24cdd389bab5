"""Every Web API call of the Slack app passes the shared limiter first.

The hook is an aiohttp client middleware on the one ``ClientSession`` the platform's
``AsyncWebClient`` sends through. bolt builds a fresh ``AsyncWebClient`` for every request
it handles but hands it that same session, so mention replies made in a listener pass here
as the outbox's posts do; so do slack-sdk's own retries after a 429 (each attempt is a
request through the session).

Buckets, per bot token: ``chat.postMessage`` one message per channel per ``CHANNEL_INTERVAL``
(Slack allows about one a second per channel), and the documented tier of the other methods
the app calls. A 429 holds the bucket for ``Retry-After`` on every instance.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import ClientRequest, ClientResponse

from bot.ratelimit import Limiter, Rate

log = logging.getLogger(__name__)

#: Seconds between two messages to one channel. Slack's limit is one a second; the margin keeps
#: requests evenly spaced by the limiter at least a second apart when they reach Slack.
CHANNEL_INTERVAL = 1.1
#: Methods limited per channel rather than by tier.
PER_CHANNEL = {"chat.postMessage"}
#: Slack's tiers in requests per minute, and the burst each tolerates here.
TIERS = {1: (1, 10), 2: (20, 5), 3: (50, 10), 4: (100, 20)}
#: The tier of each method the app calls (https://api.slack.com/methods); others are not limited here.
METHOD_TIERS = {
    "apps.connections.open": 1,  # burst 10: Socket Mode may hold up to 10 connections
    "auth.test": 4,
    "chat.update": 3,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "conversations.info": 3,
    "conversations.history": 3,
    "conversations.replies": 3,
    "reactions.add": 3,
    "users.info": 4,
}
#: A call that wakes later than this after its moment reserves again, so the next message to
#: the channel (reserved CHANNEL_INTERVAL after it) never reaches Slack within a second of it.
LATE_OK = 0.05
#: Longest a call waits here before it is refused with :class:`bot.ratelimit.TooLong`.
MAX_WAIT = 30.0

Handler = Callable[[ClientRequest], Awaitable[ClientResponse]]


class SlackLimits:
    """The shared limiter as an aiohttp client middleware. One per bot token."""

    def __init__(self, limiter: Limiter, *, channel_interval: float = CHANNEL_INTERVAL) -> None:
        self.limiter = limiter
        self.channel_interval = channel_interval

    def rate_for(self, method: str, channel: str | None) -> Rate | None:
        if method in PER_CHANNEL:
            return self.limiter.rate(f"ch:{channel or '-'}", self.channel_interval) if channel else None
        tier = METHOD_TIERS.get(method)
        if tier is None:
            return None
        per_minute, burst = TIERS[tier]
        return self.limiter.rate(f"m:{method}", 60.0 / per_minute, burst)

    async def middleware(self, request: ClientRequest, handler: Handler) -> ClientResponse:
        method = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        rate = self.rate_for(method, _channel(request) if method in PER_CHANNEL else None)
        if rate is not None:
            await self.limiter.acquire([rate], MAX_WAIT, LATE_OK)
        response = await handler(request)
        if response.status == 429 and rate is not None:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            log.warning("slack: %s rate limited; every instance holds it for %gs", method, retry_after)
            await self.limiter.hold(rate, retry_after)
        return response


def _channel(request: ClientRequest) -> str | None:
    """The ``channel`` argument, from the query, a JSON body or a form body."""
    if "channel" in request.url.query:
        return request.url.query["channel"]
    body = request.body
    try:
        text = body.decode() if hasattr(body, "decode") else ""
    except Exception:  # a multipart upload or a stream: no channel to read, not our business
        return None
    if not text:
        return None
    if text.lstrip().startswith("{"):
        try:
            data: Any = json.loads(text)
        except ValueError:
            return None
        value = data.get("channel") if isinstance(data, dict) else None
        return str(value) if value else None
    return dict(parse_qsl(text)).get("channel")


def _retry_after(value: str | None) -> float:
    try:
        seconds = float(value) if value is not None else 1.0
    except ValueError:
        return 1.0
    return seconds if math.isfinite(seconds) and seconds >= 0 else 1.0
