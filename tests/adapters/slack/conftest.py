"""Fixtures for the Slack adapter: a fake Slack, a local article server, real Services on a
temp SQLite store, and the real Slack platform started in HTTP or Socket Mode.

``SlackClientSide`` plays Slack's side of the conversation: over HTTP it signs requests
exactly as Slack does (``v0=`` HMAC-SHA256 of ``v0:{ts}:{body}``); over Socket Mode it sends
envelopes through the fake's websocket. Scenarios are written once against it.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from aiohttp import web

from bot.config import Settings, load_settings
from tests.fakes.slack_fake import FakeSlack, event_payload, mention_event, slash_payload

SIGNING_SECRET = "test-signing-secret"
ADMIN, READER, CREATOR = "UADMIN", "UREADER", "UCREATOR"

ARTICLE = """<!doctype html><html><head><title>Harbour dockers walk out over pay</title></head>
<body><article><h1>Harbour dockers walk out over pay</h1>
<p>ROTTERDAM, May 1 (Wirebrief) - Dock workers at the city's container harbour walked out on Monday
after talks on a new pay deal collapsed overnight, halting most ship traffic.</p>
<p>"We will not unload a single ship until the offer matches inflation," said Maria Lopez, the leader
of the dockers' union, speaking outside the main gate where several hundred workers had gathered.</p>
<p>The port authority said it regretted the walkout. "Our offer is fair and remains on the table,"
said Pieter de Vries, a spokesman for the port. He added that talks could resume later this week.</p>
<p>Shipping lines warned that a long strike would disrupt supply chains across northern Europe, and
several vessels were already diverting to Antwerp and Hamburg to avoid delays at the terminals.</p>
</article></body></html>"""

WIRE_STORY = """ROTTERDAM, May 2 (Wirebrief) - Talks to end the harbour strike resumed on Tuesday.

"We are closer than we were, but <!channel> nobody should expect a deal tonight," said Maria Lopez,
the leader of the dockers' union, as she arrived at the talks.

"The port wants its ships moving," said Pieter de Vries, a port spokesman.
"""


@pytest.fixture(scope="session")
def wire_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wire folder holding one dispatch (with a ``<!channel>`` in a quote), shared read-only."""
    folder = tmp_path_factory.mktemp("wire")
    (folder / "talks.txt").write_text(WIRE_STORY, encoding="utf-8")
    return folder


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    fake.add_user(ADMIN, admin=True)
    fake.add_user(READER)
    fake.add_user(CREATOR)
    for channel in ("C1", "C2", "C3"):
        fake.add_channel(channel, creator=CREATOR)
    try:
        yield fake
    finally:
        await fake.close()


