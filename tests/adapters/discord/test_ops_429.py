"""The 429s Discord answers are counted for /metrics, including those discord.py waits out itself."""

from __future__ import annotations

from bot.ops.metrics import REGISTRY
from tests.adapters.discord.test_delivery import subscribe
from tests.fakes.discord_fake import FakeDiscord


def discord_429s() -> float:
    return REGISTRY.get_sample_value("wirebrief_rate_limited_total", {"platform": "discord"}) or 0.0


async def test_a_429_waited_out_by_discord_py_is_counted(fake: FakeDiscord, engine) -> None:
    cid = fake.channel_ids[0]
    await subscribe(fake, cid, backfill=1)
    fake.rate_limit_once("POST", rf"/channels/{cid}/messages", retry_after=0.1)
    before = discord_429s()

    await engine.run_pass()

    assert [a.status for a in fake.calls("POST", rf"/channels/{cid}/messages")] == [429, 200]
    assert discord_429s() == before + 1
