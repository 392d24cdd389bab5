"""A local fake Slack: the Web API methods Wirebrief calls, response_url endpoints and a
Socket Mode websocket, all on 127.0.0.1 port 0, every request recorded.

After bolt-python's ``tests/mock_web_api_server``: the real slack-bolt and slack-sdk code
talks to this over real HTTP and websockets; tests assert on what arrived here, which is
what a Slack user would have seen. ``wait_for(predicate)`` waits (at most 5 s) for a request.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_USER_ID = "UBOT"
BOT_ID = "BBOT"
TEAM_ID = "T0TEST"
APP_ID = "A0TEST"


@dataclass
class Recorded:
    """One request that reached the fake: ``kind`` is "api", "response" or "socket_ack";
    ``name`` the Web API method, the response_url key or the envelope id."""

    kind: str
    name: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200
    at: float = field(default_factory=time.monotonic)
    #: What the fake answered (Web API calls), e.g. the ``ts`` of a posted message.
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Scripted:
    error: str
    status: int = 200
    retry_after: int | None = None
    channel: str | None = None


class FakeSlack:
    """Start with ``await fake.start()``; point the app at ``fake.api_base``."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self.left_channels: set[str] = set()
        self.hellos = 0
        #: When set, chat.postMessage to one channel faster than this many seconds apart gets a 429,
        #: as real Slack does (about one message per second per channel).
        self.channel_interval: float | None = None
        self._last_post: dict[str, float] = {}
        self.rate_limited = 0
        #: Messages posted, per channel in order (a reply also lands in ``replies``).
        self.messages: dict[str, list[dict[str, Any]]] = {}
        #: Thread replies per (channel, thread_ts), in order.
        self.replies: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self._holds: dict[str, asyncio.Event] = {}
        self._scripted: dict[str, list[_Scripted]] = {}
        self._sockets: list[web.WebSocketResponse] = []
        self._changed = asyncio.Condition()
        self._ts = itertools.count(1)
        self._envelopes = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{key}", self._response)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.port}/response/{key}"

    # -- scripting -------------------------------------------------------------------------
    def add_user(self, user_id: str, *, admin: bool = False, owner: bool = False) -> None:
        self.users[user_id] = {"id": user_id, "name": user_id.lower(), "is_admin": admin, "is_owner": owner}

    def add_channel(self, channel_id: str, *, creator: str = "UCREATOR", name: str | None = None) -> None:
        self.channels[channel_id] = {"id": channel_id, "name": name or channel_id.lower(), "creator": creator}

    def fail(
        self, method: str, error: str, *, status: int = 200, retry_after: int | None = None, channel: str | None = None
    ) -> None:
        """The next call of ``method`` (for ``channel``, if given) answers with ``error``, once."""
        self._scripted.setdefault(method, []).append(_Scripted(error, status, retry_after, channel))

    def hold_next_post(self, channel: str) -> asyncio.Event:
        """The next chat.postMessage to ``channel`` is posted (users see it) but answered only
        once the returned event is set: the client is stuck between posting and knowing."""
        event = asyncio.Event()
        self._holds[channel] = event
        return event

    def ratelimit(self, method: str, retry_after: int = 1) -> None:
        """The next call of ``method`` gets HTTP 429 with ``Retry-After``, once."""
        self.fail(method, "ratelimited", status=429, retry_after=retry_after)

    # -- queries ---------------------------------------------------------------------------
    def calls(self, method: str) -> list[Recorded]:
        return [r for r in self.requests if r.kind == "api" and r.name == method]

    def responses(self, key: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if r.kind == "response" and (key is None or r.name == key)]

    def acks(self, envelope_id: str | None = None) -> list[Recorded]:
        return [r for r in self.requests if r.kind == "socket_ack" and (envelope_id is None or r.name == envelope_id)]

    async def wait_for(self, predicate: Callable[[Recorded], bool], timeout: float = 5.0) -> Recorded:
        """The first recorded request matching ``predicate``, waiting up to ``timeout`` s."""
        deadline = time.monotonic() + min(timeout, 5.0)
        async with self._changed:
            while True:
                for rec in self.requests:
                    if predicate(rec):
                        return rec
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [f"{r.kind}:{r.name}" for r in self.requests]
                    raise AssertionError(f"fake Slack: no matching request within {timeout}s; saw {seen}")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), left)

    async def wait_response(self, key: str, timeout: float = 5.0) -> dict[str, Any]:
        """The body of the first post to response_url ``key``."""
        rec = await self.wait_for(lambda r: r.kind == "response" and r.name == key, timeout)
        return rec.body

    async def _record(self, rec: Recorded) -> None:
        async with self._changed:
            self.requests.append(rec)
            self._changed.notify_all()

    # -- Socket Mode -----------------------------------------------------------------------
    @property
    def connections(self) -> int:
        """Socket Mode connections open now (an app may hold several; Slack spreads envelopes)."""
        return len(self._sockets)

    async def send_envelope(
        self,
        type_: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool = False,
        connection: int | None = None,
    ) -> str:
        """Send one envelope to the connected app (waits up to 5 s for a connection): on the
        newest connection, or on ``connection`` (its index, oldest first) as Slack picks one."""
        deadline = time.monotonic() + 5.0
        while not self._sockets:
            if time.monotonic() > deadline:
                raise AssertionError("fake Slack: no Socket Mode connection within 5s")
            await asyncio.sleep(0.02)
        envelope_id = f"env-{next(self._envelopes)}"
        message = {
            "envelope_id": envelope_id,
            "type": type_,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        await self._sockets[-1 if connection is None else connection].send_str(json.dumps(message))
        return envelope_id

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        hello = {
            "type": "hello",
            "num_connections": len(self._sockets),
            "connection_info": {"app_id": APP_ID},
            "debug_info": {},
        }
        await ws.send_str(json.dumps(hello))
        self.hellos += 1
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(msg.data)
                except ValueError:
                    continue
                if isinstance(data, dict) and "envelope_id" in data:
                    await self._record(Recorded("socket_ack", str(data["envelope_id"]), data))
        finally:
            self._sockets.remove(ws)
        return ws

    # -- HTTP ------------------------------------------------------------------------------
    async def _response(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            body = {"_raw": raw.decode("utf-8", "replace")}
        await self._record(Recorded("response", request.match_info["key"], body, dict(request.headers)))
        return web.Response(text="ok")

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        body: dict[str, Any] = dict(request.query)
        raw = await request.read()
        if raw:
            if request.content_type == "application/json":
                body.update(json.loads(raw))
            else:
                body.update(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))
        status, answer, headers = self._answer(method, body, request.headers.get("Authorization", ""))
        await self._record(Recorded("api", method, body, dict(request.headers), status, answer=answer))
        hold = self._holds.pop(str(body.get("channel", "")), None) if method == "chat.postMessage" else None
        if hold is not None and answer.get("ok"):
            await hold.wait()
        return web.json_response(answer, status=status, headers=headers)

    def _take_scripted(self, method: str, body: dict[str, Any]) -> _Scripted | None:
        queue = self._scripted.get(method, [])
        for i, item in enumerate(queue):
            if item.channel is None or item.channel == body.get("channel"):
                return queue.pop(i)
        return None

    def _answer(self, method: str, body: dict[str, Any], auth: str) -> tuple[int, dict[str, Any], dict[str, str]]:
        token = auth.removeprefix("Bearer ").strip() or str(body.get("token", ""))
        if not token:
            return 200, {"ok": False, "error": "not_authed"}, {}
        scripted = self._take_scripted(method, body)
        if scripted is not None:
            headers = {"Retry-After": str(scripted.retry_after)} if scripted.retry_after is not None else {}
            return scripted.status, {"ok": False, "error": scripted.error}, headers
        if method == "chat.postMessage" and self._too_fast(str(body.get("channel", ""))):
            self.rate_limited += 1
            return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"}
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return 200, {"ok": False, "error": "unknown_method"}, {}
        return 200, handler(body, token), {}

    def _m_auth_test(self, body: dict[str, Any], token: str) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack.test/",
            "team": "Fake Team",
            "user": "wirebrief",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _m_apps_connections_open(self, body: dict[str, Any], token: str) -> dict[str, Any]:
        if not token.startswith("xapp-"):
            return {"ok": False, "error": "invalid_auth"}
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket?ticket=t{self.hellos}"}

    def _too_fast(self, channel: str) -> bool:
        now = time.monotonic()
        last = self._last_post.get(channel)
        if self.channel_interval is not None and last is not None and now - last < self.channel_interval:
            return True
        self._last_post[channel] = now
        return False

    def _m_chat_postMessage(self, body: dict[str, Any], token: str) -> dict[str, Any]:
        channel = str(body.get("channel", ""))
        if channel in self.left_channels:
            return {"ok": False, "error": "not_in_channel"}
        ts = f"{1700000000 + next(self._ts)}.000100"
        message = {"type": "message", "user": BOT_USER_ID, "bot_id": BOT_ID, "ts": ts, "text": body.get("text", "")}
        metadata = body.get("metadata")
        if isinstance(metadata, str):  # form-encoded callers send it as JSON text
            metadata = json.loads(metadata)
        stored = {**message, "blocks": body.get("blocks"), "metadata": metadata}
        thread = body.get("thread_ts")
        if thread:
            stored["thread_ts"] = str(thread)
            self.replies.setdefault((channel, str(thread)), []).append(stored)
        else:
            self.messages.setdefault(channel, []).append(stored)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _m_conversations_history(self, body: dict[str, Any], token: str) -> dict[str, Any]:
        """A channel's messages, newest first (thread replies not among them), paged by
        ``cursor``; ``metadata`` only with ``include_all_metadata``, as Slack does."""
        channel = str(body.get("channel", ""))
        if channel in self.left_channels:
            return {"ok": False, "error": "not_in_channel"}
        return self._page(list(reversed(self.messages.get(channel, []))), body)

    def _m_conversations_replies(self, body: dict[str, Any], token: str) -> dict[str, Any]:
        """A thread: its parent, then the replies oldest first."""
        channel, ts = str(body.get("channel", "")), str(body.get("ts", ""))
        parent = [m for m in self.messages.get(channel, []) if m["ts"] == ts]
        if not parent:
            return {"ok": False, "error": "thread_not_found"}
        return self._page(parent + self.replies.get((channel, ts), []), body)

    @staticmethod
    def _page(messages: list[dict[str, Any]], body: dict[str, Any]) -> dict[str, Any]:
        limit = max(1, min(999, int(body.get("limit") or 100)))
        start = int(body.get("cursor") or 0)
        metadata = str(body.get("include_all_metadata", "")).lower() in ("1", "true")
        page = [
            m if metadata else {k: v for k, v in m.items() if k != "metadata"} for m in messages[start : start + limit]
        ]
        page = [{k: v for k, v in m.items() if v is not None} for m in page]
        more = start + limit < len(messages)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def _m_conversations_info(self, body: dict[str, Any], token: str) -> dict[str, Any]:
        channel = self.channels.get(str(body.get("channel", "")))
        if channel is None:
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": channel}

    def _m_users_info(self, body: dict[str, Any], token: str) -> dict[str, Any]:
        user = self.users.get(str(body.get("user", "")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}


# -- payload builders shared by the HTTP and Socket Mode tests -----------------------------
def slash_payload(
    fake: FakeSlack, text: str, *, key: str, user: str = "UADMIN", channel: str = "C1", command: str = "/digest"
) -> dict[str, str]:
    """The fields Slack sends for a slash command (form-encoded over HTTP, JSON over sockets)."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "fake",
        "channel_id": channel,
        "channel_name": channel.lower(),
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "response_url": fake.response_url(key),
        "trigger_id": f"trigger-{key}",
    }


def event_payload(event: dict[str, Any], *, event_id: str = "Ev1") -> dict[str, Any]:
    """An Events API ``event_callback`` wrapping ``event``."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


def mention_event(text: str, *, ts: str = "1700000000.000200", user: str = "UREADER", channel: str = "C1") -> dict:
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }
