"""Every REST request discord.py makes passes the shared limiter first.

The hook is discord.py's own ``http_trace`` option: an aiohttp ``TraceConfig`` on the session
``discord.http.HTTPClient.request`` sends through. ``on_request_start`` is awaited before
each attempt leaves — posts, replies, typing, reactions, thread starts, command sync, and
discord.py's own retries after a 429 — so nothing reaches Discord around it. Once the
request has its connection (``on_connection_reuseconn``/``_create_end``: the last step before
it is written), a request that is by then too late for its moment — a new connection to
open, a busy event loop — takes a new one.
``on_request_end`` learns each route's bucket from the response headers
(``X-RateLimit-Bucket``/``-Limit``/``-Remaining``/``-Reset-After``) and, when Discord says a
bucket is spent or answers 429, holds that bucket for every instance sharing the limiter
(for the body's ``retry_after``, not the header's whole seconds).

Interaction endpoints (``/interactions/…/callback`` and the ``/webhooks/{app}/{token}``
follow-ups) are exempt: Discord does not count them against the bot's global limit, and a
user waiting on a slash command must not queue behind a fan-out.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, replace
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord
import yarl

from bot.ratelimit import Limiter, Rate, TooLong

log = logging.getLogger(__name__)

#: Requests per second for the whole token (``[discord] requests_per_second``). Discord allows
#: 50; evenly spaced at 48/s, 50 requests in a row span 1.02 s, so every one-second window
#: holds at most 50 as long as none reaches Discord 40 ms later than the one 50 places after it.
GLOBAL_RATE = 48.0
#: A request later than this for its moment (woken late, or waiting for its connection)
#: reserves again. Half of those 40 ms: requests at most 20 ms late are never more than 49
#: in any second as they leave, and the other half is left to the way there and Discord's
#: clock (in bench/two_instances.py the fake Discord, on a loaded machine, counted some
#: requests 30 ms after they left; with 40 ms here it answered 429s).
LATE_OK = 0.02
#: Longest a request waits for its moment here; beyond it discord.RateLimited is raised
#: (the outbox then gives the post back and retries it later).
MAX_WAIT = 30.0
#: Spacing within a learned route bucket: a little over window / limit, so requests evenly
#: spaced never put limit + 1 into one of Discord's windows.
ROUTE_MARGIN = 1.1
#: Path segments whose following id is the route's major parameter (Discord buckets by it).
MAJOR = {"channels", "guilds", "webhooks"}
EXEMPT = ("/interactions/", "/webhooks/")


@dataclass(frozen=True)
class _Admitted:
    """A request the limiter let go (kept on its trace context until it is written)."""

    rates: list[Rate]
    what: str  # "POST /api/v10/channels/…/messages", for log lines
    moment: float  # when it was due, time.monotonic()


@dataclass(frozen=True)
class Bucket:
    """A route's bucket as Discord's headers describe it."""

    hash: str
    limit: int
    window: float


def route_of(method: str, path: str) -> tuple[str, str]:
    """``(template, major)`` of an API path: ``POST /channels/{id}/messages`` and the channel id.
    Ids other than the major one, and reaction emoji, are templated, as Discord buckets them."""
    parts = path.strip("/").split("/")
    major, out = "", []
    for i, part in enumerate(parts):
        before = parts[i - 1] if i else ""
        if part.isdigit():
            if before in MAJOR and not major:
                major = part
                out.append("{major}")
            else:
                out.append("{id}")
        elif before == "reactions":
            out.append("{emoji}")
        else:
            out.append(part)
    return f"{method} /{'/'.join(out)}", major


class DiscordLimits:
    """The shared limiter as discord.py's HTTP trace. One per bot token (per platform)."""

    def __init__(self, limiter: Limiter, api_base: str, *, global_rate: float = GLOBAL_RATE) -> None:
        self.limiter = limiter
        self.api_path = yarl.URL(api_base).path.rstrip("/")
        self.global_rate = limiter.rate("global", 1.0 / global_rate)
        self._buckets: dict[str, Bucket] = {}  # route template -> its bucket, learnt from headers

    def attach(self, trace: aiohttp.TraceConfig) -> aiohttp.TraceConfig:
        """Add the limiter to ``trace`` (discord.py takes one trace; /metrics has one too)."""
        trace.on_request_start.append(self._on_start)
        trace.on_connection_reuseconn.append(self._on_connection)
        trace.on_connection_create_end.append(self._on_connection)
        trace.on_request_end.append(self._on_end)
        return trace

    def _api_path(self, url: yarl.URL) -> str | None:
        """The path below the API base, or None for what is no REST call (gateway, CDN)."""
        path = url.path
        if not path.startswith(self.api_path + "/"):
            return None
        return path[len(self.api_path) :]

    def rates_for(self, method: str, url: yarl.URL) -> list[Rate]:
        path = self._api_path(url)
        if path is None or path.startswith(EXEMPT):
            return []
        template, major = route_of(method, path)
        rates = [self.global_rate]
        bucket = self._buckets.get(template)
        if bucket is not None:
            rates.append(self._bucket_rate(bucket, major))
        return rates

    def _bucket_rate(self, bucket: Bucket, major: str) -> Rate:
        interval = bucket.window / max(1, bucket.limit) * ROUTE_MARGIN
        return self.limiter.rate(f"b:{bucket.hash}:{major}", interval)

    async def _on_start(self, session: Any, ctx: SimpleNamespace, params: aiohttp.TraceRequestStartParams) -> None:
        rates = self.rates_for(params.method, params.url)
        ctx.wirebrief = None
        if rates:
            what = f"{params.method} {params.url.path}"
            ctx.wirebrief = _Admitted(rates, what, await self._admit(rates, what))

    async def _on_connection(self, session: Any, ctx: SimpleNamespace, params: object) -> None:
        """The request is written next: too late for its moment by now, it takes a new one."""
        admitted: _Admitted | None = getattr(ctx, "wirebrief", None)
        if admitted is None or time.monotonic() - admitted.moment <= LATE_OK:
            return
        self.limiter.replanned += 1
        ctx.wirebrief = replace(admitted, moment=await self._admit(admitted.rates, admitted.what))

    async def _admit(self, rates: list[Rate], what: str) -> float:
        """Wait for the request's moment in ``rates``; that moment (``time.monotonic()``)."""
        try:
            _, moment = await self.limiter.admit(rates, MAX_WAIT, LATE_OK)
        except TooLong as exc:
            log.info("discord: %s would wait %.0fs for its rate limit; retrying later", what, exc.wait)
            raise discord.RateLimited(exc.wait) from None
        return moment

    async def _on_end(self, session: Any, ctx: SimpleNamespace, params: aiohttp.TraceRequestEndParams) -> None:
        path = self._api_path(params.url)
        if path is None or path.startswith(EXEMPT):
            return
        headers = params.response.headers
        template, major = route_of(params.method, path)
        bucket = self._learn(template, headers)
        if params.response.status == 429:
            retry_after = await _retry_after(params.response)
            scope = (headers.get("X-RateLimit-Scope") or "").lower()
            if headers.get("X-RateLimit-Global", "").lower() == "true" or scope == "global":
                log.warning("discord: global rate limit hit; every instance holds for %.2fs", retry_after)
                await self.limiter.hold(self.global_rate, retry_after)
            elif bucket is not None:
                await self.limiter.hold(self._bucket_rate(bucket, major), retry_after)
            return
        if bucket is not None and headers.get("X-RateLimit-Remaining") == "0":
            await self.limiter.hold(self._bucket_rate(bucket, major), _float(headers.get("X-RateLimit-Reset-After"), 0))

    def _learn(self, template: str, headers: Any) -> Bucket | None:
        name = headers.get("X-RateLimit-Bucket")
        limit = _float(headers.get("X-RateLimit-Limit"), 0)
        if not name or limit < 1:
            return self._buckets.get(template)
        reset_after = _float(headers.get("X-RateLimit-Reset-After"), 0)
        known = self._buckets.get(template)
        window = max(reset_after, known.window if known is not None and known.hash == name else 0.0)
        window = min(60.0, max(window, 0.001))
        bucket = Bucket(name, int(limit), window)
        if bucket != known:
            self._buckets[template] = bucket
            log.debug("discord: %s is in bucket %s (%d per %.2fs)", template, name, bucket.limit, window)
        return bucket


async def _retry_after(response: aiohttp.ClientResponse) -> float:
    """A 429's wait: the body's ``retry_after`` (seconds, with milliseconds), as discord.py
    reads it; the ``Retry-After`` header rounds it up to whole seconds, and holding every
    instance a whole second for a 429 of 50 ms would cost Discord's limit 50 requests. The
    body is read here once; discord.py reads the same bytes after."""
    try:
        data = await response.json(content_type=None)
    except Exception:  # not JSON, or cut short: the header it is
        data = None
    value = data.get("retry_after") if isinstance(data, dict) else None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value >= 0:
        return float(value)
    return _float(response.headers.get("Retry-After"), 1.0)


def _float(value: str | None, default: float) -> float:
    try:
        number = float(value) if value is not None else default
    except ValueError:
        return default
    return number if math.isfinite(number) and number >= 0 else default
