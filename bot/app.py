"""Assembling the application: the services on a migrated store, the engine, the platforms."""

from __future__ import annotations

import asyncio
import importlib

from bot.config import Settings
from bot.engine import Engine
from bot.errors import ConfigError
from bot.platform import Platform
from bot.service_impl import StoreServices
from bot.store import Store

__all__ = ["Engine", "load_platform", "open_services"]


async def open_services(settings: Settings) -> StoreServices:
    """Services on the configured store, migrated and ready; ``await services.aclose()`` after."""
    store = await asyncio.to_thread(Store.open, settings.store.resolved_url())
    return StoreServices(store, settings)


def load_platform(name: str, settings: Settings) -> Platform:
    """Import ``adapters.<name>`` and build its platform (the only place bot imports adapters)."""
    try:
        module = importlib.import_module(f"adapters.{name}")
    except ModuleNotFoundError as exc:
        raise ConfigError(f"config: platforms: no adapter package for {name!r} ({exc.name} missing)") from None
    factory = getattr(module, "create_platform", None)
    if factory is None:
        raise ConfigError(f"config: platforms: adapters.{name} has no create_platform(settings)")
    return factory(settings)
