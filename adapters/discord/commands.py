"""The ``/digest`` command group: each subcommand is one service call and one reply.

Discord never lets a user invoke a command that has subcommands, so bare ``/digest`` cannot
exist beside ``/digest subscribe``; ``/digest latest`` is what the issue calls ``/digest``.

Every reply must start within Discord's 3 s. Commands that fetch or summarise (latest,
subscribe, preview) defer at once; the others answer directly unless the service has not
finished after :data:`DEFER_AFTER` seconds, when they defer and edit the answer in.
"""

from __future__ import annotations

import asyncio
import io
import logging
import zoneinfo
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import discord
from discord import app_commands

from adapters.discord import replies
from adapters.discord.edition import Part
from adapters.discord.render import digest_embed, post_embed, safe_text
from bot.domain import ChannelRef, FeedPreview
from bot.errors import FetchError, WirebriefError
from bot.exchange import MAX_FILE_BYTES as MAX_IMPORT_BYTES
from bot.services import Services

log = logging.getLogger(__name__)

#: Seconds a "fast" command may take before we defer; well inside Discord's 3 s.
DEFER_AFTER = 1.5
MAX_CHOICES = 25
SCHEDULE_SUGGESTIONS = [
    ("on arrival", "on arrival"),
    ("every morning at 08:00", "daily 08:00"),
    ("morning and evening (08:00, 18:00)", "daily 08:00,18:00"),
    ("every hour", "hourly"),
    ("weekdays at 09:00", "weekdays 09:00"),
    ("weekends at 10:00", "weekends 10:00"),
]
NONE = discord.AllowedMentions.none()


@dataclass(frozen=True)
class FileReply:
    """A reply carrying a file (an export), with a line of text above it."""

    content: str
    filename: str
    data: bytes


Reply = str | discord.Embed | Part | FileReply


@lru_cache(maxsize=1)
def _timezones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def timezone_choices(current: str) -> list[app_commands.Choice[str]]:
    """Prefix matches first, then substring matches (so "york" finds America/New_York)."""
    needle = current.strip().lower().replace(" ", "_")
    zones = _timezones()
    if not needle:
        picked = ["UTC", "Europe/London", "Europe/Paris", "America/New_York", "Asia/Tokyo"]
    else:
        prefix = [z for z in zones if z.lower().startswith(needle)]
        inner = [z for z in zones if needle in z.lower() and z not in prefix]
        picked = (prefix + inner)[:MAX_CHOICES]
    return [app_commands.Choice(name=z, value=z) for z in picked]


def channel_of(interaction: discord.Interaction) -> ChannelRef:
    return ChannelRef(
        "discord", str(interaction.channel_id), str(interaction.guild_id) if interaction.guild_id else None
    )


TargetChannel = app_commands.AppCommandChannel | app_commands.AppCommandThread


