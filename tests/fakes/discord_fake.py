"""A local fake Discord: the REST routes and the gateway websocket discord.py really uses.

The bot under test is the real discord.py client pointed here through configuration
(``[discord] api_base`` / ``gateway_url``). Every REST request and every gateway frame the
client sends is recorded, and tests wait on what arrived with :meth:`FakeDiscord.wait_for`
(after slack-bolt's mock Web API server). The fake keeps just enough state to answer like
Discord does: a guild with text channels, messages per channel (with ``enforce_nonce``
de-duplication), interaction tokens, gateway sessions that can be resumed.

Facts discord.py depends on, learnt the hard way: JSON answers carry Content-Type exactly
``application/json``; gateway frames are text (never zlib); READY carries
``resume_gateway_url``; members carry ``flags``; interactions carry
``attachment_size_limit``; a 429 is retried only when it carries a ``Via`` header.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes.discord_limits import FakeLimits

API_PREFIX = "/api/v10"
HEARTBEAT_MS = 41_250
ATTACHMENT_LIMIT = 25 * 1024 * 1024
#: Gateway intents Discord calls privileged; without MESSAGE_CONTENT a message's content is
#: delivered only when the bot is mentioned in it (Discord's documented exemption).
INTENT_MESSAGE_CONTENT = 1 << 15
_BODY = web.RequestKey("body", object)

_ids = itertools.count(int(time.time() * 1000 - 1_420_070_400_000) << 22)


def snowflake() -> str:
    """A fresh, increasing Discord-style id (as Discord sends it: a string)."""
    return str(next(_ids))


def _now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class Recorded:
    """One thing the client sent: a REST request (``kind="http"``) or a gateway frame (``"ws"``)."""

    kind: str
    method: str
    path: str  # below /api/v10 for REST; the websocket path for gateway frames
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    status: int = 0
    at: float = field(default_factory=time.monotonic)

    @property
    def op(self) -> int | None:
        return self.body.get("op") if self.kind == "ws" and isinstance(self.body, dict) else None


@dataclass
class Interaction:
    """An interaction the fake dispatched, to find its replies by."""

    id: str
    token: str
    channel_id: str
    sent_at: float


@dataclass(frozen=True)
class RoleOption:
    """A role picked in a command's role option (sent as type 8 with ``resolved.roles``)."""

    id: str


@dataclass(frozen=True)
class ChannelOption:
    """A channel picked in a command's channel option (type 7 with ``resolved.channels``)."""

    id: str


@dataclass(frozen=True)
class AttachmentOption:
    """A file a user attached to a command's attachment option (type 11), served by the fake
    at ``url`` as Discord's CDN would serve it."""

    id: str
    filename: str
    size: int
    url: str


