"""/readyz's view of Discord: connected once the gateway is ready, not once the client is closed."""

from __future__ import annotations

from adapters.discord.platform import DiscordPlatform


async def test_connected_while_the_gateway_is_ready_and_not_after_stop(platform: DiscordPlatform) -> None:
    assert platform.connected
    await platform.stop()
    assert not platform.connected


def test_not_connected_before_start(settings) -> None:  # type: ignore[no-untyped-def]
    assert not DiscordPlatform(settings).connected
