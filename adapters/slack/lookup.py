"""Finding a post again on Slack before posting a re-claimed delivery.

Slack has no nonce: a post sent twice is two posts. Every message Wirebrief posts carries
message metadata naming what it delivers (``wirebrief_delivery`` with the delivery id, or
``wirebrief_edition`` with the edition and part); a re-claimed delivery — an earlier process
may have posted it before dying, or before the store could mark it — first reads the
channel's recent history (``conversations.history``), or the thread's replies
(``conversations.replies``), with ``include_all_metadata`` and reuses the message it finds.
Needs the history scopes (``channels:history``, ``groups:history``); without them the look-up
is skipped with one warning and the post is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import RateLimited

log = logging.getLogger(__name__)

#: The metadata event of a post or reply; its payload is {"delivery": id}.
DELIVERY_EVENT = "wirebrief_delivery"
#: Messages read per page, and pages at most, when looking for an earlier post.
PAGE, PAGES = 200, 3


def delivery_metadata(delivery_id: int | None) -> dict[str, Any]:
    if delivery_id is None:
        return {}
    return {"metadata": {"event_type": DELIVERY_EVENT, "event_payload": {"delivery": delivery_id}}}


class Lookup:
    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._warned = False

    async def find(
        self, channel: str, event_type: str, match: Callable[[dict[str, Any]], bool], thread: str | None = None
    ) -> str | None:
        """The ts of the newest message in ``channel`` (or in ``thread``) whose metadata is of
        ``event_type`` with a payload ``match`` accepts; None if none of the recent ones is."""
        cursor: str | None = None
        for _ in range(PAGES):
            page = await self._page(channel, thread, cursor)
            if page is None:
                return None
            for message in page.get("messages") or []:
                metadata = message.get("metadata") or {}
                if metadata.get("event_type") == event_type and match(metadata.get("event_payload") or {}):
                    return str(message.get("ts"))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not cursor:
                return None
        return None

    async def _page(self, channel: str, thread: str | None, cursor: str | None) -> dict[str, Any] | None:
        extra = {"cursor": cursor} if cursor else {}
        try:
            if thread:
                response = await self.client.conversations_replies(
                    channel=channel, ts=thread, limit=PAGE, include_all_metadata=True, **extra
                )
            else:
                response = await self.client.conversations_history(
                    channel=channel, limit=PAGE, include_all_metadata=True, **extra
                )
        except SlackApiError as exc:
            error = str(exc.response.get("error") or "")
            if exc.response.status_code == 429 or error == "ratelimited":
                retry_after = float(exc.response.headers.get("Retry-After", 1))
                raise RateLimited(retry_after, f"Slack rate limit on history: retry after {retry_after:g}s") from None
            if error == "thread_not_found":
                return None
            if not self._warned:
                self._warned = True
                log.warning(
                    "slack: cannot read channel history to look for an earlier post (%s); "
                    "add the channels:history and groups:history scopes, or re-claimed posts may repeat",
                    error or exc,
                )
            return None
        return response.data if isinstance(response.data, dict) else None
