"""The Discord platform: one discord.py client, its command tree, and posting embeds.

The platform endpoints are configuration (``[discord] api_base`` / ``gateway_url``): unset in
production, where discord.py's own defaults stand; set by tests to a local fake. They are
applied in exactly one place, :func:`configure_endpoints`.
"""

from __future__ import annotations

import asyncio
import logging

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.commands import DigestCommands
from adapters.discord.edition import edition_parts, thread_title
from adapters.discord.limits import DiscordLimits
from adapters.discord.marker import mark, message_markers
from adapters.discord.mentions import handle_mention, is_addressed_to
from adapters.discord.render import post_embed, post_ping, reply_embed, thread_name
from adapters.discord.targets import send_to_target, target_reply_channel, target_thread
from adapters.discord.webhooks import Webhooks
from bot.config import DiscordSettings, Settings
from bot.domain import ChannelRef, Edition, Post, Reply
from bot.errors import ChannelGone, ConfigError, DeliveryError, RateLimited
from bot.ops import metrics
from bot.ratelimit import Limiter, namespace_for
from bot.services import Services

log = logging.getLogger(__name__)

#: Discord's global limit is 50 requests/s per bot. Every request passes the shared limiter
#: (adapters.discord.limits), which paces the token as a whole; the outbox does not pace it.
RATE_PER_SECOND = 48.0
#: A 429 asking us to wait longer than this is handed to the outbox instead of sleeping in place.
MAX_RATELIMIT_SLEEP = 30.0
READY_TIMEOUT = 60.0
#: Discord's codes: a thread already made on that message; the message is gone.
THREAD_EXISTS, UNKNOWN_MESSAGE, UNKNOWN_CHANNEL = 160004, 10008, 10003
#: Minutes a story's thread stays open without activity (a day; a reply reopens it).
THREAD_ARCHIVE_MINUTES = 1440
#: Pages of 100 recent messages read, at most, when looking for a re-claimed post.
FIND_PAGES = 3
#: JSON error codes that mean "this channel is no longer ours to post in".
GONE_CODES = {10003: "channel deleted", 50001: "bot lost access to the channel", 50013: "bot lost permission to post"}


def configure_endpoints(settings: DiscordSettings) -> None:
    """Point discord.py's REST and gateway at configured endpoints (tests); untouched when unset."""
    if settings.api_base:
        Route.BASE = settings.api_base.rstrip("/")
    if settings.gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def build_client(settings: DiscordSettings, limits: DiscordLimits | None = None) -> discord.Client:
    """``AutoShardedClient`` when a shard count is configured, else a plain ``Client``.

    Default intents only: mentions carry their content without the privileged
    Message Content intent, and nothing else here reads messages.
    """
    # Wirebrief never joins voice: discord.py's "PyNaCl/davey is not installed" warnings at
    # every start would only alarm an operator.
    discord.VoiceClient.warn_nacl = False
    if hasattr(discord.VoiceClient, "warn_dave"):
        discord.VoiceClient.warn_dave = False
    trace = metrics.http_trace("discord")  # counts 429s for /metrics
    if limits is not None:
        limits.attach(trace)  # every request waits for the token's shared rate limits
    options = {
        "intents": discord.Intents.default(),
        "allowed_mentions": discord.AllowedMentions.none(),
        "guild_ready_timeout": settings.guild_ready_timeout,
        "max_ratelimit_timeout": MAX_RATELIMIT_SLEEP,
        "http_trace": trace,
    }
    if settings.shard_count:
        return discord.AutoShardedClient(shard_count=settings.shard_count, shard_ids=settings.shard_ids, **options)
    return discord.Client(**options)


def _gone_reason(exc: discord.HTTPException) -> str | None:
    if isinstance(exc, discord.NotFound | discord.Forbidden):
        return GONE_CODES.get(exc.code) or ("channel not found" if exc.status == 404 else "missing permissions")
    return None


def _log_gateway_end(task: asyncio.Task[None]) -> None:
    """discord.py reconnects by itself; if it gives up (bad token, disallowed intents) say so loudly."""
    if not task.cancelled() and task.exception() is not None:
        log.error("discord: gateway connection ended: %s", task.exception())


