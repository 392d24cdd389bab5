"""Every REST call of the Discord platform passes the token's shared limiter: a burst of posts
stays under the fake's enforced global limit, two platforms on one token share it through
Redis, and mention replies and typing wait their turn while slash-command answers do not."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.ratelimit import Limiter, namespace_for
from bot.services import Services
from tests.adapters.discord.conftest import running, write_config
from tests.adapters.discord.test_delivery import a_post
from tests.bot.ratelimit.conftest import REDIS_URL, redis_answers
from tests.fakes.discord_fake import FakeDiscord, Recorded
from tests.fakes.discord_limits import EXEMPT

CHANNELS = 60
#: The limiter's rate in these tests: well under the fake's 50/s, so a request that reaches
#: the fake up to 250 ms late (a loaded test machine) cannot push a second over 50.
RATE = 40


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord(channels=CHANNELS).start()
    try:
        yield server
    finally:
        await server.close()


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> str:
    """A token of the test's own: buckets are per token, and other tests share the Redis."""
    value = f"limits-{uuid.uuid4().hex}"
    monkeypatch.setenv("WIREBRIEF_DISCORD_TOKEN", value)
    return value


@pytest.fixture
def shared_settings(tmp_path: Path, fake: FakeDiscord, story_wires: Path, token: str) -> Settings:
    if not redis_answers():
        pytest.skip("Redis does not answer on 127.0.0.1:6379 (start one to run the shared-limit tests)")
    return load_settings(
        write_config(tmp_path, fake, story_wires, extra=f'requests_per_second = {RATE}\n[redis]\nurl = "{REDIS_URL}"'),
        ["discord"],
    )


def limited(fake: FakeDiscord) -> list[Recorded]:
    """What counted against the global limit: REST requests Discord accepted, callbacks exempt."""
    return [r for r in fake.requests if r.kind == "http" and r.status != 429 and not r.path.startswith(EXEMPT)]


def busiest_second(requests: list[Recorded]) -> int:
    times = sorted(r.at for r in requests)
    best, lo = 0, 0
    for hi, at in enumerate(times):
        while at - times[lo] >= 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def test_a_burst_of_posts_stays_under_the_enforced_global_limit(
    fake: FakeDiscord, settings: Settings, services: Services, token: str
) -> None:
    limits = fake.enforce_limits(per_second=50)
    settings.discord.requests_per_second = RATE
    async with running(settings, services) as platform:
        posts = [a_post(cid, delivery_id=None) for cid in fake.channel_ids] * 2  # 120 at once
        await asyncio.wait_for(asyncio.gather(*(platform.post(p) for p in posts)), 30)
    assert limits.refused == {"global": 0, "user": 0}
    assert all(len(fake.messages[cid]) == 2 for cid in fake.channel_ids)
    assert busiest_second(limited(fake)) <= 50


async def test_two_platforms_on_one_token_share_the_limit_through_redis(
    fake: FakeDiscord, shared_settings: Settings, services: Services
) -> None:
    limits = fake.enforce_limits(per_second=50)
    async with running(shared_settings, services) as first, running(shared_settings, services) as second:
        assert first.limiter is not None and first.limiter.shared
        half = [a_post(cid, delivery_id=None) for cid in fake.channel_ids]
        sends = [first.post(p) for p in half] + [second.post(p) for p in half]
        await asyncio.wait_for(asyncio.gather(*sends), 30)
    assert limits.refused == {"global": 0, "user": 0}
    assert all(len(fake.messages[cid]) == 2 for cid in fake.channel_ids)
    assert busiest_second(limited(fake)) <= 50


async def test_mention_replies_and_typing_wait_for_the_shared_limit_but_command_answers_do_not(
    fake: FakeDiscord, shared_settings: Settings, services: Services, token: str, article_server: str
) -> None:
    other = Limiter(namespace_for("discord", token), REDIS_URL)  # another instance on the token
    async with running(shared_settings, services):
        await other.hold(other.rate("global", 1 / RATE), 2.0)  # Discord told it to hold for 2 s
        cid = fake.channel_ids[0]
        message = await fake.send_message(f"{article_server}/article", channel_id=cid)
        answer = await fake.wait_reply(await fake.send_command("help", channel_id=fake.channel_ids[1]))
        assert "Wirebrief" in answer["content"]
        with pytest.raises(TimeoutError):  # held: neither typing nor the reply went out yet
            await fake.wait_for(lambda r: r.kind == "http" and r.path.startswith(f"/channels/{cid}/"), timeout=1.0)
        reply = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{cid}/messages")
        assert reply.body["message_reference"]["message_id"] == int(message["id"])
        assert fake.calls("POST", rf"/channels/{cid}/typing")
    await other.close()


async def test_a_routes_bucket_learnt_from_the_headers_is_shared_by_both_platforms(
    fake: FakeDiscord, shared_settings: Settings, services: Services
) -> None:
    """Messages to one channel: 3 a second (the fake's X-RateLimit-* headers say so). Once each
    platform has seen the headers, six messages sent at once from both stay within the bucket."""
    limits = fake.enforce_limits(per_second=50, channel_messages=(3, 1.0))
    cid = fake.channel_ids[0]
    async with running(shared_settings, services) as first, running(shared_settings, services) as second:
        await first.post(a_post(cid, delivery_id=None))  # each learns the route's bucket
        await second.post(a_post(cid, delivery_id=None))
        await asyncio.sleep(1.1)  # the fake's window has reset
        sends = [platform.post(a_post(cid, delivery_id=None)) for platform in (first, second) for _ in range(3)]
        await asyncio.wait_for(asyncio.gather(*sends), 30)
    assert limits.refused == {"global": 0, "user": 0}
    assert len(fake.messages[cid]) == 8