def _multipart(raw: bytes, content_type: str) -> dict[str, Any]:
    """A multipart request as discord.py sends files: ``payload_json`` plus ``files[n]``. The
    JSON is returned with the files' bytes under ``"_files"`` (filename -> bytes)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + raw)
    body: dict[str, Any] = {"_files": {}}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if name == "payload_json":
            body.update(json.loads(data))
        else:
            body["_files"][part.get_filename() or name] = data
    return body


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json", **(headers or {})}
    )


def _error(status: int, code: int, message: str) -> web.Response:
    return _json({"message": message, "code": code}, status=status)


class _Session:
    """A gateway session: survives its websocket so RESUME can replay what was missed."""

    def __init__(self, session_id: str, intents: int, shard: list[int] | None) -> None:
        self.id = session_id
        self.intents = intents
        self.shard = shard
        self.seq = 0
        self.sent: list[dict[str, Any]] = []  # dispatches, for replay on RESUME
        self.ws: web.WebSocketResponse | None = None


class FakeDiscord:
    """Start with ``await fake.start()``; point the bot at ``fake.api_base`` / ``fake.gateway_url``."""

    def __init__(self, *, channels: int = 3, guild_name: str = "Newsroom") -> None:
        self.application_id = snowflake()
        self.bot_user = {
            "id": self.application_id,
            "username": "wirebrief",
            "global_name": "Wirebrief",
            "discriminator": "0",
            "avatar": None,
            "bot": True,
            "flags": 0,
            "verified": True,
            "mfa_enabled": False,
        }
        self.guild_id = snowflake()
        self.channel_ids = [snowflake() for _ in range(channels)]
        self.guild_name = guild_name
        self.manager_role_id = snowflake()
        #: An opt-in role a newsroom pings for breaking news.
        self.breaking_role_id = snowflake()
        self.requests: list[Recorded] = []
        self.messages: dict[str, list[dict[str, Any]]] = {c: [] for c in self.channel_ids}
        self.commands: list[dict[str, Any]] = []
        self.interactions: dict[str, Interaction] = {}
        self.deleted_channels: set[str] = set()
        #: Threads started on a message: thread id (= the message's id) -> parent channel id.
        self.threads: dict[str, str] = {}
        #: A forum channel (type 15): each POST /channels/<forum>/threads is a forum post.
        self.forum_id = snowflake()
        #: A thread that already exists under the first text channel (the desk's "live" thread;
        #: not in :attr:`threads`, which holds the threads made while a test runs).
        self.thread_id = snowflake()
        self.messages[self.forum_id] = []
        self.messages[self.thread_id] = []
        #: Channels where starting a thread is refused (50013 Missing Permissions).
        self.no_threads: set[str] = set()
        #: Channels whose next message is created but answered only once the event is set.
        self._holds: dict[str, asyncio.Event] = {}
        self.forbidden_channels: set[str] = set()
        #: Seconds Discord remembers a nonce (None: for ever); real Discord: "a few minutes".
        self.nonce_memory: float | None = None
        #: Posts answered from nonce memory with a message made before: re-sends that relied on it.
        self.nonce_replays = 0
        self._made_at: dict[str, float] = {}
        self._query: dict[str, str] = {}
        self.sessions: dict[str, _Session] = {}
        self._failures: list[tuple[str, re.Pattern[str], int, float]] = []
        #: Incoming webhooks by id (as Discord answers them), and channels where making or
        #: listing one is refused (the bot lacks Manage Webhooks).
        self.webhooks: dict[str, dict[str, Any]] = {}
        self.no_webhooks: set[str] = set()
        #: Files users attached to commands, served at /attachments/<id>/<filename>.
        self.attachments: dict[str, bytes] = {}
        #: Discord's rate limits, enforced once a test calls :meth:`enforce_limits`.
        self.limits: FakeLimits | None = None
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ----- lifecycle -------------------------------------------------------------------------
    async def start(self) -> FakeDiscord:
        app = web.Application(middlewares=[self._record_middleware])
        app.router.add_get("/gateway/", self._gateway)
        app.router.add_get("/resume/", self._gateway)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._rest)
        app.router.add_get("/attachments/{aid}/{name}", self._attachment)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def close(self) -> None:
        for hold in self._holds.values():
            hold.set()
        for session in self.sessions.values():
            if session.ws is not None and not session.ws.closed:
                await session.ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.base + API_PREFIX

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway/"

    # ----- recording and waiting -------------------------------------------------------------
    async def _record(self, entry: Recorded) -> None:
        async with self._changed:
            self.requests.append(entry)
            self._changed.notify_all()

    async def wait_for(self, predicate: Callable[[Recorded], bool], timeout: float = 5.0) -> Recorded:
        """The first recorded request or frame (already seen or still to come) matching ``predicate``."""

        async def _wait() -> Recorded:
            async with self._changed:
                seen = 0
                while True:
                    for entry in self.requests[seen:]:
                        if predicate(entry):
                            return entry
                    seen = len(self.requests)
                    await self._changed.wait()

        return await asyncio.wait_for(_wait(), timeout)

    def calls(self, method: str, pattern: str) -> list[Recorded]:
        """REST requests whose path fully matches ``pattern`` (a regex)."""
        rx = re.compile(pattern)
        return [r for r in self.requests if r.kind == "http" and r.method == method and rx.fullmatch(r.path)]

    def attach(self, filename: str, data: bytes) -> AttachmentOption:
        """A file a user is about to attach to a command (pass it as an option's value)."""
        aid = snowflake()
        self.attachments[aid] = data
        return AttachmentOption(aid, filename, len(data), f"{self.base}/attachments/{aid}/{filename}")

    async def _attachment(self, request: web.Request) -> web.Response:
        data = self.attachments.get(request.match_info["aid"])
        if data is None:
            return web.Response(status=404)
        return web.Response(body=data, content_type="application/octet-stream")

    # ----- behaviours tests switch on --------------------------------------------------------
    def rate_limit_once(self, method: str, pattern: str, retry_after: float = 0.3, *, via: bool = True) -> None:
        """Answer the next matching request with 429 (+Retry-After; ``Via`` unless told otherwise)."""
        self._failures.append((method, re.compile(pattern), 429 if via else -429, retry_after))

    def enforce_limits(self, per_second: int = 50, channel_messages: tuple[int, float] | None = None) -> FakeLimits:
        """From now on answer 429 as Discord does over its global limit (``per_second`` per
        token, any one-second window) and, if given, ``channel_messages`` = (limit, seconds)
        per channel; see :mod:`tests.fakes.discord_limits`."""
        self.limits = FakeLimits(per_second, channel_messages)
        return self.limits

    def hold_next_message(self, channel_id: str) -> asyncio.Event:
        """The next message posted to the channel is created (users see it) but its answer is
        held until the returned event is set: the client is stuck between posting and knowing."""
        event = asyncio.Event()
        self._holds[channel_id] = event
        return event

    def delete_channel(self, channel_id: str) -> None:
        """From now on the channel answers 404 Unknown Channel, as a deleted one does."""
        self.deleted_channels.add(channel_id)

    async def announce_channel_deleted(self, channel_id: str) -> None:
        """Someone deletes the channel in Discord: 404 from now on, and CHANNEL_DELETE on the gateway."""
        self.deleted_channels.add(channel_id)
        await self.dispatch("CHANNEL_DELETE", self.channel_payload(channel_id))

    def forbid_channel(self, channel_id: str) -> None:
        """From now on the channel answers 403 Missing Access, as when the bot lost its permissions."""
        self.forbidden_channels.add(channel_id)

    # ----- REST ------------------------------------------------------------------------------
    @web.middleware
    async def _record_middleware(self, request: web.Request, handler: Callable[..., Any]) -> web.StreamResponse:
        if request.path.startswith(API_PREFIX):
            raw = await request.read()
            ctype = request.headers.get("Content-Type", "")
            try:
                multipart = ctype.startswith("multipart/")
                body: Any = _multipart(raw, ctype) if multipart else (json.loads(raw) if raw else None)
            except ValueError:
                body = raw.decode("utf-8", "replace")
            request[_BODY] = body
            entry = Recorded(
                "http",
                request.method,
                request.path[len(API_PREFIX) :],
                dict(request.query),
                body,
                dict(request.headers),
            )
            response = await handler(request)
            entry.status = response.status
            await self._record(entry)
            return response
        return await handler(request)

    def _take_failure(self, method: str, path: str) -> web.Response | None:
        for i, (m, rx, status, retry_after) in enumerate(self._failures):
            if m == method and rx.fullmatch(path):
                del self._failures[i]
                headers = {"Retry-After": str(retry_after), "X-RateLimit-Scope": "user"}
                if status > 0:
                    headers["Via"] = "1.1 google"
                body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": False}
                return _json(body, status=429, headers=headers)
        return None

    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["tail"]
        failure = self._take_failure(request.method, path)
        if failure is not None:
            return failure
        auth = request.headers.get("Authorization", "")
        if not path.startswith(("/interactions/", "/webhooks/")) and not auth.startswith("Bot "):
            return _error(401, 0, "401: Unauthorized")
        if self.limits is not None:
            refused = self.limits.check(request.method, path, auth)
            if refused is not None:
                return refused
        body = request.get(_BODY)
        self._query = dict(request.query)  # read by handlers that take query parameters
        for method, rx, handler in self._routes():
            match = rx.fullmatch(path)
            if method == request.method and match:
                response = await handler(body, **match.groupdict())
                if self.limits is not None:
                    response.headers.update(self.limits.headers(request.method, path))
                return response
        return _error(404, 0, f"404: Not Found ({request.method} {path})")

    def _routes(self) -> list[tuple[str, re.Pattern[str], Callable[..., Any]]]:
        table = [
            ("GET", r"/users/@me", self._users_me),
            ("GET", r"/oauth2/applications/@me", self._application),
            ("GET", r"/applications/@me", self._application),
            ("GET", r"/gateway", self._gateway_info),
            ("GET", r"/gateway/bot", self._gateway_info),
            ("PUT", r"/applications/(?P<app>\d+)/commands", self._put_commands),
            ("PUT", r"/applications/(?P<app>\d+)/guilds/(?P<guild>\d+)/commands", self._put_commands),
            ("POST", r"/interactions/(?P<iid>\d+)/(?P<token>[^/]+)/callback", self._callback),
            ("POST", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)", self._followup),
            ("PATCH", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)", self._edit),
            ("GET", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)", self._get_reply),
            ("DELETE", r"/webhooks/(?P<app>\d+)/(?P<token>[^/]+)/messages/(?P<mid>@original|\d+)", self._no_content),
            ("GET", r"/channels/(?P<cid>\d+)", self._get_channel),
            ("POST", r"/channels/(?P<cid>\d+)/messages", self._create_message),
            ("GET", r"/channels/(?P<cid>\d+)/messages", self._history),
            ("POST", r"/channels/(?P<cid>\d+)/messages/(?P<mid>\d+)/threads", self._start_thread),
            ("POST", r"/channels/(?P<cid>\d+)/threads", self._forum_post),
            ("GET", r"/channels/(?P<cid>\d+)/webhooks", self._list_webhooks),
            ("POST", r"/channels/(?P<cid>\d+)/webhooks", self._create_webhook),
            ("POST", r"/channels/(?P<cid>\d+)/typing", self._typing),
        ]
        return [(m, re.compile(p), h) for m, p, h in table]

    async def _users_me(self, body: Any) -> web.Response:
        return _json(self.bot_user)

    async def _application(self, body: Any) -> web.Response:
        return _json(
            {
                "id": self.application_id,
                "name": "Wirebrief",
                "description": "News digests",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": {**self.bot_user, "id": snowflake(), "username": "owner", "bot": False},
                "verify_key": "0" * 64,
                "flags": 0,
                "summary": "",
                "team": None,
                "interactions_endpoint_url": None,
            }
        )

    async def _gateway_info(self, body: Any) -> web.Response:
        limits = {"total": 1000, "remaining": 1000, "reset_after": 0, "max_concurrency": 1}
        return _json({"url": self.gateway_url.rstrip("/"), "shards": 1, "session_start_limit": limits})

    async def _put_commands(self, body: Any, app: str, guild: str | None = None) -> web.Response:
        self.commands = [
            {
                **cmd,
                "id": snowflake(),
                "application_id": app,
                "version": snowflake(),
                "default_member_permissions": cmd.get("default_member_permissions"),
                **({"guild_id": guild} if guild else {}),
            }
            for cmd in body or []
        ]
        return _json(self.commands)

    def _channel_problem(self, cid: str) -> web.Response | None:
        if cid in self.deleted_channels or cid not in self.messages:
            return _error(404, 10003, "Unknown Channel")
        if cid in self.forbidden_channels:
            return _error(403, 50001, "Missing Access")
        return None

    async def _get_channel(self, body: Any, cid: str) -> web.Response:
        return self._channel_problem(cid) or _json(self.channel_payload(cid))

    async def _typing(self, body: Any, cid: str) -> web.Response:
        return self._channel_problem(cid) or web.Response(status=204)

    async def _create_message(self, body: dict[str, Any], cid: str) -> web.Response:
        problem = self._channel_problem(cid)
        if problem is not None:
            return problem
        nonce = body.get("nonce")
        if nonce is not None and body.get("enforce_nonce"):
            for old in self.messages[cid]:
                remembered = (
                    self.nonce_memory is None or time.monotonic() - self._made_at[old["id"]] < self.nonce_memory
                )
                if old.get("nonce") == nonce and remembered:
                    self.nonce_replays += 1
                    return _json(old)  # Discord's enforce_nonce: the same message again, not a second one
        message = self.message_payload(cid, body, author=self.bot_user)
        self.messages[cid].append(message)
        self._made_at[message["id"]] = time.monotonic()
        hold = self._holds.pop(cid, None)
        if hold is not None:
            await hold.wait()
        return _json(message)

    async def _history(self, body: Any, cid: str) -> web.Response:
        """GET a channel's (or thread's) messages, newest first, as Discord answers: ``limit``
        (1-100), ``before`` / ``after`` a message id; fetched messages carry no nonce."""
        problem = self._channel_problem(cid)
        if problem is not None:
            return problem
        query = self._query
        limit = max(1, min(100, int(query.get("limit", 50))))
        found = [m for m in reversed(self.messages[cid])]
        if "before" in query:
            found = [m for m in found if int(m["id"]) < int(query["before"])]
        if "after" in query:
            found = [m for m in found if int(m["id"]) > int(query["after"])]
        return _json([{k: v for k, v in m.items() if k != "nonce"} for m in found[:limit]])

    async def _start_thread(self, body: dict[str, Any], cid: str, mid: str) -> web.Response:
        """Start a thread on a message, as Discord does: the thread's id is the message's."""
        problem = self._channel_problem(cid)
        if problem is not None:
            return problem
        if cid in self.no_threads:
            return _error(403, 50013, "Missing Permissions")
        if not any(m["id"] == mid for m in self.messages[cid]):
            return _error(404, 10008, "Unknown Message")
        if mid in self.threads:
            return _error(400, 160004, "A thread has already been created for this message")
        self.threads[mid] = cid
        self.messages[mid] = []
        return _json(self.channel_payload(mid) | {"name": (body or {}).get("name", "")})

    async def _forum_post(self, body: dict[str, Any], cid: str) -> web.Response:
        """A post in a forum, as Discord makes one: a thread whose starter message has its id."""
        problem = self._channel_problem(cid)
        if problem is not None:
            return problem
        if cid != self.forum_id:
            return _error(400, 50024, "Cannot execute action on this channel type")
        tid = snowflake()
        self.threads[tid] = cid
        message = self.message_payload(tid, body.get("message") or {}, author=self.bot_user)
        message["id"] = tid
        self.messages[tid] = [message]
        return _json(self.channel_payload(tid) | {"name": body.get("name", ""), "message": message})

    def _interaction_for(self, token: str) -> Interaction | None:
        return next((i for i in self.interactions.values() if i.token == token), None)

    async def _callback(self, body: dict[str, Any], iid: str, token: str) -> web.Response:
        interaction = self.interactions.get(iid)
        if interaction is None or interaction.token != token:
            return _error(404, 10062, "Unknown interaction")
        data = body.get("data") or {}
        result: dict[str, Any] = {"interaction": {"id": iid, "type": 2}}
        if body.get("type") in (4, 5):
            message = self.message_payload(interaction.channel_id, data, author=self.bot_user)
            result["interaction"].update(
                response_message_id=message["id"],
                response_message_loading=body["type"] == 5,
                response_message_ephemeral=bool((data.get("flags") or 0) & 64),
            )
            result["resource"] = {"type": body["type"], "message": message}
        return _json(result)

    async def _list_webhooks(self, body: Any, cid: str) -> web.Response:
        problem = self._channel_problem(cid)
        if problem is not None:
            return problem
        if cid in self.no_webhooks:
            return _error(403, 50013, "Missing Permissions")
        return _json([h for h in self.webhooks.values() if h["channel_id"] == cid])

    async def _create_webhook(self, body: dict[str, Any], cid: str) -> web.Response:
        problem = self._channel_problem(cid)
        if problem is not None:
            return problem
        if cid in self.no_webhooks:
            return _error(403, 50013, "Missing Permissions")
        hook = {
            "id": snowflake(),
            "type": 1,
            "guild_id": self.guild_id,
            "channel_id": cid,
            "name": (body or {}).get("name") or "Captain Hook",
            "avatar": None,
            "token": "hook-" + secrets.token_urlsafe(24),
            "application_id": None,
            "user": self.bot_user,
        }
        self.webhooks[hook["id"]] = hook
        return _json(hook)

    async def _execute_webhook(self, body: dict[str, Any], hook: dict[str, Any]) -> web.Response:
        """A webhook message: in its channel, in ``?thread_id=``, or a new forum post (``thread_name``)."""
        query, cid = self._query, hook["channel_id"]
        author = {"id": hook["id"], "username": body.get("username") or hook["name"], "avatar": None,
                  "discriminator": "0000", "bot": True}  # fmt: skip
        if body.get("thread_name"):
            if cid != self.forum_id:
                return _error(400, 220003, "Webhooks can only create threads in forum channels")
            tid = snowflake()
            self.threads[tid] = cid
            message = self.message_payload(tid, body, author=author) | {"id": tid, "webhook_id": hook["id"]}
            self.messages[tid] = [message]
            return _json(message)
        where = query.get("thread_id") or cid
        if where not in self.messages:
            return _error(404, 10003, "Unknown Channel")
        message = self.message_payload(where, body, author=author) | {"webhook_id": hook["id"]}
        self.messages[where].append(message)
        return _json(message) if query.get("wait") in ("1", "true", "True") else web.Response(status=204)

    async def _followup(self, body: dict[str, Any], app: str, token: str) -> web.Response:
        hook = self.webhooks.get(app)
        if hook is not None:
            if hook["token"] != token:
                return _error(401, 50027, "Invalid Webhook Token")
            return await self._execute_webhook(body, hook)
        interaction = self._interaction_for(token)
        if interaction is None:
            return _error(404, 10015, "Unknown Webhook")
        return _json(self.message_payload(interaction.channel_id, body, author=self.bot_user))

    async def _edit(self, body: dict[str, Any], app: str, token: str, mid: str) -> web.Response:
        return await self._followup(body, app, token)

    async def _get_reply(self, body: Any, app: str, token: str, mid: str) -> web.Response:
        return await self._followup({}, app, token)

    async def _no_content(self, body: Any, **_: str) -> web.Response:
        return web.Response(status=204)

    # ----- payloads --------------------------------------------------------------------------
    def channel_payload(self, cid: str) -> dict[str, Any]:
        if cid == self.forum_id:
            return {
                "id": cid,
                "type": 15,
                "guild_id": self.guild_id,
                "name": "stories",
                "position": len(self.channel_ids),
                "permission_overwrites": [],
                "nsfw": False,
                "parent_id": None,
                "topic": None,
                "last_message_id": None,
                "rate_limit_per_user": 0,
                "flags": 0,
                "available_tags": [],
                "default_auto_archive_duration": 1440,
            }
        if cid in self.threads or cid == self.thread_id:
            return {
                "id": cid,
                "type": 11,
                "guild_id": self.guild_id,
                "parent_id": self.threads.get(cid, self.channel_ids[0]),
                "name": "thread",
                "owner_id": self.application_id,
                "message_count": len(self.messages.get(cid, [])),
                "member_count": 1,
                "rate_limit_per_user": 0,
                "flags": 0,
                "thread_metadata": {
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": _now(),
                    "locked": False,
                },
            }
        return {
            "id": cid,
            "type": 0,
            "guild_id": self.guild_id,
            "name": f"news-{self.channel_ids.index(cid) + 1}" if cid in self.channel_ids else "gone",
            "position": self.channel_ids.index(cid) if cid in self.channel_ids else 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
            "flags": 0,
        }

    def guild_payload(self) -> dict[str, Any]:
        everyone = {"id": self.guild_id, "name": "@everyone", "permissions": str(0x400 | 0x800), "position": 0}
        manager = {"id": self.manager_role_id, "name": "Digest Editors", "permissions": "0", "position": 1}
        breaking = {"id": self.breaking_role_id, "name": "Breaking News", "permissions": "0", "position": 2}
        return {
            "id": self.guild_id,
            "name": self.guild_name,
            "icon": None,
            "owner_id": snowflake(),
            "roles": [
                {**r, "color": 0, "hoist": False, "managed": False, "mentionable": False}
                for r in (everyone, manager, breaking)
            ],
            "emojis": [],
            "stickers": [],
            "features": [],
            "channels": [self.channel_payload(c) for c in [*self.channel_ids, self.forum_id]],
            "threads": [self.channel_payload(self.thread_id)],
            "members": [self.member_payload(self.bot_user, permissions=None)],
            "member_count": 2,
            "large": False,
            "unavailable": False,
            "joined_at": _now(),
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
        }

    def member_payload(
        self, user: dict[str, Any], *, permissions: int | None, roles: list[str] | None = None
    ) -> dict[str, Any]:
        member: dict[str, Any] = {
            "user": user,
            "roles": roles or [],
            "joined_at": _now(),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "nick": None,
        }
        if permissions is not None:
            member["permissions"] = str(permissions)
        return member

    @staticmethod
    def user_payload(user_id: str | None = None, name: str = "reader") -> dict[str, Any]:
        return {
            "id": user_id or snowflake(),
            "username": name,
            "global_name": name.title(),
            "discriminator": "0",
            "avatar": None,
            "bot": False,
        }

    def message_payload(self, cid: str, body: dict[str, Any], *, author: dict[str, Any]) -> dict[str, Any]:
        message = {
            "id": snowflake(),
            "channel_id": cid,
            "guild_id": self.guild_id,
            "author": author,
            "content": body.get("content") or "",
            "timestamp": _now(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags") or 0,
            "components": [],
        }
        for key in ("nonce", "allowed_mentions", "message_reference"):
            if key in body:
                message[key] = body[key]
        return message

    # ----- gateway ---------------------------------------------------------------------------
    async def _send(self, ws: web.WebSocketResponse, payload: dict[str, Any]) -> None:
        await ws.send_str(json.dumps(payload))

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await self._send(ws, {"op": 10, "d": {"heartbeat_interval": HEARTBEAT_MS}, "s": None, "t": None})
        session: _Session | None = None
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            await self._record(Recorded("ws", "FRAME", request.path, dict(request.query), frame, dict(request.headers)))
            op, data = frame.get("op"), frame.get("d")
            if op == 1:
                await self._send(ws, {"op": 11, "d": None, "s": None, "t": None})
            elif op == 2:
                session = await self._identify(ws, data)
            elif op == 6:
                session = await self._resume(ws, data)
        if session is not None and session.ws is ws:
            session.ws = None
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> _Session:
        session = _Session(secrets.token_hex(16), int(data.get("intents") or 0), data.get("shard"))
        session.ws = ws
        self.sessions[session.id] = session
        ready: dict[str, Any] = {
            "v": 10,
            "user": self.bot_user,
            "guilds": [{"id": self.guild_id, "unavailable": True}],
            "session_id": session.id,
            "resume_gateway_url": f"ws://127.0.0.1:{self.port}/resume/",
            "application": {"id": self.application_id, "flags": 0},
            "private_channels": [],
            "relationships": [],
        }
        if session.shard is not None:
            ready["shard"] = session.shard
        if not self._owns(session):
            ready["guilds"] = []  # the guild is another shard's: Discord sends it there only
        await self._dispatch_to(session, "READY", ready)
        if self._owns(session):
            await self._dispatch_to(session, "GUILD_CREATE", self.guild_payload())
        return session

    def _owns(self, session: _Session) -> bool:
        """Whether the guild's events go to this session: Discord's ``(guild_id >> 22) % num_shards``."""
        if not session.shard or len(session.shard) != 2 or not session.shard[1]:
            return True
        shard_id, count = session.shard
        return (int(self.guild_id) >> 22) % count == shard_id

    async def _resume(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> _Session | None:
        session = self.sessions.get(data.get("session_id", ""))
        if session is None:
            await self._send(ws, {"op": 9, "d": False, "s": None, "t": None})
            return None
        session.ws = ws
        for payload in session.sent:
            if payload["s"] > int(data.get("seq") or 0):
                await self._send(ws, payload)
        await self._dispatch_to(session, "RESUMED", {})
        return session

    async def _dispatch_to(self, session: _Session, event: str, data: dict[str, Any]) -> None:
        session.seq += 1
        payload = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.sent.append(payload)
        if session.ws is not None and not session.ws.closed:
            await self._send(session.ws, payload)

    def _live_session(self) -> _Session:
        """The newest session that receives the guild's events (its shard's, when sharded)."""
        if not self.sessions:
            raise RuntimeError("no client has identified with the fake gateway")
        owners = [session for session in self.sessions.values() if self._owns(session)]
        return (owners or list(self.sessions.values()))[-1]

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH to the newest session (queued for RESUME replay if it is disconnected)."""
        await self._dispatch_to(self._live_session(), event, data)

    async def disconnect(self, *, code: int = 4000) -> None:
        """Drop the gateway connection as Discord does on a hiccup; the client should RESUME."""
        session = self._live_session()
        if session.ws is not None:
            ws, session.ws = session.ws, None
            await ws.close(code=code, message=b"fake: forced disconnect")

    # ----- events a user causes --------------------------------------------------------------
    async def send_command(
        self,
        sub: str,
        options: dict[str, Any] | None = None,
        *,
        channel_id: str | None = None,
        permissions: int = 0x10,  # Manage Channels
        roles: list[str] | None = None,
        focused: str | None = None,
    ) -> Interaction:
        """A user runs ``/digest <sub> ...`` (or types into option ``focused``: an autocomplete)."""
        cid = channel_id or self.channel_ids[0]
        opts = []
        resolved: dict[str, dict[str, Any]] = {}
        for name, value in (options or {}).items():
            kind = 5 if isinstance(value, bool) else 4 if isinstance(value, int) else 3
            if isinstance(value, RoleOption):
                kind, value = 8, value.id
                role = next(r for r in self.guild_payload()["roles"] if r["id"] == value)
                resolved.setdefault("roles", {})[value] = role
            elif isinstance(value, AttachmentOption):
                kind, value, item = 11, value.id, value
                resolved.setdefault("attachments", {})[value] = {
                    "id": item.id,
                    "filename": item.filename,
                    "size": item.size,
                    "url": item.url,
                    "proxy_url": item.url,
                    "content_type": "application/octet-stream",
                }
            elif isinstance(value, ChannelOption):
                kind, value = 7, value.id
                resolved.setdefault("channels", {})[value] = {**self.channel_payload(value), "permissions": "0"}
            opt: dict[str, Any] = {"name": name, "type": kind, "value": value}
            if name == focused:
                opt["focused"] = True
            opts.append(opt)
        command_id = next((c["id"] for c in self.commands if c["name"] == "digest"), snowflake())
        interaction = Interaction(snowflake(), "tok-" + secrets.token_urlsafe(24), cid, time.monotonic())
        self.interactions[interaction.id] = interaction
        await self.dispatch(
            "INTERACTION_CREATE",
            {
                "id": interaction.id,
                "application_id": self.application_id,
                "type": 4 if focused else 2,
                "token": interaction.token,
                "version": 1,
                "guild_id": self.guild_id,
                "channel_id": cid,
                "channel": self.channel_payload(cid),
                "member": self.member_payload(self.user_payload(), permissions=permissions, roles=roles),
                "app_permissions": str(0x4_0000_0000 | 0x800 | 0x400 | 0x4000),
                "locale": "en-GB",
                "guild_locale": "en-US",
                "entitlements": [],
                "authorizing_integration_owners": {"0": self.guild_id},
                "context": 0,
                "attachment_size_limit": ATTACHMENT_LIMIT,
                "data": {
                    "id": command_id,
                    "name": "digest",
                    "type": 1,
                    "guild_id": self.guild_id,
                    "options": [{"name": sub, "type": 1, "options": opts}],
                    **({"resolved": resolved} if resolved else {}),
                },
            },
        )
        return interaction

    async def send_message(
        self, content: str, *, mention_bot: bool = True, channel_id: str | None = None, reply_to: str | None = None
    ) -> dict[str, Any]:
        """A user posts a message (mentioning the bot unless told not to). ``reply_to`` makes it a
        reply to that message of the bot's, which (ping on, as by default) mentions the bot
        without ``<@id>`` in the text, as Discord does."""
        cid = channel_id or self.channel_ids[0]
        author = self.user_payload(name="reporter")
        message = self.message_payload(cid, {"content": content}, author=author)
        message["member"] = {k: v for k, v in self.member_payload(author, permissions=None).items() if k != "user"}
        if mention_bot:
            message["mentions"] = [self.bot_user]
            message["content"] = f"<@{self.application_id}> {content}"
        if reply_to is not None:
            message["type"] = 19
            message["mentions"] = [self.bot_user]
            message["message_reference"] = {"message_id": reply_to, "channel_id": cid, "guild_id": self.guild_id}
        session = self._live_session()
        if not message["mentions"] and not session.intents & INTENT_MESSAGE_CONTENT:
            message["content"] = ""  # Discord withholds content from bots without the privileged intent
        self.messages.setdefault(cid, []).append(message)
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def wait_reply(self, interaction: Interaction, timeout: float = 5.0) -> dict[str, Any]:
        """What the user finally sees for an interaction: the immediate message, or the
        follow-up/edit after a deferral. Adds ``deferred`` and ``ephemeral`` keys, and ``_files``
        (filename -> bytes) when files were attached."""
        token = interaction.token

        def final(r: Recorded) -> bool:
            if r.kind != "http" or token not in r.path or r.status >= 300:
                return False
            if r.path.endswith("/callback"):
                return isinstance(r.body, dict) and r.body.get("type") in (4, 8)
            return r.method in ("POST", "PATCH")

        entry = await self.wait_for(final, timeout)
        callback = next(r for r in self.requests if r.kind == "http" and r.path.endswith(f"{token}/callback"))
        body = dict(entry.body.get("data") if entry.path.endswith("/callback") else entry.body or {})
        cb_flags = (callback.body.get("data") or {}).get("flags") or 0
        if isinstance(entry.body, dict) and "_files" in entry.body:  # files ride beside the JSON
            body["_files"] = entry.body["_files"]
        body["deferred"] = callback.body.get("type") == 5
        body["ephemeral"] = bool(((body.get("flags") or 0) | cb_flags) & 64)
        return body
