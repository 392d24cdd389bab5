"""Bolt listeners: `/digest`, `@Wirebrief <link>`, and the events that mean "this channel is gone".

Every listener acknowledges first (bolt answers Slack as soon as ``ack()`` is called and
runs the rest of the listener after), so Slack's 3-second deadline never depends on a
feed or a database. The result then goes to ``response_url`` (commands) or to the thread
(mentions). The listeners only translate: the work is in :class:`bot.services.Services`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any
from urllib.parse import urlsplit

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import replies
from adapters.slack.blocks import OPEN_SOURCE_ACTION, digest_message, escape, notice_message, with_mention
from adapters.slack.commands import (
    COMMAND,
    Export,
    Help,
    Import,
    Latest,
    ListSubs,
    NextEdition,
    Preview,
    SetTimezone,
    Status,
    Subscribe,
    Unsubscribe,
    UsageError,
    parse,
)
from adapters.slack.mentions import extract_links
from adapters.slack.permissions import may_manage
from bot.domain import ChannelRef, FeedPreview, Post
from bot.errors import FetchError, NotFoundError, UserInputError
from bot.services import Services
from digests.model import Digest

log = logging.getLogger(__name__)

EPHEMERAL = "ephemeral"
IN_CHANNEL = "in_channel"
GONE_EVENTS = ("channel_left", "group_left", "channel_archive", "group_archive", "channel_deleted", "group_deleted")


def channel_ref(channel_id: str, team_id: str | None) -> ChannelRef:
    return ChannelRef("slack", channel_id, team_id or None)


def post_message(post: Post) -> dict[str, Any]:
    if post.digest.extra.get("notice"):
        return notice_message(post.digest, post.source_name)
    published = replies.when(post.published, "") if post.published else None
    return with_mention(digest_message(post.digest, post.source_name, post.source_url, published), post.mention)


def link_message(url: str, digest: Digest) -> dict[str, Any]:
    host = urlsplit(url).hostname or url
    return digest_message(digest, host, url)


class SlackHandlers:
    """The listeners of one running app, bound to the services and the manager policy."""

    def __init__(self, services: Services, managers: str, bot_user_id: str | None = None) -> None:
        self.services = services
        self.managers = managers
        self.bot_user_id = bot_user_id

    def register(self, app: AsyncApp) -> None:
        app.command(COMMAND)(self.on_command)
        app.event("app_mention")(self.on_mention)
        app.event("member_left_channel")(self.on_member_left)
        for name in GONE_EVENTS:
            app.event(name)(self.on_channel_gone)
        app.action(OPEN_SOURCE_ACTION)(self.on_open_source)

    # -- /digest ---------------------------------------------------------------------------
    async def on_command(
        self, ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond, client: AsyncWebClient
    ) -> None:
        await ack()
        name = command.get("command") or COMMAND
        try:
            reply = await self._run(command, client, name)
        except UsageError as exc:
            reply = {"text": replies.usage_text(str(exc), name), "response_type": EPHEMERAL}
        except FetchError as exc:
            reply = {"text": replies.fetch_failure(None, exc), "response_type": EPHEMERAL}
        except (UserInputError, NotFoundError) as exc:
            reply = {"text": escape(str(exc)), "response_type": EPHEMERAL}
        except Exception:
            log.exception("/digest failed", extra={"channel": command.get("channel_id")})
            reply = {"text": replies.OOPS, "response_type": EPHEMERAL}
        await self._respond(respond, reply, command.get("channel_id"))

    async def _respond(self, respond: AsyncRespond, reply: dict[str, Any], channel: str | None) -> None:
        try:
            await respond(**reply)
        except Exception:
            log.exception("response_url post failed", extra={"channel": channel})

    async def _run(self, command: dict[str, Any], client: AsyncWebClient, name: str) -> dict[str, Any]:
        """The response_url body for one command; raises the errors ``on_command`` turns into words."""
        cmd = parse(command.get("text", ""))
        channel = channel_ref(command["channel_id"], command.get("team_id"))
        if isinstance(cmd, Subscribe | Unsubscribe | SetTimezone | Import) and not await may_manage(
            client, self.managers, command.get("user_id", ""), channel.channel
        ):
            return {"text": replies.NOT_ALLOWED.format(cmd=name), "response_type": EPHEMERAL}
        match cmd:
            case Latest():
                post = await self.services.latest_digest(channel)
                if post is None:
                    return {"text": replies.NOTHING_YET.format(cmd=name), "response_type": EPHEMERAL}
                return {**post_message(post), "response_type": IN_CHANNEL}
            case Help():
                return {"text": replies.help_text(name), "response_type": EPHEMERAL}
            case NextEdition():
                edition = await self.services.next_edition(channel)
                return {**replies.edition_preview(edition, name), "response_type": EPHEMERAL}
            case ListSubs():
                subs = await self.services.subscriptions(channel)
                return {"text": replies.list_text(subs, name), "response_type": EPHEMERAL}
            case Status():
                status = await self.services.status(channel)
                return {"text": replies.status_text(status, name), "response_type": EPHEMERAL}
            case Subscribe(source=source, said=said):
                sub = await self.services.subscribe(
                    channel,
                    source,
                    said.schedule,
                    said.timezone,
                    said.backfill if said.backfill is not None else 1,
                    filters=said.filters,
                    max_per_hour=said.max_per_hour,
                    mention=said.mention,
                    mention_when=said.mention_when,
                    empty=said.empty,
                    post_as=said.post_as,
                    avatar=said.avatar,
                )
                return {"text": replies.subscribed_text(sub), "response_type": IN_CHANNEL}
            case SetTimezone(zone=zone, workspace=workspace):
                now = await self.services.set_timezone(channel, zone, workspace_wide=workspace)
                return {"text": replies.timezone_text(now, workspace), "response_type": IN_CHANNEL}
            case Unsubscribe(which=which):
                sub = await self.services.unsubscribe(channel, which)
                return {"text": replies.unsubscribed_text(sub), "response_type": IN_CHANNEL}
            case Preview(url=url, filters=filters):
                try:
                    found = await self.services.preview(channel, url, filters)
                except FetchError as exc:
                    return {"text": replies.fetch_failure(url, exc), "response_type": EPHEMERAL}
                if isinstance(found, FeedPreview):
                    return {**replies.feed_preview(found, name, post_message), "response_type": EPHEMERAL}
                return {**link_message(url, found), "response_type": EPHEMERAL}
            case Export(fmt=fmt):
                text = await self.services.export_subscriptions(channel, fmt)
                return {"text": replies.export_text(text, fmt, name), "response_type": EPHEMERAL}
            case Import(url=url):
                try:
                    report = await self.services.import_from_url(channel, url)
                except FetchError as exc:
                    return {"text": replies.fetch_failure(url, exc), "response_type": EPHEMERAL}
                return {"text": escape(report.summary()), "response_type": IN_CHANNEL}
        raise UsageError("unknown subcommand")

    # -- @Wirebrief <link> -----------------------------------------------------------------
    async def on_mention(self, event: dict[str, Any], client: AsyncWebClient) -> None:
        channel = event.get("channel", "")
        thread_ts = event.get("thread_ts") or event.get("ts")
        links, extra = extract_links(event.get("text"))
        if not links:
            await self._reply(client, channel, thread_ts, {"text": replies.MENTION_HELP})
            return
        results = await asyncio.gather(*(self._digest_or_reason(url) for url in links))
        for message in results:
            await self._reply(client, channel, thread_ts, message)
        if extra:
            note = f"I read the first {len(links)} links only; mention me again for the rest."
            await self._reply(client, channel, thread_ts, {"text": note})

    async def _digest_or_reason(self, url: str) -> dict[str, Any]:
        try:
            return link_message(url, await self.services.digest_link(url))
        except FetchError as exc:
            return {"text": replies.fetch_failure(url, exc)}
        except Exception:
            log.exception("digest of a mentioned link failed", extra={"source": url})
            return {
                "text": f"Sorry, I couldn't digest {escape(url, formatting=False)}: something went wrong on my side."
            }

    async def _reply(self, client: AsyncWebClient, channel: str, thread_ts: str | None, message: dict) -> None:
        try:
            await client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, unfurl_links=False, unfurl_media=False, **message
            )
        except SlackApiError as exc:
            log.warning("thread reply refused: %s", exc.response.get("error"), extra={"channel": channel})

    # -- the bot lost a channel -------------------------------------------------------------
    async def on_member_left(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        if self.bot_user_id and event.get("user") == self.bot_user_id:
            await self._gone(event.get("channel"), body.get("team_id"), "the bot was removed from the channel")

    async def on_channel_gone(self, event: dict[str, Any], body: dict[str, Any]) -> None:
        channel = event.get("channel")
        if isinstance(channel, dict):
            channel = channel.get("id")
        reasons = {"left": "the bot left the channel", "archive": "the channel was archived"}
        kind = str(event.get("type", "")).split("_", 1)[-1]
        await self._gone(channel, body.get("team_id"), reasons.get(kind, "the channel was deleted"))

    async def _gone(self, channel: str | None, team: str | None, reason: str) -> None:
        if not channel:
            return
        log.info("channel gone: %s", reason, extra={"channel": channel})
        await self.services.channel_gone(channel_ref(channel, team), reason)

    async def on_open_source(self, ack: AsyncAck) -> None:
        """The source button is a plain link; Slack still reports the click and wants an ack."""
        await ack()
