"""Slack: `/digest`, `@Wirebrief <link>` and scheduled Block Kit posts, through slack-bolt."""

from __future__ import annotations

from adapters.slack.platform import SlackPlatform
from bot.config import Settings


def create_platform(settings: Settings) -> SlackPlatform:
    return SlackPlatform(settings)


__all__ = ["SlackPlatform", "create_platform"]
