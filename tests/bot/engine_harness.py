"""A whole bot in-process for tests: real Services on a real store, the real Engine, and the
in-memory console platform that records what would have been posted."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from adapters.console import MemoryPlatform
from bot.app import Engine, open_services
from bot.config import Settings, load_settings
from bot.service_impl import StoreServices
from tests.conftest import write_config


@dataclass
class Bot:
    settings: Settings
    services: StoreServices
    engine: Engine
    platform: MemoryPlatform


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    store_url: str,
    *,
    wires: dict[str, Path] | None = None,
    scheduler: dict[str, object] | None = None,
    extra: str = "",
    platform: MemoryPlatform | None = None,
) -> AsyncIterator[Bot]:
    settings = load_settings(write_config(tmp_path, store_url, wires=wires, scheduler=scheduler, extra=extra))
    services = await open_services(settings)
    platform = platform or MemoryPlatform()
    engine = Engine(settings, services, [platform])
    try:
        yield Bot(settings, services, engine, platform)
    finally:
        await engine.stop()
        await services.aclose()


def time_passes(store, hours: float) -> None:  # type: ignore[no-untyped-def]
    """Make everything recorded so far ``hours`` older (items, subscriptions, posts), as if
    that much time had passed: a scheduled fire that was ahead is then behind."""
    from datetime import timedelta

    from sqlalchemy import select

    from bot.store.editions import fire_key, parse_fire
    from bot.store.models import DigestRow, EditionRow, StoryPostRow, SubscriptionRow

    shift = timedelta(hours=hours)
    with store.tx() as s:
        for model, column in ((DigestRow, "created"), (SubscriptionRow, "created"), (StoryPostRow, "posted_at")):
            for row in s.scalars(select(model)):
                setattr(row, column, getattr(row, column) - shift)
        for edition in s.scalars(select(EditionRow)):
            edition.fire = fire_key(parse_fire(edition.fire) - shift)
