"""The Slack platform: a bolt AsyncApp over HTTP (signing secret) or Socket Mode (app token),
and ``post()`` through ``chat.postMessage``.

HTTP mode runs bolt's request handling inside our own aiohttp ``AppRunner`` rather than
``app.start()``: we need to start and stop it beside the scheduler on one event loop, and
to learn the bound port when the configured port is 0 (tests).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import reply_message
from adapters.slack.edition import METADATA_EVENT, edition_messages
from adapters.slack.handlers import SlackHandlers, post_message
from adapters.slack.limits import SlackLimits
from adapters.slack.lookup import DELIVERY_EVENT, Lookup, delivery_metadata
from adapters.slack.replay import replay_guard
from bot.config import Settings, SlackSettings
from bot.domain import Edition, Post, Reply
from bot.errors import ChannelGone, ConfigError, DeliveryError, RateLimited
from bot.ops import metrics
from bot.ratelimit import Limiter, TooLong, namespace_for

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
#: Errors of chat.postMessage that mean the channel is unreachable until someone re-invites the bot.
GONE_ERRORS = {"not_in_channel", "channel_not_found", "is_archived", "channel_is_archived", "restricted_action"}
#: auth.test errors that mean the token itself is wrong, revoked or for another kind of app.
TOKEN_ERRORS = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
}


def _secret(value: Any) -> str | None:
    return value.get_secret_value() if value is not None else None


def check_settings(slack: SlackSettings) -> None:
    """Fail at start-up, naming the variable to set, rather than at the first message."""
    if not _secret(slack.bot_token):
        raise ConfigError("slack: set WIREBRIEF_SLACK_BOT_TOKEN (the xoxb- bot token)")
    if slack.mode == "http" and not _secret(slack.signing_secret):
        raise ConfigError('slack: HTTP mode needs WIREBRIEF_SLACK_SIGNING_SECRET (or set [slack] mode = "socket")')
    if slack.mode == "socket" and not _secret(slack.app_token):
        raise ConfigError("slack: Socket Mode needs WIREBRIEF_SLACK_APP_TOKEN (the xapp- app-level token)")


def build_client(slack: SlackSettings) -> AsyncWebClient:
    """The Web API client; a 429 is retried once after Retry-After before ``post`` gives up."""
    kwargs: dict[str, Any] = {
        "token": _secret(slack.bot_token),
        "retry_handlers": [
            metrics.slack_429_counter(),  # first: it sees every response, counts 429s, never retries
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=1),
        ],
    }
    if slack.api_base:
        kwargs["base_url"] = slack.api_base
    return AsyncWebClient(**kwargs)


class SlackPlatform:
    """:class:`bot.platform.Platform` for Slack."""

    name = "slack"
    #: Used only without a limiter; Slack's real limit is per channel (adapters.slack.limits).
    rate_per_second = 20.0
    #: Outbox workers: a post waiting for its channel's turn must not hold up other channels.
    concurrency = 8

    def __init__(self, settings: Settings) -> None:
        check_settings(settings.slack)
        self.settings = settings.slack
        self.client = build_client(settings.slack)
        #: The token's shared rate limits: every Web API call passes them (see _session).
        self.limiter = Limiter(
            namespace_for("slack", _secret(settings.slack.bot_token) or ""), settings.redis.url or None
        )
        self.limits = SlackLimits(self.limiter)
        self.lookup = Lookup(self.client)
        self.app: AsyncApp | None = None
        self.handlers: SlackHandlers | None = None
        self.bot_user_id: str | None = None
        self.team_id: str | None = None
        self.port: int | None = None
        self._runner: web.AppRunner | None = None
        self._socket: AsyncSocketModeHandler | None = None

    @property
    def events_url(self) -> str | None:
        """Where Slack must send HTTP requests (HTTP mode, once started)."""
        if self.port is None:
            return None
        return f"http://{self.settings.host}:{self.port}{EVENTS_PATH}"

    async def start(self, services: Services) -> None:
        """Idempotent: the engine starts every platform it is given, tests may have already."""
        if self.app is not None:
            return
        self._session()
        auth = await self._auth_test()
        self.bot_user_id, self.team_id = auth.get("user_id"), auth.get("team_id")
        http = self.settings.mode == "http"
        self.app = AsyncApp(
            name="wirebrief",
            client=self.client,
            signing_secret=_secret(self.settings.signing_secret) if http else "",
            request_verification_enabled=http,
            logger=logging.getLogger("adapters.slack.bolt"),
        )
        self.app.middleware(replay_guard(services))
        self.handlers = SlackHandlers(services, self.settings.managers, self.bot_user_id)
        self.handlers.register(self.app)
        if http:
            await self._start_http(self.app)
        else:
            await self._start_socket(self.app)
        log.info("slack ready", extra={"mode": self.settings.mode, "team": self.team_id})

    async def _auth_test(self) -> Any:
        """Who we are; a refused token or an unreachable API is one line for the operator
        (as Discord's), not a traceback, and the client's session is closed behind it."""
        try:
            return await self.client.auth_test()
        except SlackApiError as exc:
            await self.stop()
            error = str(exc.response.get("error") or exc.response.status_code)
            if error in TOKEN_ERRORS:
                raise ConfigError(
                    f"slack: the bot token was refused ({error}); check WIREBRIEF_SLACK_BOT_TOKEN"
                ) from None
            raise DeliveryError(f"slack: auth.test failed ({error})") from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            await self.stop()
            where = self.settings.api_base or "https://slack.com/api/"
            detail = str(exc) or type(exc).__name__
            raise DeliveryError(f"slack: cannot reach the Slack API at {where}: {detail}") from None

    async def _start_http(self, app: AsyncApp) -> None:
        async def handle(request: web.Request) -> web.Response:
            if not _timestamp_ok(request.headers.get("X-Slack-Request-Timestamp")):
                return web.json_response({"error": "invalid request"}, status=401)  # as bolt answers a bad signature
            return await to_aiohttp_response(await app.async_dispatch(await to_bolt_request(request)))

        web_app = web.Application(client_max_size=1024 * 1024)
        web_app.router.add_post(EVENTS_PATH, handle)
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.settings.host, self.settings.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        log.info("slack HTTP endpoint listening on %s", self.events_url)

    async def _start_socket(self, app: AsyncApp) -> None:
        self._socket = AsyncSocketModeHandler(app, _secret(self.settings.app_token), web_client=self.client)
        await self._socket.connect_async()

    def _session(self) -> None:
        """The one HTTP session every Web API call of the app goes through, bolt's per-request
        clients included (bolt hands them this session): it carries the limiter."""
        session = self.client.session
        if session is None or session.closed:
            self.client.session = aiohttp.ClientSession(middlewares=(self.limits.middleware,))

    async def stop(self) -> None:
        self.app = None
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        session = getattr(self.client, "session", None)
        if session is not None and not session.closed:
            await session.close()
        await self.limiter.close()

    async def post(self, post: Post) -> str | None:
        """chat.postMessage with blocks and a fallback; ChannelGone / RateLimited per the contract.
        The message's metadata names the delivery: a re-claimed post (``post.resend``) is
        looked for in the channel's history first and not sent again if it is there."""
        channel = post.channel.channel
        self._session()
        if post.resend:
            found = await self._find_delivery(channel, post.delivery_id)
            if found is not None:
                return found
        response = await self._chat_post(channel, {**delivery_metadata(post.delivery_id), **post_message(post)})
        return response.get("ts")

    async def reply(self, reply: Reply) -> str | None:
        """chat.postMessage in the thread of the story's first post (``thread_ts``), or in the
        channel when there is no first post to hang it on; a re-claimed reply is looked for
        in that thread first."""
        channel = reply.channel.channel
        self._session()
        if reply.resend:
            found = await self._find_delivery(channel, reply.delivery_id, reply.thread)
            if found is not None:
                return found
        thread = {"thread_ts": reply.thread} if reply.thread else {}
        response = await self._chat_post(
            channel, {**thread, **delivery_metadata(reply.delivery_id), **reply_message(reply)}
        )
        return response.get("ts")

    async def _find_delivery(self, channel: str, delivery_id: int | None, thread: str | None = None) -> str | None:
        if delivery_id is None:
            return None
        found = await self.lookup.find(channel, DELIVERY_EVENT, lambda p: p.get("delivery") == delivery_id, thread)
        if found is not None:
            log.info("slack: delivery %s is already in %s as %s; not posting it again", delivery_id, channel, found)
        return found

    async def edition(self, edition: Edition) -> str | None:
        """The edition's first message in the channel, the rest in its thread (``thread_ts``).
        Each carries message metadata naming the edition and part; a re-claimed edition looks
        for each part first and sends only those not there."""
        channel = edition.channel.channel
        self._session()
        first: str | None = None
        for part, message in enumerate(edition_messages(edition)):
            if edition.resend and edition.edition_id is not None and (part == 0 or first):
                found = await self.lookup.find(
                    channel,
                    METADATA_EVENT,
                    lambda p, part=part: p.get("edition") == edition.edition_id and p.get("part") == part,
                    first,
                )
                if found is not None:
                    first = first or found
                    continue
            metadata = {"event_type": METADATA_EVENT, "event_payload": {"edition": edition.edition_id, "part": part}}
            thread = {"thread_ts": first} if first else {}
            response = await self._chat_post(channel, {"metadata": metadata, **thread, **message})
            first = first or response.get("ts")
        return first

    async def _chat_post(self, channel: str, message: dict[str, Any]) -> Any:
        """One chat.postMessage, paced per channel by the limiter (in the session's middleware)."""
        self._session()
        try:
            return await self.client.chat_postMessage(
                channel=channel, unfurl_links=False, unfurl_media=False, **message
            )
        except SlackApiError as exc:
            raise _delivery_error(exc, channel) from None
        except TooLong as exc:
            raise RateLimited(exc.wait, f"Slack channel {channel} is busy for {exc.wait:.0f}s") from None


def _timestamp_ok(value: str | None) -> bool:
    """Slack's request timestamp is whole seconds; anything else (bolt would raise on it and
    answer 500) is a forged or broken request: 401, like a bad signature."""
    text = (value or "").strip()
    return text.isascii() and text.isdigit() and len(text) <= 12


def _delivery_error(exc: SlackApiError, channel: str) -> DeliveryError:
    error = str(exc.response.get("error") or "")
    if exc.response.status_code == 429 or error == "ratelimited":
        retry_after = float(exc.response.headers.get("Retry-After", exc.response.headers.get("retry-after", 1)))
        log.warning("slack rate limit persists; retry after %ss", retry_after, extra={"channel": channel})
        return RateLimited(retry_after, f"Slack rate limit: retry after {retry_after:g}s")
    if error in GONE_ERRORS:
        return ChannelGone(f"Slack channel {channel} is unreachable ({error}); invite the bot back to resume")
    return DeliveryError(f"Slack refused the post to {channel}: {error or exc}")
