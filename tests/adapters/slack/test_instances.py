"""Several Slack instances on one store. Socket Mode: each instance holds its own connection,
Slack hands each envelope to one of them, and an envelope redelivered on the other connection
is handled once (the replay table is in the shared store). HTTP mode needs nothing held in an
instance either: see test_replay.test_two_instances_on_one_store_agree."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.adapters.slack.conftest import close_rig, open_rig
from tests.fakes.slack_fake import FakeSlack, event_payload, mention_event


def replies_to(fake: FakeSlack, ts: str) -> int:
    return len([r for r in fake.calls("chat.postMessage") if r.body.get("thread_ts") == ts])


async def test_two_socket_mode_instances_share_the_work_and_a_redelivery_is_handled_once(
    tmp_path: Path, fake_slack: FakeSlack, wire_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = await open_rig(tmp_path, fake_slack, wire_folder, monkeypatch, "socket")
    second = await open_rig(tmp_path, fake_slack, wire_folder, monkeypatch, "socket")
    try:
        assert fake_slack.connections == 2
        twice = event_payload(mention_event("hi", ts="1700000000.000901"), event_id="EvTWICE")
        for connection in (0, 1):  # delivered, then redelivered on the other instance's connection
            envelope = await fake_slack.send_envelope("events_api", twice, connection=connection)
            await fake_slack.wait_for(lambda r, e=envelope: r.kind == "socket_ack" and r.name == e)
        for connection, ts in ((0, "1700000000.000902"), (1, "1700000000.000903")):
            payload = event_payload(mention_event("hello", ts=ts), event_id=f"Ev{ts[-3:]}")
            await fake_slack.send_envelope("events_api", payload, connection=connection)
        for _ in range(50):  # replies follow the acks: poll, bounded (5 s)
            if replies_to(fake_slack, "1700000000.000902") and replies_to(fake_slack, "1700000000.000903"):
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # a second reply to the redelivered event would have come by now
        assert [replies_to(fake_slack, f"1700000000.00090{n}") for n in (1, 2, 3)] == [1, 1, 1]
    finally:
        await close_rig(second)
        await close_rig(first)
