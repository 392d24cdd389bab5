"""Discord: ``/digest`` commands, mention-with-link replies and scheduled digest embeds.

Why ``/digest latest`` and not bare ``/digest``: Discord's API never lets a user invoke a
command that has subcommands or subcommand groups (the parent only groups them), and a
guild cannot hold two chat commands named ``digest``. So ``/digest`` is a group and its
``latest`` subcommand is what the issue calls ``/digest``; the rest are ``subscribe``,
``unsubscribe``, ``list``, ``status``, ``preview`` and ``help``.

Modules, one job each: :mod:`.platform` (client, endpoints, posting), :mod:`.commands`
(the command group), :mod:`.mentions` (mention-with-link), :mod:`.render` (the embed and
mention neutralising), :mod:`.replies` (every sentence a user reads).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.platform import Platform


def create_platform(settings: Settings) -> Platform:
    """Entry point used by ``bot.app.load_platform("discord", settings)``."""
    from adapters.discord.platform import DiscordPlatform

    return DiscordPlatform(settings)