@pytest.fixture
async def article_server() -> AsyncIterator[str]:
    """Base URL of a loopback server with /story (an article) and /missing (404)."""

    async def story(_: web.Request) -> web.Response:
        return web.Response(text=ARTICLE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/story", story)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


def make_settings(
    tmp_path: Path, fake: FakeSlack, wire: Path, monkeypatch: pytest.MonkeyPatch, mode: str, managers: str = "admins"
) -> Settings:
    """Settings as an operator would write them: a TOML file plus secrets in the environment."""
    config = tmp_path / "wirebrief.toml"
    config.write_text(
        f"""
[store]
url = "sqlite:///{tmp_path / "wirebrief.sqlite3"}"
[fetch]
allow_private_addresses = true
timeout_seconds = 4
[console]
samples = false
[scheduler]
wire_settle_seconds = 0
[slack]
mode = "{mode}"
host = "127.0.0.1"
port = 0
managers = "{managers}"
[wires]
desk = "{wire}"
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("WIREBRIEF_SLACK_BOT_TOKEN", "xoxb-test-token")
    monkeypatch.setenv("WIREBRIEF_SLACK_SIGNING_SECRET", SIGNING_SECRET)
    monkeypatch.setenv("WIREBRIEF_SLACK_APP_TOKEN", "xapp-test-token")
    monkeypatch.setenv("WIREBRIEF_SLACK_API_BASE", fake.api_base)
    return load_settings(config, ["slack"])


def sign(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return f"v0={digest}"


class SlackClientSide:
    """Slack's half: delivers commands and events to the running app, by HTTP or by socket."""

    def __init__(self, fake: FakeSlack, mode: str, events_url: str | None) -> None:
        self.fake = fake
        self.mode = mode
        self.events_url = events_url
        self._keys = itertools.count(1)
        self._session = aiohttp.ClientSession()

    async def close(self) -> None:
        await self._session.close()

    def new_key(self) -> str:
        return f"r{next(self._keys)}"

    async def post_signed(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        assert self.events_url, "HTTP mode only"
        ts = int(time.time()) if timestamp is None else timestamp
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": signature or sign(body, ts),
            **(extra or {}),
        }
        async with self._session.post(self.events_url, data=body.encode(), headers=headers) as resp:
            return resp.status, await resp.text()

    async def command(self, text: str, *, user: str = ADMIN, channel: str = "C1") -> dict[str, Any]:
        """Run `/digest <text>`; return the body posted to its response_url."""
        key = self.new_key()
        payload = slash_payload(self.fake, text, key=key, user=user, channel=channel)
        if self.mode == "http":
            status, body = await self.post_signed(urlencode(payload), "application/x-www-form-urlencoded")
            assert status == 200, body
            assert body == "", "the ack carries no text; the answer goes to response_url"
        else:
            envelope = await self.fake.send_envelope("slash_commands", payload, accepts_response_payload=True)
            await self.fake.wait_for(lambda r: r.kind == "socket_ack" and r.name == envelope)
        return await self.fake.wait_response(key)

    async def event(self, event: dict[str, Any]) -> None:
        payload = event_payload(event, event_id=f"Ev{self.new_key()}")
        if self.mode == "http":
            status, body = await self.post_signed(json.dumps(payload), "application/json")
            assert status == 200, body
        else:
            envelope = await self.fake.send_envelope("events_api", payload)
            await self.fake.wait_for(lambda r: r.kind == "socket_ack" and r.name == envelope)

    async def mention(self, text: str, *, ts: str, channel: str = "C1") -> None:
        await self.event(mention_event(text, ts=ts, channel=channel))


class SlackRig:
    """Everything one scenario needs, started: fake Slack, real services, the real platform."""

    def __init__(self, fake: FakeSlack, settings: Settings, services: Any, platform: Any, side: SlackClientSide):
        self.fake = fake
        self.settings = settings
        self.services = services
        self.platform = platform
        self.side = side
        self.engine: Any = None

    async def run_pass(self) -> None:
        """One real engine pass (poll every source, deliver what is due), engine kept for teardown."""
        from bot.app import Engine

        if self.engine is None:
            self.engine = Engine(self.settings, self.services, [self.platform])
        await self.engine.run_pass()


async def open_rig(
    tmp_path: Path, fake: FakeSlack, wire: Path, monkeypatch: pytest.MonkeyPatch, mode: str, managers: str = "admins"
) -> SlackRig:
    from adapters.slack import create_platform

    settings = make_settings(tmp_path, fake, wire, monkeypatch, mode, managers)
    services = await _open_services(settings)
    platform = create_platform(settings)
    await platform.start(services)
    side = SlackClientSide(fake, mode, platform.events_url)
    return SlackRig(fake, settings, services, platform, side)


async def close_rig(rig: SlackRig) -> None:
    await rig.side.close()
    if rig.engine is not None:
        await rig.engine.stop()
    await rig.platform.stop()
    aclose = getattr(rig.services, "aclose", None)
    if aclose is not None:
        await aclose()


async def _open_services(settings: Settings) -> Any:
    from bot.app import open_services

    return await open_services(settings)


@pytest.fixture(params=["http", "socket"])
async def rig(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    fake_slack: FakeSlack,
    wire_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[SlackRig]:
    """The platform in each mode in turn: scenarios using this run over HTTP and Socket Mode."""
    opened = await open_rig(tmp_path, fake_slack, wire_folder, monkeypatch, request.param)
    try:
        yield opened
    finally:
        await close_rig(opened)


@pytest.fixture
async def http_rig(
    tmp_path: Path, fake_slack: FakeSlack, wire_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackRig]:
    opened = await open_rig(tmp_path, fake_slack, wire_folder, monkeypatch, "http")
    try:
        yield opened
    finally:
        await close_rig(opened)
