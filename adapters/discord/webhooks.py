"""Posting under a subscription's own name and avatar: a Discord webhook per channel.

A bot cannot change its name per message; a webhook can (``username``, ``avatar_url`` on each
execute). Wirebrief keeps one webhook named :data:`WEBHOOK_NAME` per channel (per forum, per
thread's parent), finds it again after a restart (``GET /channels/<id>/webhooks``, the one
our bot made) or makes it, and remembers it in memory. Where the bot lacks *Manage Webhooks*
the post goes out as the bot instead — nothing is lost — and the log says what permission
would fix it, once per channel.

Discord takes no nonce on a webhook execute, so a post retried after a crash between Discord
creating it and us marking it sent can appear twice (as with forum posts); posts as the bot
keep their nonce.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from adapters.discord.render import thread_name
from adapters.discord.targets import parse_target
from bot.domain import Post

log = logging.getLogger(__name__)

WEBHOOK_NAME = "Wirebrief"


class Webhooks:
    """The webhooks of one client, by the channel they belong to."""

    def __init__(self, client: discord.Client) -> None:
        self.client = client
        self._hooks: dict[int, discord.Webhook] = {}
        self._refused: set[int] = set()

    async def send(self, post: Post, kwargs: dict[str, Any]) -> str | None:
        """Post under ``post.post_as`` / ``post.avatar``; None when this channel allows no
        webhook (the caller then posts as the bot). Returns the id a story's replies hang on."""
        parent, where = await self._where(post)
        hook = await self._hook(parent)
        if hook is None:
            return None
        options = {k: v for k, v in kwargs.items() if k != "nonce" and v is not None}
        if post.post_as:
            options["username"] = post.post_as
        if post.avatar:
            options["avatar_url"] = post.avatar
        options |= where
        try:
            message = await hook.send(wait=True, **options)
        except discord.NotFound:  # someone deleted our webhook: make a new one, once
            self._hooks.pop(parent, None)
            hook = await self._hook(parent)
            if hook is None:
                return None
            message = await hook.send(wait=True, **options)
        return str(message.channel.id if "thread_name" in where else message.id)

    async def _where(self, post: Post) -> tuple[int, dict[str, Any]]:
        """The channel owning the webhook, and where in it the message goes."""
        target = parse_target(post.target)
        if target is None:
            return int(post.channel.channel), {}
        kind, ident = target
        if kind == "forum":
            return ident, {"thread_name": thread_name(post.digest.headline or post.digest.title)}
        thread = self.client.get_channel(ident) or await self.client.fetch_channel(ident)
        parent = getattr(thread, "parent_id", None) or ident
        return int(parent), {"thread": discord.Object(ident)}

    async def _hook(self, channel_id: int) -> discord.Webhook | None:
        if channel_id in self._hooks:
            return self._hooks[channel_id]
        if channel_id in self._refused:
            return None
        channel = self.client.get_channel(channel_id) or await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.TextChannel | discord.ForumChannel):
            self._refused.add(channel_id)
            return None
        try:
            hook = _ours(await channel.webhooks(), self.client.user)
            hook = hook or await channel.create_webhook(name=WEBHOOK_NAME, reason="posts under a subscription's name")
        except discord.Forbidden:
            self._refused.add(channel_id)
            log.warning(
                "discord: no webhook in channel %s (give Wirebrief Manage Webhooks there to post under a "
                "subscription's name); posting as the bot",
                channel_id,
            )
            return None
        self._hooks[channel_id] = hook
        return hook


def _ours(hooks: list[discord.Webhook], me: discord.ClientUser | None) -> discord.Webhook | None:
    """The webhook this bot made before (a restart forgets it), if it still has its token."""
    for hook in hooks:
        if hook.name == WEBHOOK_NAME and hook.token and hook.user and me and hook.user.id == me.id:
            return hook
    return None
