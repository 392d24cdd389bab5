"""Posting somewhere other than the subscription's channel: a Discord forum or a thread.

A subscription may name a target (``forum:<id>`` or ``thread:<id>``, set with ``/digest
subscribe post_in:``). In a **forum** each story becomes its own forum post, titled with the
headline, and the story's later outlets and updates go inside that post (its thread id is
the starter message's id, which is what the store keeps as the story's first post, so
:meth:`DiscordPlatform.reply` finds it like any thread). In a **thread** every post goes into
that one thread, and a story's replies answer its first post there.

Discord takes no nonce when it creates a forum post, so a post retried after Discord made it
but before we heard back can appear twice in a forum; in a thread the nonce holds as usual.
"""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.render import thread_name
from bot.domain import ChannelRef, Post
from bot.errors import ChannelGone, DeliveryError

#: Minutes a forum post stays open without activity (a day; a reply reopens it).
FORUM_ARCHIVE_MINUTES = 1440


def parse_target(target: str | None) -> tuple[str, int] | None:
    """``("forum", id)`` / ``("thread", id)``, or None for the channel itself."""
    kind, _, ident = (target or "").partition(":")
    if kind in ("forum", "thread") and ident.isdigit():
        return kind, int(ident)
    return None


async def send_to_target(client: discord.Client, post: Post, kwargs: dict[str, Any]) -> str:
    """Send ``kwargs`` (content, embed, allowed_mentions, nonce) to the post's target; the id
    returned is the message a story's replies hang on (a forum post's thread id)."""
    parsed = parse_target(post.target)
    if parsed is None:
        raise DeliveryError(f"discord: {post.target!r} is not a forum or thread target")
    kind, ident = parsed
    try:
        if kind == "thread":
            thread = client.get_partial_messageable(ident, guild_id=_guild(post.channel))
            return str((await thread.send(**kwargs)).id)
        forum = client.get_channel(ident) or await client.fetch_channel(ident)
        if not isinstance(forum, discord.ForumChannel):
            raise ChannelGone(f"channel {ident} it posts into is no longer a forum: choose another with post_in:")
        created = await forum.create_thread(
            name=thread_name(post.digest.headline or post.digest.title),
            auto_archive_duration=FORUM_ARCHIVE_MINUTES,
            **{k: v for k, v in kwargs.items() if k != "nonce"},
        )
        return str(created.thread.id)
    except (discord.NotFound, discord.Forbidden) as exc:
        why = "deleted" if isinstance(exc, discord.NotFound) else "closed to the bot"
        raise ChannelGone(
            f"the {kind} {ident} it posts into is {why}: choose another with post_in:, or post_here:True"
        ) from None


def target_thread(target: str | None) -> str | None:
    """The thread id of a thread target (where a re-claimed post is looked for), else None."""
    parsed = parse_target(target)
    return str(parsed[1]) if parsed is not None and parsed[0] == "thread" else None


def target_reply_channel(ref: ChannelRef, target: str | None) -> ChannelRef:
    """Where a story's reply goes when its first post was in a target thread: that thread."""
    parsed = parse_target(target)
    if parsed is None or parsed[0] != "thread":
        return ref
    return ChannelRef(ref.platform, str(parsed[1]), ref.workspace)


def _guild(ref: ChannelRef) -> int | None:
    return int(ref.workspace) if ref.workspace and ref.workspace.isdigit() else None
