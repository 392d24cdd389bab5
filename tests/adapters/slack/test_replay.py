"""Replays and retries: a Slack request already handled is acknowledged (200) and ignored —
over HTTP (an exact replay inside the 5-minute window, Slack's own ``X-Slack-Retry-Num``
retry), over Socket Mode (a redelivered envelope), and across two instances on one store.
A malformed timestamp is refused (401), never a server error."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.adapters.slack.conftest import SlackRig, close_rig, open_rig, sign
from tests.fakes.slack_fake import FakeSlack, event_payload, mention_event, slash_payload

FORM = "application/x-www-form-urlencoded"


async def _barrier(rig: SlackRig) -> None:
    """A fresh command answered: everything sent before it has been handled or dropped."""
    assert "subscriptions" in (await rig.side.command("list"))["text"].lower()


async def test_an_exact_replay_of_a_signed_command_runs_once(http_rig: SlackRig) -> None:
    body = urlencode(slash_payload(http_rig.fake, "help", key="once"))
    ts = int(time.time())
    for _ in range(3):
        status, text = await http_rig.side.post_signed(body, FORM, timestamp=ts, signature=sign(body, ts))
        assert (status, text) == (200, "")
    await _barrier(http_rig)
    assert len(http_rig.fake.responses("once")) == 1


async def test_a_retried_event_is_answered_once(http_rig: SlackRig) -> None:
    payload = json.dumps(event_payload(mention_event("hello", ts="1700000000.000900"), event_id="EvRETRY"))
    status, _ = await http_rig.side.post_signed(payload, "application/json")
    assert status == 200
    for retry in ("1", "2"):  # Slack's retries: same event_id, new timestamp and signature
        status, text = await http_rig.side.post_signed(
            payload, "application/json", extra={"X-Slack-Retry-Num": retry, "X-Slack-Retry-Reason": "http_timeout"}
        )
        assert (status, text) == (200, "")
    await _barrier(http_rig)
    replies = [r for r in http_rig.fake.calls("chat.postMessage") if r.body.get("thread_ts") == "1700000000.000900"]
    assert len(replies) == 1


async def test_a_redelivered_socket_envelope_is_handled_once(
    tmp_path: Path, fake_slack: FakeSlack, wire_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rig = await open_rig(tmp_path, fake_slack, wire_folder, monkeypatch, "socket")
    try:
        payload = event_payload(mention_event("hi", ts="1700000000.000777"), event_id="EvSOCK")
        for _ in range(2):
            envelope = await fake_slack.send_envelope("events_api", payload)
            await fake_slack.wait_for(lambda r, e=envelope: r.kind == "socket_ack" and r.name == e)
        await _barrier(rig)
        replies = [r for r in fake_slack.calls("chat.postMessage") if r.body.get("thread_ts") == "1700000000.000777"]
        assert len(replies) == 1
    finally:
        await close_rig(rig)


async def test_two_instances_on_one_store_agree(
    tmp_path: Path, fake_slack: FakeSlack, wire_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await open_rig(tmp_path, fake_slack, wire_folder, monkeypatch, "http")
    second = await open_rig(tmp_path, fake_slack, wire_folder, monkeypatch, "http")
    try:
        body = urlencode(slash_payload(fake_slack, "help", key="shared"))
        ts = int(time.time())
        for rig in (first, second, first):
            status, _ = await rig.side.post_signed(body, FORM, timestamp=ts, signature=sign(body, ts))
            assert status == 200
        await _barrier(second)
        assert len(fake_slack.responses("shared")) == 1
    finally:
        await close_rig(second)
        await close_rig(first)


@pytest.mark.parametrize("timestamp", ["abc", "", "12.5", "-1", "1e9", "٣٣٣"])
async def test_a_malformed_timestamp_is_401_not_500(http_rig: SlackRig, timestamp: str) -> None:
    import aiohttp

    body = urlencode(slash_payload(http_rig.fake, "help", key="badts"))
    headers = {"Content-Type": FORM, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + "0" * 64}
    assert http_rig.side.events_url
    async with (
        aiohttp.ClientSession() as session,
        session.post(http_rig.side.events_url, data=body, headers=headers) as resp,
    ):
        assert resp.status == 401
    await _barrier(http_rig)
    assert http_rig.fake.responses("badts") == []
