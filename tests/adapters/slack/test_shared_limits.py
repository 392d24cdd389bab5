"""Every Web API call of the Slack app passes the token's shared limiter: mention replies made
through bolt's per-request clients wait for the channel as the outbox's posts do, and two
platforms on one token share one channel's one-message-a-second through Redis."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from pydantic import SecretStr

from adapters.slack import create_platform
from tests.adapters.slack.conftest import SlackRig, make_settings
from tests.adapters.slack.test_post import _post
from tests.bot.ratelimit.conftest import REDIS_URL, redis_answers
from tests.fakes.slack_fake import FakeSlack


def posted_to(fake: FakeSlack, channel: str) -> list[int]:
    return [c.status for c in fake.calls("chat.postMessage") if c.body.get("channel") == channel]


async def test_mention_replies_and_posts_to_one_channel_take_turns(rig: SlackRig) -> None:
    """Two posts and two mentions in one channel at once, against a fake that 429s a channel
    posted to twice within a second: four messages, no 429."""
    rig.fake.channel_interval = 1.0
    await asyncio.wait_for(
        asyncio.gather(
            rig.platform.post(_post("C1")),
            rig.side.mention("hello", ts="1700000000.000301"),
            rig.platform.post(_post("C1")),
            rig.side.mention("hi", ts="1700000000.000302"),
        ),
        10,
    )
    for _ in range(100):  # the mention replies go out after the ack: poll, bounded (10 s)
        if len(posted_to(rig.fake, "C1")) >= 4:
            break
        await asyncio.sleep(0.1)
    assert posted_to(rig.fake, "C1") == [200, 200, 200, 200]
    assert rig.fake.rate_limited == 0


async def test_two_platforms_on_one_token_share_a_channel_through_redis(
    tmp_path: Path, fake_slack: FakeSlack, wire_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not redis_answers():
        pytest.skip("Redis does not answer on 127.0.0.1:6379 (start one to run the shared-limit tests)")
    monkeypatch.setenv("WIREBRIEF_REDIS_URL", REDIS_URL)
    settings = make_settings(tmp_path, fake_slack, wire_folder, monkeypatch, "http")
    settings.slack.bot_token = SecretStr(f"xoxb-{uuid.uuid4().hex}")  # buckets of this test's own
    first, second = create_platform(settings), create_platform(settings)
    fake_slack.channel_interval = 1.0
    try:
        assert first.limiter.shared
        sends = [p.post(_post("C2")) for p in (first, second) for _ in range(3)]
        await asyncio.wait_for(asyncio.gather(*sends), 20)
    finally:
        await first.stop()
        await second.stop()
    assert posted_to(fake_slack, "C2") == [200] * 6
    assert fake_slack.rate_limited == 0
