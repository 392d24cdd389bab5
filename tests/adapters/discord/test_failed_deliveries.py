"""A post Discord keeps refusing is given up after its attempts, and `/digest status` in the
channel says so with the last error (issue 12: failed deliveries are invisible)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from adapters.discord.platform import DiscordPlatform
from bot.store.deliveries import MAX_ATTEMPTS
from bot.store.models import DeliveryRow
from tests.fakes.discord_fake import FakeDiscord


async def test_status_shows_a_post_given_up_with_its_last_error(
    fake: FakeDiscord, platform: DiscordPlatform, services: Any, engine: Any
) -> None:
    cid = fake.channel_ids[0]
    reply = await fake.wait_reply(await fake.send_command("subscribe", {"source": "treaty", "backfill": 1}))
    assert reply["content"].startswith("Subscribed"), reply["content"]
    route = rf"/channels/{cid}/messages"
    fake.rate_limit_once("POST", route, via=False)  # a 429 without Via: refused, not waited out
    await engine.run_pass()
    with services.store.tx() as s:  # four attempts made; the fifth is due now
        s.execute(update(DeliveryRow).values(attempts=MAX_ATTEMPTS - 1, next_attempt=None))
    fake.rate_limit_once("POST", route, via=False)
    await engine.run_pass()
    assert fake.messages[cid] == []

    status = await fake.wait_reply(await fake.send_command("status", permissions=0))
    assert "1 post(s) failed for good; last error:" in status["content"], status["content"]
    assert "429" in status["content"]
