"""Fixtures: a fake Discord on 127.0.0.1, real Services on a temp SQLite store, and the real
Discord platform pointed at the fake through configuration (never monkeypatched internals)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.discord import create_platform
from adapters.discord.platform import DiscordPlatform
from bot.config import Settings, load_settings
from bot.services import Services
from tests.fakes.discord_fake import FakeDiscord

MANAGER_ROLE = "Digest Editors"

STORIES = {
    "treaty": (
        "GENEVA, May 2 (Wirebrief Test Wire) — Negotiators agreed a draft text on plastic pollution on Friday.\n"
        '"This is the first step, not the last," chief negotiator Ana Lima told reporters.\n'
    ),
    "rentals": (
        "LISBON, June 9 (Wirebrief Test Wire) — The city council approved a ban on new holiday rentals downtown.\n"
        '"@everyone should be able to afford to live here, **not just tourists**," Mayor Carlos Moedas told '
        "the council.\n"
    ),
}


@pytest.fixture(scope="session")
def story_wires(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One wire folder per story, written once per session (read-only for the tests)."""
    root = tmp_path_factory.mktemp("story-wires")
    for name, text in STORIES.items():
        (root / name).mkdir()
        (root / name / f"{name}.txt").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    try:
        yield server
    finally:
        await server.close()


def write_config(tmp_path: Path, fake: FakeDiscord, stories: Path, *, extra: str = "") -> Path:
    wire = tmp_path / "wire"
    wire.mkdir(exist_ok=True)
    path = tmp_path / "wirebrief.toml"
    path.write_text(
        f"""
platforms = ["discord"]

[store]
url = "sqlite:///{tmp_path / "store.sqlite3"}"

[scheduler]
wire_settle_seconds = 0  # the story files are complete when written; no need to wait for writers

[fetch]
allow_private_addresses = true
timeout_seconds = 3

[wires]
newsroom = "{wire}"
treaty = "{stories / "treaty"}"
rentals = "{stories / "rentals"}"

[discord]
api_base = "{fake.api_base}"
gateway_url = "{fake.gateway_url}"
guild_ready_timeout = 0.05
manager_role = "{MANAGER_ROLE}"
{extra}
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def settings(tmp_path: Path, fake: FakeDiscord, story_wires: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("WIREBRIEF_DISCORD_TOKEN", "fake-bot-token")
    return load_settings(write_config(tmp_path, fake, story_wires), ["discord"])


@pytest.fixture
async def services(settings: Settings) -> AsyncIterator[Services]:
    try:
        from bot.app import open_services
    except ImportError:  # the engine lands separately; until then only store-free paths run
        pytest.skip("bot.app.open_services is not available yet")
    opened = await open_services(settings)
    try:
        yield opened
    finally:
        await opened.aclose()  # type: ignore[attr-defined]


@contextlib.asynccontextmanager
async def running(settings: Settings, services: Services) -> AsyncIterator[DiscordPlatform]:
    platform = create_platform(settings)
    assert isinstance(platform, DiscordPlatform)
    await platform.start(services)
    try:
        yield platform
    finally:
        await platform.stop()


@pytest.fixture
async def platform(settings: Settings, services: Services) -> AsyncIterator[DiscordPlatform]:
    async with running(settings, services) as started:
        yield started


ARTICLE_HTML = """<!doctype html>
<html><head><title>Port strike called off after overnight talks</title></head>
<body><article>
<h1>Port strike called off after overnight talks</h1>
<p>ROTTERDAM, March 4 — Dock workers called off a 48-hour strike at Europe's largest port on Wednesday
after overnight talks produced a new offer on night-shift pay, the FNV Havens union said.</p>
<p>"@everyone can go back to work on Thursday, and <@&123> **owes us** nothing," union negotiator
Marieke de Vos told reporters outside the port authority building in the early morning.</p>
<p>The terminal operators' association said the agreement protected every existing job until 2030 and
that container handling at the Maasvlakte terminals would resume on the morning shift as planned.</p>
<p>"Nobody wins when ships sail to Antwerp instead," port authority chief executive Allard Castelein said.</p>
</article></body></html>"""


class ArticleSite(str):
    """The base URL of the local article site (a str), plus the paths it was asked for."""

    hits: list[str]


@pytest.fixture
async def article_server() -> AsyncIterator[ArticleSite]:
    """A tiny local site: an article, a PDF and a paywalled teaser."""
    from aiohttp import web

    hits: list[str] = []

    @web.middleware
    async def record(request: web.Request, handler):  # type: ignore[no-untyped-def]
        hits.append(request.path_qs)
        return await handler(request)

    async def article(request: web.Request) -> web.Response:
        return web.Response(text=ARTICLE_HTML, content_type="text/html", charset="utf-8")

    async def pdf(request: web.Request) -> web.Response:
        return web.Response(body=b"%PDF-1.4 not an article", content_type="application/pdf")

    async def empty(request: web.Request) -> web.Response:
        return web.Response(text="<html><body><p>Subscribe to read.</p></body></html>", content_type="text/html")

    app = web.Application(middlewares=[record])
    app.router.add_get("/article", article)
    app.router.add_get("/report.pdf", pdf)
    app.router.add_get("/paywalled", empty)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = ArticleSite(f"http://127.0.0.1:{port}")
    base.hits = hits
    try:
        yield base
    finally:
        await runner.cleanup()


@pytest.fixture
async def engine(settings: Settings, services: Services, platform: DiscordPlatform) -> AsyncIterator[Any]:
    """The real engine around the started Discord platform; ``await engine.run_pass()`` delivers."""
    from bot.app import Engine

    built = Engine(settings, services, [platform])  # type: ignore[arg-type]
    try:
        yield built
    finally:
        await built.stop()
