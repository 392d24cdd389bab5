"""``SlackPlatform.post``: Block Kit through chat.postMessage, 429s respected, lost channels reported."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.slack import create_platform
from adapters.slack.platform import SlackPlatform
from bot.domain import ChannelRef, Post
from bot.errors import ChannelGone, ConfigError, RateLimited
from digests.model import Dateline, Digest, Quote
from tests.adapters.slack.conftest import make_settings
from tests.fakes.slack_fake import TEAM_ID, FakeSlack


def _post(channel: str = "C1") -> Post:
    quote = "Everyone <!channel> should read <@U42> this"
    digest = Digest(
        headline="Talks resume & <!here> hope rises",
        dateline=Dateline("ROTTERDAM", "May 2", None),
        quotes=(Quote(quote, "Maria Lopez", "union leader", 1, 1 + len(quote)),),
        key_quotes=(0,),
        text=f'"{quote}," said Maria Lopez.',
        url="https://news.example/talks",
    )
    return Post(digest, ChannelRef("slack", channel, TEAM_ID), "desk", None, None)


@pytest.fixture
async def platform(
    tmp_path: Path, fake_slack: FakeSlack, wire_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[SlackPlatform]:
    """The platform's client alone (post() needs no listener), so no services are involved."""
    settings = make_settings(tmp_path, fake_slack, wire_folder, monkeypatch, "http")
    plat = create_platform(settings)
    try:
        yield plat
    finally:
        await plat.stop()


async def test_post_sends_block_kit_with_escaped_text_and_returns_ts(platform: SlackPlatform, fake_slack) -> None:
    ts = await platform.post(_post())
    call = fake_slack.calls("chat.postMessage")[-1]
    assert ts and call.body["channel"] == "C1"
    assert call.headers["Authorization"] == "Bearer xoxb-test-token"
    blocks = call.body["blocks"]
    assert [b["type"] for b in blocks] == ["header", "context", "section", "actions"]
    assert blocks[0]["text"]["text"] == "Talks resume &amp; &lt;!here&gt; hope rises"
    assert "&lt;!channel&gt;" in blocks[2]["text"]["text"] and "&lt;@U42&gt;" in blocks[2]["text"]["text"]
    assert "<!" not in str(call.body) and "<@" not in str(call.body)
    assert call.body["unfurl_links"] is False


async def test_publication_time_is_a_live_date_token_beside_escaped_source_text(
    platform: SlackPlatform, fake_slack: FakeSlack
) -> None:
    from datetime import UTC, datetime

    post = _post()
    when = datetime(2024, 5, 2, 7, 30, tzinfo=UTC)
    post = Post(post.digest, post.channel, "desk <!here>", None, when)
    await platform.post(post)
    context = fake_slack.calls("chat.postMessage")[-1].body["blocks"][1]["elements"][0]["text"]
    stamp = int(when.timestamp())
    assert context == (
        f"ROTTERDAM, May 2 · desk &lt;!here&gt; · <!date^{stamp}^{{date_short_pretty}} {{time}}|2024-05-02 07:30 UTC>"
    )


async def test_a_429_is_retried_after_retry_after(platform: SlackPlatform, fake_slack: FakeSlack) -> None:
    fake_slack.ratelimit("chat.postMessage", retry_after=1)
    assert await platform.post(_post())
    first, second = fake_slack.calls("chat.postMessage")
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 1.0, "the retry waited for Retry-After"


async def test_a_persistent_429_raises_rate_limited_for_the_outbox(platform: SlackPlatform, fake_slack) -> None:
    fake_slack.ratelimit("chat.postMessage", retry_after=1)
    fake_slack.ratelimit("chat.postMessage", retry_after=7)
    with pytest.raises(RateLimited) as caught:
        await platform.post(_post())
    assert caught.value.retry_after == 7


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found", "is_archived"])
async def test_a_lost_channel_raises_channel_gone(platform: SlackPlatform, fake_slack: FakeSlack, error: str) -> None:
    fake_slack.fail("chat.postMessage", error, channel="C2")
    with pytest.raises(ChannelGone, match=error):
        await platform.post(_post("C2"))


async def test_posts_to_one_channel_wait_their_turn_but_other_channels_are_not_held_up(
    platform: SlackPlatform, fake_slack: FakeSlack
) -> None:
    platform.limits.channel_interval = 20.0
    await asyncio.wait_for(platform.post(_post("C1")), 5)
    await asyncio.wait_for(platform.post(_post("C2")), 5)  # another channel: no wait
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(platform.post(_post("C1")), 0.5)  # the same channel: a 20 s wait
    assert [c.body["channel"] for c in fake_slack.calls("chat.postMessage")] == ["C1", "C2"]


async def test_fan_out_respects_slack_per_channel_rate(platform: SlackPlatform, fake_slack: FakeSlack) -> None:
    """Two digests to 20 channels at once: the fake 429s any channel posted to twice within 0.9 s.

    The bot spaces a channel's posts 1.1 s apart by when it sends them; the in-process fake times
    them by when it handles them, which for the first of 20 simultaneous posts can be a few hundred
    ms later on a busy machine. An unpaced bot posts the second round within milliseconds."""
    fake_slack.channel_interval = 0.9
    posts = [_post(f"CF{i}") for i in range(20)] * 2
    await asyncio.wait_for(asyncio.gather(*(platform.post(p) for p in posts)), 5)
    assert fake_slack.rate_limited == 0
    assert len([c for c in fake_slack.calls("chat.postMessage") if c.status == 200]) == 40


def test_missing_secrets_name_the_variable(tmp_path, fake_slack, wire_folder, monkeypatch) -> None:
    settings = make_settings(tmp_path, fake_slack, wire_folder, monkeypatch, "socket")
    settings.slack.app_token = None
    with pytest.raises(ConfigError, match="WIREBRIEF_SLACK_APP_TOKEN"):
        create_platform(settings)
    settings.slack.bot_token = None
    with pytest.raises(ConfigError, match="WIREBRIEF_SLACK_BOT_TOKEN"):
        create_platform(settings)


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked"])
async def test_a_refused_token_is_one_line_naming_the_variable(
    tmp_path, fake_slack: FakeSlack, wire_folder, monkeypatch, error: str
) -> None:
    settings = make_settings(tmp_path, fake_slack, wire_folder, monkeypatch, "socket")
    fake_slack.fail("auth.test", error)
    platform = create_platform(settings)
    with pytest.raises(ConfigError) as caught:
        await platform.start(None)  # type: ignore[arg-type]
    assert str(caught.value) == f"slack: the bot token was refused ({error}); check WIREBRIEF_SLACK_BOT_TOKEN"


def test_an_unreachable_api_is_one_line_and_exit_2(tmp_path: Path) -> None:
    import socket

    from tests.bot.proc import wirebrief

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = tmp_path / "c.toml"
    config.write_text(f'[store]\nurl = "sqlite:///{tmp_path / "s.sqlite3"}"\n[slack]\nmode = "socket"\n')
    env = {
        "WIREBRIEF_SLACK_BOT_TOKEN": "xoxb-x",
        "WIREBRIEF_SLACK_APP_TOKEN": "xapp-x",
        "WIREBRIEF_SLACK_API_BASE": f"http://127.0.0.1:{port}/api/",
    }
    run = wirebrief(tmp_path, "run", "--once", "--platform", "slack", "-c", str(config), **env)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith(f"wirebrief: error: slack: cannot reach the Slack API at http://127.0.0.1:{port}/api/: ")
    assert len(run.stderr.strip().splitlines()) <= 2  # at most the engine's "stopped" line before it