class TargetTransformer(app_commands.Transformer):
    """A channel option offering only forums and threads (Discord filters the picker), taken as
    Discord resolved it: no cache needed, so a thread made a minute ago works too."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        kinds = discord.ChannelType
        return [kinds.forum, kinds.public_thread, kinds.private_thread, kinds.news_thread]

    async def transform(self, interaction: discord.Interaction, value: TargetChannel) -> TargetChannel:
        return value


def target_value(channel: TargetChannel | None) -> str | None:
    """The post_in option as the services take it: "forum:<id>" or "thread:<id>"."""
    if channel is None:
        return None
    if isinstance(channel, app_commands.AppCommandThread):
        return f"thread:{channel.id}"
    if channel.type == discord.ChannelType.forum:
        return f"forum:{channel.id}"
    return f"text:{channel.id}"  # refused by the grammar with its own words


def role_value(role: discord.Role | None) -> str | None:
    """The role option as the services take it; @everyone (whose id is the guild's) by name, so
    the one grammar refuses it with its own words."""
    if role is None:
        return None
    return "@everyone" if role.is_default() else str(role.id)


def can_manage(interaction: discord.Interaction, manager_role: str | None) -> bool:
    """Manage Channels (as Discord resolved it for this channel), or the configured role."""
    perms = interaction.permissions
    if perms.manage_channels or perms.administrator:
        return True
    user = interaction.user
    if not manager_role or not isinstance(user, discord.Member):
        return False
    return any(role.name == manager_role for role in user.roles)


async def send(interaction: discord.Interaction, reply: Reply, *, ephemeral: bool) -> None:
    """Answer, edit the deferred answer in, whichever applies; never ping anyone."""
    content = replies.clip(reply) if isinstance(reply, str) else reply.content if isinstance(reply, Part) else None
    embeds = [reply] if isinstance(reply, discord.Embed) else reply.embeds if isinstance(reply, Part) else []
    files: dict = {}  # type: ignore[type-arg]
    if isinstance(reply, FileReply):
        content = replies.clip(reply.content)
        files = {"attachments": [discord.File(io.BytesIO(reply.data), filename=reply.filename)]}
    if interaction.response.is_done():
        await interaction.edit_original_response(content=content, embeds=embeds, allowed_mentions=NONE, **files)
        return
    if files:
        files = {"files": files["attachments"]}
    await interaction.response.send_message(
        content or "", embeds=embeds, ephemeral=ephemeral, allowed_mentions=NONE, **files
    )


async def run(
    interaction: discord.Interaction,
    work: Callable[[], Awaitable[Reply]],
    *,
    ephemeral: bool,
    slow: bool,
) -> None:
    """Run ``work`` and reply with what it returns, deferring so Discord's 3 s always hold.

    Errors meant for users become polite replies; anything else is logged with context and
    answered with an apology, so a bug never leaves the user staring at "thinking…".
    """
    if slow:
        await interaction.response.defer(thinking=True, ephemeral=ephemeral)
    task = asyncio.ensure_future(work())
    if not slow:
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        if not done:
            await interaction.response.defer(thinking=True, ephemeral=ephemeral)
    try:
        reply: Reply = await task
    except FetchError as exc:
        reply = replies.fetch_failure(exc)
    except WirebriefError as exc:
        reply = safe_text(str(exc), 1500, markdown=False)
    except Exception:
        log.exception("discord: /digest failed (guild %s, channel %s)", interaction.guild_id, interaction.channel_id)
        reply = replies.INTERNAL_ERROR
    await send(interaction, reply, ephemeral=ephemeral)


class DigestCommands(app_commands.Group):
    """``/digest …`` — thin: translate options, call a service, render the answer."""

    def __init__(self, services: Services, *, manager_role: str | None = None) -> None:
        super().__init__(name="digest", description="News digests: headline and key quotes", guild_only=True)
        self.services = services
        self.manager_role = manager_role

    async def _refuse_unless_manager(self, interaction: discord.Interaction) -> bool:
        if can_manage(interaction, self.manager_role):
            return False
        log.info(
            "discord: refused %s for user %s in channel %s",
            interaction.command.qualified_name if interaction.command else "?",
            interaction.user.id,
            interaction.channel_id,
        )
        await interaction.response.send_message(
            replies.refusal(self.manager_role), ephemeral=True, allowed_mentions=NONE
        )
        return True

    @app_commands.command(name="latest", description="The latest digest for this channel")
    async def latest(self, interaction: discord.Interaction) -> None:
        async def work() -> Reply:
            post = await self.services.latest_digest(channel_of(interaction))
            return replies.NO_DIGEST if post is None else post_embed(post)

        await run(interaction, work, ephemeral=False, slow=True)

    @app_commands.command(name="subscribe", description="Post digests from a feed or wire in this channel")
    @app_commands.describe(
        source="A feed URL (RSS, Atom, JSON Feed) or the name of a configured wire",
        schedule="on arrival, hourly, daily 08:00, weekdays 08:00, mon,thu 09:30 or a cron such as 0 8 * * 1-5",
        timezone="Time zone of the schedule (IANA name); default: this channel's",
        backfill="How many of the latest items to post now (0–10)",
        filter='Which items post: words or "phrases", -word to exclude, /regex/, headline: text: speaker:',
        max_per_hour="At most this many posts an hour (0: no cap)",
        empty="With a schedule: when an edition has nothing new, post nothing (default) or one line",
        mention="A role to ping for items matching mention_when (breaking news); nothing else pings anyone",
        mention_when="Which items ping the role (same words as filter); empty: every item",
        stop_mentions="Stop pinging the role this subscription pings",
        post_in="A forum (each story its own post) or a thread to post into instead of this channel",
        post_here="Post in this channel again instead of a forum or thread",
        post_as='The name posts show instead of the bot\'s (needs Manage Webhooks; "none" to clear)',
        avatar='An image link for the avatar posts show ("none" to clear)',
    )
    async def subscribe(
        self,
        interaction: discord.Interaction,
        source: app_commands.Range[str, 1, 2000],
        schedule: app_commands.Range[str, 1, 100] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        backfill: app_commands.Range[int, 0, 10] = 1,
        filter: app_commands.Range[str, 1, 1000] | None = None,
        max_per_hour: app_commands.Range[int, 0, 500] | None = None,
        empty: Literal["nothing", "line"] | None = None,
        mention: discord.Role | None = None,
        mention_when: app_commands.Range[str, 1, 1000] | None = None,
        stop_mentions: bool = False,
        post_in: app_commands.Transform[TargetChannel, TargetTransformer] | None = None,
        post_here: bool = False,
        post_as: app_commands.Range[str, 1, 80] | None = None,
        avatar: app_commands.Range[str, 1, 2048] | None = None,
    ) -> None:
        if await self._refuse_unless_manager(interaction):
            return
        ping = "none" if stop_mentions else role_value(mention)
        target = "none" if post_here else target_value(post_in)

        async def work() -> Reply:
            sub = await self.services.subscribe(
                channel_of(interaction),
                source.strip(),
                schedule,
                timezone,
                backfill,
                filters=filter,
                max_per_hour=max_per_hour,
                empty=empty,
                mention=ping,
                mention_when="none" if stop_mentions else mention_when,
                target=target,
                post_as=post_as,
                avatar=avatar,
            )
            return replies.subscribed_text(sub)

        await run(interaction, work, ephemeral=True, slow=True)

    @subscribe.autocomplete("timezone")
    async def _timezone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return timezone_choices(current)

    @subscribe.autocomplete("schedule")
    async def _schedule_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        needle = current.strip().lower()
        found = [(n, v) for n, v in SCHEDULE_SUGGESTIONS if needle in n or needle in v]
        if needle and all(v != current.strip() for _, v in found):
            found.insert(0, (current.strip()[:100], current.strip()[:100]))
        return [app_commands.Choice(name=n, value=v) for n, v in found[:MAX_CHOICES]]

    @subscribe.autocomplete("source")
    async def _source_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = await self.services.known_wire_names()
        needle = current.strip().lower()
        return [app_commands.Choice(name=f"wire: {n}"[:100], value=n[:100]) for n in names if needle in n.lower()][
            :MAX_CHOICES
        ]

    @app_commands.command(name="unsubscribe", description="Stop a subscription of this channel")
    @app_commands.describe(which="The subscription's number in /digest list, or its source")
    async def unsubscribe(self, interaction: discord.Interaction, which: app_commands.Range[str, 1, 2000]) -> None:
        if await self._refuse_unless_manager(interaction):
            return

        async def work() -> Reply:
            return replies.unsubscribed_text(await self.services.unsubscribe(channel_of(interaction), which.strip()))

        await run(interaction, work, ephemeral=True, slow=False)

    @unsubscribe.autocomplete("which")
    async def _which_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        subs = await self.services.subscriptions(channel_of(interaction))
        needle = current.strip().lower()
        return [
            app_commands.Choice(name=f"{s.number}. {s.source.label}"[:100], value=str(s.number))
            for s in subs
            if needle in f"{s.number} {s.source.name} {s.source.url}".lower()
        ][:MAX_CHOICES]

    @app_commands.command(name="list", description="This channel's subscriptions")
    async def list_(self, interaction: discord.Interaction) -> None:
        async def work() -> Reply:
            return replies.subscriptions_text(await self.services.subscriptions(channel_of(interaction)))

        await run(interaction, work, ephemeral=True, slow=False)

    @app_commands.command(name="status", description="Last fetch, last error, last and next post per subscription")
    async def status(self, interaction: discord.Interaction) -> None:
        async def work() -> Reply:
            return replies.status_text(await self.services.status(channel_of(interaction)))

        await run(interaction, work, ephemeral=True, slow=False)

    @app_commands.command(name="timezone", description="The time zone schedules here use when they name none")
    @app_commands.describe(
        zone="IANA time zone such as Europe/Kyiv, or none to clear", whole_server="Set it for every channel here"
    )
    async def timezone(
        self,
        interaction: discord.Interaction,
        zone: app_commands.Range[str, 1, 64],
        whole_server: bool = False,
    ) -> None:
        if await self._refuse_unless_manager(interaction):
            return

        async def work() -> Reply:
            now = await self.services.set_timezone(channel_of(interaction), zone, workspace_wide=whole_server)
            return replies.timezone_text(now, whole_server)

        await run(interaction, work, ephemeral=True, slow=False)

    @timezone.autocomplete("zone")
    async def _zone_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return timezone_choices(current)

    @app_commands.command(name="preview", description="A feed before subscribing, or an article's digest (only you)")
    @app_commands.describe(
        url="A feed URL (its latest items as they would post here) or a link to a news article",
        filter="Try a filter on the feed's items: which of them would post",
    )
    async def preview(
        self,
        interaction: discord.Interaction,
        url: app_commands.Range[str, 1, 2000],
        filter: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        async def work() -> Reply:
            try:
                found = await self.services.preview(channel_of(interaction), url.strip(), filter)
            except FetchError as exc:
                return replies.fetch_failure(exc, url.strip())
            return replies.feed_preview(found) if isinstance(found, FeedPreview) else digest_embed(found)

        await run(interaction, work, ephemeral=True, slow=True)

    @app_commands.command(name="edition", description="What this channel's next edition would hold now (only you)")
    async def edition(self, interaction: discord.Interaction) -> None:
        async def work() -> Reply:
            return replies.edition_preview(await self.services.next_edition(channel_of(interaction)))

        await run(interaction, work, ephemeral=True, slow=False)

    @app_commands.command(name="export", description="This channel's subscriptions as a file (OPML or JSON), for you")
    @app_commands.describe(format="OPML (any feed reader imports it) or JSON (every Wirebrief setting)")
    @app_commands.choices(
        format=[app_commands.Choice(name="OPML", value="opml"), app_commands.Choice(name="JSON", value="json")]
    )
    async def export(self, interaction: discord.Interaction, format: app_commands.Choice[str] | None = None) -> None:
        fmt = format.value if format is not None else "opml"

        async def work() -> Reply:
            channel = channel_of(interaction)
            text = await self.services.export_subscriptions(channel, fmt)
            return FileReply(replies.export_note(fmt), f"wirebrief-{channel.channel}.{fmt}", text.encode())

        await run(interaction, work, ephemeral=True, slow=False)

    @app_commands.command(name="import", description="Subscribe this channel to every feed in an OPML or JSON file")
    @app_commands.describe(
        file="An OPML file (any feed reader's export) or Wirebrief's JSON export", url="…or a link to one"
    )
    async def import_(
        self,
        interaction: discord.Interaction,
        file: discord.Attachment | None = None,
        url: app_commands.Range[str, 1, 2000] | None = None,
    ) -> None:
        if await self._refuse_unless_manager(interaction):
            return

        async def work() -> Reply:
            channel = channel_of(interaction)
            if file is not None:
                if file.size > MAX_IMPORT_BYTES:
                    return f"That file is over {MAX_IMPORT_BYTES // 1024} KB; a subscription list is far smaller."
                report = await self.services.import_subscriptions(channel, await file.read())
            elif url is not None:
                report = await self.services.import_from_url(channel, url.strip())
            else:
                return "Attach an OPML or JSON file (`file:`) or give a link to one (`url:`)."
            return safe_text(report.summary(), 1900, markdown=False)

        await run(interaction, work, ephemeral=False, slow=True)

    @app_commands.command(name="help", description="How Wirebrief works")
    async def help_(self, interaction: discord.Interaction) -> None:
        await send(interaction, replies.help_text(self.manager_role), ephemeral=True)
