"""HTTP mode's front door: Slack's request signing, the 5-minute replay window, url_verification.

A rejected request must change nothing: no response_url post, no Web API call, no
subscription. A later valid command serves as the barrier proving nothing was queued.
"""

from __future__ import annotations

import json
import time
from urllib.parse import urlencode

import pytest

from bot.domain import ChannelRef
from tests.adapters.slack.conftest import SlackRig, sign
from tests.fakes.slack_fake import TEAM_ID, slash_payload

FORM = "application/x-www-form-urlencoded"


async def _assert_nothing_changed(rig: SlackRig, before: int) -> None:
    listing = await rig.side.command("list")
    assert "no subscriptions" in listing["text"]
    later = rig.fake.requests[before:]
    assert [r.kind for r in later if r.kind == "response"] == ["response"], "only the barrier's answer"
    assert not [r for r in later if r.kind == "api" and r.name != "auth.test" and r.name != "users.info"]
    assert await rig.services.subscriptions(ChannelRef("slack", "C1", TEAM_ID)) == []


async def test_url_verification_echoes_the_challenge(http_rig: SlackRig) -> None:
    body = json.dumps(
        {"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}
    )
    status, text = await http_rig.side.post_signed(body, "application/json")
    assert status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in text


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda body, ts: {"signature": sign(body, ts, "wrong-secret")}, id="wrong-secret"),
        pytest.param(lambda body, ts: {"signature": "v0=" + "0" * 64}, id="garbage-signature"),
        pytest.param(
            lambda body, ts: {"timestamp": ts - 301, "signature": sign(body, ts - 301)}, id="older-than-5-min"
        ),
        pytest.param(lambda body, ts: {"signature": sign(body + "&x=1", ts)}, id="body-tampered"),
    ],
)
async def test_forged_or_replayed_commands_get_401_and_change_nothing(http_rig: SlackRig, forge) -> None:
    before = len(http_rig.fake.requests)
    payload = slash_payload(http_rig.fake, "subscribe desk", key="forged")
    body = urlencode(payload)
    status, _ = await http_rig.side.post_signed(body, FORM, **forge(body, int(time.time())))
    assert status == 401
    await _assert_nothing_changed(http_rig, before)
    assert http_rig.fake.responses("forged") == []


async def test_a_forged_mention_gets_401_and_posts_nothing(http_rig: SlackRig) -> None:
    before = len(http_rig.fake.requests)
    body = json.dumps({"type": "event_callback", "team_id": TEAM_ID, "event": {"type": "app_mention", "text": "hi"}})
    status, _ = await http_rig.side.post_signed(body, "application/json", signature=sign(body, 1, "nope"))
    assert status == 401
    await _assert_nothing_changed(http_rig, before)
    assert http_rig.fake.calls("chat.postMessage") == []