class DiscordPlatform:
    """Implements :class:`bot.platform.Platform` for Discord."""

    name = "discord"
    rate_per_second = RATE_PER_SECOND
    #: Outbox workers: the limiter, not the worker count, sets the pace.
    concurrency = 8

    def __init__(self, settings: Settings) -> None:
        self.settings = settings.discord
        self.redis_url = settings.redis.url or None
        #: The token's shared rate limits (set at start): every REST call passes it.
        self.limiter: Limiter | None = None
        self.client: discord.Client | None = None
        self.tree: app_commands.CommandTree | None = None
        self._services: Services | None = None
        self._runner: asyncio.Task[None] | None = None
        self._hooks: Webhooks | None = None

    @property
    def connected(self) -> bool:
        """Ready and not closed (``/readyz``); discord.py reconnects by itself meanwhile."""
        return self.client is not None and self.client.is_ready() and not self.client.is_closed()

    async def start(self, services: Services) -> None:
        """Log in, sync ``/digest``, connect the gateway; return once ready to post.

        Idempotent: the engine starts every platform it is given, tests may have already.
        """
        if self.client is not None and not self.client.is_closed():
            return
        token = self.settings.token.get_secret_value().strip() if self.settings.token else ""
        if not token:
            raise ConfigError("discord: set WIREBRIEF_DISCORD_TOKEN to the bot's token (Developer Portal → Bot)")
        configure_endpoints(self.settings)
        self._services = services
        self.limiter = Limiter(namespace_for("discord", token), self.redis_url)
        limits = DiscordLimits(self.limiter, Route.BASE, global_rate=self.settings.requests_per_second)
        self.client = client = build_client(self.settings, limits)
        self.tree = tree = app_commands.CommandTree(client)
        tree.add_command(DigestCommands(services, manager_role=self.settings.manager_role))
        self._listen(client, services)
        try:
            await client.login(token)
        except discord.LoginFailure:
            await client.close()
            await self.limiter.close()
            raise ConfigError("discord: the token was refused; check WIREBRIEF_DISCORD_TOKEN") from None
        guild = discord.Object(self.settings.command_guild_id) if self.settings.command_guild_id else None
        if guild is not None:
            tree.copy_global_to(guild=guild)
        synced = await tree.sync(guild=guild)
        log.info("discord: synced %d command(s) %s", len(synced), f"to guild {guild.id}" if guild else "globally")
        self._runner = asyncio.create_task(client.connect(reconnect=True), name="discord-gateway")
        self._runner.add_done_callback(_log_gateway_end)
        await self._wait_ready(client, self._runner)

    async def _wait_ready(self, client: discord.Client, runner: asyncio.Task[None]) -> None:
        ready = asyncio.ensure_future(client.wait_until_ready())
        done, _ = await asyncio.wait({ready, runner}, timeout=READY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
        if ready in done:
            log.info("discord: connected as %s to %d guild(s)", client.user, len(client.guilds))
            return
        ready.cancel()
        error = runner.exception() if runner in done else None
        await self.stop()
        raise DeliveryError(f"discord: gateway did not become ready ({error or 'timed out'})")

    def _listen(self, client: discord.Client, services: Services) -> None:
        async def on_message(message: discord.Message) -> None:
            if is_addressed_to(message, client.user):
                await handle_mention(message, services)

        async def on_guild_channel_delete(channel: discord.abc.GuildChannel) -> None:
            ref = ChannelRef("discord", str(channel.id), str(channel.guild.id))
            log.info("discord: channel %s deleted; pausing its subscriptions", ref)
            await services.channel_gone(ref, "channel deleted")

        async def on_guild_remove(guild: discord.Guild) -> None:
            log.info("discord: removed from guild %s; pausing its channels' subscriptions", guild.id)
            for channel in guild.text_channels:
                await services.channel_gone(ChannelRef("discord", str(channel.id), str(guild.id)), "bot removed")

        for handler in (on_message, on_guild_channel_delete, on_guild_remove):
            client.event(handler)

    async def stop(self) -> None:
        if self.client is not None and not self.client.is_closed():
            await self.client.close()
        if self._runner is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._runner), timeout=5)
            except Exception:  # shutting down (timeouts included): log, never raise
                log.debug("discord: gateway task ended uncleanly", exc_info=True)
            self._runner = None
        if self.limiter is not None:
            await self.limiter.close()
            self.limiter = None

    async def post(self, post: Post) -> str | None:
        """Send the digest embed; map Discord's refusals to what the outbox understands.

        The embed carries the delivery's marker (adapters.discord.marker): a re-claimed post
        (``post.resend``) is first looked for in the channel and not sent again if it is
        there. The nonce (``enforce_nonce``) stays as a second guard for the minutes
        Discord remembers it; nothing relies on it.
        """
        if self.client is None:
            raise DeliveryError("discord: not started")
        marker = f"d{post.delivery_id}" if post.delivery_id is not None else None
        if post.resend and marker:  # a thread target is searched; a forum post or a webhook's is not
            found = await self.find(post.channel, marker, target_thread(post.target))
            if found is not None:
                return found
        guild_id = int(post.channel.workspace) if post.channel.workspace else None
        channel = self.client.get_partial_messageable(int(post.channel.channel), guild_id=guild_id)
        nonce = f"wb-{post.delivery_id}" if post.delivery_id is not None else None
        content, allowed = post_ping(post)
        kwargs = mark({"content": content, "embed": post_embed(post)}, marker)
        kwargs |= {"allowed_mentions": allowed, "nonce": nonce}
        try:
            if post.post_as or post.avatar:  # under the subscription's own name: a webhook, where allowed
                sent = await self._webhooks().send(post, kwargs)
                if sent is not None:
                    return sent
            if post.target:  # a forum (a post per story) or a thread instead of the channel
                return await send_to_target(self.client, post, kwargs)
            message = await channel.send(**kwargs)
        except discord.RateLimited as exc:
            raise RateLimited(exc.retry_after, f"discord: rate limited for {exc.retry_after:.0f}s") from None
        except discord.HTTPException as exc:
            reason = _gone_reason(exc)
            if reason is not None:
                log.warning("discord: channel %s gone: %s (%s)", post.channel, reason, exc.text)
                raise ChannelGone(reason) from None
            raise DeliveryError(f"discord: post to {post.channel} failed: {exc.status} {exc.text}") from None
        log.debug("discord: posted digest %s to %s as %s", post.digest.id, post.channel, message.id)
        return str(message.id)

    async def find(self, ref: ChannelRef, marker: str, where: str | None = None) -> str | None:
        """The id of our message carrying ``marker`` among the recent messages of the channel
        (or of ``where``, a thread in it); None when none of them does."""
        assert self.client is not None
        target = int(where) if where and where.isdigit() else int(ref.channel)
        before: str | None = None
        for _ in range(FIND_PAGES):
            try:
                page = await self.client.http.logs_from(target, 100, before=before)
            except discord.RateLimited as exc:
                raise RateLimited(exc.retry_after, f"discord: rate limited for {exc.retry_after:.0f}s") from None
            except discord.NotFound:
                return None  # no such thread (yet): nothing was posted in it
            except discord.HTTPException as exc:
                reason = _gone_reason(exc)
                if reason is not None and where is None:
                    raise ChannelGone(reason) from None
                raise DeliveryError(
                    f"discord: reading {ref} to find {marker} failed: {exc.status} {exc.text}"
                ) from None
            for message in page:
                if (message.get("author") or {}).get("id") == str(self.client.user and self.client.user.id) and (
                    marker in message_markers(message)
                ):
                    log.info("discord: %s is already in %s as %s; not posting it again", marker, ref, message["id"])
                    return str(message["id"])
            if len(page) < 100:
                return None
            before = page[-1]["id"]
        return None

    def _webhooks(self) -> Webhooks:
        assert self.client is not None
        if self._hooks is None or self._hooks.client is not self.client:
            self._hooks = Webhooks(self.client)
        return self._hooks

    async def reply(self, reply: Reply) -> str | None:
        """Post in the thread on the story's first message (a thread started from a message
        has that message's id), starting the thread the first time. Where a thread cannot be
        made (no permission, the first post deleted), a reply referencing the first post in
        the channel — or, failing that, a plain message — so nothing is lost. A re-claimed
        reply is looked for in the thread and the channel first."""
        if self.client is None:
            raise DeliveryError("discord: not started")
        marker = f"d{reply.delivery_id}" if reply.delivery_id is not None else None
        in_thread = reply.thread is not None and reply.thread.isdigit()
        if reply.resend and marker:
            home = target_thread(reply.target) or (reply.thread if in_thread else None)
            found = (await self.find(reply.channel, marker, home) if home else None) or await self.find(
                reply.channel, marker
            )
            if found is not None:
                return found
        nonce = f"wb-{reply.delivery_id}" if reply.delivery_id is not None else None
        kwargs = mark({"embed": reply_embed(reply)}, marker)
        kwargs |= {"allowed_mentions": discord.AllowedMentions.none(), "nonce": nonce}
        if reply.target and reply.target.startswith("thread:"):  # the story's first post is in that thread
            return await self._send(target_reply_channel(reply.channel, reply.target), kwargs, reference=reply.thread)
        if in_thread:
            assert reply.thread is not None
            message = await self._in_thread(reply.channel, reply.thread, reply.thread_title, kwargs)
            if message is not None:
                return str(message.id)
        return await self._send(reply.channel, kwargs, reference=reply.thread)

    async def edition(self, edition: Edition) -> str | None:
        """The edition's first message in the channel; what did not fit, in a thread on it.
        Each message carries its marker ("e<edition>.<part>"); a re-claimed edition looks for
        each part first and sends only those not there (the nonce, made of the edition id and
        part, stays a second guard)."""
        if self.client is None:
            raise DeliveryError("discord: not started")
        parts = edition_parts(edition)
        ident = edition.edition_id
        base = f"wb-e{ident}" if ident is not None else None
        none = discord.AllowedMentions.none()
        markers = [f"e{ident}.{n}" if ident is not None else None for n in range(len(parts))]
        first = await self.find(edition.channel, markers[0]) if edition.resend and markers[0] else None
        if first is None:
            payload = mark(parts[0].payload(), markers[0])
            first = await self._send(edition.channel, {**payload, "allowed_mentions": none, "nonce": base})
        for n, part in enumerate(parts[1:], start=1):
            marker = markers[n]
            if edition.resend and marker:
                found = await self.find(edition.channel, marker, first) or await self.find(edition.channel, marker)
                if found is not None:
                    continue
            kwargs = {**mark(part.payload(), marker), "allowed_mentions": none, "nonce": base and f"{base}-{n}"}
            message = await self._in_thread(edition.channel, first, thread_title(edition), kwargs)
            if message is None:  # no thread to be had: the rest replies to the edition in the channel
                await self._send(edition.channel, kwargs, reference=first)
        return first

    async def _in_thread(self, ref: ChannelRef, first: str, title: str | None, kwargs: dict) -> discord.Message | None:  # type: ignore[type-arg]
        """A message in the thread on message ``first`` (a thread started from a message has
        its id), starting the thread if need be; None when no thread can be had."""
        assert self.client is not None
        thread = self.client.get_partial_messageable(int(first), guild_id=_guild(ref))
        try:
            return await thread.send(**kwargs)
        except discord.RateLimited as exc:
            raise RateLimited(exc.retry_after, f"discord: rate limited for {exc.retry_after:.0f}s") from None
        except discord.HTTPException as exc:
            if exc.code != UNKNOWN_CHANNEL:  # the thread exists but is not ours to post in
                return _no_thread(ref, first, exc)
        if not await self._start_thread(ref, first, title):
            return None
        try:
            return await thread.send(**kwargs)
        except discord.RateLimited as exc:
            raise RateLimited(exc.retry_after, f"discord: rate limited for {exc.retry_after:.0f}s") from None
        except discord.HTTPException as exc:
            return _no_thread(ref, first, exc)

    async def _start_thread(self, ref: ChannelRef, first: str, title: str | None) -> bool:
        """Start the thread on message ``first``; True if it exists now."""
        assert self.client is not None
        try:
            await self.client.http.start_thread_with_message(
                int(ref.channel), int(first), name=thread_name(title), auto_archive_duration=THREAD_ARCHIVE_MINUTES
            )
        except discord.RateLimited as exc:
            raise RateLimited(exc.retry_after, f"discord: rate limited for {exc.retry_after:.0f}s") from None
        except discord.HTTPException as exc:
            if exc.code == THREAD_EXISTS:
                return True
            reason = _gone_reason(exc) if exc.code == UNKNOWN_CHANNEL else None
            if reason is not None:
                raise ChannelGone(reason) from None
            log.info("discord: no thread on %s in %s (%s)", first, ref, exc.text)
            return False
        return True

    async def _send(self, ref: ChannelRef, kwargs: dict, reference: str | None = None) -> str:  # type: ignore[type-arg]
        """A message in the channel itself, replying to ``reference`` when it still exists."""
        assert self.client is not None
        channel = self.client.get_partial_messageable(int(ref.channel), guild_id=_guild(ref))
        if reference is not None and reference.isdigit():
            kwargs = {
                **kwargs,
                "reference": discord.MessageReference(
                    message_id=int(reference), channel_id=int(ref.channel), fail_if_not_exists=False
                ),
            }
        try:
            message = await channel.send(**kwargs)
        except discord.RateLimited as exc:
            raise RateLimited(exc.retry_after, f"discord: rate limited for {exc.retry_after:.0f}s") from None
        except discord.HTTPException as exc:
            reason = _gone_reason(exc)
            if reason is not None:
                raise ChannelGone(reason) from None
            raise DeliveryError(f"discord: post to {ref} failed: {exc.status} {exc.text}") from None
        return str(message.id)


def _no_thread(ref: ChannelRef, first: str, exc: discord.HTTPException) -> None:
    if isinstance(exc, discord.NotFound | discord.Forbidden):
        log.info("discord: cannot post in the thread of %s in %s (%s)", first, ref, exc.text)
        return None
    raise DeliveryError(f"discord: thread message in {ref} failed: {exc.status} {exc.text}") from None


def _guild(ref: ChannelRef) -> int | None:
    return int(ref.workspace) if ref.workspace and ref.workspace.isdigit() else None
