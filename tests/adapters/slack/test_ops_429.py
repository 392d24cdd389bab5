"""The 429s Slack answers are counted for /metrics: the one slack_sdk retries and the one it gives up on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.slack import create_platform
from adapters.slack.platform import SlackPlatform
from bot.errors import RateLimited
from bot.ops.metrics import REGISTRY
from tests.adapters.slack.conftest import make_settings
from tests.adapters.slack.test_post import _post
from tests.fakes.slack_fake import FakeSlack


@pytest.fixture
async def slack(
    tmp_path: Path, fake_slack: FakeSlack, wire_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackPlatform]:
    plat = create_platform(make_settings(tmp_path, fake_slack, wire_folder, monkeypatch, "http"))
    try:
        yield plat
    finally:
        await plat.stop()


def slack_429s() -> float:
    return REGISTRY.get_sample_value("wirebrief_rate_limited_total", {"platform": "slack"}) or 0.0


async def test_every_429_from_slack_is_counted(slack: SlackPlatform, fake_slack: FakeSlack) -> None:
    before = slack_429s()
    fake_slack.ratelimit("chat.postMessage", retry_after=0)
    fake_slack.ratelimit("chat.postMessage", retry_after=0)
    with pytest.raises(RateLimited):
        await slack.post(_post())  # the first 429 is retried by slack_sdk, the second handed on
    assert [c.status for c in fake_slack.calls("chat.postMessage")] == [429, 429]
    assert slack_429s() == before + 2
