"""Fixtures: a fake Discord on 127.0.0.1, real Services on a temp SQLite store, and the real
Discord platform pointed at the fake through configuration (never monkeypatched internals)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.discord import create_platform
from adapters.discord.platform import DiscordPlatform
from bot.config import Settings, load_settings
from bot.services import Services
from tests.fakes.discord_fake import FakeDiscord

MANAGER_ROLE = "Digest Editors"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    try:
        yield server
    finally:
        await server.close()


def write_config(tmp_path: Path, fake: FakeDiscord, *, extra: str = "") -> Path:
    wire = tmp_path / "wire"
    wire.mkdir(exist_ok=True)
    path = tmp_path / "wirebrief.toml"
    path.write_text(
        f"""
platforms = ["discord"]

[store]
url = "sqlite:///{tmp_path / "store.sqlite3"}"

[fetch]
allow_private_addresses = true
timeout_seconds = 3

[wires]
newsroom = "{wire}"

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
def settings(tmp_path: Path, fake: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("WIREBRIEF_DISCORD_TOKEN", "fake-bot-token")
    return load_settings(write_config(tmp_path, fake), ["discord"])


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
