"""The replay guard: a Slack request already handled is acknowledged and ignored.

Slack retries an event it believes was missed (``X-Slack-Retry-Num``, same ``event_id``),
Socket Mode redelivers envelopes (``retry_attempt``), and a validly signed HTTP request can
be replayed by anyone who saw it while its timestamp is inside the 5-minute window. Without
a guard each copy would run the command or answer the mention again. Every request's identity
— its ``event_id``, else its ``trigger_id``, else (HTTP) its signature, which covers the exact
bytes and timestamp — is claimed in the store, so all instances on one database agree; a
copy gets an empty 200, which Slack takes as handled.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse

from bot.services import Services

log = logging.getLogger(__name__)


def request_key(body: Mapping[str, Any], headers: Mapping[str, Sequence[str]]) -> str | None:
    """The identity of one Slack request, or None for one that carries none (a URL check)."""
    for field in ("event_id", "trigger_id"):
        value = body.get(field)
        if isinstance(value, str) and value:
            return f"slack:{field}:{value}"
    signature = (headers.get("x-slack-signature") or [""])[0]
    return f"slack:signature:{signature}" if signature else None


def replay_guard(services: Services) -> Callable[..., Awaitable[BoltResponse | None]]:
    """A bolt global middleware (after signature verification) running each request once."""

    async def guard(req: AsyncBoltRequest, resp: BoltResponse, next: Callable[[], Awaitable[None]]) -> BoltResponse:
        key = request_key(req.body or {}, req.headers or {})
        if key is None or await services.first_time(key):
            await next()
            return resp
        retry = (req.headers.get("x-slack-retry-num") or [None])[0]
        log.info("slack request seen before; acknowledged and ignored", extra={"key": key, "retry": retry})
        return BoltResponse(status=200, body="")

    return guard
