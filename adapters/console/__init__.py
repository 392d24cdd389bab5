"""The console platform: Wirebrief's embedded default — digests printed as rich panels."""

from __future__ import annotations

from adapters.console.platform import ConsolePlatform, MemoryPlatform
from bot.config import Settings

__all__ = ["ConsolePlatform", "MemoryPlatform", "create_platform"]


def create_platform(settings: Settings) -> ConsolePlatform:
    return ConsolePlatform(post_delay=settings.console.post_delay_seconds)
