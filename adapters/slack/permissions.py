"""Who may change a channel's subscriptions: workspace admins/owners and the channel's creator
(``managers = "admins"``), or anyone (``managers = "everyone"``).

Slack gives slash commands no permission bits, so we ask the Web API. Any API failure
(a DM has no creator, a user lookup is refused) counts as "no": refusing politely is
better than letting a stranger re-point a channel's feed.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)


async def may_manage(client: AsyncWebClient, managers: str, user_id: str, channel_id: str) -> bool:
    if managers == "everyone":
        return True
    try:
        user = (await client.users_info(user=user_id)).get("user") or {}
        if user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"):
            return True
        channel = (await client.conversations_info(channel=channel_id)).get("channel") or {}
    except SlackApiError as exc:
        log.info("permission lookup refused: %s", exc.response.get("error"), extra={"channel": channel_id})
        return False
    return bool(channel.get("creator")) and channel.get("creator") == user_id
